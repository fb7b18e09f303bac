import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { recoverStore } from '../engine/store/recover.js';
import { parseArgs, pathArg, UsageError } from './args.js';
import type { CliIo } from './io.js';

/** `vigil recover --db F [--out F]`: what can be read of a damaged store, into a new one. */
export async function recoverCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { values: ['db', 'out'] });
  const db = pathArg(args, 'db');
  if (!db) throw new UsageError('recover needs --db FILE (the damaged store)');
  if (args.positionals.length) throw new UsageError(`recover takes no arguments (got ${args.positionals.join(' ')})`);
  if (!existsSync(db) || statSync(db).isDirectory()) {
    io.stderr.write(`vigil recover: no store at ${db}\n`);
    return 2;
  }
  const out = resolve(pathArg(args, 'out') ?? `${db}.recovered`);
  if (existsSync(out)) {
    io.stderr.write(`vigil recover: ${out} exists: give another --out, or move it away\n`);
    return 2;
  }
  const r = recoverStore(db, out);
  for (const t of r.tables) {
    io.stdout.write(`${t.name}: ${t.rows} rows${t.lost.length ? `; lost to damage: row ids ${t.lost.join(', ')}` : ''}\n`);
  }
  for (const f of r.failed) io.stdout.write(`not made again: ${f}\n`);
  io.stdout.write(
    `recovered into ${out} (integrity: ${r.integrity}). Stop Vigil, move ${resolve(db)} (and its -wal and -shm files) away, ` +
      `keeping it until you are sure, and put ${out} in its place under its name.\n`,
  );
  return r.integrity === 'ok' ? 0 : 1;
}
