import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import { ConfigInvalidError } from './config/config-file.js';
import { damageAdvice, isDamaged } from './store/damage.js';
import { StoreTooNewError } from './store/migrate.js';
import { StoreInUseError, StoreLinkedError } from './store/store-lock.js';

export interface StartErrorContext {
  dataDir: string;
  dbPath: string;
  /** How the host lets the user name another store ("--db" for `vigil serve`), when it has one. */
  dbOption?: string;
}

/**
 * Why the engine could not start, said so a user can act on it, the same in every host
 * (`vigil serve` on stderr, the desktop app in a dialog), and how the host should exit: 2
 * for input to fix (the config, a file that is no store), 1 for the machine's state. Null
 * for an error none of these explains (a bug: the host shows it as it is).
 */
export function explainStartError(err: unknown, ctx: StartErrorContext): { message: string; exitCode: 1 | 2 } | null {
  if (err instanceof ConfigInvalidError) return { message: err.message, exitCode: 2 };
  if (err instanceof StoreInUseError || err instanceof StoreTooNewError || err instanceof StoreLinkedError) return { message: err.message, exitCode: 1 };
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  if (code === 'SQLITE_NOTADB') {
    const fix = ctx.dbOption ? `give ${ctx.dbOption} a new file or a store` : 'move it away, and Vigil makes a new store';
    return { message: `${ctx.dbPath} is not a Vigil store (not an SQLite database); ${fix}`, exitCode: 2 };
  }
  const said = (err as Error).message;
  if (isDamaged(err)) return { message: `the store ${ctx.dbPath} is damaged (${said}): ${damageAdvice(ctx.dbPath)}`, exitCode: 1 };
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return { message: `the disk holding ${ctx.dataDir} is full (${said}); free some space and start again`, exitCode: 1 };
  // A data folder it cannot write (permissions, a read-only disk): say which file, and why.
  if (/^(SQLITE_(CANTOPEN|READONLY|PERM|IOERR)|EACCES|EPERM|EROFS|ENOTDIR|EEXIST|ENOENT)/.test(code)) {
    if (isFolder(ctx.dbPath)) return { message: `${ctx.dbPath} is a folder; it must be the store's file (move it away, and Vigil makes a new store)`, exitCode: 2 };
    if (code === 'EROFS' || readOnlyMount(dirname(ctx.dbPath)) || readOnlyMount(ctx.dataDir)) {
      return { message: `cannot use the data folder ${ctx.dataDir} (store ${ctx.dbPath}): it is on a read-only file system; give Vigil a store on a disk it can write`, exitCode: 1 };
    }
    const file = unwritable([ctx.dataDir, ctx.dbPath, `${ctx.dbPath}-wal`, `${ctx.dbPath}-shm`]);
    const which = file ? `${file} cannot be read and written by this user (${userName()})` : said;
    return { message: `cannot use the data folder ${ctx.dataDir} (store ${ctx.dbPath}): ${which}; it must be a folder Vigil can write`, exitCode: 1 };
  }
  return null;
}

/** Whether `p` (or the nearest folder above it that exists) is on a file system mounted read-only. */
function readOnlyMount(p: string): boolean {
  let at = p;
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  try {
    accessSync(at, constants.W_OK);
    return false;
  } catch (err) {
    return (err as { code?: string }).code === 'EROFS';
  }
}

function isFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The first of `paths` that exists and this process may not read and write. */
function unwritable(paths: string[]): string | null {
  for (const p of paths) {
    if (!existsSync(p)) continue;
    try {
      accessSync(p, constants.R_OK | constants.W_OK);
    } catch {
      return p;
    }
  }
  return null;
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}
