import { CLS, DIGIT, DOT, HARD, HEX_ID_CHARS, KEEP, OTHER, SOFT, SPACE, WILDCARD, isDigit, isDomainNameAt, isHexLetter, isLetter } from './tokenize.js';

// The miner's fast path. Most messages have the same token sequence as one seen before
// (same template, other values), and then tokenizing is wasted work. This walks the
// message like tokenize() does but only hashes what tokenize's output depends on: chunk
// boundaries, spacing, separators, and each chunk as masked (values as one code). Equal
// hashes mean equal token sequences, up to a 53-bit hash collision (two hashes of 32 and
// 21 bits; with 100,000 cached shapes about one chance in two million).
//
// It runs once per record, so its inner loop does little more than hash the characters of
// a chunk: the rest (is it a URL, a host name, a value?) is looked at where a colon or the
// chunk's end shows it can matter, and a masked chunk is hashed as maskChunk() would
// write it, without building the string.

const C_SPACE = 32;
const WILD = 0x1_0000;

// tokenize's classes (bits 1..64) plus what this pass needs to know per character.
const CLS_BITS = 127;
const LETTER = 128;
/** May appear in a URL scheme ([A-Za-z+.-]). */
const SCHEME = 256;
/** Ends a chunk or needs a closer look: blanks, hard separators, ':'. */
const BREAK = 512;
const SLASH = 1024;

// Every UTF-16 code unit has an entry (non-ASCII: OTHER): no range test per character, and
// the compiler knows a charCodeAt() result is always in bounds.
const T = new Uint16Array(65536).fill(OTHER);
for (let c = 0; c < 128; c++) {
  let k = CLS[c]!;
  if (isLetter(c)) k |= LETTER | SCHEME;
  if (c === 43 || c === 46 || c === 45) k |= SCHEME;
  if (k & (SPACE | HARD) || c === 58) k |= BREAK;
  if (c === 47) k |= SLASH;
  T[c] = k;
}

const P1 = 0x01000193;
const P2 = 0x5bd1e995;
const FNV0 = 0x811c9dc5 | 0;
const MUR0 = 0x27d4eb2f | 0;

