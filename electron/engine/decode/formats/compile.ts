import { LEVELS, type Level } from '../../../../shared/types.js';
import { checkRegexSafety } from '../../../../shared/regex-safety.js';
import { normalizeLevelValue, type LevelScale } from '../levels.js';
import type { DecodedRecord } from '../types.js';
import { compilePatterns, parseIso, parseAuto, type TimeContext, type TimeParser, type TsAssumed } from '../time/timestamp.js';
import type { FormatDefinition } from './definition.js';
import { innerLevel, leadingTimestamp } from './generic-line.js';
import { parseLogfmt } from './logfmt.js';
import { stripAnsi } from '../ansi.js';
import { sameFields, unnamedGroups, type FieldsOf, type UnnamedRegex } from './unnamed-groups.js';

/** What one line says once a format has read it. */
export interface ParsedLine {
  ts: number | null;
  tsText: string | null;
  tsAssumed: TsAssumed | null;
  level: Level | null;
  levelText: string | null;
  message: string;
  fields?: Record<string, unknown>;
  /** The record goes on in the next line (CRI partial lines). */
  partial?: boolean;
  alert?: DecodedRecord['alert'];
}

/** What a format's body line (see FormatDefinition.body) adds to its record. */
export interface BodyLine {
  level: Level | null;
  levelText: string | null;
  message: string;
  fields: Record<string, unknown>;
}

export interface CompiledFormat {
  readonly name: string;
  readonly title: string;
  readonly def: FormatDefinition;
  readonly kind: FormatDefinition['kind'];
  readonly priority: number;
  readonly multiline: 'header' | 'none' | 'heuristic';
  readonly strict: boolean;
  /** Reads a line, or null when the line is not in this format. */
  parse(text: string, ctx: TimeContext): ParsedLine | null;
  /** For strict formats: why a line did not parse. */
  mismatchReason(text: string): string;
  /** Reads the line after a first line without a message (see FormatDefinition.body); null when the format has no body or the line is not one. */
  readonly body: ((text: string) => BodyLine | null) | null;
}

const namedFields: FieldsOf = (m) => m.groups as Record<string, string | undefined>;

function sameMatch(named: RegExp, plain: UnnamedRegex, line: string): boolean {
  const a = named.exec(line);
  const b = plain.re.exec(line);
  if (!a || !b) return !a && !b;
  return sameFields(namedFields(a), plain.fields(b));
}

export class FormatError extends Error {
  constructor(
    readonly format: string,
    readonly reason: string,
  ) {
    super(`format "${format}": ${reason}`);
  }
}

const NAME_RE = /^[A-Za-z0-9][\w.-]*$/;

function list(v: string | string[] | undefined, dflt: string[]): string[] {
  if (v === undefined) return dflt;
  return Array.isArray(v) ? v : [v];
}

