import type { FormatDefinition } from '../decode/formats/definition.js';
import { checkRegexSafety } from '../../../shared/regex-safety.js';

// SQL over the fields of a format, as lnav offers (`SELECT c_ip, count(*) FROM access_log`),
// and over Docker's events (docker_event):
// the store keeps each record's raw line and the name of its format, not its fields, so a
// query connection reads them again when a query asks. Nothing is stored, and ingestion pays
// nothing. On a query connection:
//   field(raw, format, name)  one field of a record (NULL when it has none; a capture that is
//                             a plain number is a number, JSON values keep their JSON type)
//   fields(raw, format)       all its fields, as a JSON object
//   X REGEXP 'p', regexp_match('p', X)  a JavaScript regex matches / its first capture
//   a TEMP view per format (its name with - as _): the events columns, then one column per
//   named capture of its regex(es), then `fields`; `SELECT client, status, count(*) FROM
//   access_combined GROUP BY 1, 2`. A view is not made where its name is taken (a store
//   table or view), so a format cannot hide the store's own.

/** What the SQL functions need of a format: plain data, for it crosses to the query thread. */
export type FieldFormat = Pick<FormatDefinition, 'name' | 'kind' | 'regex' | 'flags' | 'body'>;

export function fieldFormats(defs: readonly FormatDefinition[]): FieldFormat[] {
  return defs.map((d) => ({
    name: d.name,
    kind: d.kind,
    ...(d.regex !== undefined ? { regex: d.regex } : {}),
    ...(d.flags !== undefined ? { flags: d.flags } : {}),
    ...(d.body !== undefined ? { body: d.body } : {}),
  }));
}

type Db = {
  function(name: string, opts: { deterministic: boolean }, fn: (...args: unknown[]) => unknown): unknown;
  prepare(sql: string): { pluck(): { all(): unknown[] } };
  exec(sql: string): unknown;
};

/**
 * Registers field(), fields() and the format views on a connection. Self-contained (no
 * imports, no outer names): the query thread runs its source text. `logfmt` is
 * decode/formats/logfmt.ts's parseLogfmt, passed in for the same reason.
 */
