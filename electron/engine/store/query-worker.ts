import { spawn } from 'node:child_process';
import type { QueryResult } from '../../../shared/types.js';
import { parseLogfmt } from '../decode/formats/logfmt.js';
import { driverPath } from './driver.js';
import { lnavLevelComparisons, registerFieldSql, unsafeQueryRegexp, type FieldFormat } from './query-fields.js';

// The SQL box's queries run in a process of their own, with their own read-only
// connection: a query over millions of records (or one that never ends, such as an
// unbounded recursive CTE) must not stop the engine from storing lines, sending
// notifications or answering the UI. A query still running after its time limit is
// stopped with its process, and the caller gets an error saying so. (A thread cannot be
// stopped inside SQLite, and better-sqlite3 has no interrupt: a stopped thread went on
// counting, holding a core, a connection and the WAL, and kept the process from exiting.)

/** How long a query from the UI may run. */
export const QUERY_TIMEOUT_MS = 60_000;
/** Queries running at once; more are refused (each holds a process and a connection). */
const MAX_RUNNING = 4;
/**
 * One read-only statement, its first `limit` rows, on a read-only connection of its own:
 * writes are refused by SQLite itself, and before that by checking that the statement
 * does not write. Self-contained: the query's thread runs its source text (see
 * QUERY_SOURCE). `maxBytes`: what one answer may hold, about, as sent: it crosses to the UI
 * as one message, and 1,000 rows of 1 MiB lines made a string V8 cannot make (the server
 * died of it).
 */
export function queryRows(Driver: new (path: string, opts: object) => unknown, dbPath: string, sql: string, limit: number, setup?: (db: never) => void, maxBytes = 16 * 1024 * 1024): QueryResult {
  type Stmt = { reader: boolean; readonly: boolean; run(): unknown; columns(): { name: string }[]; iterate(): Iterable<unknown[]>; safeIntegers(on: boolean): unknown; raw(on: boolean): unknown };
  type Db = { pragma(s: string): unknown; prepare(s: string): Stmt; close(): void };
  const db = new Driver(dbPath, { readonly: true, fileMustExist: true }) as Db;
  try {
    db.pragma('busy_timeout = 5000');
    setup?.(db as never);
    let stmt: Stmt;
    try {
      stmt = db.prepare(sql);
    } catch (err) {
      // Only comments or blanks: said plainly, not as the driver words it.
      if (/contains no statements/.test((err as Error).message)) throw new Error('the query has nothing to run (only comments or blanks): write a SELECT');
      throw err;
    }
    // Statements that return rows and write nothing: not ATTACH (read-only to SQLite, it
    // opened any file), not INSERT ... RETURNING (it returns rows), not a PRAGMA that sets.
    if (!stmt.reader || !stmt.readonly) throw new Error('only read-only statements that return rows are allowed (SELECT, WITH, a read-only PRAGMA)');
    // Each column its own name: two called `id` (a join) would be one key, showing one
    // value twice. The second is `id (2)`.
    const seen = new Map<string, number>();
    const columns = stmt.columns().map((c) => {
      const n = (seen.get(c.name) ?? 0) + 1;
      seen.set(c.name, n);
      return n === 1 ? c.name : `${c.name} (${n})`;
    });
    const rows: Record<string, unknown>[] = [];
    let truncated = false;
    // Integers as SQLite holds them (64 bits): past 2^53 a number would round (a span id
    // 1234567890123456789 read as ...800), so those come as their digits.
    stmt.safeIntegers(true);
    stmt.raw(true);
    let bytes = 0;
    let cut: 'rows' | 'bytes' | undefined;
    for (const values of stmt.iterate()) {
      if (rows.length >= limit) {
        cut = 'rows';
        break;
      }
      const row: Record<string, unknown> = {};
      let size = 16;
      for (let k = 0; k < columns.length; k++) {
        const v = values[k];
        row[columns[k]!] = typeof v === 'bigint' ? (v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString()) : v;
        // As the answer goes out: JSON (a quote or a control character is 2 to 6 characters
        // there; a BLOB's byte up to 4, as Node writes a Buffer in JSON).
        size += typeof v === 'string' ? JSON.stringify(v).length : v instanceof Uint8Array ? v.byteLength * 4 + 32 : 24;
      }
      // The first row always goes (a single huge value is the answer asked for).
      if (rows.length > 0 && bytes + size > maxBytes) {
        cut = 'bytes';
        break;
      }
      bytes += size;
      rows.push(row);
    }
    truncated = cut !== undefined;
    return cut === 'bytes' ? { columns, rows, truncated, truncatedBy: 'bytes' } : { columns, rows, truncated };
  } finally {
    db.close();
  }
}

