// Timestamp parsing: strftime-style patterns compiled once into a small scanner (no regex
// per line), ISO 8601, and epoch numbers of any magnitude. Results are UTC epoch ms.
// Text without a year takes the year of a reference time (the file's mtime) and steps back
// a year when that would put it in the future; text without a zone is local time. Both
// assumptions are reported so the UI can say so.

import { isZoneChar, zoneOffsetMs } from './zones.js';

/** What the text did not say and was assumed: the year, the whole date (a time of day alone), the zone. */
export type TsAssumed = 'year' | 'zone' | 'year+zone' | 'date' | 'date+zone';

export interface ParsedTime {
  ms: number;
  assumed: TsAssumed | null;
}

/** What a parser needs besides the text: the reference time for a missing year. */
export interface TimeContext {
  refMs: number;
  /** A W3C extended log's columns, from its last #Fields: directive (one stream's, as this context is). */
  w3cFields?: string[] | undefined;
}

export type TimeParser = (text: string, ctx: TimeContext) => ParsedTime | null;

// Month names keyed by their three letters, lower-cased, packed in a number (no string work per line).
const MONTHS = new Map<number, number>(
  ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m, i) => [monthKey(m, 0), i]),
);
function monthKey(t: string, i: number): number {
  return ((t.charCodeAt(i) | 32) << 16) | ((t.charCodeAt(i + 1) | 32) << 8) | (t.charCodeAt(i + 2) | 32);
}

// Local-time conversion is the slow part (new Date(...) with the zone rules); offsets
// change at hour boundaries in most zones, so cache the start of the last local hour. An
// hour in which the offset changes (Chatham's at :45, Lord Howe's at :30, the hour skipped
// when clocks go forward) is converted time by time. A time in the hour that comes twice
// when clocks go back is read as its first pass: without a zone, the text cannot tell.
let cachedHourKey = -1;
let cachedHourMs = 0;
let cachedHourOdd = false;
export function localToUtc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const key = ((y * 12 + mo) * 31 + d) * 24 + h;
  if (key !== cachedHourKey) {
    cachedHourMs = new Date(y, mo, d, h, 0, 0, 0).getTime();
    cachedHourKey = key;
    cachedHourOdd = new Date(y, mo, d, h, 59, 59, 999).getTime() - cachedHourMs !== 3_599_999;
  }
  return cachedHourOdd ? new Date(y, mo, d, h, mi, s, ms).getTime() : cachedHourMs + mi * 60_000 + s * 1000 + ms;
}

// Compiled patterns remember their last results; they drop them when this changes.
let cacheEpoch = 0;

/** Forgets the cached zone offset and every parser's remembered results (tests change TZ). */
export function resetTimeCache(): void {
  cachedHourKey = -1;
  cacheEpoch++;
}

let yearRef = NaN;
let yearOfRef = 0;
/**
 * The year a line written by the reference time (the file's mtime) is taken to be in: the
 * latest one any zone is in then (UTC+14), since the text's zone may be ahead of UTC (New
 * Year's morning in Sydney is still December 31 in UTC). parse() steps back a year when the
 * line would be more than two days after the reference.
 */
function refYear(refMs: number): number {
  if (refMs !== yearRef) {
    yearOfRef = new Date(refMs + 14 * 3_600_000).getUTCFullYear();
    yearRef = refMs;
  }
  return yearOfRef;
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
    // No zone is further from UTC than 14 hours.
    if (om < 0 || om > 59 || oh * 60 + om > 14 * 60) return null;
    off = (z === 45 ? -1 : 1) * (oh * 60 + om) * 60_000;
    i = j + (j < n ? 2 : 0);
    // Go's `+0000 UTC`, `-0500 EST`: the name after the offset says nothing more; nor does
    // the monotonic clock reading of Go's time.Now().String() after it (` m=+0.001`).
    if (i < n && t.charCodeAt(i) === 32) {
      let k = i + 1;
      while (k < n && t.charCodeAt(k) >= 65 && t.charCodeAt(k) <= 90) k++;
      if (k - i - 1 >= 2 && k - i - 1 <= 5 && (k === n || GO_MONOTONIC.test(t.slice(k)))) i = n;
    }
  } else if (t.startsWith('UTC', i) || t.startsWith('GMT', i)) {
    i += 3;
  } else {
    return null;
  }
  // Java's ZonedDateTime: `+05:30[Asia/Kolkata]`, the zone's name after its offset.
  if (i < n && t.charCodeAt(i) === 91 && t.charCodeAt(n - 1) === 93) i = n;
  if (i < n) return null;
  return { ms: Date.UTC(y, mo - 1, d, h, mi, s, ms) - off, assumed: null };
}