export function shapeHash(msg: string): number {
  let h1 = FNV0;
  let h2 = MUR0;
  const n = msg.length;
  let i = 0;
  let sawSpace = 0;
  outer: while (i < n) {
    const c = msg.charCodeAt(i);
    const cls = T[c]!;
    if (cls & SPACE) {
      sawSpace = 0x2_0000;
      i++;
      continue;
    }
    if (cls & HARD) {
      // The separator and the char after it decide the empty-value slot, both are hashed.
      const v = c | 0x4_0000 | sawSpace;
      h1 = Math.imul(h1 ^ v, P1);
      h2 = Math.imul(h2 ^ v, P2);
      h2 ^= h2 >>> 15;
      sawSpace = 0;
      i++;
      // "=" then CR or LF leaves no empty value, though the blank after it looks like "= ".
      if (c === 61 && i < n) {
        const e = msg.charCodeAt(i);
        if (e === 13 || e === 10) {
          h1 = Math.imul(h1 ^ 0x40_0000, P1);
          h2 = Math.imul(h2 ^ 0x40_0000, P2);
        }
      }
      continue;
    }
    // One chunk. Its characters are hashed as we find its end (used when it is kept as is).
    // The loop does only that: what else the chunk needs is looked at when it ends.
    let rest = 0; // classes of the characters after the first
    let c1 = Math.imul(FNV0 ^ c, P1);
    let c2 = Math.imul(MUR0 ^ c, P2);
    // isUrlAt(): a chunk that starts with a letter may be "scheme://..." (or
    // "scheme:scheme2://...", as jdbc:mysql://), each scheme within 16 characters; checked
    // at its colons. `scheme`: where the scheme being read starts, -1 once there is none.
    let scheme = cls & LETTER ? i : -1;
    // For maskChunk: the first "://" and the colons after the first character.
    let schemeSep = c === 58 && msg.charCodeAt(i + 1) === 47 && msg.charCodeAt(i + 2) === 47 ? i : -1;
    let lastColon = -1;
    let colons = 0;
    let j = i + 1;
    while (j < n) {
      const d = msg.charCodeAt(j);
      const k = T[d]!;
      if (k & BREAK) {
        if (k & (SPACE | HARD)) break;
        // ':' that ends the chunk ("addStoredBlock: ") is punctuation of its own.
        const e = j + 1 < n ? msg.charCodeAt(j + 1) : C_SPACE;
        if (e === C_SPACE) break;
        lastColon = j;
        colons++;
        const slashes = e === 47 && msg.charCodeAt(j + 2) === 47;
        if (slashes && schemeSep < 0) schemeSep = j;
        if (scheme >= 0) {
          if (j <= n - 3 && j <= scheme + 16 && allHave(msg, scheme, j, SCHEME)) {
            if (slashes) {
              // A URL is one value up to the next blank, query string and all.
              j += 3;
              while (j < n) {
                const u = msg.charCodeAt(j);
                if (u === C_SPACE || u === 9) break;
                j++;
              }
              const v = WILD | sawSpace;
              h1 = Math.imul(h1 ^ v, P1);
              h2 = Math.imul(h2 ^ v, P2);
              h2 ^= h2 >>> 15;
              sawSpace = 0;
              i = j;
              continue outer;
            }
            scheme = isLetter(e) ? j + 1 : -1;
          } else {
            scheme = -1;
          }
        }
      }
      rest |= k;
      c1 = Math.imul(c1 ^ d, P1);
      c2 = Math.imul(c2 ^ d, P2);
      j++;
    }
    const f = (cls | rest) & CLS_BITS;
    let v: number;
    if (f === DIGIT || ((f & (OTHER | KEEP)) === 0 && cls & DIGIT && isDigit(msg.charCodeAt(j - 1)))) {
      v = WILD;
    } else if (f & SOFT && !(f & DIGIT)) {
      // No digit: maskChunk() keeps the chunk, unless it is a path or a host name.
      if ((c === 47 && rest & SLASH) || (c >= 97 && c <= 122 && f & DOT && isDomainNameAt(msg, i, j))) {
        v = WILD;
      } else {
        h1 = Math.imul(h1 ^ c1, P1);
        h2 = Math.imul(h2 ^ (c2 ^ (c2 >>> 15)), P2);
        v = 0x10_0000;
      }
    } else if (f & SOFT) {
      maskedChunkHash(msg, i, j, (rest & SLASH) !== 0, schemeSep, lastColon, colons);
      h1 = Math.imul(h1 ^ m1, P1);
      h2 = Math.imul(h2 ^ m2, P2);
      v = 0x8_0000;
    } else if (f & DIGIT && isVariableRange(msg, i, j)) {
      // isVariablePart(): two digits or more, or a digit not glued to a letter.
      v = WILD;
    } else {
      h1 = Math.imul(h1 ^ c1, P1);
      h2 = Math.imul(h2 ^ (c2 ^ (c2 >>> 15)), P2);
      v = 0x10_0000;
    }
    v |= sawSpace;
    h1 = Math.imul(h1 ^ v, P1);
    h2 = Math.imul(h2 ^ v, P2);
    h2 ^= h2 >>> 15;
    sawSpace = 0;
    i = j;
    if (i < n && msg.charCodeAt(i) === 58) {
      h1 = Math.imul(h1 ^ 0x20_0000, P1);
      h2 = Math.imul(h2 ^ 0x20_0000, P2);
      i++;
    }
  }
  return (h1 >>> 0) * 0x20_0000 + ((h2 ^ (h2 >>> 13)) & 0x1f_ffff);
}

function allHave(s: string, from: number, to: number, bits: number): boolean {
  for (let k = from; k < to; k++) if (!(T[s.charCodeAt(k)]! & bits)) return false;
  return true;
}

/** isVariablePart(s.slice(a, b)): two digits or more, or a digit not after a letter, or a hex id. */
function isVariableRange(s: string, a: number, b: number): boolean {
  let digits = 0;
  for (let k = a; k < b; k++) {
    if (isDigit(s.charCodeAt(k))) {
      if (k === a || !isLetter(s.charCodeAt(k - 1)) || ++digits >= 2) return true;
    }
  }
  return digits === 1 && isHexRange(s, a, b);
}

/** Hex digits only, HEX_ID_CHARS of them at least (see isVariablePart). */
function isHexRange(s: string, a: number, b: number): boolean {
  if (b - a < HEX_ID_CHARS) return false;
  for (let k = a; k < b; k++) {
    const c = s.charCodeAt(k);
    if (!isDigit(c) && !isHexLetter(c)) return false;
  }
  return true;
}

function indexIn(s: string, code: number, from: number, to: number): number {
  for (let k = from; k < to; k++) if (s.charCodeAt(k) === code) return k;
  return -1;
}

// maskedChunkHash's result (two numbers, without allocating).
let m1 = 0;
let m2 = 0;

function addRange(s: string, a: number, b: number): void {
  let x = m1;
  let y = m2;
  for (let k = a; k < b; k++) {
    const d = s.charCodeAt(k);
    x = Math.imul(x ^ d, P1);
    y = Math.imul(y ^ d, P2);
  }
  m1 = x;
  m2 = y;
}

