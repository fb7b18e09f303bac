import { watch, type FSWatcher } from 'chokidar';
import { stat, access } from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import type { FileSourceConfig, SourceStatus } from '../../../../shared/types.js';
import type { FileRow } from '../../store/store.js';
import type { SourceRef } from '../../pipeline/types.js';
import type { Source, SourceContext } from '../source.js';
import { FileTailer } from './tailer.js';
import { pathMatcher, type PathMatcher } from './path-matcher.js';

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

export interface FileSourceOptions {
  /** How often every open file is re-checked, whatever the watcher says (ms). */
  tickMs?: number;
  /** How long a rotated or deleted file is still read for late writes after it stops growing (ms). */
  rotateWaitMs?: number;
  /** Bytes behind above which the status says "catching up". */
  catchUpBytes?: number;
}

/**
 * A file source: a file, a glob or a folder. Files are identified by dev/inode plus a
 * fingerprint of their first line, so renames, copytruncate, truncation and
 * delete-and-recreate are told apart, and a checkpoint per file (committed with its
 * records) makes every line reach the store exactly once.
 */
export class FileSource implements Source {
  private watcher: FSWatcher | null = null;
  private matcher: PathMatcher;
  private tailers = new Map<string, FileTailer>();
  private detached = new Set<FileTailer>();
  private rows: FileRow[] = [];
  private failed = new Map<string, string>();
  private serial: Promise<unknown> = Promise.resolve();
  private ready = false;
  private polling = false;
  private pollReason = '';
  private baseError: string | null = null;
  private tick: NodeJS.Timeout | null = null;
  private closed = false;
  private lastStatusKey = '';
  private readonly opts: Required<FileSourceOptions>;

  constructor(
    readonly config: FileSourceConfig,
    readonly ref: SourceRef,
    private readonly ctx: SourceContext,
    opts: FileSourceOptions = {},
  ) {
    this.opts = { tickMs: opts.tickMs ?? 1000, rotateWaitMs: opts.rotateWaitMs ?? 5000, catchUpBytes: opts.catchUpBytes ?? 256 * 1024 };
    this.matcher = pathMatcher(config.path, config);
    this.polling = !!config.poll;
  }

  async start(): Promise<void> {
    this.rows = this.ctx.store.files(this.ref.id);
    await this.startWatcher();
    this.tick = setInterval(() => void this.onTick(), this.opts.tickMs);
    this.tick.unref?.();
  }

  status(): SourceStatus {
    const files = this.tailers.size;
    const bytesBehind = [...this.tailers.values(), ...this.detached].reduce((n, t) => n + t.bytesBehind, 0);
    const base = { files, bytesBehind, polling: this.polling };
    if (this.baseError) return { ...base, state: 'error', message: this.baseError };
    if (this.failed.size) {
      const [p, why] = this.failed.entries().next().value as [string, string];
      return { ...base, state: 'error', message: `${why}: ${p}${this.failed.size > 1 ? ` (and ${this.failed.size - 1} more)` : ''}` };
    }
    const pollNote = this.polling ? `polling${this.pollReason ? `: ${this.pollReason}` : ''}` : undefined;
    if (!this.ready) return { ...base, state: 'starting', ...(pollNote ? { message: pollNote } : {}) };
    if (this.ctx.isBlocked()) return { ...base, state: 'paused', message: 'the store is behind; reading is paused until it catches up' };
    if (bytesBehind > this.opts.catchUpBytes) return { ...base, state: 'catching-up', ...(pollNote ? { message: pollNote } : {}) };
    if (files === 0) return { ...base, state: 'watching', message: `no file yet: waiting for ${this.matcher.describe}` };
    return { ...base, state: 'watching', ...(pollNote ? { message: pollNote } : {}) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.tick) clearInterval(this.tick);
    await this.watcher?.close();
    await this.serial.catch(() => undefined);
    await Promise.all([...this.tailers.values(), ...this.detached].map((t) => t.close().catch(() => undefined)));
    this.tailers.clear();
    this.detached.clear();
  }

  // ---- watching ---------------------------------------------------------------------

