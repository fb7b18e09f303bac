import { ConfigInvalidError } from './config/config-file.js';
import { StoreTooNewError } from './store/migrate.js';
import { StoreInUseError } from './store/store-lock.js';

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
  if (err instanceof StoreInUseError || err instanceof StoreTooNewError) return { message: err.message, exitCode: 1 };
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  if (code === 'SQLITE_NOTADB') {
    const fix = ctx.dbOption ? `give ${ctx.dbOption} a new file or a store` : 'move it away, and Vigil makes a new store';
    return { message: `${ctx.dbPath} is not a Vigil store (not an SQLite database); ${fix}`, exitCode: 2 };
  }
  // A data folder it cannot write (permissions, a read-only disk): say which, and why.
  if (/^(SQLITE_(CANTOPEN|READONLY|PERM|IOERR|FULL|CORRUPT)|EACCES|EPERM|EROFS|ENOSPC|ENOTDIR|EEXIST|ENOENT)/.test(code)) {
    return { message: `cannot use the data folder ${ctx.dataDir} (store ${ctx.dbPath}): ${(err as Error).message}; it must be a folder Vigil can write`, exitCode: 1 };
  }
  return null;
}
