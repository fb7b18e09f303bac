// Timestamp parsing: strftime-style patterns compiled once into a small scanner (no regex
// per line), ISO 8601, and epoch numbers of any magnitude. Results are UTC epoch ms.
// Text without a year takes the year of a reference time (the file's mtime) and steps back
// a year when that would put it in the future; text without a zone is local time. Both
// assumptions are reported so the UI can say so.

export type TsAssumed = 'year' | 'zone' | 'year+zone';

export interface ParsedTime {
  ms: number;
  assumed: TsAssumed | null;
}

/** What a parser needs besides the text: the reference time for a missing year. */
export interface TimeContext {
  refMs: number;
}

export type TimeParser = (text: string, ctx: TimeContext) => ParsedTime | null;

// Month names keyed by their three letters, lower-cased, packed in a number (no string work per line).
const MONTHS = new Map<number, number>(
  ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m, i) => [monthKey(m, 0), i]),
);
function monthKey(t: string, i: number): number {
  return ((t.charCodeAt(i) | 32) << 16) | ((t.charCodeAt(i + 1) | 32) << 8) | (t.charCodeAt(i + 2) | 32);
}

// Local-time conversion is the slow part (new Date(...) with the zone rules); offsets only
// change at hour boundaries in practice, so cache the start of the last local hour.
let cachedHourKey = -1;
let cachedHourMs = 0;
export function localToUtc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const key = ((y * 12 + mo) * 31 + d) * 24 + h;
  if (key !== cachedHourKey) {
    cachedHourMs = new Date(y, mo, d, h, 0, 0, 0).getTime();
    cachedHourKey = key;
  }
  return cachedHourMs + mi * 60_000 + s * 1000 + ms;
}

/** Forgets the cached zone offset (tests change TZ). */
export function resetTimeCache(): void {
  cachedHourKey = -1;
}