const GO_MONOTONIC = /^ m=[+-]\d+(?:\.\d+)?$/;

/** a === b, with a cheap look at the last character first (millisecond times differ there). */
function sameText(a: string, b: string): boolean {
  const n = a.length;
  return n === b.length && a.charCodeAt(n - 1) === b.charCodeAt(n - 1) && a === b;
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

// Pattern steps, as numbers (the parser switches on them once per step per line).
const LIT = 0, SPACE = 1, Y4 = 2, Y2 = 3, MON = 4, DAY = 5, HOUR = 6, MIN = 7, SEC = 8, DOY = 9, MILLI = 10, FRAC = 11, MNAME = 12, DNAME = 13, AMPM = 14, ZOFF = 15, ZNAME = 16, EPOCH = 17;
const DIRECTIVES: Record<string, number> = {
  Y: Y4, y: Y2, m: MON, d: DAY, e: DAY, H: HOUR, I: HOUR, M: MIN, S: SEC, j: DOY, L: MILLI, f: FRAC,
  b: MNAME, B: MNAME, a: DNAME, A: DNAME, p: AMPM, z: ZOFF, Z: ZNAME, s: EPOCH,
};

/**
 * Compiles a strftime-style pattern. Directives: %Y %y %m %d %e %H %I %p %M %S %L (millis)
 * %f (any fraction) %b/%B (month name) %a/%A (day name, skipped) %z (+hh:mm, +hhmm, Z)
 * %Z (zone name: an abbreviation that names one offset, CET, PDT, ..., or an IANA zone,
 * Europe/Berlin; an ambiguous one, CST, IST, is read as local time) %s (epoch seconds) %%.
 * A space matches one or more spaces. Throws on an unknown directive.
 */
const SCIENTIFIC = /^\d\.\d{1,20}e\+\d{1,2}$/;

export function compilePattern(pattern: string, utc = false): TimeParser {
  if (pattern === 'iso8601') return (t) => parseIso(t);
  if (pattern === 'epoch' || pattern === 'epoch-s' || pattern === 'epoch-ms' || pattern === 'epoch-us' || pattern === 'epoch-ns') {
    const div = pattern === 'epoch-s' ? 0.001 : pattern === 'epoch-ms' ? 1 : pattern === 'epoch-us' ? 1000 : pattern === 'epoch-ns' ? 1e6 : 0;
    return (t) => {
      let v = epochText(t);
      // zap's production encoders write seconds as a float: 1.7637192001234567e+09.
      if (v !== v && SCIENTIFIC.test(t)) v = Number(t);
      if (v !== v) return null;
      return { ms: div === 0 ? epochToMs(v) : Math.round(v / div), assumed: null };
    };
  }
  if (pattern === 'auto') return (t) => parseAuto(t);
  const kinds: number[] = [];
  const chars: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    let k = LIT;
    let ch = c.charCodeAt(0);
    if (c === '%') {
      const d = pattern[++i];
      if (d === '%') ch = 37;
      else if (d && Object.hasOwn(DIRECTIVES, d)) k = DIRECTIVES[d]!;
      else throw new Error(`unknown timestamp directive %${d ?? ''} in "${pattern}"`);
      // %e may start with a space.
      if (d === 'e') ch = 32;
    } else if (c === ' ') {
      k = SPACE;
    }
    kinds.push(k);
    chars.push(ch);
  }
  const nOps = kinds.length;
  // A time of day alone ("%H:%M:%S.%L", Elixir's and Serilog's console): the date is assumed.
  const timeOnly = kinds.includes(HOUR) && !kinds.some((k) => k === MON || k === DAY || k === DOY || k === MNAME || k === EPOCH);
  // A pattern that ends in the fraction of a second after a literal ("%H:%M:%S,%L"): lines
  // that differ from the last only there are the last one's second plus the fraction.
  const fracLast = nOps >= 2 && (kinds[nOps - 1] === MILLI || kinds[nOps - 1] === FRAC) && kinds[nOps - 2] === LIT && !kinds.includes(EPOCH);

  let epoch = -1;
  let lastText = '';
  let lastRef = NaN;
  let lastResult: ParsedTime | null = null;
  // For fracLast: the last text before its fraction, and its second as parse() computed it
  // (also one year back, in case the fraction crosses the year-assumption threshold).
  let prefix: string | null = null;
  let base = 0;
  let baseYearBack = 0;
  let yearAssumed = false;
  let assumed: TsAssumed | null = null;
  let fracEnd = 0;
  return (t, ctx) => {
    if (epoch === cacheEpoch && ctx.refMs === lastRef) {
      // Consecutive lines often share their timestamp text (one-second resolution).
      if (sameText(t, lastText)) return lastResult;
      // (slice and compare: faster than startsWith, which is not inlined)
      if (prefix !== null && t.length > prefix.length && t.slice(0, prefix.length) === prefix) {
        const ms = fraction(t, prefix.length, kinds[nOps - 1]!);
        if (ms >= 0 && fracEnd === t.length) {
          let out = base + ms;
          if (yearAssumed && out > ctx.refMs + 2 * 86_400_000) out = baseYearBack + ms;
          lastText = t;
          return (lastResult = { ms: out, assumed });
        }
      }
    }
    epoch = cacheEpoch;
    lastText = t;
    lastRef = ctx.refMs;
    prefix = null;
    return (lastResult = parse(t, ctx));
  };

  /** Reads a fraction step at i: its millis (fracEnd: where it ends), or -1 when there is none. */
  function fraction(t: string, i: number, k: number): number {
    const n = t.length;
    const start = i;
    let v = 0;
    if (k === MILLI) {
      // Millis as an integer of 1-3 digits (some writers do not pad: ":6" is 6 ms).
      while (i < n && i - start < 3 && isDigitCode(t.charCodeAt(i))) v = v * 10 + t.charCodeAt(i++) - 48;
    } else {
      let scale = 100;
      while (i < n) {
        const c = t.charCodeAt(i) - 48;
        if (c < 0 || c > 9) break;
        v += c * scale;
        scale /= 10;
        i++;
      }
      v = Math.floor(v);
    }
    fracEnd = i;
    return i === start ? -1 : v;
  }

  function parse(t: string, ctx: TimeContext): ParsedTime | null {
    let i = 0;
    const n = t.length;
    let y = -1, mo = 0, d = 1, h = 0, mi = 0, s = 0, ms = 0, off: number | null = null, epochS = -1, pm = -1;
    let zone: string | null = null;
    let fracAt = -1;
    for (let o = 0; o < nOps; o++) {
      switch (kinds[o]) {
        case LIT:
          if (t.charCodeAt(i) !== chars[o]) return null;
          i++;
          break;
        case SPACE:
          if (t.charCodeAt(i) !== 32) return null;
          while (t.charCodeAt(i) === 32) i++;
          break;
        case Y4:
          y = digits(t, i, 4);
          if (y < 0) return null;
          i += 4;
          break;
        case Y2: {
          const v = digits(t, i, 2);
          if (v < 0) return null;
          y = v < 70 ? 2000 + v : 1900 + v;
          i += 2;
          break;
        }
        case MON:
        case DAY:
        case HOUR:
        case MIN:
        case SEC: {
          // One or two digits (some writers do not pad); %e may start with a space.
          if (chars[o] === 32 && t.charCodeAt(i) === 32) i++;
          let v = digits(t, i, 1);
          if (v < 0) return null;
          i++;
          const v2 = digits(t, i, 1);
          if (v2 >= 0) {
            v = v * 10 + v2;
            i++;
          }
          const k = kinds[o];
          if (k === MON) mo = v - 1;
          else if (k === DAY) d = v;
          else if (k === HOUR) h = v;
          else if (k === MIN) mi = v;
          else s = v;
          break;
        }
        case DOY: {
          const v = digits(t, i, 3);
          if (v < 0) return null;
          i += 3;
          mo = 0;
          d = v;
          break;
        }
        case MILLI:
        case FRAC: {
          fracAt = i;
          const v = fraction(t, i, kinds[o]!);
          if (v < 0) return null;
          ms = v;
          i = fracEnd;
          break;
        }
        case MNAME: {
          const m = i + 3 <= n ? MONTHS.get(monthKey(t, i)) : undefined;
          if (m === undefined) return null;
          mo = m;
          i += 3;
          while (i < n && isAlpha(t.charCodeAt(i))) i++;
          break;
        }
        case DNAME: {
          const start = i;
          while (i < n && isAlpha(t.charCodeAt(i))) i++;
          if (i === start) return null;
          break;
        }
        case AMPM: {
          const w = t.slice(i, i + 2).toUpperCase();
          if (w !== 'AM' && w !== 'PM') return null;
          pm = w === 'PM' ? 1 : 0;
          i += 2;
          break;
        }
        case ZOFF: {
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
        case ZNAME: {
          const start = i;
          while (i < n && isAlpha(t.charCodeAt(i))) i++;
          // An IANA name goes on past its first part (`America/Argentina/Buenos_Aires`).
          if (i > start && t.charCodeAt(i) === 47) while (i < n && isZoneChar(t.charCodeAt(i))) i++;
          zone = t.slice(start, i);
          break;
        }
        case EPOCH: {
          const start = i;
          while (i < n && (isDigitCode(t.charCodeAt(i)) || t.charCodeAt(i) === 46)) i++;
          if (i === start) return null;
          epochS = Number(t.slice(start, i));
          break;
        }
      }
    }
    if (i !== n) return null;
    if (epochS >= 0) return { ms: epochToMs(epochS), assumed: null };
    if (pm === 1 && h < 12) h += 12;
    if (pm === 0 && h === 12) h = 0;
    if (timeOnly) return onDateOf(ctx.refMs, h, mi, s, ms, off, utc);
    let isYearAssumed = false;
    if (y < 0) {
      isYearAssumed = true;
      y = refYear(ctx.refMs);
    }
    if (off === null && zone !== null) off = zoneOffsetMs(zone, y, mo, d, h, mi, s);
    if (off === null && utc) off = 0;
    let out = civil(y, mo, d, h, mi, s, ms, off);
    // Dec 31 in a file last written on Jan 2: the line is from last year.
    if (isYearAssumed && out > ctx.refMs + 2 * 86_400_000) out = civil(y - 1, mo, d, h, mi, s, ms, off);
    const zoneAssumed = off === null;
    const result: ParsedTime = { ms: out, assumed: isYearAssumed ? (zoneAssumed ? 'year+zone' : 'year') : zoneAssumed ? 'zone' : null };
    if (fracLast && fracAt >= 0) {
      prefix = t.slice(0, fracAt);
      base = civil(y, mo, d, h, mi, s, 0, off);
      baseYearBack = isYearAssumed ? civil(y - 1, mo, d, h, mi, s, 0, off) : 0;
      yearAssumed = isYearAssumed;
      assumed = result.assumed;
    }
    return result;
  }
}

/** How far after the reference a time of day alone may be and still be of the reference's day (clock skew; the reference lags the file by up to an hour). */
const TIME_ONLY_SLACK_MS = 2 * 3_600_000;

/**
 * A time of day without a date: the latest day that does not put it more than
 * TIME_ONLY_SLACK_MS after the reference (a line read at 00:00:05 that says 23:59:59 is
 * of the day before). The day is the reference's in the line's zone: its offset, else UTC
 * for a `utc` pattern, else local time.
 */
function onDateOf(refMs: number, h: number, mi: number, s: number, ms: number, off: number | null, utc: boolean): ParsedTime {
  if (off === null && utc) off = 0;
  const limit = refMs + TIME_ONLY_SLACK_MS;
  let out = NaN;
  for (let back = -1; back <= 1; back++) {
    if (off === null) {
      // The day as a real date first: localToUtc's cache knows dates, not day 0 or 32.
      const r = new Date(refMs);
      const d = new Date(r.getFullYear(), r.getMonth(), r.getDate() - back, 12);
      out = localToUtc(d.getFullYear(), d.getMonth(), d.getDate(), h, mi, s, ms);
    } else {
      const d = new Date(refMs + off);
      out = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - back, h, mi, s, ms) - off;
    }
    if (out <= limit) break;
  }
  return { ms: out, assumed: off === null ? 'date+zone' : 'date' };
}

/** Epoch ms of a civil time: local time when no offset is known, else UTC minus the offset. */
function civil(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, off: number | null): number {
  return off === null ? localToUtc(y, mo, d, h, mi, s, ms) : Date.UTC(y, mo, d, h, mi, s, ms) - off;
}

/**
 * An epoch number as text (what the epoch patterns accept: 9-19 digits, or 1-8 without a
 * sign, and an optional fraction), or NaN. Number(t), without a regex for the common case.
 */
function epochText(t: string): number {
  const n = t.length;
  let i = t.charCodeAt(0) === 45 ? 1 : 0;
  const start = i;
  let v = 0;
  while (i < n) {
    const c = t.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
    i++;
  }
  const digits = i - start;
  if (digits > 19 || digits < (start ? 9 : 1)) return NaN;
  if (digits < 9 && start) return NaN;
  if (i === n) return v <= Number.MAX_SAFE_INTEGER ? (start ? -v : v) : Number(t);
  if (t.charCodeAt(i) !== 46 || i + 1 === n) return NaN;
  for (let k = i + 1; k < n; k++) if (!isDigitCode(t.charCodeAt(k))) return NaN;
  return Number(t);
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
