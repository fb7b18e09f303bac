// Synthetic logs with known answers: a steady service, storms, ramps, noise. Deterministic
// (seeded), ISO timestamps and level words, so the real decoder and miner read them.

export const T0 = Date.parse('2026-01-05T10:00:00Z');

/** The seeded generator these logs are drawn from. */
export { mulberry32 as rng } from '../../support/prng.js';

export interface Line {
  ts: number;
  level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
  message: string;
}

export function render(lines: readonly Line[]): string {
  return lines.map((l) => `${new Date(l.ts).toISOString()} ${l.level} ${l.message}`).join('\n') + '\n';
}

const int = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

/** A normal line of a web service: requests, logins, jobs, cache; sometimes a slow query. */
export function normalLine(r: () => number, ts: number): Line {
  const x = r();
  if (x < 0.45) return { ts, level: 'INFO', message: `GET /api/items/${int(r, 1, 99999)} 200 ${int(r, 2, 80)} ms` };
  if (x < 0.6) return { ts, level: 'INFO', message: `POST /api/orders 201 ${int(r, 10, 200)} ms` };
  if (x < 0.7) return { ts, level: 'INFO', message: `session ${int(r, 1000, 99999)} started for user ${int(r, 1, 5000)}` };
  if (x < 0.8) return { ts, level: 'DEBUG', message: `cache hit key=${int(r, 0, 0xffffff).toString(16)}x${int(r, 1, 9)}` };
  if (x < 0.9) return { ts, level: 'INFO', message: `job ${int(r, 1, 9999)} finished in ${int(r, 5, 900)} ms` };
  if (x < 0.99) return { ts, level: 'INFO', message: `heartbeat ok queue=${int(r, 0, 40)}` };
  return { ts, level: 'WARN', message: `slow query took ${int(r, 500, 3000)} ms on table orders` };
}

/**
 * `seconds` of traffic at `perSecond` lines/s from `start`, evenly spaced with jitter;
 * `line` decides each line (default: normal traffic, with a known error now and then).
 */
export function steady(r: () => number, start: number, seconds: number, perSecond: number, line?: (ts: number, i: number) => Line | null): Line[] {
  const out: Line[] = [];
  const n = Math.round(seconds * perSecond);
  const step = 1000 / perSecond;
  for (let i = 0; i < n; i++) {
    const ts = Math.round(start + i * step + r() * step * 0.5);
    out.push(line?.(ts, i) ?? normalLine(r, ts));
  }
  return out;
}

/** The known error of the steady service: about one every 20 s at 50 lines/s. */
export function knownError(r: () => number, ts: number): Line {
  return { ts, level: 'ERROR', message: `payment gateway timeout for order ${int(r, 10000, 99999)} after ${int(r, 1, 3)} retries` };
}

export function stormError(r: () => number, ts: number): Line {
  return r() < 0.7
    ? { ts, level: 'ERROR', message: `database connection refused: pool exhausted (${int(r, 40, 50)}/50 in use)` }
    : { ts, level: 'ERROR', message: `request ${int(r, 1, 99999)} failed: upstream database unavailable` };
}
