import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { formatErrors } from '../engine/config/config-file.js';
import { parseLogfmt } from '../engine/decode/formats/logfmt.js';
import { ConfiguredDecoders } from '../engine/decode/user-formats.js';
import { fieldFormats, lnavLevelComparisons, registerFieldSql, unsafeQueryRegexp } from '../engine/store/query-fields.js';
import { MIGRATIONS } from '../engine/store/migrations/index.js';
import { parseArgs, pathArg, str, UsageError } from './args.js';
import { readConfigArg, type CliIo } from './io.js';

/** `vigil query --db F [--config F] "SQL"`: read-only; one JSON object per row. */
export async function queryCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { values: ['db', 'config'] });
  const db = pathArg(args, 'db');
  if (!db) throw new UsageError('query needs --db FILE');
  if (args.positionals.length !== 1) throw new UsageError('query needs exactly one SQL statement (quote it)');
  if (!existsSync(db) || statSync(db).isDirectory()) {
    io.stderr.write(`vigil query: no database at ${db}${existsSync(db) ? ' (a folder)' : ''}\n`);
    return 2;
  }
  let userFormats: unknown[] = [];
  const configPath = pathArg(args, 'config');
  if (configPath) {
    const config = readConfigArg('vigil query', configPath, io);
    if (!config) return 2;
    userFormats = config.formats ?? [];
    const problems = ConfiguredDecoders.check({ formats: userFormats });
    if (problems.length) {
      io.stderr.write(`vigil query: invalid config ${configPath}:\n${formatErrors(problems)}\n`);
      return 2;
    }
  }
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    conn.pragma('busy_timeout = 5000');
    // Read as it is (read-only): a store an older Vigil wrote has that version's views until
    // Vigil runs on it once (times compared as text read otherwise before 012).
    const version = conn.pragma('user_version', { simple: true }) as number;
    const latest = MIGRATIONS.at(-1)!.version;
    if (version > 0 && version < latest) {
      io.stderr.write(`vigil query: this store is from an older Vigil (schema ${version}, this one is ${latest}): its views are that version's (events.time as ISO text, no level_rank); start Vigil or vigil serve on it once to bring it up to date\n`);
    }
    // field(), fields() and a view per format, as the app's SQL view has (store/query-fields.ts).
    registerFieldSql(conn as never, fieldFormats(new ConfiguredDecoders(userFormats).definitions()), parseLogfmt);
    let stmt: Database.Statement;
    const unsafe = unsafeQueryRegexp(args.positionals[0]!);
    if (unsafe) {
      io.stderr.write(`vigil query: ${unsafe}\n`);
      return 2;
    }
    try {
      stmt = conn.prepare(lnavLevelComparisons(args.positionals[0]!));
    } catch (err) {
      // The statement itself is wrong (syntax, no such table): bad input.
      if ((err as { code?: string }).code === 'SQLITE_NOTADB') throw err;
      const msg = (err as Error).message;
      io.stderr.write(`vigil query: ${/contains no statements/.test(msg) ? 'the query has nothing to run (only comments or blanks): write a SELECT' : msg}\n`);
      return 2;
    }
    // A write that returns rows (INSERT ... RETURNING) is a reader too: refused the same way.
    if (!stmt.reader || !stmt.readonly) {
      io.stderr.write('vigil query: only read-only statements that return rows are allowed (SELECT, WITH, PRAGMA ...)\n');
      return 2;
    }
    // 64-bit integers whole (see jsonSafe); each column its own key (`id`, `id (2)`), as the app's SQL view has them.
    stmt.safeIntegers(true);
    stmt.raw(true);
    const seen = new Map<string, number>();
    const columns = stmt.columns().map((c) => {
      const n = (seen.get(c.name) ?? 0) + 1;
      seen.set(c.name, n);
      return n === 1 ? c.name : `${c.name} (${n})`;
    });
    for (const values of stmt.iterate() as Iterable<unknown[]>) {
      const row: Record<string, unknown> = {};
      for (let k = 0; k < columns.length; k++) row[columns[k]!] = values[k];
      const ok = io.stdout.write(JSON.stringify(row, jsonSafe) + '\n');
      if (!ok) await new Promise((r) => io.stdout.once('drain', r));
    }
    return 0;
  } finally {
    conn.close();
  }
}

/** Buffers (raw_bytes) as base64, integers past 2^53 as their exact digits: JSON that round-trips. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : (JSON as unknown as { rawJSON(s: string): unknown }).rawJSON(value.toString());
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
    return Buffer.from((value as { data: number[] }).data).toString('base64');
  }
  return value;
}
