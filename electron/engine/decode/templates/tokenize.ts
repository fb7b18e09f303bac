// Turns a message into the token sequence the template miner compares. One pass over the
// char codes, no regex on the hot path: this runs once per record at 500k+ records/s.
//
// A token is a whitespace-delimited chunk, further split at "hard" punctuation that
// separates a key from its value or a list item from the next (= , ; ( ) [ ] { } " and a
// colon that ends a chunk). Inside a chunk, "soft" separators (: / @ # - .) keep the
// constant parts visible while the variable parts are masked, so `onExtend:1514038530000`
// becomes `onExtend:<*>` and `node-246` becomes `node-<*>`.

export const WILDCARD = '<*>';
/** An empty value slot (`key=` with nothing after it); renders as nothing until generalized. */
export const EMPTY = '';

/** Tokens of one message; `space[i]` is true when whitespace preceded token i in the message. */
export interface Tokens {
  tokens: string[];
  space: boolean[];
}

// A sink for spacing flags nobody asked for: pushes into it are dropped at once.
const NO_SPACE: boolean[] = [];
const C_SPACE = 32;
const C_TAB = 9;
const C_0 = 48;
const C_9 = 57;

// Character classes, one table lookup per character on the hot path.
export const SPACE = 1;
export const HARD = 2;
export const DIGIT = 4;
export const SOFT = 8;
export const DOT = 16;
export const OTHER = 32; // letters and any other character: not a pure number
export const CLS = new Uint8Array(128).fill(OTHER);
for (const c of [32, 9, 10, 13]) CLS[c] = SPACE;
for (const ch of '=,;()[]{}"|') CLS[ch.charCodeAt(0)] = HARD;
for (let c = 48; c <= 57; c++) CLS[c] = DIGIT;
export const KEEP = 64; // soft separators that stay visible between values (: @ #)
for (const ch of '/-') CLS[ch.charCodeAt(0)] = SOFT;
for (const ch of ':@#') CLS[ch.charCodeAt(0)] = SOFT | KEEP;
CLS[46] = SOFT | DOT;

function isHard(c: number): boolean {
  // = , ; ( ) [ ] { } " |
  return c === 61 || c === 44 || c === 59 || c === 40 || c === 41 || c === 91 || c === 93 || c === 123 || c === 125 || c === 34 || c === 124;
}

export function isDigit(c: number): boolean {
  return c >= C_0 && c <= C_9;
}

export function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

