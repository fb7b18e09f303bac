// SQL over the fields of a format: field(), fields() and a view per format, on a real store
// filled by the real decoders (`vigil scan --db`), through the SQL view's query thread and
// through `vigil query`.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanCommand } from '../../electron/cli/scan.js';
import { parseLogfmt } from '../../electron/engine/decode/formats/logfmt.js';
import { ConfiguredDecoders } from '../../electron/engine/decode/user-formats.js';
import { fieldFormats, registerFieldSql } from '../../electron/engine/store/query-fields.js';
import { queryRows, runQueryInWorker } from '../../electron/engine/store/query-worker.js';
import { tempDir } from '../support/tmp.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tmp = tempDir('vigil-fields-');
const db = join(tmp.dir, 'v.db');
const formats = fieldFormats(new ConfiguredDecoders().definitions());
const q = (sql: string) => runQueryInWorker(db, sql, 1000, 30_000, formats).then((r) => r.rows);

// Access lines from two clients, with statuses known here.
const access: { client: string; status: number }[] = [];
beforeAll(async () => {
  const lines: string[] = [];
  for (let i = 0; i < 40; i++) {
    const client = `203.0.113.${1 + (i % 2)}`;
    const status = i % 5 === 0 ? 502 : i % 3 === 0 ? 404 : 200;
    access.push({ client, status });
    lines.push(`${client} - - [22/Nov/2026:10:00:${String(i).padStart(2, '0')} +0000] "GET /item/${i} HTTP/1.1" ${status} ${100 + i} "-" "curl/8.0"`);
  }
  writeFileSync(join(tmp.dir, 'access.log'), lines.join('\n') + '\n');
  writeFileSync(
    join(tmp.dir, 'app.jsonl'),
    [
      { time: '2026-11-22T10:00:00Z', severity: 'ERROR', message: 'payment failed', req: { method: 'POST', path: '/pay' }, user: 'u1', retry: true },
      { time: '2026-11-22T10:00:01Z', severity: 'INFO', message: 'payment ok', req: { method: 'POST', path: '/pay' }, user: 'u2', retry: false },
    ]
      .map((o) => JSON.stringify(o))
      .join('\n') + '\n',
  );
  writeFileSync(
    join(tmp.dir, 'svc.log'),
    'time=2026-11-22T10:00:00Z level=error msg="dial failed" user=alice dur=12ms n=1.5 code=007\ntime=2026-11-22T10:00:01Z level=info msg="dial ok" user=bob dur=3ms n=-2 code=1e5\n',
  );
  writeFileSync(join(tmp.dir, 'tomcat.log'), 'Nov 22, 2026 2:03:04 AM org.apache.catalina.startup.Catalina load\nINFO: Initialization processed in 812 ms\n');
  // log4j with the thread after the level (%d %p [%t] %c - %m), dpkg with versions 1.10 and 2.0.
  writeFileSync(join(tmp.dir, 'hadoop.log'), Array.from({ length: 6 }, (_, i) => `2015-10-18 18:01:4${i},${100 + i} INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: step ${i}`).join('\n') + '\n');
  writeFileSync(join(tmp.dir, 'dpkg.log'), '2026-11-22 10:00:01 install libfoo:amd64 <none> 1.10\n2026-11-22 10:00:02 upgrade libbar:amd64 2.0 2.10\n2026-11-22 10:00:03 upgrade libbaz:amd64 3 4.5\n');
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  const files = ['access.log', 'app.jsonl', 'svc.log', 'tomcat.log', 'hadoop.log', 'dpkg.log'].map((f) => join(tmp.dir, f));
  expect(await scanCommand([...files, '--db', db], { stdout: sink, stderr: sink })).toBe(0);
});
afterAll(() => tmp.cleanup());