/** What the query's thread runs (its own source: it imports nothing). */
const QUERY_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const queryRows = ${queryRows.toString()};
const registerFieldSql = ${registerFieldSql.toString()};
const parseLogfmt = ${parseLogfmt.toString()};
const { driver, dbPath, sql, limit, formats } = workerData;
let answer;
try {
  answer = { ok: queryRows(require(driver), dbPath, sql, limit, (db) => registerFieldSql(db, formats, parseLogfmt)) };
} catch (e) {
  answer = { error: e && e.message ? e.message : String(e) };
}
parentPort.postMessage(answer);
`;

/**
 * The query's process. The query runs on a thread of it, so that the process still hears
 * its parent go (killed, crashed: its query went on at 100% for ever) and its own deadline
 * pass, and ends itself: SQLite cannot be stopped inside a step.
 */
const CHILD_SOURCE = `
const { Worker } = require('node:worker_threads');
process.once('message', (job) => {
  process.once('disconnect', () => process.exit(1));
  setTimeout(() => process.exit(1), job.timeoutMs + 1000).unref();
  const w = new Worker(job.source, { eval: true, workerData: job.data });
  w.once('message', (answer) => process.send(answer, () => process.exit(0)));
  w.once('error', (e) => process.send({ error: e && e.message ? e.message : String(e) }, () => process.exit(0)));
});
`;

let running = 0;
/** The queries running, each with what stops it. */
const stoppers = new Set<(why: string) => void>();

/** Stops every query running (Vigil is closing: a query must not hold the process up to its time limit). */
export function stopQueries(why: string): void {
  for (const stop of [...stoppers]) stop(why);
}

/** queryRows() in a process of its own, stopped after `timeoutMs`; `formats` give the connection field(), fields() and a view per format (query-fields.ts). */
export function runQueryInWorker(dbPath: string, sql: string, limit: number, timeoutMs = QUERY_TIMEOUT_MS, formats: FieldFormat[] = []): Promise<QueryResult> {
  const unsafe = unsafeQueryRegexp(sql);
  if (unsafe) return Promise.reject(new Error(unsafe));
  if (running >= MAX_RUNNING) {
    return Promise.reject(new Error(`${running} queries are still running; wait for one to finish (each stops after ${Math.round(timeoutMs / 1000)} s at most)`));
  }
  running++;
  return new Promise<QueryResult>((resolve, reject) => {
    let settled = false;
    let exited = false;
    let stderr = '';
    // Node itself, or Electron's binary run as Node (the app's main process).
    const child = spawn(process.execPath, ['-e', CHILD_SOURCE], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      windowsHide: true,
    });
    const finish = (err: Error | null, result?: QueryResult) => {
      if (settled) return;
      settled = true;
      running--;
      stoppers.delete(stop);
      clearTimeout(timer);
      // Stopped for real: the process goes, with its connection and the query in it.
      if (!exited) child.kill('SIGKILL');
      if (err) reject(err);
      else resolve(result!);
    };
    const stop = (why: string) => finish(new Error(why));
    stoppers.add(stop);
    const timer = setTimeout(
      () => finish(new Error(`the query ran longer than ${formatSeconds(timeoutMs)} and was stopped; narrow it (WHERE ts > ..., LIMIT) or count from record_counts`)),
      timeoutMs,
    );
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      if (stderr.length < 4096) stderr += d;
    });
    child.once('message', (m: { ok?: QueryResult; error?: string }) => (m.ok ? finish(null, withBuffers(m.ok)) : finish(new Error(m.error ?? 'the query failed'))));
    child.once('error', (e) => {
      exited = true;
      finish(new Error(`the query could not start: ${e.message}`));
    });
    child.once('exit', (code, signal) => {
      if (exited) return;
      exited = true;
      const why = stderr.trim().split('\n').pop();
      finish(new Error(`the query's process ended (${signal ?? code}) without an answer${why ? `: ${why}` : ''}`));
    });
    child.send({ source: QUERY_SOURCE, timeoutMs, data: { driver: driverPath(), dbPath, sql: lnavLevelComparisons(sql), limit, formats } }, (err) => {
      if (err) finish(new Error(`the query could not start: ${err.message}`));
    });
  });
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** BLOBs cross processes as plain Uint8Arrays; they left SQLite as Buffers, and go on as Buffers. */
function withBuffers(r: QueryResult): QueryResult {
  for (const row of r.rows as Record<string, unknown>[]) {
    for (const k in row) {
      const v = row[k];
      if (v instanceof Uint8Array && !Buffer.isBuffer(v)) row[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    }
  }
  return r;
}