// Abbreviated units that belong to the number before them ("5.2 KB", "<1 sec", "12 ms").
// Spelled-out words (bytes, seconds) are left alone: templates keep them as constants.
export const UNITS = new Set(['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'KiB', 'MiB', 'GiB', 'TiB', 'kB', 'ms', 'us', 'µs', 'ns', 's', 'sec', 'secs', 'min', 'mins', '%']);

/**
 * Masks one chunk (no whitespace, no hard separators). Returns the chunk with variable parts
 * replaced by the wildcard, or the chunk itself when it has nothing variable.
 */
export function maskChunk(s: string): string {
  const n = s.length;
  let hasDigit = false;
  for (let i = 0; i < n; i++) {
    if (isDigit(s.charCodeAt(i))) {
      hasDigit = true;
      break;
    }
  }
  const c0 = s.charCodeAt(0);
  // Paths and URLs: the whole chunk is the value.
  if (c0 === 47 /* / */ && s.indexOf('/', 1) > 0) return WILDCARD;
  if (n > 3 && s.indexOf('://') > 0) return WILDCARD;
  if (!hasDigit) return isDomainName(s) ? WILDCARD : s;
  // host:port (the host has a dot or a dash, the port 1-5 digits): both parts are values.
  const colon = s.lastIndexOf(':');
  if (colon > 0 && n - colon - 1 >= 1 && n - colon - 1 <= 5) {
    let port = true;
    for (let i = colon + 1; i < n; i++) if (!isDigit(s.charCodeAt(i))) port = false;
    if (port) {
      const host = s.slice(0, colon);
      if ((host.indexOf('.') >= 0 || host.indexOf('-') >= 0) && host.indexOf(':') < 0) return WILDCARD + ':' + WILDCARD;
    }
  }
  // Split at soft separators; mask the parts that hold digits; runs of masked parts joined
  // by - . / collapse into one wildcard (an IP, a dashed id), ':' '#' '@' stay visible.
  let out = '';
  let start = 0;
  let lastWasVar = false;
  let pendingSep = '';
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : -1;
    const soft = c === 58 || c === 47 || c === 64 || c === 35 || c === 45 || c === 46 || c === -1;
    if (!soft) continue;
    // A '-' that starts a number is its sign, not a separator.
    if (c === 45 && i === start && i + 1 < n && isDigit(s.charCodeAt(i + 1))) continue;
    // A '.' between digits is a decimal point.
    if (c === 46 && i > start && isDigit(s.charCodeAt(i - 1)) && i + 1 < n && isDigit(s.charCodeAt(i + 1))) continue;
    const part = s.slice(start, i);
    const sep = c === -1 ? '' : s[i]!;
    if (part.length === 0) {
      pendingSep += sep;
      start = i + 1;
      continue;
    }
    const v = isVariablePart(part);
    if (v) {
      if (lastWasVar && (pendingSep === '-' || pendingSep === '.' || pendingSep === '/')) {
        // collapse into the previous wildcard
      } else {
        out += pendingSep + WILDCARD;
      }
    } else {
      out += pendingSep + part;
    }
    lastWasVar = v;
    pendingSep = sep;
    start = i + 1;
  }
  out += pendingSep;
  // "/10.251.42.84": the slash belongs to the address.
  if (c0 === 47 && out.startsWith('/' + WILDCARD)) return out.slice(1);
  return out;
}

// Top-level domains common enough to tell a host name from a dotted identifier
// (org.apache.hadoop ends in a word that is not a TLD; proxy.example.com does).
const TLDS = new Set(['com', 'net', 'org', 'edu', 'gov', 'mil', 'int', 'io', 'info', 'biz', 'local', 'lan', 'internal', 'localdomain', 'uk', 'de', 'fr', 'nl', 'ru', 'cn', 'jp', 'hk', 'tw', 'kr', 'br', 'au', 'ca', 'it', 'es', 'pl', 'ch', 'se', 'in', 'us', 'eu']);

/** A lower-case dotted name ending in a known TLD: proxy.cse.cuhk.edu.hk, ns.example.com. */
export function isDomainName(s: string): boolean {
  return isDomainNameAt(s, 0, s.length);
}

/** isDomainName(s.slice(a, b)), without the slice. */
export function isDomainNameAt(s: string, a: number, b: number): boolean {
  let dot = -1;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) dot = i;
    else if (!((c >= 97 && c <= 122) || c === 45 || isDigit(c))) return false;
  }
  if (dot <= a || dot === b - 1) return false;
  return TLDS.has(s.slice(dot + 1, b));
}

/**
 * A part is a value when it holds two or more digits, or a digit that stands alone
 * (`broadcast_9`, `-1`); a digit glued to letters names a thing (ssh2, eth0, jk2_init, IPv4),
 * but for a hex id of HEX_ID_CHARS or more (`facade0b`: one random id in 200 has a single digit).
 */
export function isVariablePart(p: string): boolean {
  const n = p.length;
  let digits = 0;
  let lonely = false;
  let hex = n >= HEX_ID_CHARS;
  for (let i = 0; i < n; i++) {
    const c = p.charCodeAt(i);
    if (isDigit(c)) {
      digits++;
      if (i === 0 || !isLetter(p.charCodeAt(i - 1))) lonely = true;
    } else if (hex && !isHexLetter(c)) hex = false;
  }
  return digits >= 2 || lonely || (hex && digits === 1);
}

/** Characters from which a word of hex digits with a digit in it is an id, not a name. */
export const HEX_ID_CHARS = 8;

