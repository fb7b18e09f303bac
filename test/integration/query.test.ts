import { spawnSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.js';
import Database from 'better-sqlite3';
import { queryRows, runQueryInWorker } from '../../electron/engine/store/query-worker.js';
import { Store } from '../../electron/engine/store/store.js';
import { startServe } from '../support/serve-process.js';
import { tempDir, waitFor } from '../support/tmp.js';

// The SQL box: queries run in a process of their own, so the engine goes on storing lines
// while one runs, and one that never ends is stopped with a clear error.

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * Counts to 100 million: over 10 s here, far past the limits below. Not endless on purpose:
 * were the query run on the calling thread, the test would fail after it, not hang.
 */
const LONG = 'WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 100000000) SELECT count(*) FROM r';

function storeWithRows(): Store {
  const { dir, cleanup } = tempDir();
  const s = new Store(join(dir, 'v.db'));
  cleanups.push(() => {
    s.close();
    cleanup();
  });
  const src = s.sourceId('app', 'file');
  const row = (raw: string, rawBytes: Buffer | null) => ({ sourceId: src, fileId: null, firstLine: null, lastLine: null, ts: 1000, tsText: null, levelRank: 6, levelText: 'ERROR', stream: null, format: 'generic', templateId: null, flags: 0, message: raw, raw, rawBytes });
  s.append([row('first', null), row('bytes \ufffd', Buffer.from([0x62, 0xff])), row('third', null)], []);
  return s;
}

describe('queries from the SQL box', () => {
  it('answer on a thread as they do on this one: rows, the limit, BLOBs as bytes, errors and refused writes', async () => {
    const s = storeWithRows();
    const sql = 'SELECT raw, raw_bytes, level FROM events ORDER BY id';
    const threaded = await runQueryInWorker(s.path, sql, 2);
    expect(threaded).toEqual(queryRows(Database, s.path, sql, 2));
    expect(threaded).toMatchObject({ columns: ['raw', 'raw_bytes', 'level'], truncated: true, rows: [{ raw: 'first', raw_bytes: null, level: 'error' }, { raw: 'bytes \ufffd' }] });
    expect(Buffer.isBuffer(threaded.rows[1]!.raw_bytes)).toBe(true);
    expect([...(threaded.rows[1]!.raw_bytes as Buffer)]).toEqual([0x62, 0xff]);
    await expect(runQueryInWorker(s.path, 'DELETE FROM records', 10)).rejects.toThrow(/only read-only statements/);
    // Nor what SQLite calls read-only but opens or sets things, nor a write that returns rows.
    for (const sql of ["ATTACH '/tmp/x.db' AS x", 'PRAGMA journal_mode=DELETE', 'PRAGMA wal_checkpoint(TRUNCATE)', "INSERT INTO sources (name, type, created_at) VALUES ('x', 'file', 0) RETURNING id"]) {
      await expect(runQueryInWorker(s.path, sql, 10), sql).rejects.toThrow(/only read-only statements that return rows/);
    }
    await expect(runQueryInWorker(s.path, 'SELECT nope FROM missing_table', 10)).rejects.toThrow(/no such table: missing_table/);
    // Only a comment: said plainly.
    await expect(runQueryInWorker(s.path, '-- errors by source, later', 10)).rejects.toThrow(/^the query has nothing to run \(only comments or blanks\)/);
    expect(s.db.prepare('SELECT count(*) FROM records').pluck().get()).toBe(3);
  });

  it('one that runs past its time limit is stopped, and this thread runs meanwhile', async () => {
    const s = storeWithRows();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    const t0 = Date.now();
    await expect(runQueryInWorker(s.path, LONG, 10, 1500)).rejects.toThrow('the query ran longer than 1.5 s and was stopped');
    clearInterval(timer);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
    expect(ticks).toBeGreaterThan(20);
    // Four at once at most; a fifth is refused at once, saying why.
    const four = Array.from({ length: 4 }, () => runQueryInWorker(s.path, LONG, 10, 1500));
    await expect(runQueryInWorker(s.path, 'SELECT 1', 10, 1500)).rejects.toThrow(/4 queries are still running/);
    for (const q of four) await expect(q).rejects.toThrow(/was stopped/);
    expect(await runQueryInWorker(s.path, 'SELECT 1 AS one', 10)).toEqual({ columns: ['one'], rows: [{ one: 1 }], truncated: false });
  });

  it('a query stopped at its limit is stopped for real: nothing of it goes on counting (a thread could not be stopped inside SQLite)', async () => {
    const s = storeWithRows();
    const endless = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';
    const children = () => spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes('job.source'));
    const q = runQueryInWorker(s.path, endless, 10, 1000);
    await waitFor(() => children().length === 1, { what: 'the query running' });
    await expect(q).rejects.toThrow('the query ran longer than 1 s and was stopped');
    await waitFor(() => children().length === 0, { what: 'the query process gone', timeoutMs: 3000 });
  });

  it('vigil serve killed (SIGKILL) while a query runs: the query\'s process ends too, it does not count on for ever', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const srv = await startServe(['--data-dir', dir, '--port', '0', '--token', 'kill-token-1234']);
    const port = new URL(srv.url).port;
    const endless = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';
    void fetch(`http://127.0.0.1:${port}/api/call/query.run?token=kill-token-1234`, { method: 'POST', body: JSON.stringify({ sql: endless }), headers: { 'content-type': 'application/json' } }).catch(() => undefined);
    const queries = () => spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(srv.child.pid)], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes('job.source'));
    await waitFor(() => queries().length === 1, { what: 'the query running' });
    const pid = Number(queries()[0]!.trim().split(/\s+/)[0]);
    srv.child.kill('SIGKILL');
    await waitFor(() => spawnSync('kill', ['-0', String(pid)]).status !== 0, { what: 'the query process gone with its parent', timeoutMs: 5000 });
  });

  it('an answer is bounded in bytes as well as rows: 1,000 rows of 1 MB are cut, said so, the first row always kept', async () => {
    const s = storeWithRows();
    const big = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000) SELECT x, printf('%.*c', 1000000, 'y') AS big FROM c";
    const r = await runQueryInWorker(s.path, big, 1000);
    expect(r.truncated).toBe(true);
    expect(r.truncatedBy).toBe('bytes');
    expect(r.rows.length).toBeGreaterThan(10);
    expect(r.rows.length).toBeLessThan(20);
    expect((r.rows[0]!.big as string).length).toBe(1_000_000);
    const huge = await runQueryInWorker(s.path, "SELECT printf('%.*c', 50000000, 'z') AS one_value", 10);
    expect(huge.rows).toHaveLength(1);
    // Counted as it goes out: quotes and control characters take more room in JSON.
    const quoted = await runQueryInWorker(s.path, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000) SELECT replace(printf('%.*c', 100000, 'y'), 'y', char(1)) AS ctl FROM c", 1000);
    expect(quoted.truncatedBy).toBe('bytes');
    expect(JSON.stringify(quoted.rows).length).toBeLessThan(17 * 1024 * 1024);
  });

  it('the engine stores lines while a query runs', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    writeFileSync(join(dir, 'vigil.yml'), `sources:\n  - name: app\n    type: file\n    path: ${log}\n`);
    const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined, queryTimeoutMs: 4000 });
    cleanups.push(() => engine.close());
    const stored = () => engine.store.db.prepare("SELECT count(*) FROM events WHERE source = 'app'").pluck().get() as number;
    const query = Promise.resolve(engine.handlers['query.run']({ sql: LONG, limit: 10 }));
    let settled = false;
    void query.then(
      () => (settled = true),
      () => (settled = true),
    );
    appendFileSync(log, '2026-11-21T10:00:00Z INFO stored while the query runs\n');
    await waitFor(() => stored() === 1, { what: 'the line stored while the query runs' });
    expect(settled).toBe(false);
    await expect(query).rejects.toThrow('the query ran longer than 4 s and was stopped');
  });

  it('closing the engine stops a query that runs (it held vigil serve up to the query\'s time limit)', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    writeFileSync(join(dir, 'vigil.yml'), 'sources: []\n');
    const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined, queryTimeoutMs: 600_000 });
    const query = Promise.resolve(engine.handlers['query.run']({ sql: LONG, limit: 10 }));
    query.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    await engine.close();
    await expect(query).rejects.toThrow('Vigil is stopping; the query was stopped');
  });
});