function digits(t: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = t.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Epoch seconds, millis, micros or nanos, told apart by magnitude. */
export function epochToMs(v: number): number {
  const a = Math.abs(v);
  if (a < 1e11) return Math.round(v * 1000);
  if (a < 1e14) return Math.round(v);
  if (a < 1e17) return Math.round(v / 1000);
  return Math.round(v / 1e6);
}

const EPOCH_RE = /^-?\d{9,19}(?:\.\d+)?$/;

/**
 * ISO 8601 and its common relatives: 2024-01-02T03:04:05.123Z, 2024-01-02 03:04:05,123,
 * +01:00 / +0100 / Z / UTC suffixes, date-only. Returns null when the text is not one.
 */
export function parseIso(t: string): ParsedTime | null {
  const n = t.length;
  if (n < 10) return null;
  const y = digits(t, 0, 4);
  if (y < 0 || t.charCodeAt(4) !== 45) return null;
  const mo = digits(t, 5, 2);
  if (mo < 1 || mo > 12 || t.charCodeAt(7) !== 45) return null;
  const d = digits(t, 8, 2);
  if (d < 1 || d > 31) return null;
  let h = 0, mi = 0, s = 0, ms = 0;
  let i = 10;
  if (i < n) {
    const sep = t.charCodeAt(i);
    if (sep !== 84 && sep !== 32 && sep !== 116) return null; // T, space, t
    h = digits(t, i + 1, 2);
    if (h < 0 || t.charCodeAt(i + 3) !== 58) return null;
    mi = digits(t, i + 4, 2);
    if (mi < 0) return null;
    i += 6;
    if (t.charCodeAt(i) === 58) {
      s = digits(t, i + 1, 2);
      if (s < 0) return null;
      i += 3;
    }
    const f = t.charCodeAt(i);
    if (f === 46 || f === 44) {
      i++;
      let scale = 100;
      while (i < n) {
        const c = t.charCodeAt(i) - 48;
        if (c < 0 || c > 9) break;
        ms += c * scale;
        scale /= 10;
        i++;
      }
      ms = Math.floor(ms);
    }
  }
  while (i < n && t.charCodeAt(i) === 32) i++;
  if (i >= n) return { ms: localToUtc(y, mo - 1, d, h, mi, s, ms), assumed: 'zone' };
  const z = t.charCodeAt(i);
  let off = 0;
  if (z === 90 || z === 122) {
    i++;
  } else if (z === 43 || z === 45) {
    const oh = digits(t, i + 1, 2);
    if (oh < 0) return null;
    let j = i + 3;
    if (t.charCodeAt(j) === 58) j++;
    const om = j < n ? digits(t, j, 2) : 0;
    if (om < 0) return null;
    off = (z === 45 ? -1 : 1) * (oh * 60 + om) * 60_000;
    i = j + (j < n ? 2 : 0);
  } else if (t.startsWith('UTC', i) || t.startsWith('GMT', i)) {
    i += 3;
  } else {
    return null;
  }
  if (i < n) return null;
  return { ms: Date.UTC(y, mo - 1, d, h, mi, s, ms) - off, assumed: null };
}

/** Epoch numbers (seconds/millis/micros/nanos), as number or text. */
export function parseEpoch(v: string | number): ParsedTime | null {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? { ms: epochToMs(v), assumed: null } : null;
  if (!EPOCH_RE.test(v)) return null;
  return { ms: epochToMs(Number(v)), assumed: null };
}

/** ISO 8601, else an epoch number. For JSON fields whose format is not known in advance. */
export function parseAuto(v: unknown): ParsedTime | null {
  if (typeof v === 'number') return parseEpoch(v);
  if (typeof v !== 'string') return null;
  return parseIso(v) ?? parseEpoch(v) ?? RFC2822(v);
}

// "Tue, 02 Jan 2024 03:04:05 GMT" and other text Date.parse understands, as a last resort.
function RFC2822(v: string): ParsedTime | null {
  if (v.length < 12 || !/[A-Za-z]{3}/.test(v)) return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? { ms, assumed: /(?:GMT|UTC|Z|[+-]\d{2}:?\d{2})\s*$/.test(v) ? null : 'zone' } : null;
}

type Op =
  | { k: 'lit'; c: number }
  | { k: 'space' }
  | { k: 'Y' | 'y' | 'm' | 'd' | 'e' | 'H' | 'M' | 'S' | 'L' | 'f' | 'b' | 'a' | 'z' | 'Z' | 's' | 'p' | 'I' | 'j' };

/**
 * Compiles a strftime-style pattern. Directives: %Y %y %m %d %e %H %I %p %M %S %L (millis)
 * %f (any fraction) %b/%B (month name) %a/%A (day name, skipped) %z (+hh:mm, +hhmm, Z)
 * %Z (zone name: UTC/GMT taken as UTC, others ignored) %s (epoch seconds) %%.
 * A space matches one or more spaces. Throws on an unknown directive.
 */
export function compilePattern(pattern: string, utc = false): TimeParser {
  if (pattern === 'iso8601') return (t) => parseIso(t);
  if (pattern === 'epoch' || pattern === 'epoch-s' || pattern === 'epoch-ms' || pattern === 'epoch-us' || pattern === 'epoch-ns') {
    const div = pattern === 'epoch-s' ? 0.001 : pattern === 'epoch-ms' ? 1 : pattern === 'epoch-us' ? 1000 : pattern === 'epoch-ns' ? 1e6 : 0;
    return (t) => {
      if (!EPOCH_RE.test(t) && !/^\d{1,8}(?:\.\d+)?$/.test(t)) return null;
      const v = Number(t);
      return { ms: div === 0 ? epochToMs(v) : Math.round(v / div), assumed: null };
    };
  }
  if (pattern === 'auto') return (t) => parseAuto(t);
  const ops: Op[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '%') {
      const d = pattern[++i];
      if (d === '%') ops.push({ k: 'lit', c: 37 });
      else if (d === 'B') ops.push({ k: 'b' });
      else if (d === 'A') ops.push({ k: 'a' });
      else if (d && 'YymdeHMSLfbazZspIj'.includes(d)) ops.push({ k: d as 'Y' });
      else throw new Error(`unknown timestamp directive %${d ?? ''} in "${pattern}"`);
    } else if (c === ' ') {
      ops.push({ k: 'space' });
    } else {
      ops.push({ k: 'lit', c: c.charCodeAt(0) });
    }
  }
  // Consecutive lines often share their timestamp text (one-second resolution).
  let lastText = '';
  let lastRef = NaN;
  let lastResult: ParsedTime | null = null;
  return (t, ctx) => {
    if (t === lastText && ctx.refMs === lastRef) return lastResult;
    lastResult = parse(t, ctx);
    lastText = t;
    lastRef = ctx.refMs;
    return lastResult;
  };

  function parse(t: string, ctx: TimeContext): ParsedTime | null {
    let i = 0;
    const n = t.length;
    let y = -1, mo = 0, d = 1, h = 0, mi = 0, s = 0, ms = 0, off: number | null = null, epoch = -1, pm = -1;
    for (const op of ops) {
      switch (op.k) {
        case 'lit':
          if (t.charCodeAt(i) !== op.c) return null;
          i++;
          break;
        case 'space':
          if (t.charCodeAt(i) !== 32) return null;
          while (t.charCodeAt(i) === 32) i++;
          break;
        case 'Y':
          y = digits(t, i, 4);
          if (y < 0) return null;
          i += 4;
          break;
        case 'y': {
          const v = digits(t, i, 2);
          if (v < 0) return null;
          y = v < 70 ? 2000 + v : 1900 + v;
          i += 2;
          break;
        }
        case 'm':
        case 'd':
        case 'e':
        case 'H':
        case 'I':
        case 'M':
        case 'S': {
          // One or two digits (some writers do not pad); %e may start with a space.
          if (op.k === 'e' && t.charCodeAt(i) === 32) i++;
          let v = digits(t, i, 1);
          if (v < 0) return null;
          i++;
          const v2 = digits(t, i, 1);
          if (v2 >= 0) {
            v = v * 10 + v2;
            i++;
          }
          if (op.k === 'm') mo = v - 1;
          else if (op.k === 'd' || op.k === 'e') d = v;
          else if (op.k === 'H' || op.k === 'I') h = v;
          else if (op.k === 'M') mi = v;
          else s = v;
          break;
        }
        case 'j': {
          const v = digits(t, i, 3);
          if (v < 0) return null;
          i += 3;
          mo = 0;
          d = v;
          break;
        }
        case 'L': {
          // Millis as an integer of 1-3 digits (some writers do not pad: ":6" is 6 ms).
          const start = i;
          let v = 0;
          while (i < n && i - start < 3 && isDigitCode(t.charCodeAt(i))) v = v * 10 + t.charCodeAt(i++) - 48;
          if (i === start) return null;
          ms = v;
          break;
        }
        case 'f': {
          let scale = 100;
          let v = 0;
          const start = i;
          while (i < n) {
            const c = t.charCodeAt(i) - 48;
            if (c < 0 || c > 9) break;
            v += c * scale;
            scale /= 10;
            i++;
          }
          if (i === start) return null;
          ms = Math.floor(v);
          break;
        }
        case 'b': {
          const m = i + 3 <= n ? MONTHS.get(monthKey(t, i)) : undefined;
          if (m === undefined) return null;
          mo = m;
          i += 3;
          while (i < n && isAlpha(t.charCodeAt(i))) i++;
          break;
        }
        case 'a': {
          const start = i;
          while (i < n && isAlpha(t.charCodeAt(i))) i++;
          if (i === start) return null;
          break;
        }
        case 'p': {
          const w = t.slice(i, i + 2).toUpperCase();
          if (w !== 'AM' && w !== 'PM') return null;
          pm = w === 'PM' ? 1 : 0;
          i += 2;
          break;
        }
        case 'z': {
          const z = t.charCodeAt(i);
          if (z === 90) {
            off = 0;
            i++;
            break;
          }
          if (z !== 43 && z !== 45) return null;
          const oh = digits(t, i + 1, 2);
          if (oh < 0) return null;
          i += 3;
          if (t.charCodeAt(i) === 58) i++;
          const om = digits(t, i, 2);
          if (om < 0) return null;
          i += 2;
          off = (z === 45 ? -1 : 1) * (oh * 60 + om) * 60_000;
          break;
        }
        case 'Z': {
          const start = i;
          while (i < n && isAlpha(t.charCodeAt(i))) i++;
          const name = t.slice(start, i);
          if (name === 'UTC' || name === 'GMT' || name === 'Z') off = 0;
          break;
        }
        case 's': {
          const start = i;
          while (i < n && (isDigitCode(t.charCodeAt(i)) || t.charCodeAt(i) === 46)) i++;
          if (i === start) return null;
          epoch = Number(t.slice(start, i));
          break;
        }
      }
    }
    if (i !== n) return null;
    if (off === null && utc) off = 0;
    if (epoch >= 0) return { ms: epochToMs(epoch), assumed: null };
    if (pm === 1 && h < 12) h += 12;
    if (pm === 0 && h === 12) h = 0;
    let yearAssumed = false;
    if (y < 0) {
      yearAssumed = true;
      y = new Date(ctx.refMs).getUTCFullYear();
    }
    let out = off === null ? localToUtc(y, mo, d, h, mi, s, ms) : Date.UTC(y, mo, d, h, mi, s, ms) - off;
    // Dec 31 in a file last written on Jan 2: the line is from last year.
    if (yearAssumed && out > ctx.refMs + 2 * 86_400_000) {
      y -= 1;
      out = off === null ? localToUtc(y, mo, d, h, mi, s, ms) : Date.UTC(y, mo, d, h, mi, s, ms) - off;
    }
    const zoneAssumed = off === null;
    return { ms: out, assumed: yearAssumed ? (zoneAssumed ? 'year+zone' : 'year') : zoneAssumed ? 'zone' : null };
  }
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Several patterns tried in order; the first that parses wins and is tried first next time. */
export function compilePatterns(patterns: readonly string[], utc = false): TimeParser {
  const parsers = patterns.map((p) => compilePattern(p, utc));
  if (parsers.length === 1) return parsers[0]!;
  let last = 0;
  return (t, ctx) => {
    const r = parsers[last]!(t, ctx);
    if (r) return r;
    for (let k = 0; k < parsers.length; k++) {
      if (k === last) continue;
      const v = parsers[k]!(t, ctx);
      if (v) {
        last = k;
        return v;
      }
    }
    return null;
  };
}