export function registerFieldSql(db: Db, formats: FieldFormat[], logfmt: (text: string) => Record<string, string> | null): void {
  type Fields = Record<string, unknown>;
  const compile = (src: string, flags: string | undefined): RegExp | null => {
    try {
      return new RegExp(src, flags ?? '');
    } catch {
      return null;
    }
  };
  /** Every named capture of a regex, in order (an alternative that matches nothing makes exec() list them all). */
  const namesOf = (re: RegExp): string[] => {
    const m = new RegExp(`(?:${re.source})|`, re.flags.replace('g', '')).exec('');
    return m?.groups ? Object.keys(m.groups) : [];
  };
  /** Text captures that are plain numbers become numbers (`status >= 500` compares as a person means); 007 and 1e5 stay text. */
  const BIG_DIGITS = /\d{16}/;
  const exactIntegers = (_k: string, v: unknown, ctx?: { source?: string }): unknown => {
    if (typeof v !== 'number' || Number.isSafeInteger(v) || !ctx?.source || !/^-?\d+$/.test(ctx.source)) return v;
    const b = BigInt(ctx.source);
    return b >= -9223372036854775808n && b <= 9223372036854775807n ? b : ctx.source;
  };
  const stringify = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? (JSON as unknown as { rawJSON(s: string): unknown }).rawJSON(x.toString()) : x));
  // Only when the number reads back as the same text: a version 1.10 or 2.0 stays text (as a
  // number it was 1.1 and 2, and `= '1.10'` found nothing).
  const typed = (v: string): string | number => {
    if (!/^-?(?:0|[1-9]\d{0,14})(?:\.\d{1,15})?$/.test(v)) return v;
    const n = Number(v);
    return String(n) === v ? n : v;
  };
  // A reader gives the fields as the format found them: a regex's `groups` (an undefined
  // for a capture that took no part), logfmt's strings, a JSON object. Text is typed when
  // read (typeOf), field by field: copying and typing every capture of every row cost
  // 2 µs of the 2.5 µs a row took.
  const readers = new Map<string, (raw: string) => Fields | null>();
  const textual = new Set<string>();
  const columns = new Map<string, string[]>();
  for (const f of formats) {
    if (f.kind === 'json') {
      readers.set(f.name, (raw) => {
        const line = raw.split('\n', 1)[0]!;
        try {
          // Integers past 2^53 keep their digits (as BigInt, 64-bit in SQLite; as text past that).
          const v: unknown = BIG_DIGITS.test(line) ? JSON.parse(line, exactIntegers as never) : JSON.parse(line);
          return v && typeof v === 'object' && !Array.isArray(v) ? (v as Fields) : null;
        } catch {
          return null;
        }
      });
      columns.set(f.name, []);
    } else if (f.kind === 'logfmt') {
      readers.set(f.name, (raw) => logfmt(raw.split('\n', 1)[0]!));
      textual.add(f.name);
      columns.set(f.name, []);
    } else {
      const res = (Array.isArray(f.regex) ? f.regex : f.regex ? [f.regex] : []).map((s) => compile(s, f.flags)).filter((r): r is RegExp => !!r);
      const body = f.body ? compile(f.body, f.flags) : null;
      const names: string[] = [];
      for (const re of body ? [...res, body] : res) for (const n of namesOf(re)) if (!names.includes(n)) names.push(n);
      // `thread2`, where a regex captures `thread` in two places (a name may be captured only
      // once): one column, `thread`, whichever place had it.
      const alias = new Map<string, string>();
      for (const n of names) {
        const m = /^(.*\D)\d+$/.exec(n);
        if (m && names.includes(m[1]!)) alias.set(n, m[1]!);
      }
      columns.set(f.name, names.filter((n) => !alias.has(n)));
      textual.add(f.name);
      readers.set(f.name, (raw) => {
        const nl = raw.indexOf('\n');
        const first = nl < 0 ? raw : raw.slice(0, nl);
        let out: Fields | null = null;
        for (const re of res) {
          const m = re.exec(first);
          if (m) {
            out = m.groups ?? {};
            if (alias.size) {
              const folded: Fields = {};
              for (const k in out) {
                const to = alias.get(k);
                if (to === undefined) {
                  if (folded[k] === undefined) folded[k] = out[k];
                } else if (out[k] !== undefined && folded[to] === undefined) folded[to] = out[k];
              }
              out = folded;
            }
            break;
          }
        }
        if (out && body && nl >= 0) {
          // A message on the line under the first (java.util.logging, .NET): its captures fill the gaps.
          const m = body.exec(raw.slice(nl + 1).split('\n', 1)[0]!);
          if (m?.groups) {
            const merged: Fields = { ...out };
            for (const k in m.groups) if (m.groups[k] !== undefined && (merged[k] === undefined || merged[k] === '')) merged[k] = m.groups[k];
            out = merged;
          }
        }
        return out;
      });
    }
  }

  // Docker's events, stored by docker sources as format 'docker-event' (sources/docker/
  // events.ts; named here, for this function runs alone): the line Docker's /events sent,
  // read as the action, the container, and what Docker adds (exitCode, image, signal, the
  // container's labels). `SELECT container, exitCode FROM docker_event WHERE action = 'die'`.
  const DOCKER_EVENT = 'docker-event';
  if (!readers.has(DOCKER_EVENT)) {
    readers.set(DOCKER_EVENT, (raw) => {
      try {
        const v = JSON.parse(raw) as { Action?: string; status?: string; id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
        const attrs = v.Actor?.Attributes ?? {};
        return { ...attrs, action: v.Action ?? v.status, container: attrs.name, container_id: v.Actor?.ID ?? v.id };
      } catch {
        return null;
      }
    });
    textual.add(DOCKER_EVENT); // Docker sends every attribute as text: exitCode "137" reads as 137
    columns.set(DOCKER_EVENT, ['action', 'container', 'container_id', 'image', 'exitCode']);
  }

  // A view's columns call field() once each for the same row: keep the last row read.
  let lastRaw: string | null = null;
  let lastFormat: string | null = null;
  let last: Fields | null = null;
  let lastTextual = false;
  const read = (raw: unknown, format: unknown): Fields | null => {
    if (typeof raw !== 'string' || typeof format !== 'string') return null;
    if (raw === lastRaw && format === lastFormat) return last;
    lastRaw = raw;
    lastFormat = format;
    lastTextual = textual.has(format);
    last = readers.get(format)?.(raw) ?? null;
    return last;
  };
  /** A field as SQL gets it: text of a regex or logfmt typed, JSON kept, absent as undefined. */
  const typeOf = (v: unknown): unknown => (lastTextual && typeof v === 'string' ? typed(v) : v);
  const sqlValue = (v: unknown): unknown => {
    if (v === undefined || v === null) return null;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'bigint') return v;
    return stringify(v);
  };
  db.function('field', { deterministic: true }, (raw, format, name) => {
    const f = read(raw, format);
    return f ? sqlValue(typeOf(Object.hasOwn(f, String(name)) ? f[String(name)] : undefined)) : null;
  });
  db.function('fields', { deterministic: true }, (raw, format) => {
    const f = read(raw, format);
    if (!f) return null;
    // No prototype: a JSON key "__proto__" stays a key.
    const out: Fields = Object.create(null) as Fields;
    for (const k in f) if (f[k] !== undefined) out[k] = typeOf(f[k]);
    return stringify(out);
  });

  // `message REGEXP 'timed? ?out'` (SQLite asks regexp(pattern, text) for it; it has none of
  // its own) and lnav's regexp_match(pattern, text): the first capture, or the whole match.
  // JavaScript's syntax. The query's own process and time limit bound a pattern that backtracks.
  const patterns = new Map<string, RegExp>();
  const pattern = (p: unknown): RegExp => {
    const text = String(p);
    let re = patterns.get(text);
    if (!re) {
      try {
        re = new RegExp(text);
      } catch (e) {
        // The query's mistake, said in one line (as SQLite's own errors are), not a stack trace.
        throw Object.assign(new Error(`regexp: ${(e as Error).message}`), { name: 'SqlFunctionError' });
      }
      if (patterns.size >= 100) patterns.clear();
      patterns.set(text, re);
    }
    return re;
  };
  db.function('regexp', { deterministic: true }, (p, text) => (p === null || text === null ? null : pattern(p).test(String(text)) ? 1 : 0));
  db.function('regexp_match', { deterministic: true }, (p, text) => {
    if (p === null || text === null) return null;
    const m = pattern(p).exec(String(text));
    return m ? (m[1] ?? m[0]) : null;
  });

  // lnav's log_level compares by severity (its collation): log_level_rank(level) is that
  // order, and lnavLevelComparisons() writes `log_level > 'warning'` as a comparison of ranks.
  const RANKS: Record<string, number> = { unknown: 0, trace: 1, debug: 2, info: 3, stats: 4, notice: 5, warn: 6, warning: 6, error: 7, err: 7, critical: 8, crit: 8, fatal: 9, emergency: 9, alert: 9 };
  db.function('log_level_rank', { deterministic: true }, (level) => {
    if (level === null) return null;
    const w = String(level).toLowerCase();
    // lnav's debug2..debug5 are debug.
    return RANKS[w] ?? RANKS[w.replace(/\d+$/, '')] ?? 0;
  });

  // lnav's timeslice(time, '5m'): the time floored to a slice (ms, s, m, h, d), as `time` is written.
  const SLICE: Record<string, number> = { ms: 1, s: 1000, sec: 1000, second: 1000, m: 60_000, min: 60_000, minute: 60_000, h: 3_600_000, hr: 3_600_000, hour: 3_600_000, d: 86_400_000, day: 86_400_000 };
  db.function('timeslice', { deterministic: true }, (t, slice) => {
    if (t === null || slice === null) return null;
    const m = /^\s*(\d+(?:\.\d+)?)?\s*([a-z]+)\s*$/i.exec(String(slice));
    const word = m?.[2]!.toLowerCase() ?? '';
    const unit = SLICE[word] ?? SLICE[word.replace(/s$/, '')];
    if (!m || unit === undefined) throw Object.assign(new Error(`timeslice: "${String(slice)}" is not a slice (5m, 1h, 1d, 30s)`), { name: 'SqlFunctionError' });
    const size = Number(m[1] ?? 1) * unit;
    const ms = typeof t === 'number' || typeof t === 'bigint' ? Number(t) : Date.parse(/^\d{4}-\d\d-\d\d \d/.test(String(t)) ? `${String(t).replace(' ', 'T')}Z` : String(t));
    if (!Number.isFinite(ms) || !(size > 0)) return null;
    return new Date(Math.floor(ms / size) * size).toISOString().replace('T', ' ').replace('Z', '');
  });

  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const taken = new Set((db.prepare("SELECT lower(name) FROM sqlite_schema UNION SELECT lower(name) FROM sqlite_temp_schema").pluck().all() as string[]));
  const base = ['id', 'source', 'path', 'ts', 'time', 'level', 'level_text', 'message', 'raw'];
  /** The other columns of events: each, unless the format captures a field of that name (CRI's stream). */
  // Those the store's events view has: `vigil query` reads a store as it is, not migrated (level_rank came with 012).
  const has = new Set(db.prepare("SELECT name FROM pragma_table_info('events')").pluck().all() as string[]);
  const more = ['raw_bytes', 'stream', 'format', 'line_no', 'line_end', 'flags', 'template_id', 'template', 'ingested_at', 'level_rank'].filter((c) => has.has(c));
  const made = new Map<string, string>(); // view -> format
  for (const name of columns.keys()) {
    const f = { name };
    const view = f.name.replace(/[^A-Za-z0-9_]/g, '_');
    if (taken.has(view.toLowerCase()) || /^\d/.test(view)) continue;
    taken.add(view.toLowerCase());
    made.set(view, f.name);
    // level and message are the events' own columns; another capture named as one of those
    // (java.util.logging's `source`, its logger) gets the column <name>_field.
    const caps = (columns.get(f.name) ?? []).filter((c) => c !== 'level' && c !== 'message');
    const cols = [
      ...base.map((c) => `e.${c}`),
      ...more.filter((c) => !caps.includes(c)).map((c) => `e.${c}`),
      ...caps.map((c) => `field(e.raw, e.format, ${literal(c)}) AS ${quote(base.includes(c) || c === 'fields' ? `${c}_field` : c)}`),
      'fields(e.raw, e.format) AS fields',
    ];
    db.exec(`CREATE TEMP VIEW ${quote(view)} AS SELECT ${cols.join(', ')} FROM events e WHERE e.format = ${literal(f.name)}`);
  }

  // lnav's names, so a query written for lnav runs as it is: all_logs and its log_* columns,
  // and a format's lnav table (access_log, syslog_log, ...) over the view above, with lnav's
  // names for the fields beside Vigil's (c_ip and client). log_line counts from 0 as lnav's;
  // log_level says `warning` as lnav's (Vigil's own level says `warn`), `unknown` for none;
  // log_time is UTC (lnav shows local time).
  // lnav's name for a format both know (its table's: access_log), Vigil's for the others.
  let lnavFormat = (col: string) => col;
  const lnavCols = (e: string) =>
    [
      `${e}.line_no - 1 AS log_line`,
      `${e}.time AS log_time`,
      `coalesce(CASE ${e}.level WHEN 'warn' THEN 'warning' ELSE ${e}.level END, 'unknown') AS log_level`,
      `${lnavFormat(`${e}.format`)} AS log_format`,
      ...(has.has('template') ? [`${e}.template AS log_msg_format`] : []),
      `${e}.message AS log_body`,
      `${e}.path AS log_path`,
      `${e}.raw AS log_raw_text`,
    ].join(', ');
  const req = (re: string) => `regexp_match(${literal(re)}, v.request)`;
  // [lnav's table, Vigil's view, [lnav's field, the expression over the view, the capture it needs]]
  const LNAV: [string, string, [string, string, string][]][] = [
    ['access_log', 'access_combined', [
      ['c_ip', 'v.client', 'client'], ['cs_username', 'v.user', 'user'], ['cs_method', req('^(\\S+) '), 'request'],
      ['cs_uri_stem', req('^\\S+ ([^?\\s]*)'), 'request'], ['cs_uri_query', req('^\\S+ [^?\\s]*\\?(\\S*)'), 'request'],
      ['cs_version', req(' (HTTP/\\S+)$'), 'request'], ['sc_status', 'v.status', 'status'], ['sc_bytes', "CASE v.bytes WHEN '-' THEN 0 ELSE v.bytes END", 'bytes'],
      ['cs_referer', 'v.referer', 'referer'], ['cs_user_agent', 'v.agent', 'agent'],
    ]],
    ['syslog_log', 'syslog', [['log_hostname', 'v.host', 'host'], ['log_procname', 'v.tag', 'tag'], ['log_pid', 'v.pid', 'pid'], ['log_pri', 'v.pri', 'pri']]],
    ['error_log', 'apache_error', []],
    ['logfmt_log', 'logfmt', []],
    ['glog_log', 'glog', []],
    ['dpkg_log', 'dpkg', []],
    ['haproxy_log', 'haproxy', []],
    ['uwsgi_log', 'uwsgi', []],
    ['cups_log', 'cups', []],
    ['alb_log', 'aws_alb', []],
    ['elb_log', 'aws_elb', []],
    ['s3_log', 'aws_s3_access', []],
  ];
  const known = LNAV.filter(([, view]) => made.has(view)).map(([lnav, view]) => `WHEN ${literal(made.get(view)!)} THEN ${literal(lnav)}`);
  if (known.length) lnavFormat = (col) => `CASE ${col} ${known.join(' ')} ELSE ${col} END`;
  if (!taken.has('all_logs')) {
    taken.add('all_logs');
    db.exec(`CREATE TEMP VIEW all_logs AS SELECT ${lnavCols('e')}, e.* FROM events e`);
  }
  for (const [lnav, view, fields] of LNAV) {
    const format = made.get(view);
    if (format === undefined || taken.has(lnav)) continue;
    taken.add(lnav);
    // A format of the config may take a built-in's name with other captures: only the fields it has.
    const caps = columns.get(format) ?? [];
    const named = fields.filter(([, , cap]) => caps.includes(cap)).map(([name, expr]) => `${expr} AS ${name}`);
    db.exec(`CREATE TEMP VIEW ${quote(lnav)} AS SELECT ${lnavCols('v')}, ${[...named, 'v.*'].join(', ')} FROM ${quote(view)} v`);
  }
}