export function isHexLetter(c: number): boolean {
  return (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** A scheme ("http", "jdbc:mysql", ...) followed by "://" starts at i. */
export function isUrlAt(s: string, i: number): boolean {
  const end = Math.min(s.length - 3, i + 16);
  for (let q = i; q <= end; q++) {
    const c = s.charCodeAt(q);
    if (c === 58) return s.charCodeAt(q + 1) === 47 && s.charCodeAt(q + 2) === 47 ? q > i : q > i && isLetter(s.charCodeAt(q + 1)) && isUrlAt(s, q + 1);
    if (!(isLetter(c) || c === 43 || c === 46 || c === 45)) return false;
  }
  return false;
}

export function isVariableToken(t: string): boolean {
  return t.indexOf(WILDCARD) >= 0;
}

/** A value slot: masked, or empty. Two value slots count as the same token. */
export function isValueToken(t: string): boolean {
  return t === EMPTY || t.indexOf(WILDCARD) >= 0;
}

const MONTHS = new Set(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']);
const DAYS = new Set(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);

/** "Fri Jun 17 07:07:00 2005": month and day names are part of a date value. */
function maskDates(tokens: string[]): void {
  for (let k = 0; k + 1 < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.length !== 3) continue;
    if (MONTHS.has(t) && isVariableToken(tokens[k + 1]!)) {
      tokens[k] = WILDCARD;
      if (k > 0 && DAYS.has(tokens[k - 1]!)) tokens[k - 1] = WILDCARD;
    }
  }
}

/**
 * Tokenizes and masks a message. `space`, when given, receives for each token whether
 * whitespace preceded it (needed only to render a new template's text).
 */
export function tokenize(msg: string, space: boolean[] = NO_SPACE): Tokens {
  const tokens: string[] = [];
  const ws = space !== NO_SPACE;
  const n = msg.length;
  let i = 0;
  let sawSpace = false;
  while (i < n) {
    const c = msg.charCodeAt(i);
    if (c === C_SPACE || c === C_TAB || c === 13 || c === 10) {
      sawSpace = true;
      i++;
      continue;
    }
    if (isHard(c)) {
      tokens.push(msg[i]!);
      if (ws) space.push(sawSpace);
      sawSpace = false;
      i++;
      // An empty value ("logname= uid=0", "()", "[]") is a value all the same: a slot that
      // other messages of the template fill ("rhost=" then "rhost=10.0.0.1").
      if (c === 61 || c === 40 || c === 91) {
        const d = i < n ? msg.charCodeAt(i) : C_SPACE;
        const empty = c === 61 ? d === C_SPACE || d === C_TAB || d === 44 || d === 59 : d === (c === 40 ? 41 : 93);
        if (empty) {
          tokens.push(EMPTY);
          if (ws) space.push(false);
        }
      }
      continue;
    }
    let j = i + 1;
    // A URL is one value up to the next blank, query string and all.
    if (isLetter(c) && isUrlAt(msg, i)) {
      while (j < n && msg.charCodeAt(j) !== C_SPACE && msg.charCodeAt(j) !== C_TAB) j++;
      tokens.push(WILDCARD);
      if (ws) space.push(sawSpace);
      sawSpace = false;
      i = j;
      continue;
    }
    let flags = c < 128 ? CLS[c]! : OTHER;
    while (j < n) {
      const d = msg.charCodeAt(j);
      const k = d < 128 ? CLS[d]! : OTHER;
      if (k & (SPACE | HARD)) break;
      // A colon that ends the chunk ("addStoredBlock: ", "Old: ") is punctuation of its own.
      if (d === 58 && (j + 1 === n || msg.charCodeAt(j + 1) === C_SPACE)) break;
      flags |= k;
      j++;
    }
    // Most chunks are plain words or plain numbers: decide those without splitting.
    let chunk: string;
    let masked: string;
    if (flags === DIGIT) {
      chunk = masked = WILDCARD;
    } else if ((flags & (OTHER | KEEP)) === 0 && isDigit(c) && isDigit(msg.charCodeAt(j - 1))) {
      // Digits joined by . - / only: an IP, a date, a dotted version: one value.
      chunk = masked = WILDCARD;
    } else {
      chunk = msg.slice(i, j);
      if (flags & SOFT) masked = maskChunk(chunk);
      else if (flags & DIGIT) masked = isVariablePart(chunk) ? WILDCARD : chunk;
      else masked = chunk;
    }
    // "5.2 KB", "<1 sec": the unit joins the value before it.
    if (sawSpace && tokens.length > 0 && tokens[tokens.length - 1] === WILDCARD && chunk.length <= 4 && UNITS.has(chunk)) {
      sawSpace = false;
      i = j;
      continue;
    }
    tokens.push(masked);
    if (ws) space.push(sawSpace);
    sawSpace = false;
    i = j;
    // The colon that ended the chunk.
    if (i < n && msg.charCodeAt(i) === 58) {
      tokens.push(':');
      if (ws) space.push(false);
      i++;
    }
  }
  dropRestatedQuantities(tokens, space);
  maskDates(tokens);
  return { tokens, space };
}

/**
 * "1190 bytes (1.16 KB) sent": the parenthesis restates the quantity before it in other
 * units and is there only for some values, so it is not part of the template.
 */
function dropRestatedQuantities(tokens: string[], space: boolean[]): void {
  for (let k = 2; k + 2 < tokens.length; k++) {
    if (tokens[k] === '(' && tokens[k + 1] === WILDCARD && tokens[k + 2] === ')' && tokens[k - 2] === WILDCARD && !isVariableToken(tokens[k - 1]!)) {
      tokens.splice(k, 3);
      if (space.length) space.splice(k, 3);
    }
  }
}

/** Renders a template: tokens joined with the spacing seen in the message that created it. */
export function render(tokens: readonly string[], space: readonly boolean[]): string {
  let s = '';
  for (let i = 0; i < tokens.length; i++) {
    if (i > 0 && space[i]) s += ' ';
    s += tokens[i];
  }
  return s;
}