  private async startWatcher(): Promise<void> {
    try {
      const st = await stat(this.matcher.base);
      if (!st.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
      await access(this.matcher.base, constants.R_OK | constants.X_OK);
      this.baseError = null;
    } catch (err) {
      this.baseError = describeError(err, this.matcher.base);
      this.ready = true;
      this.notify();
      return; // retried on tick
    }
    const initial = !this.ready;
    const w = watch(this.matcher.base, {
      persistent: true,
      ignoreInitial: false,
      alwaysStat: true,
      depth: this.matcher.depth,
      usePolling: this.polling,
      interval: 500,
      binaryInterval: 500,
      ignorePermissionErrors: false,
      ignored: (p: string, st?: Stats) => {
        if (p === this.matcher.base) return false;
        if (!st) return false;
        return st.isFile() ? !this.matcher.matches(p) : !st.isDirectory();
      },
    });
    this.watcher = w;
    w.on('add', (p) => this.sync(p, initial && !this.ready));
    w.on('change', (p) => this.sync(p, false));
    w.on('unlink', (p) => this.sync(p, false));
    w.on('unlinkDir', () => this.sync(null, false));
    w.on('error', (err) => void this.onWatchError(err as NodeJS.ErrnoException));
    await new Promise<void>((resolve) => w.once('ready', () => resolve()));
    // Everything found by the initial scan is queued; wait for it before saying "ready".
    await this.serial.catch(() => undefined);
    this.ready = true;
    this.notify();
  }

  private async onWatchError(err: NodeJS.ErrnoException): Promise<void> {
    if (this.closed) return;
    if ((err.code === 'ENOSPC' || err.code === 'EMFILE') && !this.polling) {
      // The OS refused more inotify watches: fall back to polling and say so.
      this.polling = true;
      this.pollReason = `the OS refused more file watches (${err.code}); raise fs.inotify.max_user_watches to use events`;
      const old = this.watcher;
      this.watcher = null;
      await old?.close();
      this.notify();
      await this.startWatcher();
      return;
    }
    this.ctx.log?.(`source ${this.ref.name}: watcher error: ${err.message}`);
  }

  private onTick(): void {
    if (this.closed) return;
    if (this.baseError && !this.watcher) {
      void this.startWatcher();
      return;
    }
    for (const p of this.failed.keys()) this.sync(p, false);
    for (const [p, t] of this.tailers) {
      this.sync(p, false);
      void t; // sync re-checks identity and reads
    }
    const now = Date.now();
    for (const t of this.detached) {
      void t.read().catch((e) => this.ctx.log?.(`read ${t.path}: ${(e as Error).message}`));
      if (now - Math.max(t.lastGrowthAt, t.detachedAt ?? 0) > this.opts.rotateWaitMs) {
        this.detached.delete(t);
        this.enqueue(async () => {
          const links = await t.links().catch(() => 0);
          await t.finish(links === 0 ? 'deleted' : 'rotated');
          const row = this.rows.find((r) => r.id === t.row.id);
          if (row) row.state = links === 0 ? 'deleted' : 'rotated';
        });
      }
    }
    this.notify();
  }

  private enqueue(fn: () => Promise<void>): void {
    const p = this.serial.then(fn).catch((err) => this.ctx.log?.(`source ${this.ref.name}: ${(err as Error).message}`));
    this.serial = p;
  }

  /** Re-examine one path (or, with null, every known path). Serialized per source. */
  private sync(path: string | null, initial: boolean): void {
    if (this.closed) return;
    if (path === null) {
      for (const p of [...this.tailers.keys()]) this.sync(p, false);
      return;
    }
    this.enqueue(() => this.syncPath(path, initial));
  }

  private async syncPath(path: string, initial: boolean): Promise<void> {
    if (this.closed) return;
    let st: Stats | null = null;
    try {
      st = await stat(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.failed.set(path, describeError(err, path, true));
        this.notify();
        return;
      }
    }
    const current = this.tailers.get(path);
    if (current && st && current.dev === st.dev && current.ino === st.ino) {
      this.failed.delete(path);
      this.readIn(current);
      return;
    }
    if (current) {
      // The path names another file now, or none: rotation or deletion. Read the old one
      // to its end before the new one, and keep it open for late writes.
      this.tailers.delete(path);
      this.detached.add(current);
      await current.detach();
    }
    if (!st) {
      this.failed.delete(path);
      this.notify();
      return;
    }
    if (!st.isFile() || !this.matcher.matches(path)) return;
    // A file we already follow, seen under a new name (renamed, still matching)?
    for (const t of [...this.detached, ...this.tailers.values()]) {
      if (t.dev === st.dev && t.ino === st.ino && !t.closed) {
        if (this.tailers.get(t.path) === t) this.tailers.delete(t.path);
        this.detached.delete(t);
        t.reattach(path);
        this.tailers.set(path, t);
        this.readIn(t);
        return;
      }
    }
    try {
      const t = await FileTailer.open(path, this.ref, this.ctx, {
        maxLineBytes: this.config.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
        makeDecoder: (mtimeMs) =>
          this.ctx.decoders.create({
            ...(this.config.format ? { format: this.config.format } : {}),
            ...(this.config.multiline ? { multiline: this.config.multiline } : {}),
            fileMtimeMs: mtimeMs,
          }),
      }, (_fh, fst, fp) => this.pickRow(path, fst, fp, initial));
      this.failed.delete(path);
      this.tailers.set(path, t);
      this.readIn(t);
    } catch (err) {
      this.failed.set(path, describeError(err, path, true));
    }
    this.notify();
  }

  private readIn(t: FileTailer): void {
    t.read().then(
      () => {
        if (this.failed.delete(t.path)) this.notify();
      },
      (err) => {
        this.failed.set(t.path, describeError(err, t.path, true));
        this.notify();
      },
    );
  }

  /** Which stored checkpoint (if any) does this file continue? */
  private pickRow(path: string, st: Stats, fp: string | null, initial: boolean): FileRow {
    const held = new Set([...this.tailers.values(), ...this.detached].map((t) => t.row.id));
    const cands = this.rows.filter((r) => !held.has(r.id) && r.state !== 'deleted');
    const sameInode = (r: FileRow) => r.dev === st.dev && r.ino === st.ino;
    let row = fp
      ? cands.find((r) => r.fingerprint === fp && sameInode(r)) ?? cands.find((r) => r.fingerprint === fp)
      : cands.find((r) => r.fingerprint === null && sameInode(r));
    if (row && row.offset <= st.size) {
      row.path = path;
      row.dev = st.dev;
      row.ino = st.ino;
      row.state = 'active';
      this.ctx.store.updateFile(row.id, { path, dev: st.dev, ino: st.ino, state: 'active' });
      return row;
    }
    if (row) {
      // Shorter than where we were: the content we read is gone. Start this one afresh.
      row.state = 'truncated';
      this.ctx.store.updateFile(row.id, { state: 'truncated' });
    }
    const fromEnd = initial && this.ctx.isNew && (this.config.start ?? 'end') === 'end';
    const fresh: Omit<FileRow, 'id'> = {
      source_id: this.ref.id, path, dev: st.dev, ino: st.ino, fingerprint: fp,
      offset: fromEnd ? st.size : 0, line_no: 0, size: st.size, state: 'active', cursor: null,
    };
    const id = this.ctx.store.addFile(fresh);
    const created = { ...fresh, id };
    this.rows.push(created);
    return created;
  }

  private notify(): void {
    const s = this.status();
    const key = `${s.state}|${s.message ?? ''}|${s.files}|${s.polling}|${Math.round((s.bytesBehind ?? 0) / 65536)}`;
    if (key === this.lastStatusKey) return;
    this.lastStatusKey = key;
    this.ctx.statusChanged();
  }
}

function describeError(err: unknown, path: string, withPath = false): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why =
    code === 'ENOENT' ? 'path missing' :
    code === 'EACCES' || code === 'EPERM' ? 'permission denied' :
    code === 'ENOTDIR' ? 'not a directory' :
    code === 'EMFILE' || code === 'ENFILE' ? 'too many open files' :
    ((err as Error)?.message ?? String(err));
  return withPath ? why : `${why}: ${path}`;
}