/**
 * The query with its string literals, quoted names and comments out of the way, each a
 * numbered placeholder (\u0000N\u0000, N its index in `kept`): what is left is SQL itself.
 */
function masked(sql: string): { code: string; kept: string[] } {
  const kept: string[] = [];
  const code = sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|--[^\n]*|\/\*[\s\S]*?\*\//g, (m) => `\u0000${kept.push(m) - 1}\u0000`);
  return { code, kept };
}

/**
 * A query written for lnav compares `log_level` by severity (`log_level >= 'warning'`: its
 * column has a collation that orders levels); SQLite compares the names as text, which gave
 * 1,993 of 2,000 rows for `>= 'error'`. Such comparisons with a level written as a literal
 * (either side, `BETWEEN` too) become comparisons of log_level_rank(); string literals,
 * quoted names and comments are left as they are.
 */
export function lnavLevelComparisons(sql: string): string {
  if (!/log_level/i.test(sql)) return sql;
  const { code, kept } = masked(sql);
  const isLiteral = (i: string) => kept[Number(i)]!.startsWith("'");
  const col = '((?:[A-Za-z_]\\w*\\.)?log_level)\\b';
  const lit = '\u0000(\\d+)\u0000';
  const rank = (x: string) => `log_level_rank(${x})`;
  const out = code
    .replace(new RegExp(`\\b${col}\\s*(<=|>=|<|>)\\s*${lit}`, 'gi'), (m, c: string, op: string, i: string) => (isLiteral(i) ? `${rank(c)} ${op} ${rank(`\u0000${i}\u0000`)}` : m))
    .replace(new RegExp(`${lit}\\s*(<=|>=|<|>)\\s*\\b${col}`, 'gi'), (m, i: string, op: string, c: string) => (isLiteral(i) ? `${rank(`\u0000${i}\u0000`)} ${op} ${rank(c)}` : m))
    .replace(new RegExp(`\\b${col}\\s+(not\\s+)?between\\s+${lit}\\s+and\\s+${lit}`, 'gi'), (m, c: string, not: string | undefined, a: string, b: string) =>
      isLiteral(a) && isLiteral(b) ? `${rank(c)} ${not ?? ''}BETWEEN ${rank(`\u0000${a}\u0000`)} AND ${rank(`\u0000${b}\u0000`)}` : m,
    );
  return out.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => kept[Number(i)]!);
}

/**
 * Why a pattern the query writes out (`message REGEXP '(a+)+$'`, regexp_match('…', x)) is
 * refused: one that backtracks catastrophically ran on in `vigil query` until killed. Checked
 * as a rule's regex is (shared/regex-safety.ts); null when there is none such.
 */
export function unsafeQueryRegexp(sql: string): string | null {
  if (!/regexp/i.test(sql)) return null;
  const { code, kept } = masked(sql);
  for (const m of code.matchAll(/\bregexp(?:\s+|(?:_match)?\s*\(\s*)\u0000(\d+)\u0000/gi)) {
    const lit = kept[Number(m[1])]!;
    if (!lit.startsWith("'")) continue;
    const pattern = lit.slice(1, -1).replace(/''/g, "'");
    // One that does not compile is said so by regexp() when it runs, as SQLite's own errors are.
    if (!compiles(pattern)) continue;
    const r = checkRegexSafety(pattern);
    if (!r.ok) return `the pattern '${pattern}' ${r.reason}`;
  }
  return null;
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
