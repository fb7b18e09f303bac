import type { Level } from '../../../shared/types.js';

// Level words from every logger we know, normalized to Vigil's eight levels. Formats can
// add or override words; the source's own word is always kept beside the level.

const WORDS: Record<string, Level> = Object.assign(Object.create(null) as Record<string, Level>, {
  trace: 'trace', trc: 'trace', finest: 'trace', finer: 'trace', verbose: 'trace', v: 'trace', t: 'trace',
  debug: 'debug', dbg: 'debug', debg: 'debug', dbug: 'debug', fine: 'debug', config: 'debug', d: 'debug',
  info: 'info', inf: 'info', information: 'info', informational: 'info', i: 'info', log: 'info',
  notice: 'notice', note: 'notice', n: 'notice',
  warn: 'warn', warning: 'warn', wrn: 'warn', w: 'warn',
  error: 'error', err: 'error', eror: 'error', e: 'error', failure: 'error', fail: 'error',
  crit: 'critical', critical: 'critical', severe: 'critical', alert: 'critical', c: 'critical', a: 'critical',
  fatal: 'fatal', ftl: 'fatal', panic: 'fatal', emerg: 'fatal', emergency: 'fatal', f: 'fatal', dpanic: 'critical',
});

// Upper-case and capitalized spellings too, so the common case needs no toLowerCase().
for (const [w, l] of Object.entries(WORDS)) {
  WORDS[w.toUpperCase()] = l;
  WORDS[w[0]!.toUpperCase() + w.slice(1)] = l;
}

export type LevelScale = 'word' | 'syslog' | 'syslog-pri' | 'bunyan' | 'auto';

/** syslog severities 0..7 (RFC 5424 table 2). */
const SYSLOG: Level[] = ['fatal', 'critical', 'critical', 'error', 'warn', 'notice', 'info', 'debug'];

export function levelFromWord(word: string, extra?: Record<string, Level>): Level | null {
  const x = (extra && extra[word]) ?? WORDS[word];
  if (x) return x;
  const lower = word.toLowerCase();
  return (extra && extra[lower]) ?? WORDS[lower] ?? null;
}

/** bunyan/pino numbers: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal. */
export function levelFromBunyan(n: number): Level | null {
  if (!Number.isFinite(n)) return null;
  if (n >= 60) return 'fatal';
  if (n >= 50) return 'error';
  if (n >= 40) return 'warn';
  if (n >= 30) return 'info';
  if (n >= 20) return 'debug';
  return 'trace';
}

export function levelFromSyslog(n: number): Level | null {
  return Number.isInteger(n) && n >= 0 && n <= 7 ? SYSLOG[n]! : null;
}

/** Normalizes a level value (word or number) on the given scale. */
export function normalizeLevelValue(v: unknown, scale: LevelScale, extra?: Record<string, Level>): Level | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') {
    if (extra || scale === 'word') {
      const w = levelFromWord(v, extra);
      if (w || scale === 'word') return w;
    }
    const num = allDigits(v) ? Number(v) : NaN;
    if (Number.isNaN(num)) return levelFromWord(v, extra);
    v = num;
  }
  if (typeof v !== 'number') return null;
  switch (scale) {
    case 'syslog':
      return levelFromSyslog(v);
    case 'syslog-pri':
      return levelFromSyslog(v % 8);
    case 'bunyan':
      return levelFromBunyan(v);
    default:
      // auto: syslog numbers are 0..7, bunyan/pino 10..60.
      return v <= 7 ? levelFromSyslog(v) : levelFromBunyan(v);
  }
}

/** /^\d+$/.test(v), without a regex per record. */
function allDigits(v: string): boolean {
  if (v.length === 0) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
