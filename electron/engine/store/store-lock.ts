import Database from 'better-sqlite3';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * One engine writes a store at a time. The desktop app and `vigil serve` share their data
 * folder by default, so a user running both would have two engines tailing the same files
 * from the same checkpoints, and every line stored twice.
 *
 * The lock is an exclusive SQLite lock on a small file next to the store (`vigil.db.lock`),
 * held for the engine's life. It is the operating system's lock (fcntl on Unix, LockFileEx
 * on Windows), so it goes with the process however it ends, SIGKILL and power loss
 * included: there is no stale lock to clean up and no pid to mistake for another. Who holds
 * it is written beside it (`vigil.db.lock.json`) for the message the second one gets.
 */
export class StoreInUseError extends Error {
  constructor(
    readonly dbPath: string,
    readonly owner: StoreOwner | null,
  ) {
    const who = owner
      ? `${HOST_NAMES[owner.host] ?? owner.host} (pid ${owner.pid}, since ${new Date(owner.since).toISOString()})`
      : 'another Vigil';
    super(
      `${who} is already watching logs into ${dbPath}; two at once would store every line twice. ` +
        `Stop it first, or give this one a store of its own (--data-dir or --db for vigil serve, VIGIL_DATA_DIR).`,
    );
    this.name = 'StoreInUseError';
  }
}

export interface StoreOwner {
  pid: number;
  /** The engine's host: electron, server, cli. */
  host: string;
  since: number;
}

const HOST_NAMES: Record<string, string> = { electron: 'the Vigil desktop app', server: '`vigil serve`', cli: 'a `vigil` command' };

export class StoreLock {
  private constructor(
    private db: Database.Database | null,
    private readonly ownerPath: string,
    /** The lock file, when this lock made it (no lock file was there before). */
    private readonly made: string | null,
  ) {}

  /** Takes the lock of the store at `dbPath`, or throws StoreInUseError. An in-memory store needs none. */
  static acquire(dbPath: string, host: string): StoreLock | null {
    if (dbPath === ':memory:' || dbPath === '') return null;
    // The lock sits beside the store itself, wherever links lead to it: a second engine that
    // reached vigil.db through a symlink (the store moved to a bigger disk, a link left)
    // took a lock of its own, and every line was stored twice.
    const real = storeRealPath(dbPath);
    // A store reached by two names through hard links cannot be guarded (each name keeps a
    // write-ahead log of its own: lines stored twice, then the one log's writes lost).
    const st = existsSync(real) ? statSync(real) : null;
    if (st?.isFile() && st.nlink > 1) throw new StoreLinkedError(real, st.nlink);
    const lockPath = `${real}.lock`;
    const ownerPath = `${lockPath}.json`;
    const made = existsSync(lockPath) ? null : lockPath;
    // No busy wait: the holder keeps the lock for as long as it runs.
    const db = new Database(lockPath, { timeout: 0 });
    try {
      db.pragma('journal_mode = DELETE');
      db.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      db.close();
      if (made) rmSync(made, { force: true });
      if ((err as { code?: string }).code === 'SQLITE_BUSY' || (err as { code?: string }).code === 'SQLITE_LOCKED') {
        throw new StoreInUseError(dbPath, readOwner(ownerPath));
      }
      throw err;
    }
    const owner: StoreOwner = { pid: process.pid, host, since: Date.now() };
    try {
      writeFileSync(ownerPath, JSON.stringify(owner) + '\n');
    } catch {
      // Only the message of a second engine reads it.
    }
    return new StoreLock(db, ownerPath, made);
  }

  /**
   * `forget`: also remove the lock file if this lock made it, when the store is not to be
   * one (it could not be opened: a file of the user's; a scan's store, the user's file).
   */
  release(opts: { forget?: boolean } = {}): void {
    if (!this.db) return;
    try {
      if (readOwner(this.ownerPath)?.pid === process.pid) rmSync(this.ownerPath, { force: true });
    } catch {
      // best effort
    }
    this.db.close();
    this.db = null;
    if (opts.forget && this.made) rmSync(this.made, { force: true });
  }
}

/** A store file with more than one name (hard links): refused, see acquire. */
export class StoreLinkedError extends Error {
  constructor(
    readonly dbPath: string,
    readonly links: number,
  ) {
    super(
      `${dbPath} has ${links} names (hard links): two Vigils could reach it by different names, and SQLite keeps a write-ahead log per name, ` +
        `so lines would be stored twice, then lost. Remove the other names (find them with \`find / -samefile ${dbPath}\`), or copy the store.`,
    );
    this.name = 'StoreLinkedError';
  }
}

/**
 * Where the store at `p` really is: through every symbolic link, also one whose target does
 * not exist yet (a link made before the store: the link's own name gave a second lock).
 */
function storeRealPath(p: string): string {
  let at = resolve(p);
  for (let hops = 0; hops < 40; hops++) {
    let st;
    try {
      st = lstatSync(at);
    } catch {
      break;
    }
    if (!st.isSymbolicLink()) break;
    at = resolve(dirname(at), readlinkSync(at));
  }
  if (existsSync(at)) return realpathSync(at);
  mkdirSync(dirname(at), { recursive: true });
  return join(realpathSync(dirname(at)), basename(at));
}

function readOwner(path: string): StoreOwner | null {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as StoreOwner;
    return typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.since === 'number' ? o : null;
  } catch {
    return null;
  }
}
