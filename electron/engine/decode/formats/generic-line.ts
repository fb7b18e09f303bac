import type { Level } from '../../../../shared/types.js';
import { levelFromWord, normalizeLevelValue } from '../levels.js';
import { compilePatterns, localToUtc, parseEpoch, parseIso, type TimeContext, type TimeParser, type TsAssumed } from '../time/timestamp.js';

// The fallback for lines no format claims: a leading timestamp in any common shape and a
// level word near the start. It never fails: a line without either is all message.

const LEAD = new RegExp(
  '^\\[?(?:' +
    // The zone may follow after a space (`10:00:00 +0530`, Ruby's `10:00:00 UTC`, Go's
    // `10:00:00.123 +0000 UTC`; a name after an offset adds nothing to it).
    // An offset is one a zone can have (up to 14:00): `+2500` after a time is something else.
    '(?<iso>\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?|(?!:\\d))(?:Z|(?: ?[+-](?:0\\d|1[0-4]):?[0-5]\\d)(?: (?:UTC|GMT|[A-Z]{1,3}[SD]T|MSK))?| (?:UTC|GMT))?(?:\\[[A-Za-z_]+(?:/[A-Za-z0-9_+-]+)*\\])?)' +
    '|(?<basic>\\d{8}T\\d{6}(?:[.,]\\d+)?(?:Z|[+-]\\d{2}:?\\d{2})?)' + // ISO 8601 basic: 20240501T100000Z
    '|(?<slash>\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?: ?[+-](?:0\\d|1[0-4]):?[0-5]\\d| (?:UTC|GMT))?)' +
    '|(?<ctime>[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)? \\d{4})' +
    '|(?<sys>[A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?)' + // with journalctl -o short-precise's fraction
    // Apache's, and Django's and Python http.server's (a space, no zone).
    '|(?<clf>\\d{2}/[A-Z][a-z]{2}/\\d{4}[: ]\\d{2}:\\d{2}:\\d{2}(?: [+-]\\d{4})?)' +
    // Windows, as .NET and many Windows programs write times: US with AM/PM (month first,
    // which AM/PM settles) and the dotted day-first form of German and other locales.
    '|(?<us>\\d{1,2}/\\d{1,2}/\\d{4},? \\d{1,2}:\\d{2}:\\d{2}(?:\\.\\d+)? ?[AP]M)' +
    '|(?<dotted>\\d{1,2}\\.\\d{1,2}\\.\\d{4},? \\d{1,2}:\\d{2}:\\d{2}(?:[.,]\\d+)?)' +
    '|(?<epoch>1\\d{9}(?:\\.\\d{1,9})?|1\\d{12})' +
    ')\\]?(?=[\\s|,;:\\]-]|$)[\\s|:-]*',
);

const CTIME = compilePatterns(['%a %b %e %H:%M:%S %Y', '%a %b %e %H:%M:%S.%f %Y']);
const SYS = compilePatterns(['%b %e %H:%M:%S', '%b %e %H:%M:%S.%f']);
const CLF = compilePatterns(['%d/%b/%Y:%H:%M:%S %z', '%d/%b/%Y %H:%M:%S', '%d/%b/%Y:%H:%M:%S']);

