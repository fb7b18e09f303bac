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
  let r;
  try {
    r = recoverStore(db, out);
  } catch (err) {
    const code = String((err as { code?: unknown }).code ?? '');
    if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
      const what = code === 'SQLITE_NOTADB' ? 'its first page (the header) is damaged, or it is no SQLite file' : (err as Error).message;
      io.stderr.write(`vigil recover: nothing can be read of ${db}: ${what}\n`);
      return 1;
    }
    throw err;
  }
  for (const t of r.tables) {
    const lost = t.lost.map((l) => (l === 'some rows' ? 'some rows (read up to the damage)' : `row ids ${l}`));
    io.stdout.write(`${t.name}: ${t.rows} rows${lost.length ? `; lost to damage: ${lost.join(', ')}` : ''}\n`);
  }
  if (r.unlinked) io.stdout.write(`left out: ${r.unlinked} rows that pointed at lost rows (an anomaly's evidence, a message's items)\n`);
  for (const f of r.failed) io.stdout.write(`not made again: ${f}\n`);
  for (const n of r.notes) io.stdout.write(`note: ${n}\n`);
  const lossy = r.tables.some((t) => t.lost.length) || r.unlinked > 0 || r.failed.length > 0;
  io.stdout.write(
    `${lossy ? 'recovered, with the losses above,' : 'recovered whole'} into ${out} (integrity: ${r.integrity}). Stop Vigil, move ${resolve(db)} ` +
      `(and its -wal and -shm files) away, keeping it until you are sure, and put ${out} in its place under its name.\n`,
  );
  // 0: nothing lost; 1: a store was made, but without what is named above.
  return r.integrity === 'ok' && !lossy ? 0 : 1;
}