function addWild(): void {
  addRange(WILDCARD, 0, 3);
}

/**
 * The hash of maskChunk(s.slice(a, b)) for a chunk with a digit, character by character,
 * without building the string; leaves it in m1/m2. Mirrors maskChunk step by step (a test
 * holds them together). What the caller's scan already knows comes in: whether a '/'
 * follows the first character, where the first "://" is (-1: none), where the last ':'
 * after the first character is (-1: none) and how many there are.
 */
function maskedChunkHash(s: string, a: number, b: number, slashAfterFirst: boolean, schemeSep: number, lastColon: number, colons: number): void {
  m1 = FNV0;
  m2 = MUR0;
  const c0 = s.charCodeAt(a);
  // Paths and URLs: the whole chunk is the value.
  if ((c0 === 47 && slashAfterFirst) || schemeSep > a) return addWild();
  // host:port (the host has a dot or a dash, the port 1-5 digits): both parts are values.
  if (lastColon > a && b - lastColon - 1 >= 1 && b - lastColon - 1 <= 5 && colons === 1) {
    let port = true;
    for (let k = lastColon + 1; k < b; k++) if (!isDigit(s.charCodeAt(k))) port = false;
    if (port && c0 !== 58) {
      for (let k = a; k < lastColon; k++) {
        const c = s.charCodeAt(k);
        if (c === 46 || c === 45) {
          addWild();
          addRange(':', 0, 1);
          return addWild();
        }
      }
    }
  }
  // Split at soft separators; mask the parts that hold digits; runs of masked parts joined
  // by - . / collapse into one wildcard, ':' '#' '@' stay visible. The separators waiting
  // to be written are always the `pl` characters from `ps`.
  let start = a;
  let lastWasVar = false;
  let ps = a;
  let pl = 0;
  let first = true;
  // isVariablePart() of the part being read: two digits, or a digit not after a letter.
  let digits = 0;
  let variable = false;
  let prev = 0;
  for (let q = a; q <= b; q++) {
    let c = -1;
    if (q < b) {
      c = s.charCodeAt(q);
      const k = T[c]!;
      if (!(k & SOFT)) {
        if (k & DIGIT) {
          if (q === start || !(prev & LETTER) || ++digits >= 2) variable = true;
        }
        prev = k;
        continue;
      }
      // A '-' that starts a number is its sign, not a separator.
      if (c === 45 && q === start && q + 1 < b && isDigit(s.charCodeAt(q + 1))) {
        prev = k;
        continue;
      }
      // A '.' between digits is a decimal point.
      if (c === 46 && q > start && prev & DIGIT && q + 1 < b && isDigit(s.charCodeAt(q + 1))) {
        prev = k;
        continue;
      }
      prev = k;
    }
    if (q === start) {
      if (c !== -1) {
        if (pl === 0) ps = q;
        pl++;
      }
      start = q + 1;
      continue;
    }
    const v = variable || (digits === 1 && isHexRange(s, start, q));
    if (v && lastWasVar && pl === 1 && (s.charCodeAt(ps) === 45 || s.charCodeAt(ps) === 46 || s.charCodeAt(ps) === 47)) {
      // collapse into the previous wildcard
    } else {
      // "/10.251.42.84": the slash belongs to the address (maskChunk drops a leading "/" before "<*>").
      const dropSlash = first && c0 === 47 && pl === 1 && (v || s.startsWith(WILDCARD, start));
      addRange(s, dropSlash ? ps + 1 : ps, ps + pl);
      if (v) addWild();
      else addRange(s, start, q);
      first = false;
    }
    lastWasVar = v;
    ps = q;
    pl = c === -1 ? 0 : 1;
    start = q + 1;
    digits = 0;
    variable = false;
  }
  addRange(s, ps, ps + pl);
}

/** The hash of maskChunk(s.slice(a, b)) as shapeHash computes it, for tests (needs a digit in the chunk). */
export function maskedChunkHashOf(s: string, a = 0, b = s.length): [number, number] {
  let schemeSep = -1;
  let lastColon = -1;
  let colons = 0;
  for (let k = a; k < b; k++) {
    if (s.charCodeAt(k) !== 58) continue;
    if (schemeSep < 0 && s.startsWith('//', k + 1) && k + 2 < b) schemeSep = k;
    if (k > a) {
      lastColon = k;
      colons++;
    }
  }
  maskedChunkHash(s, a, b, indexIn(s, 47, a + 1, b) >= 0, schemeSep, lastColon, colons);
  return [m1, m2];
}
