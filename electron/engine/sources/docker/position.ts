// Positions in a Docker stream. Docker can only resume by time (`since`), and several
// messages may share one timestamp, so a position is "the last timestamp consumed and how
// many messages carried exactly that timestamp". Timestamps are kept as fixed-width keys
// (compare as strings) so nanoseconds survive: JavaScript numbers cannot hold them.

/** A point in a stream: `t` is a fixed-width key ('' = the very beginning), `n` the messages consumed at `t`. */
export interface Position {
  t: string;
  n: number;
}

export const BEGINNING: Position = Object.freeze({ t: '', n: 0 });

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;
/** The form Docker writes for nearly every message: UTC with nine fraction digits, already a key. */
const KEY_FORM = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/;
// The second last parsed in KEY_FORM and its epoch ms: messages come many to a second.
let lastSecs = '';
let lastBase = 0;

/** A log timestamp as Docker writes it (RFC3339Nano) -> a key `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` plus epoch ms. */
export function parseLogTime(text: string): { key: string; ms: number } | null {
  if (text.length === 30 && KEY_FORM.test(text)) {
    const secs = text.slice(0, 19);
    if (secs !== lastSecs) {
      const base = Date.parse(secs + 'Z');
      if (!Number.isFinite(base)) return null;
      lastSecs = secs;
      lastBase = base;
    }
    return { key: text, ms: lastBase + (text.charCodeAt(20) - 48) * 100 + (text.charCodeAt(21) - 48) * 10 + (text.charCodeAt(22) - 48) };
  }
  const m = RFC3339.exec(text);
  if (!m) return null;
  let secs = m[1]!;
  if (m[3] !== 'Z') {
    const ms = Date.parse(secs + m[3]);
    if (!Number.isFinite(ms)) return null;
    secs = new Date(ms).toISOString().slice(0, 19);
  }
  const base = Date.parse(secs + 'Z');
  if (!Number.isFinite(base)) return null;
  const frac = (m[2] ?? '').padEnd(9, '0');
  return { key: `${secs}.${frac}Z`, ms: base + Number(frac.slice(0, 3)) };
}

/** Epoch nanoseconds (decimal digits, as in an event's `timeNano`) -> a log-time key. */
export function keyFromNanos(nanos: string): string {
  const digits = nanos.padStart(10, '0');
  const secs = Number(digits.slice(0, -9));
  return `${new Date(secs * 1000).toISOString().slice(0, 19)}.${digits.slice(-9)}Z`;
}

/** A key -> epoch ms. */
export function keyToMs(key: string): number {
  return Date.parse(key.slice(0, 19) + 'Z') + Number(key.slice(20, 23));
}

/** A key moved by whole milliseconds (nanoseconds below the millisecond are kept). */
export function shiftKey(key: string, ms: number): string {
  const base = Date.parse(key.slice(0, 19) + 'Z') + Number(key.slice(20, 23)) + ms;
  const d = new Date(base);
  return `${d.toISOString().slice(0, 19)}.${String(d.getUTCMilliseconds()).padStart(3, '0')}${key.slice(23, 29)}Z`;
}

/** The `since` query parameter for a key: `seconds.nanoseconds`, which Docker parses exactly. */
export function sinceParam(key: string): string {
  if (!key) return '0';
  return `${Date.parse(key.slice(0, 19) + 'Z') / 1000}.${key.slice(20, 29)}`;
}

/** Orders positions: by time, then by the count at that time. */
export function comparePositions(a: Position, b: Position): number {
  if (a.t !== b.t) return a.t < b.t ? -1 : 1;
  return a.n - b.n;
}

/** The position after consuming one more message stamped `key`. */
export function advance(p: Position, key: string): Position {
  return key === p.t ? { t: p.t, n: p.n + 1 } : { t: key, n: 1 };
}

/**
 * Drops what a reopened stream repeats. Docker's `since` is inclusive and second streams
 * may start earlier, so after a reopen every message up to the resume position is seen
 * again: those before `t`, and the first `n` stamped exactly `t`. Once a message passes,
 * everything after it does (a clock stepping back later must not hide lines).
 */
export class ResumeFilter {
  private skipAtT: number;
  private resuming: boolean;

  constructor(private readonly from: Position) {
    this.skipAtT = from.n;
    this.resuming = from.t !== '';
  }

  /** True when the message is new. */
  accept(key: string): boolean {
    if (!this.resuming) return true;
    if (key < this.from.t) return false;
    if (key === this.from.t && this.skipAtT > 0) {
      this.skipAtT--;
      return false;
    }
    this.resuming = false;
    return true;
  }
}