const LEVEL_UPPER = /\b(TRACE|DEBUG|INFO|NOTICE|WARN(?:ING)?|ERROR|ERR|CRIT(?:ICAL)?|FATAL|SEVERE|PANIC|EMERG(?:ENCY)?|ALERT)\b/;
// A word and a colon is a level ("error: disk full", "... request failed; error: timeout"),
// except a mild one after a comma: that is a label in a list ("Layer4 connection problem,
// info: "Connection refused"" made haproxy's server-DOWN line an info).
const LEVEL_MARKED =
  /[[<(|](trace|debug|info|notice|warn(?:ing)?|error|err|crit(?:ical)?|fatal|severe|panic|emerg|alert)[\]>)|:]|\blevel=["']?(\w+)|(?<!, )\b(Trace|Debug|Info|Notice):|\b(Warn(?:ing)?|Error|Fatal|Critical|Panic):/i;

export interface LeadingTime {
  ms: number;
  text: string;
  assumed: TsAssumed | null;
  /** Length of the timestamp and the separators after it. */
  end: number;
}

export function leadingTimestamp(text: string, ctx: TimeContext): LeadingTime | null {
  const c = text.charCodeAt(0);
  // Cheap gate: every shape starts with a digit, an upper-case letter or '['.
  if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || c === 91)) return null;
  const m = LEAD.exec(text);
  if (!m) return null;
  const g = m.groups!;
  let t: string;
  let parser: TimeParser | null = null;
  let r = null;
  if (g.iso !== undefined) r = parseIso((t = g.iso));
  else if (g.basic !== undefined) {
    t = g.basic;
    r = parseIso(`${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 11)}:${t.slice(11, 13)}:${t.slice(13)}`);
  }
  else if (g.slash !== undefined) {
    // Go's log package, nginx's error log: ISO but for its slashes, a zone after it read as ISO's.
    t = g.slash;
    r = parseIso(`${t.slice(0, 4)}-${t.slice(5, 7)}-${t.slice(8)}`);
  }
  else if (g.ctime !== undefined) parser = CTIME, (t = g.ctime);
  else if (g.sys !== undefined) parser = SYS, (t = g.sys);
  else if (g.clf !== undefined) parser = CLF, (t = g.clf);
  else if (g.us !== undefined) r = parseNumeric((t = g.us), true);
  else if (g.dotted !== undefined) r = parseNumeric((t = g.dotted), false);
  else r = parseEpoch((t = g.epoch!));
  if (parser) r = parser(t, ctx);
  if (!r) return null;
  return { ms: r.ms, text: t, assumed: r.assumed, end: m[0].length };
}

const NUMERIC = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4}),? (\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d+))? ?([AP]M)?$/;

/** `M/D/YYYY h:mm:ss AM` (monthFirst) or `D.M.YYYY H:mm:ss`: local time, as written. */
function parseNumeric(t: string, monthFirst: boolean): { ms: number; assumed: TsAssumed | null } | null {
  const m = NUMERIC.exec(t);
  if (!m) return null;
  const mo = Number(monthFirst ? m[1] : m[2]);
  const d = Number(monthFirst ? m[2] : m[1]);
  let h = Number(m[4]);
  if (m[8]) {
    if (h < 1 || h > 12) return null;
    if (m[8] === 'PM' && h < 12) h += 12;
    if (m[8] === 'AM' && h === 12) h = 0;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23) return null;
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  return { ms: localToUtc(Number(m[3]), mo - 1, d, h, Number(m[5]), Number(m[6]), ms), assumed: 'zone' };
}

export function findLevelWord(text: string): { level: Level; word: string } | null {
  const head = text.length > 256 ? text.slice(0, 256) : text;
  let m = LEVEL_UPPER.exec(head);
  let w = m?.[1];
  if (!w) {
    m = LEVEL_MARKED.exec(head);
    w = m?.[1] ?? m?.[2] ?? m?.[3] ?? m?.[4];
  }
  if (!w) return null;
  const level = levelFromWord(w);
  return level ? { level, word: w } : null;
}

const KLOG = /^([IWEF])\d{4} \d{2}:\d{2}:\d{2}\.\d{6}\s/;
const KLOG_LEVEL: Record<string, Level> = { I: 'info', W: 'warn', E: 'error', F: 'fatal' };
const JSON_LEVEL_KEYS = ['level', 'severity', 'lvl', 'levelname', 'log.level', '@l', 'severity_text', 'Level'];

/**
 * The level of a program's own line inside a container runtime's or docker compose's
 * wrapper: a JSON logger's level field (zap's "error", pino's 50), klog's letter
 * (E1122 10:00:00.123456), else a level word (findLevelWord).
 */
export function innerLevel(text: string): { level: Level; word: string } | null {
  const c = text.charCodeAt(0);
  if (c === 123 && text.charCodeAt(text.length - 1) === 125) {
    try {
      const o = JSON.parse(text) as Record<string, unknown>;
      if (o && typeof o === 'object') {
        for (const k of JSON_LEVEL_KEYS) {
          const v = k === 'log.level' ? (o.log as Record<string, unknown> | undefined)?.level : o[k];
          if (v === undefined || v === null) continue;
          const level = normalizeLevelValue(v, 'auto');
          if (level) return { level, word: String(v) };
        }
      }
    } catch {
      /* not JSON after all: words below */
    }
  } else if (c === 73 || c === 87 || c === 69 || c === 70) {
    const m = KLOG.exec(text);
    if (m) return { level: KLOG_LEVEL[m[1]!]!, word: m[1]! };
  }
  return findLevelWord(text);
}