describe('SQL over the fields of a format', () => {
  it('a view per format has its captures as columns: counts by client and status are the lines written', async () => {
    const rows = await q('SELECT client, status, count(*) AS n FROM access_combined GROUP BY 1, 2 ORDER BY 1, 2');
    const want = new Map<string, number>();
    for (const a of access) want.set(`${a.client} ${a.status}`, (want.get(`${a.client} ${a.status}`) ?? 0) + 1);
    expect(rows.map((r) => `${r.client} ${r.status} ${r.n}`)).toEqual([...want.entries()].sort().map(([k, n]) => `${k} ${n}`));
    // The events' own columns come first, the level normalised.
    const [first] = await q('SELECT id, source, level, request, bytes FROM access_combined ORDER BY id LIMIT 1');
    // Plain numbers are numbers, so comparisons mean what they say.
    expect(first).toMatchObject({ source: 'access.log', level: 'error', request: 'GET /item/0 HTTP/1.1', bytes: 100 });
    const errors = await q('SELECT count(*) AS n FROM access_combined WHERE status >= 500');
    expect(errors).toEqual([{ n: access.filter((a) => a.status >= 500).length }]);
  });

  it('a field captured in two places of a regex is one column (log4j\'s thread); a number that would not read back the same stays text (versions 1.10, 2.0); every events column is in a format view', async () => {
    expect(await q('SELECT thread, count(*) AS n FROM log4j GROUP BY 1')).toEqual([{ thread: 'main', n: 6 }]);
    expect((await q('SELECT * FROM log4j LIMIT 1')).map((r) => Object.keys(r).includes('thread2'))).toEqual([false]);
    const dpkg = await q('SELECT old_version, new_version FROM dpkg ORDER BY id');
    expect(dpkg).toEqual([
      { old_version: '<none>', new_version: '1.10' },
      { old_version: '2.0', new_version: '2.10' },
      { old_version: 3, new_version: 4.5 },
    ]);
    const cols = Object.keys((await q('SELECT * FROM log4j LIMIT 1'))[0]!);
    for (const c of ['template', 'template_id', 'format', 'line_no', 'line_end', 'flags', 'stream', 'raw_bytes', 'ingested_at']) expect(cols).toContain(c);
  });

  it('field() reads one field of any record, fields() all of them as JSON; JSON objects come back as JSON text', async () => {
    const [json] = await q("SELECT format, field(raw, format, 'user') AS user, field(raw, format, 'req') AS req, field(raw, format, 'retry') AS retry, json_extract(fields(raw, format), '$.req.method') AS method FROM events WHERE source = 'app.jsonl' ORDER BY id LIMIT 1");
    expect(json).toEqual({ format: 'json', user: 'u1', req: '{"method":"POST","path":"/pay"}', retry: 1, method: 'POST' });
    const view = await q('SELECT json_extract(fields, \'$.user\') AS user FROM json ORDER BY id');
    expect(view).toEqual([{ user: 'u1' }, { user: 'u2' }]);
    const lf = await q("SELECT field(raw, format, 'user') AS user, field(raw, format, 'dur') AS dur FROM events WHERE format = 'logfmt' ORDER BY id");
    expect(lf).toEqual([
      { user: 'alice', dur: '12ms' },
      { user: 'bob', dur: '3ms' },
    ]);
    expect(await q("SELECT field(raw, format, 'n') AS n, field(raw, format, 'code') AS code FROM events WHERE format = 'logfmt' ORDER BY id")).toEqual([
      { n: 1.5, code: '007' },
      { n: -2, code: '1e5' },
    ]);
    // Keys that are Object's own names are fields like any other, or absent.
    expect(await q(`SELECT field('{"__proto__": {"a": 1}, "b": 2}', 'json', '__proto__') AS p, field('{"b": 2}', 'json', 'constructor') AS c, fields('{"__proto__": 1}', 'json') AS f`)).toEqual([{ p: '{"a":1}', c: null, f: '{"__proto__":1}' }]);
    // A field the record does not have, a format not loaded, a NULL: NULL.
    expect(await q("SELECT field(raw, format, 'nope') AS a, field(raw, 'no-such-format', 'user') AS b, field(NULL, format, 'user') AS c FROM events WHERE format = 'logfmt' LIMIT 1")).toEqual([{ a: null, b: null, c: null }]);
  });

  it('integers past 2^53 keep every digit (a 64-bit span id): in field(), fields() and SQL itself, in the app and in vigil query', async () => {
    const sql = `SELECT field('{"span": 1234567890123456789}', 'json', 'span') AS a,
      field('{"span": 1234567890123456790}', 'json', 'span') = field('{"span": 1234567890123456789}', 'json', 'span') AS same,
      fields('{"span": 1234567890123456789, "huge": 123456789012345678901234567890, "f": 1.5}', 'json') AS f, 9007199254740993 AS x, 42 AS small`;
    // The app's SQL view: past 2^53, the digits as text (JSON numbers would round).
    expect(await q(sql)).toEqual([{ a: '1234567890123456789', same: 0, f: '{"span":1234567890123456789,"huge":"123456789012345678901234567890","f":1.5}', x: '9007199254740993', small: 42 }]);
    // vigil query: the digits as a JSON number, exactly.
    const r = spawnSync(process.execPath, [join(repo, 'bin', 'vigil.js'), 'query', '--db', db, sql.replace(/\s+/g, ' ')], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('{"a":1234567890123456789,"same":0,"f":"{\\"span\\":1234567890123456789,\\"huge\\":\\"123456789012345678901234567890\\",\\"f\\":1.5}","x":9007199254740993,"small":42}\n');
  });

  it('columns of the same name (a join) each keep their values: id, then id (2), in the app and in vigil query', async () => {
    const sql = "SELECT e.id, a.id, 'x' AS a FROM (SELECT 20 AS id UNION ALL SELECT 30) e, (SELECT 7 AS id) a ORDER BY e.id";
    const r = await runQueryInWorker(db, sql, 10, 30_000, formats);
    expect(r.columns).toEqual(['id', 'id (2)', 'a']);
    expect(r.rows).toEqual([{ id: 20, 'id (2)': 7, a: 'x' }, { id: 30, 'id (2)': 7, a: 'x' }]);
    const cli = spawnSync(process.execPath, [join(repo, 'bin', 'vigil.js'), 'query', '--db', db, sql], { encoding: 'utf8', timeout: 30_000 });
    expect(cli.stdout).toBe('{"id":20,"id (2)":7,"a":"x"}\n{"id":30,"id (2)":7,"a":"x"}\n');
  });

  it('a format whose message is on the line under the first: the body line fills the fields; a capture named like a column gets _field', async () => {
    const rows = await q('SELECT level, level_text, message, source_field, method FROM java_util_logging');
    expect(rows).toEqual([{ level: 'info', level_text: 'INFO', message: 'Initialization processed in 812 ms', source_field: 'org.apache.catalina.startup.Catalina', method: 'load' }]);
  });

  it('the query thread gives what an in-process connection gives', async () => {
    const sql = 'SELECT client, count(*) AS n FROM access_combined GROUP BY 1 ORDER BY 1';
    const inProcess = queryRows(Database, db, sql, 100, (conn) => registerFieldSql(conn, formats, parseLogfmt));
    expect(await runQueryInWorker(db, sql, 100, 30_000, formats)).toEqual(inProcess);
  });

  it('a format cannot hide a store view, and the connection stays read-only', async () => {
    const own = fieldFormats([{ name: 'events', kind: 'regex', regex: '^(?<x>.)' }, ...new ConfiguredDecoders().definitions()]);
    const total = (await q('SELECT count(*) AS n FROM records'))[0]!.n;
    expect((await runQueryInWorker(db, 'SELECT count(*) AS n FROM events', 10, 30_000, own)).rows).toEqual([{ n: total }]);
    await expect(runQueryInWorker(db, 'CREATE TEMP VIEW mine AS SELECT 1', 10, 30_000, formats)).rejects.toThrow(/only read-only statements/);
    await expect(runQueryInWorker(db, 'DROP VIEW temp.access_combined', 10, 30_000, formats)).rejects.toThrow(/only read-only statements/);
  });

  it('`vigil query --config` knows the config\'s own formats, and refuses an invalid config with the key', () => {
    const vq = (...args: string[]) => spawnSync(process.execPath, [join(repo, 'bin', 'vigil.js'), 'query', ...args], { encoding: 'utf8', timeout: 30_000 });
    const good = join(tmp.dir, 'good.yml');
    writeFileSync(good, 'formats:\n  - name: my-app\n    kind: regex\n    regex: "^(?<user>\\\\w+): (?<message>.*)$"\n');
    expect(vq('--db', db, 'SELECT count(*) AS n FROM my_app').stderr).toContain('no such table: my_app');
    const r = vq('--db', db, '--config', good, "SELECT count(*) AS n, field('bob: hi', 'my-app', 'user') AS user FROM my_app");
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ n: 0, user: 'bob' });
    const bad = join(tmp.dir, 'bad.yml');
    writeFileSync(bad, 'formats:\n  - name: broken\n    kind: regex\n    regex: "(?<message>"\n');
    const refused = vq('--db', db, '--config', bad, 'SELECT 1');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/^vigil query: invalid config .*bad\.yml:\n.*formats\.0/);
  });

  it('`vigil query` has the same functions and views', () => {
    const r = spawnSync(process.execPath, [join(repo, 'bin', 'vigil.js'), 'query', '--db', db, "SELECT status, count(*) AS n FROM access_combined WHERE client = '203.0.113.2' GROUP BY 1 ORDER BY 1"], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    const want = new Map<number, number>();
    for (const a of access.filter((x) => x.client === '203.0.113.2')) want.set(a.status, (want.get(a.status) ?? 0) + 1);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([...want.entries()].sort((a, b) => a[0] - b[0]).map(([status, n]) => ({ status, n })));
  });

  it('times compare as SQLite writes them, levels by rank, and REGEXP works: the usual lnav-style questions get right answers', async () => {
    // access.log: 40 lines, 10:00:00 to 10:00:39 UTC on 22 Nov 2026; 502s are errors.
    expect(await q("SELECT count(*) AS n FROM events WHERE path LIKE '%access.log' AND time >= '2026-11-22 10:00:30'")).toEqual([{ n: 10 }]);
    expect(await q("SELECT count(*) AS n FROM events WHERE path LIKE '%access.log' AND time >= datetime('2026-11-22 10:00:40', '-10 seconds')")).toEqual([{ n: 10 }]);
    expect(await q("SELECT time FROM events WHERE path LIKE '%access.log' ORDER BY id LIMIT 1")).toEqual([{ time: '2026-11-22 10:00:00.000' }]);
    const errors = access.filter((a) => a.status >= 500).length;
    const warnOrWorse = access.filter((a) => a.status >= 400).length;
    expect(await q("SELECT count(*) AS n FROM events WHERE path LIKE '%access.log' AND level_rank >= 6")).toEqual([{ n: errors }]);
    expect(await q("SELECT count(*) AS n FROM events WHERE path LIKE '%access.log' AND level_rank >= 5")).toEqual([{ n: warnOrWorse }]);
    expect(await q("SELECT count(*) AS n FROM events WHERE path LIKE '%access.log' AND raw REGEXP '\"GET /item/1\\d '")).toEqual([{ n: 10 }]);
    expect(await q("SELECT regexp_match('/item/(\\d+)', raw) AS item FROM events WHERE path LIKE '%access.log' ORDER BY id LIMIT 2")).toEqual([{ item: '0' }, { item: '1' }]);
    await expect(q("SELECT 1 FROM events WHERE raw REGEXP '('")).rejects.toThrow(/^regexp: Invalid regular expression/);
  });

  it("a query written for lnav runs as it is: all_logs with log_* columns, access_log with lnav's field names (c_ip, sc_status, cs_method ...)", async () => {
    // lnav's own answers on these lines (lnav 0.11 here): log_line from 0, levels `warning`, access_log's fields.
    const byStatus = new Map<string, number>();
    for (const a of access) byStatus.set(`${a.client} ${a.status}`, (byStatus.get(`${a.client} ${a.status}`) ?? 0) + 1);
    const rows = await q('SELECT c_ip, sc_status, count(*) AS n FROM access_log GROUP BY 1, 2 ORDER BY 1, 2');
    expect(rows.map((r) => `${r.c_ip} ${r.sc_status} ${r.n}`)).toEqual([...byStatus.entries()].sort().map(([k, n]) => `${k} ${n}`));
    expect(await q('SELECT log_line, log_time, log_level, cs_method, cs_uri_stem, cs_version, sc_bytes, cs_user_agent FROM access_log ORDER BY id LIMIT 2')).toEqual([
      { log_line: 0, log_time: '2026-11-22 10:00:00.000', log_level: 'error', cs_method: 'GET', cs_uri_stem: '/item/0', cs_version: 'HTTP/1.1', sc_bytes: 100, cs_user_agent: 'curl/8.0' },
      { log_line: 1, log_time: '2026-11-22 10:00:01.000', log_level: 'info', cs_method: 'GET', cs_uri_stem: '/item/1', cs_version: 'HTTP/1.1', sc_bytes: 101, cs_user_agent: 'curl/8.0' },
    ]);
    const warnings = access.filter((a) => a.status >= 400 && a.status < 500).length;
    expect(await q("SELECT count(*) AS n FROM all_logs WHERE log_path LIKE '%access.log' AND log_level = 'warning'")).toEqual([{ n: warnings }]);
    expect(await q("SELECT log_format, log_body, log_msg_format FROM all_logs WHERE log_path LIKE '%svc.log' ORDER BY log_line LIMIT 1")).toEqual([
      { log_format: 'logfmt_log', log_body: 'dial failed', log_msg_format: 'dial failed' },
    ]);
    // The same through `vigil query`.
    const r = spawnSync(process.execPath, [join(repo, 'bin', 'vigil.js'), 'query', '--db', db, "SELECT count(*) AS n FROM access_log WHERE sc_status >= 500"], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ n: access.filter((a) => a.status >= 500).length });
    // log_format says lnav's name for a format both know; timeslice() as lnav's (times in UTC).
    expect(await q("SELECT log_format, count(*) AS n FROM all_logs WHERE log_path LIKE '%access.log' GROUP BY 1")).toEqual([{ log_format: 'access_log', n: access.length }]);
    expect(await q("SELECT timeslice(log_time, '30s') AS t, count(*) AS n FROM access_log GROUP BY 1 ORDER BY 1")).toEqual([
      { t: '2026-11-22 10:00:00.000', n: 30 },
      { t: '2026-11-22 10:00:30.000', n: 10 },
    ]);
    await expect(q("SELECT timeslice(log_time, 'fortnight') FROM access_log")).rejects.toThrow(/^timeslice: "fortnight" is not a slice/);
  });

  it("lnav's log_level compares by severity, as lnav's collation orders it: > 'warning' is errors and worse (as text it was 0 rows), in the app and in vigil query", async () => {
    // access.log: 502 is error, 404 warning, 200 info; app.jsonl and svc.log one error and one info each; tomcat info; hadoop info.
    const byLevel = await q('SELECT log_level, count(*) AS n FROM all_logs GROUP BY 1 ORDER BY 1');
    const count = (levels: string[]) => byLevel.filter((r) => levels.includes(String(r.log_level))).reduce((n, r) => n + Number(r.n), 0);
    expect(count(['error'])).toBeGreaterThan(0);
    expect(await q("SELECT count(*) AS n FROM all_logs WHERE log_level > 'warning'")).toEqual([{ n: count(['error', 'critical', 'fatal']) }]);
    expect(await q("SELECT count(*) AS n FROM all_logs WHERE log_level >= 'warning'")).toEqual([{ n: count(['warning', 'error', 'critical', 'fatal']) }]);
    expect(await q("SELECT count(*) AS n FROM all_logs WHERE 'info' < log_level")).toEqual([{ n: count(['notice', 'warning', 'error', 'critical', 'fatal']) }]);
    expect(await q("SELECT count(*) AS n FROM all_logs a WHERE a.log_level BETWEEN 'warning' AND 'error'")).toEqual([{ n: count(['warning', 'error']) }]);
    // Equality, and a literal that only looks like a comparison, are left as they are.
    expect(await q("SELECT count(*) AS n FROM all_logs WHERE log_level = 'error' AND log_body != 'log_level > ''x'''")).toEqual([{ n: count(['error']) }]);
    const r = spawnSync(process.execPath, [join(repo, 'bin', 'vigil.js'), 'query', '--db', db, "SELECT count(*) AS n FROM all_logs WHERE log_level > 'warning'"], { encoding: 'utf8', timeout: 30_000 });
    expect(JSON.parse(r.stdout)).toEqual({ n: count(['error', 'critical', 'fatal']) });
  });

  it('a REGEXP pattern written in the query that would backtrack catastrophically is refused, saying why (vigil query ran on until killed)', async () => {
    await expect(q("SELECT id FROM events WHERE message REGEXP '(a+)+$'")).rejects.toThrow(/^the pattern '\(a\+\)\+\$' could backtrack catastrophically: /);
    await expect(q("SELECT regexp_match('(\\w+\\s?)*$', message) FROM events")).rejects.toThrow(/could backtrack catastrophically/);
    const r = spawnSync(process.execPath, [join(repo, 'bin', 'vigil.js'), 'query', '--db', db, "SELECT id FROM events WHERE message REGEXP '(a+)+$'"], { encoding: 'utf8', timeout: 30_000 });
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^vigil query: the pattern '\(a\+\)\+\$' could backtrack catastrophically: /);
    // The usual ones run.
    expect((await q("SELECT count(*) AS n FROM events WHERE message REGEXP 'pay(ment)? (failed|ok)'"))[0]).toEqual({ n: 2 });
  });

  it("lnav's access_log reads a '-' for no bytes as 0, as lnav does (as text it ranked above every number)", async () => {
    const t = tempDir('vigil-fields-dash-');
    try {
      const file = join(t.dir, 'access.log');
      writeFileSync(file, '10.0.0.3 - - [22/Nov/2026:10:00:00 +0000] "POST /api/login?next=/home HTTP/1.1" 302 -\n10.0.0.4 - - [22/Nov/2026:10:00:01 +0000] "GET /big HTTP/1.1" 200 5000\n');
      const store = join(t.dir, 'd.db');
      const sink = { write: () => true } as unknown as NodeJS.WritableStream;
      expect(await scanCommand([file, '--db', store], { stdout: sink, stderr: sink })).toBe(0);
      const rows = (await runQueryInWorker(store, 'SELECT cs_uri_stem, cs_uri_query, sc_bytes FROM access_log WHERE sc_bytes < 1000', 10, 30_000, formats)).rows;
      expect(rows).toEqual([{ cs_uri_stem: '/api/login', cs_uri_query: 'next=/home', sc_bytes: 0 }]);
    } finally {
      t.cleanup();
    }
  });
});