/** Reads a key, or a dotted path into nested objects when no key has the dots. */
function getField(obj: Record<string, unknown>, key: string): unknown {
  const v = obj[key];
  if (v !== undefined || key.indexOf('.') < 0) return v;
  let cur: unknown = obj;
  for (const part of key.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const OTEL_LEVELS: Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/**
 * A level said without a level word: OpenTelemetry's severity_number alone (1-4 trace …
 * 21-24 fatal), or none at all in Serilog's compact JSON (CLEF), which means Information.
 */
function impliedLevel(obj: Record<string, unknown>): { level: Level; word: string } | null {
  const n = obj.severity_number ?? obj.severityNumber;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 24) return { level: OTEL_LEVELS[Math.floor((n - 1) / 4)]!, word: String(n) };
  if (obj['@t'] !== undefined && (obj['@mt'] !== undefined || obj['@m'] !== undefined)) return { level: 'info', word: 'Information' };
  return null;
}

function isByteArray(v: unknown): v is number[] {
  if (!Array.isArray(v) || v.length === 0) return false;
  for (const b of v) if (!Number.isInteger(b) || b < 0 || b > 255) return false;
  return true;
}

/** first() on a match of a regex without names: the first of these groups that took part with some text. */
function firstGroup(m: RegExpExecArray, groups: readonly number[]): string | undefined {
  for (const k of groups) {
    const v = m[k];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

function first(obj: Record<string, unknown>, keys: readonly string[]): unknown {
  for (const k of keys) {
    const v = getField(obj, k);
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

/** Validates a definition and compiles it. Throws FormatError naming the problem. */
/** The keys of a definition (definition.ts). */
const DEFINITION_KEYS = ['name', 'title', 'description', 'kind', 'regex', 'flags', 'require', 'timestamp', 'level', 'body', 'message', 'multiline', 'stripAnsi', 'nested', 'alert', 'strict', 'partial', 'fieldsDirective', 'priority', 'samples'];

/** A user definition without the keys compileFormat refuses as unknown (a config kept from before they were refused). */
export function withoutUnknownKeys(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const pick = (o: unknown, keys: readonly string[]) =>
    o && typeof o === 'object' && !Array.isArray(o) ? Object.fromEntries(Object.entries(o).filter(([k]) => keys.includes(k))) : o;
  const def = pick(raw, DEFINITION_KEYS) as Record<string, unknown>;
  if ('timestamp' in def) def.timestamp = pick(def.timestamp, ['field', 'format', 'utc']);
  if ('level' in def) def.level = pick(def.level, ['field', 'scale', 'map']);
  return def;
}

function unknownKey(o: object, keys: readonly string[], prefix: string, fail: (reason: string) => never): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) fail(`"${prefix}${k}" is not a key of a format definition (the keys are ${keys.join(', ')})`);
}

export function compileFormat(raw: unknown, opts: { user?: boolean } = {}): CompiledFormat {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new FormatError('?', 'a format definition must be an object');
  const def = raw as FormatDefinition;
  const name = typeof def.name === 'string' ? def.name : '?';
  const fail = (reason: string): never => {
    throw new FormatError(name, reason);
  };
  if (typeof def.name !== 'string' || !NAME_RE.test(def.name)) fail('"name" must be a word (letters, digits, . _ -)');
  if (opts.user) {
    // A misspelt key (`timestmp:`) was dropped, and the format read its lines otherwise, silently.
    unknownKey(def, DEFINITION_KEYS, '', fail);
    if (def.timestamp && typeof def.timestamp === 'object') unknownKey(def.timestamp, ['field', 'format', 'utc'], 'timestamp.', fail);
    if (def.level && typeof def.level === 'object') unknownKey(def.level, ['field', 'scale', 'map'], 'level.', fail);
  }
  if (def.kind !== 'regex' && def.kind !== 'json' && def.kind !== 'logfmt') fail(`"kind" must be regex, json or logfmt (got ${JSON.stringify(def.kind)})`);
  // g and y make a regex remember where its last match ended: every other line would be missed.
  if (def.flags !== undefined && (typeof def.flags !== 'string' || !/^[imsu]*$/.test(def.flags))) fail(`"flags" may hold i, m, s and u (got ${JSON.stringify(def.flags)})`);

  let tsParser: TimeParser | null = null;
  const tsFormats = list(def.timestamp?.format, ['auto']);
  try {
    tsParser = tsFormats.length === 1 && tsFormats[0] === 'auto' ? null : compilePatterns(tsFormats, !!def.timestamp?.utc);
  } catch (e) {
    fail(`bad timestamp format: ${(e as Error).message}`);
  }
  // Structured logs' own names: Serilog (Timestamp, Level, RenderedMessage) and its compact
  // form (@t, @l, @m, @mt), python-json-logger (asctime, levelname), structlog (event),
  // OpenTelemetry (severity_text, body), Monolog (level_name), GELF (short_message).
  const tsFields = list(
    def.timestamp?.field,
    def.kind === 'regex' ? ['timestamp'] : ['timestamp', 'time', 'ts', '@timestamp', 'datetime', 'date', 't', 'Timestamp', 'Time', '@t', 'asctime', 'eventTime', 'timeUnixNano', 'time_unix_nano'],
  );
  const levelFields = list(
    def.level?.field,
    def.kind === 'regex'
      ? ['level']
      : ['level', 'severity', 'lvl', 'log.level', 'loglevel', 'levelname', 'priority', 'Level', 'Severity', '@l', 'severity_text', 'severityText', 'log_level', 'level_name'],
  );
  const scale: LevelScale = def.level?.scale ?? (def.kind === 'regex' ? 'word' : 'auto');
  const SCALES: readonly LevelScale[] = ['word', 'syslog', 'syslog-pri', 'bunyan', 'auto'];
  if (!SCALES.includes(scale)) fail(`level scale must be one of ${SCALES.join(', ')} (got ${JSON.stringify(scale)})`);
  // Null prototype: a level word like "constructor" must not find Object's methods.
  const levelMap = def.level?.map ? (Object.assign(Object.create(null), def.level.map) as Record<string, Level>) : undefined;
  if (levelMap) {
    for (const [w, l] of Object.entries(levelMap)) {
      if (!(LEVELS as readonly string[]).includes(l)) fail(`level map: "${w}" maps to "${l}", which is not one of ${LEVELS.join(', ')}`);
    }
  }
  const msgFields = list(
    def.message,
    def.kind === 'regex' ? ['message'] : ['message', 'msg', 'MESSAGE', 'log', 'text', 'Message', 'RenderedMessage', '@m', '@mt', '@message', 'short_message', 'event', 'body', 'Body'],
  );
  // Names other programs use for an object (ECS's event, OpenTelemetry's structured body):
  // a message only when they hold text.
  const textOnly = def.message === undefined ? new Set(['event', 'body', 'Body']) : new Set<string>();
  const multiline = def.multiline ?? (def.kind === 'regex' ? 'header' : 'heuristic');
  if (multiline !== 'header' && multiline !== 'none' && multiline !== 'heuristic') fail('"multiline" must be header, none or heuristic');

  const readTime = (v: unknown, ctx: TimeContext): { ms: number; assumed: TsAssumed | null } | null => {
    if (v === undefined || v === null) return null;
    if (tsParser) return typeof v === 'string' ? tsParser(v, ctx) : typeof v === 'number' ? tsParser(String(v), ctx) : null;
    return parseAuto(v);
  };

  // Consecutive records mostly share their level word: the last one's level is kept.
  let lastLv: unknown;
  let lastLevel: Level | null = null;
  const levelOf = (lv: unknown): Level | null => {
    if (lv !== lastLv) {
      lastLevel = normalizeLevelValue(lv, scale, levelMap);
      lastLv = lv;
    }
    return lastLevel;
  };

  /** A JSON format that takes any field names (no level field of its own): levels that are said otherwise (see impliedLevel). */
  const jsonAnyNames = def.kind === 'json' && def.level?.field === undefined;
  /** `tsv`, `lv`: the time and level values (see first()). */
  const structured = def.kind !== 'regex';
  /** The time text of the last line read whose time did not read (for the samples' check). */
  let timeMiss: string | null = null;
  const finish = (obj: Record<string, unknown>, message: string, ctx: TimeContext, fields: Record<string, unknown>, tsv: unknown, lv: unknown): ParsedLine => {
    const t = readTime(tsv, ctx);
    timeMiss = t === null && tsv !== undefined && tsv !== null && tsv !== '' ? String(tsv) : null;
    // Structured fields may carry colours of their own (winston's colorize() into JSON, a
    // container's coloured output in Docker's JSON): decoded text is what a terminal shows.
    // (A regex format reads the line's text, which the decoder cleaned already.)
    const lvText = structured && typeof lv === 'string' ? stripAnsi(lv) : lv;
    let level = lvText === undefined ? null : levelOf(lvText);
    let levelText = lvText === undefined ? null : String(lvText);
    if (level === null && lvText === undefined && jsonAnyNames) {
      const d = impliedLevel(obj);
      if (d) {
        level = d.level;
        levelText = d.word;
      }
    }
    let ts = t ? t.ms : null;
    let tsText = t ? (typeof tsv === 'string' ? tsv : String(tsv)) : null;
    let tsAssumed = t ? t.assumed : null;
    let msg = structured ? stripAnsi(message) : message;
    if (def.nested) {
      if (ts === null) {
        const lead = leadingTimestamp(msg, ctx);
        if (lead) {
          ts = lead.ms;
          tsText = lead.text;
          tsAssumed = lead.assumed;
          msg = msg.slice(lead.end);
        }
      }
      if (level === null) {
        const w = innerLevel(msg);
        if (w) {
          level = w.level;
          levelText = w.word;
        }
      }
    }
    const out: ParsedLine = { ts, tsText, tsAssumed, level, levelText, message: msg, fields };
    if (def.partial) {
      const v = getField(obj, def.partial.field);
      if ('unterminated' in def.partial) {
        const t = typeof v === 'string' ? v : '';
        out.partial = t.length > 0 && !t.endsWith('\n') && Buffer.byteLength(t) >= def.partial.unterminated;
      } else out.partial = String(v) === def.partial.value;
    }
    if (def.alert) {
      out.alert = {
        // "ANOMALY" is an anomaly too, as "HIGH" is high; a number is a syslog severity.
        type: String(obj.type ?? '').toLowerCase(),
        severity: typeof obj.severity === 'string' ? obj.severity : typeof obj.severity === 'number' ? String(obj.severity) : null,
        details: obj.details ?? null,
      };
    }
    return out;
  };

  let parse: (text: string, ctx: TimeContext) => ParsedLine | null;
  let mismatchReason: (text: string) => string = () => 'the line does not match';

  if (def.kind === 'regex') {
    const sources = list(def.regex, []);
    if (sources.length === 0) fail('"regex" is required for kind regex');
    const regexes = sources.map((src, k) => {
      if (typeof src !== 'string') return fail(`regex ${k + 1} must be a string`);
      let re: RegExp;
      try {
        re = new RegExp(src, def.flags ?? '');
      } catch (e) {
        return fail(`regex ${sources.length > 1 ? k + 1 + ' ' : ''}does not compile: ${(e as Error).message}`);
      }
      if (opts.user) {
        // Run on every line of every file being detected: a shape that backtracks
        // exponentially would stall the engine on one unlucky line. (Built-ins are tested.)
        const safe = checkRegexSafety(src, def.flags ?? '', { adjacent: false });
        if (!safe.ok) fail(`regex ${sources.length > 1 ? k + 1 + ' ' : ''}${safe.reason}`);
      }
      if (!/\(\?<[A-Za-z_]\w*>/.test(src)) fail('the regex has no named captures (e.g. (?<message>.*))');
      if (!msgFields.some((f) => src.includes(`(?<${f}>`))) fail(`the regex has no capture for the message (${msgFields.join(' or ')})`);
      // Matched without names when that reads the samples exactly as the named regex does;
      // the time, level and message are then read by group number.
      const plain = unnamedGroups(re);
      if (plain && (def.samples ?? []).every((l) => typeof l !== 'string' || sameMatch(re, plain, l))) {
        const at = (names: string[]) => names.map((n) => plain.names.indexOf(n) + 1).filter((k) => k > 0);
        return { re: plain.re, fields: plain.fields, ts: at(tsFields), level: at(levelFields), message: at(msgFields) };
      }
      return { re, fields: namedFields, ts: null, level: null, message: null };
    });
    parse = (text, ctx) => {
      for (const r of regexes) {
        const m = r.re.exec(text);
        if (!m) continue;
        const g = r.fields(m);
        let message = '';
        if (r.message) {
          // As first() and the loop below do on the fields (a group's value is a string or undefined).
          for (const k of r.message) {
            const v = m[k];
            if (v !== undefined) {
              message = v;
              break;
            }
          }
          return finish(g, message, ctx, g, firstGroup(m, r.ts!), firstGroup(m, r.level!));
        }
        for (const f of msgFields) {
          const v = g[f];
          if (v !== undefined) {
            message = v;
            break;
          }
        }
        return finish(g, message, ctx, g, first(g, tsFields), first(g, levelFields));
      }
      return null;
    };
  } else {
    const req: [string, string | number | boolean | null][] = Array.isArray(def.require)
      ? def.require.map((k) => [k, null])
      : Object.entries(def.require ?? {});
    // `a|b`: either key (logfmt's level, log15's and Grafana's lvl).
    const alternatives = req.map(([k]) => k.split('|'));
    const check = (obj: Record<string, unknown>): string | null => {
      for (let r = 0; r < req.length; r++) {
        const [k, want] = req[r]!;
        const alts = alternatives[r]!;
        let v = getField(obj, alts[0]!);
        for (let a = 1; v === undefined && a < alts.length; a++) v = getField(obj, alts[a]!);
        if (v === undefined) return `missing field "${alts.join('" or "')}"`;
        if (want === null || want === 'present') continue;
        if (want === 'string' || want === 'number' || want === 'boolean' || want === 'object') {
          if (typeof v !== want) return `field "${k}" is not a ${want}`;
        } else if (v !== want) return `field "${k}" is not ${JSON.stringify(want)}`;
      }
      return null;
    };
    const firstMessage = (obj: Record<string, unknown>): unknown => {
      for (const k of msgFields) {
        const v = getField(obj, k);
        if (v === undefined || v === null || v === '') continue;
        if (typeof v !== 'string' && textOnly.has(k)) continue;
        return v;
      }
      return undefined;
    };
    const toMessage = (v: unknown, text: string): string => {
      if (v === undefined) return text;
      // journalctl -o json writes a message that is not valid UTF-8 (or holds colours) as
      // an array of its bytes.
      const s = typeof v === 'string' ? v : isByteArray(v) ? Buffer.from(v).toString('utf8') : JSON.stringify(v);
      // Docker's json-file keeps the newline the program wrote.
      return s.endsWith('\n') ? s.slice(0, s.endsWith('\r\n') ? -2 : -1) : s;
    };
    if (def.kind === 'json') {
      // One parse per line even when detection asks every JSON format about it.
      let lastText = '';
      let lastObj: Record<string, unknown> | null = null;
      let lastErr = '';
      const read = (text: string): Record<string, unknown> | null => {
        if (text === lastText) return lastObj;
        lastText = text;
        lastObj = null;
        let k = 0;
        while (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9) k++;
        if (text.charCodeAt(k) !== 123) {
          lastErr = 'not a JSON object';
          return null;
        }
        try {
          const v = JSON.parse(text) as unknown;
          if (v && typeof v === 'object' && !Array.isArray(v)) lastObj = v as Record<string, unknown>;
          else lastErr = 'not a JSON object';
        } catch (e) {
          lastErr = `invalid JSON: ${(e as Error).message}`;
        }
        return lastObj;
      };
      parse = (text, ctx) => {
        const obj = read(text);
        if (!obj || check(obj) !== null) return null;
        return finish(obj, toMessage(firstMessage(obj), text), ctx, obj, first(obj, tsFields), first(obj, levelFields));
      };
      mismatchReason = (text) => {
        const obj = read(text);
        return obj ? (check(obj) ?? 'the line does not match') : lastErr;
      };
    } else {
      parse = (text, ctx) => {
        const obj = parseLogfmt(text);
        if (!obj || check(obj) !== null) return null;
        return finish(obj, toMessage(firstMessage(obj), text), ctx, obj, first(obj, tsFields), first(obj, levelFields));
      };
    }
  }

  let body: CompiledFormat['body'] = null;
  if (def.body !== undefined) {
    if (def.kind !== 'regex') fail('"body" is for kind regex');
    if (typeof def.body !== 'string') fail('"body" must be a regex (a string)');
    let re: RegExp;
    try {
      re = new RegExp(def.body, def.flags ?? '');
    } catch (e) {
      return fail(`body regex does not compile: ${(e as Error).message}`);
    }
    if (opts.user) {
      const safe = checkRegexSafety(def.body, def.flags ?? '', { adjacent: false });
      if (!safe.ok) fail(`body regex ${safe.reason}`);
    }
    if (!msgFields.some((f) => def.body!.includes(`(?<${f}>`))) fail(`the body regex has no capture for the message (${msgFields.join(' or ')})`);
    body = (text) => {
      const m = re.exec(text);
      if (!m) return null;
      const g = m.groups as Record<string, string | undefined>;
      const lv = first(g, levelFields);
      let message = '';
      for (const f of msgFields) {
        const v = g[f];
        if (v !== undefined) {
          message = v;
          break;
        }
      }
      return { level: lv === undefined ? null : levelOf(lv), levelText: lv === undefined ? null : String(lv), message, fields: g };
    };
  }

  if (def.fieldsDirective) {
    const byRegex = parse;
    parse = (text, ctx) => {
      if (text.charCodeAt(0) === 35) {
        if (text.startsWith('#Fields:')) ctx.w3cFields = text.slice(8).trim().split(/\s+/);
        return byRegex(text, ctx);
      }
      const names = ctx.w3cFields;
      if (!names) return byRegex(text, ctx);
      const values = text.split(' ');
      if (values.length !== names.length) return null;
      const fields: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) fields[names[i]!] = values[i];
      const date = fields.date;
      const time = fields.time;
      let ts: number | null = null;
      let tsText: string | null = null;
      if (typeof date === 'string' && typeof time === 'string') {
        tsText = `${date} ${time}`;
        ts = parseIso(`${date}T${time}Z`)?.ms ?? null;
        if (ts === null) return null;
      }
      const status = fields['sc-status'];
      const lead = typeof status === 'string' && status.length === 3 ? status.charCodeAt(0) : 0;
      const level: Level | null = lead === 53 ? 'error' : lead === 52 ? 'warn' : lead >= 49 && lead <= 51 ? 'info' : null;
      const message = names[0] === 'date' && names[1] === 'time' ? text.slice((date as string).length + (time as string).length + 2) : text;
      return { ts, tsText, tsAssumed: null, level, levelText: level ? (status as string) : null, message, fields };
    };
  }

  const stripped = def.stripAnsi
    ? (text: string, ctx: TimeContext) => parse(stripAnsi(text), ctx)
    : parse;

  const compiled: CompiledFormat = {
    name: def.name,
    title: def.title ?? def.name,
    def,
    kind: def.kind,
    priority: typeof def.priority === 'number' ? def.priority : 0,
    multiline,
    strict: !!def.strict,
    parse: stripped,
    mismatchReason,
    body,
  };
  if (def.samples !== undefined) {
    if (!Array.isArray(def.samples)) fail('"samples" must be a list of lines');
    const ctx = { refMs: Date.now() };
    def.samples.forEach((s, k) => {
      if (typeof s !== 'string' || !compiled.parse(s, ctx)) fail(`sample ${k + 1} does not match: ${JSON.stringify(String(s).slice(0, 120))}`);
      // A time the format cannot read would put every record at the time it was read.
      if (timeMiss !== null) fail(`sample ${k + 1}: its time ${JSON.stringify(timeMiss.slice(0, 60))} does not read with timestamp format ${JSON.stringify(tsFormats.length === 1 ? tsFormats[0] : tsFormats)}`);
    });
  }
  return compiled;
}
