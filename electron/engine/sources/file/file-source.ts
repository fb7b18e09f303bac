import { access, stat } from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import { DEFAULT_MAX_LINE_BYTES, type FileSourceConfig, type SourceStatus } from '../../../../shared/types.js';
import { parseSize } from '../../../../shared/size.js';
import type { SourceRef } from '../../pipeline/types.js';
import type { Source, SourceContext } from '../source.js';
import type { FileTailer, ReadOutcome, TailerDeps } from './tailer.js';
import { pathMatcher, type PathMatcher } from './path-matcher.js';
import { FileWatcher } from './file-watcher.js';
import { FileSet } from './file-set.js';
import { probeFile, sameInode, type Probe } from './identity.js';
import { checkFolder, describeError, isGone } from './fs-errors.js';
import type { StreamDecoder } from '../../decode/types.js';

export interface FileSourceOptions {
  /** How often every open file is re-checked, whatever the watcher says (ms). */
  tickMs?: number;
  /** How long a rotated or deleted file is still read for late writes after it stops growing (ms). */
  rotateWaitMs?: number;
  /** Bytes behind above which the status says "catching up". */
  catchUpBytes?: number;
  /** Stat interval when polling (the source asked for it, or the OS refused watches). */
  pollIntervalMs?: number;
  /** On close, how long to spend reading deleted files to their end (nobody can later). */
  closeFlushMs?: number;
}

/**
 * A file source: a file, a glob or a folder. It watches (chokidar events are hints; a tick
 * re-checks every open file), keeps its files in a FileSet (which checkpoint each file
 * continues), reads them through FileTailers, and reports its status. A checkpoint per
 * file, committed with its records, makes every line reach the store exactly once.
 * Identity decisions run one at a time (`control`); reads run per file.
 *
 * Limits, by nature rather than by choice:
 * - copytruncate: lines written between our last read and the truncation exist only in
 *   the copy. A copy the source matches is read from there, once; a copy it does not
 *   match is not read, so those lines are lost (as with `tail -F`). The copy is looked
 *   for among all files the source matches (beside the original first, then another
 *   folder such as logrotate's olddir), so a line half read when the file was truncated
 *   is completed from the copy, not stored in two pieces.
 * - A file that is created and renamed to a name the source does not match before we
 *   saw it (within milliseconds, or while Vigil is stopped for two rotations in a row) is
 *   never seen. A file rotated once while Vigil was stopped is found again by its inode
 *   in the same folder.
 * - Truncating or deleting a file loses what nobody read yet; a deleted file still open
 *   is read to its end.
 * - A writer without O_APPEND after copytruncate writes at its old offset: the file
 *   starts with NUL bytes, which are read as a (truncated) line.
 * - Identical content cannot be told apart: a file truncated and rewritten byte for byte
 *   the same up to our position is taken as unchanged.
 *
 * And one by choice: a copy may be seen while it is still being written, so an empty file
 * (glob or folder source) is opened once it grows, and a file starting like content we
 * followed until it was truncated, but shorter than what we read of it, waits until it
 * holds it (then it continues our checkpoint) or stops growing for rotateWaitMs (then it
 * is content of its own: read up to that late, never lost).
 */
export class FileSource implements Source {
  private matcher: PathMatcher;
  /** Files the source matches that a source before it reads: path -> that source's name. */
  private readonly elsewhere = new Map<string, string>();
  private watcher: FileWatcher | null = null;
  private readonly files: FileSet;
  private failed = new Map<string, string>();
  private control: Promise<unknown> = Promise.resolve();
  /** Paths to look at: from change events (`urgent`, first), and from the tick. */
  private readonly urgent = new Set<string>();
  private dirty = new Set<string>();
  /** Quiet files the tick looks at again only after this time (path -> epoch ms; see quietLook). */
  private readonly quietUntil = new Map<string, number>();
  private pumping = false;
  private readonly abort = new AbortController();
  private scanning: string[] | null = null;
  private firstScanDone = false;
  /** Paths under the source's folder the watcher could not look into (permission): why, by path. */
  private readonly denied = new Map<string, string>();
  private recheckingDenied = false;
  private ready = false;
  private polling: boolean;
  private pollReason = '';
  private baseError: string | null = null;
  /** What the single path names when it is neither a file nor a folder (a FIFO, a socket, a device). */
  private notAFile: string | null = null;
  private startingWatcher: Promise<void> | null = null;
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
    this.opts = {
      tickMs: opts.tickMs ?? 1000,
      rotateWaitMs: opts.rotateWaitMs ?? 5000,
      catchUpBytes: opts.catchUpBytes ?? 256 * 1024,
      pollIntervalMs: opts.pollIntervalMs ?? 500,
      closeFlushMs: opts.closeFlushMs ?? 2000,
    };
    this.matcher = this.makeMatcher();
    this.polling = !!config.poll;
    const deps: TailerDeps = {
      ref,
      ctx,
      signal: this.abort.signal,
      maxLineBytes: lineLimit(config.maxLineBytes),
      rotateWaitMs: this.opts.rotateWaitMs,
      makeDecoder: (mtimeMs) =>
        ctx.decoders.create({
          ...(config.format ? { format: config.format } : {}),
          ...(config.multiline ? { multiline: config.multiline } : {}),
          fileMtimeMs: mtimeMs,
        }),
    };
    this.files = new FileSet(
      {
        ref,
        ctx,
        matcher: () => this.matcher,
        path: config.path,
        startAtEnd: (config.start ?? 'end') === 'end',
        read: (t) => this.readAndHandle(t),
        readIn: (t) => this.readIn(t),
        resync: (p) => this.sync(p),
        fail: (p, err) => this.fail(p, err),
        recovered: (p) => {
          if (this.failed.delete(p)) this.notify();
        },
      },
      deps,
    );
  }

  async start(): Promise<void> {
    this.files.load();
    await this.startWatcher();
    this.tick = setInterval(() => this.onTick(), this.opts.tickMs);
    this.tick.unref?.();
  }

  status(): SourceStatus {
    const { attached, detached } = this.files;
    const bytesBehind = this.files.bytesBehind;
    const files = this.files.fileCount;
    const base = { files, bytesBehind, polling: this.polling };
    const pollNote = this.polling ? `polling${this.pollReason ? `: ${this.pollReason}` : ''}` : undefined;
    const elsewhere = this.files.elsewhere.size ? new Map([...this.elsewhere, ...this.files.elsewhere]) : this.elsewhere;
    const notes = [pollNote, notReadNote(this.files.notRead), elsewhereNote(elsewhere)].filter((n) => n !== undefined);
    const note = notes.length ? { message: notes.join('; ') } : {};
    if (this.baseError) return { ...base, state: 'error', message: this.baseError };
    if (this.failed.size) return { ...base, state: 'error', message: pathsNote(this.failed) };
    if (this.denied.size) return { ...base, state: 'error', message: `${pathsNote(this.denied)}; its files are read once it can be` };
    if (!this.ready) return { ...base, state: 'starting', ...note };
    if (this.ctx.isBlocked()) {
      const why = this.ctx.blockedReason?.() ?? 'the store is behind';
      return { ...base, state: 'paused', message: `${why}; reading is paused meanwhile` };
    }
    if (this.matcher.single && attached.size === 0 && detached.size === 0 && files === 0 && this.files.archives.size === 0) {
      if (this.notAFile) return { ...base, state: 'error', message: `not a regular file (${this.notAFile}): ${this.matcher.describe}; a file source reads files` };
      const why = this.matcher.target ? this.files.notRead.get(this.matcher.target) : undefined;
      // There, but not read (binary, Vigil's own store): "path missing" sent people looking for it.
      if (why) return { ...base, state: 'error', message: `not read: ${this.matcher.describe}: ${why}` };
      const by = this.matcher.target ? this.elsewhere.get(this.matcher.target) : undefined;
      if (by !== undefined) return { ...base, state: 'watching', message: elsewhereNote(elsewhere)! };
      return { ...base, state: 'error', message: `path missing: ${this.matcher.describe}` };
    }
    if (bytesBehind > this.opts.catchUpBytes) return { ...base, state: 'catching-up', ...note };
    if (files === 0 && this.files.archives.size) return { ...base, state: 'watching', message: `read ${this.files.archives.size} compressed file(s) (not followed: compressed files are written once)` };
    if (files === 0) return { ...base, state: 'watching', message: note.message ?? `no file yet: waiting for ${this.matcher.describe}` };
    return { ...base, state: 'watching', ...note };
  }

  decoders(): { what: string; decoder: StreamDecoder }[] {
    return this.files.decoders();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.tick) clearInterval(this.tick);
    await this.startingWatcher?.catch(() => undefined);
    await this.watcher?.close();
    // A deleted file can be read now or never: give it a bounded moment before stopping
    // (bounded: with the store refusing writes, nothing would move).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.control.then(() => this.files.finishDeleted()),
      new Promise<void>((r) => (timer = setTimeout(r, this.opts.closeFlushMs))),
    ]);
    clearTimeout(timer);
    this.abort.abort();
    await this.control.catch(() => undefined);
    await this.files.closeAll();
  }

  /**
   * The source's paths, less the files a source before it in the config reads (a line is
   * stored once): those are named in the status instead.
   */
  private makeMatcher(): PathMatcher {
    const m = pathMatcher(this.config.path, this.config);
    const other = this.ctx.readByOther;
    if (!other) return m;
    return {
      ...m,
      matches: (p) => {
        if (!m.matches(p)) return false;
        const by = other(p);
        if (by === null) return true;
        if (!this.elsewhere.has(p)) {
          this.elsewhere.set(p, by);
          this.notify();
        }
        return false;
      },
    };
  }

  // ---- watching -----------------------------------------------------------------------

  private startWatcher(): Promise<void> {
    this.startingWatcher ??= this.openWatcher().finally(() => (this.startingWatcher = null));
    return this.startingWatcher;
  }

  private async openWatcher(): Promise<void> {
    if (this.closed) return;
    // Rebuilt each time: a missing folder may have appeared, and with it the meaning of the path.
    this.matcher = this.makeMatcher();
    this.baseError = await checkFolder(this.matcher.base);
    if (this.baseError) {
      // Nothing there to call history: whatever appears (or can be read) later is read
      // from its beginning, `start: end` or not.
      if (!this.firstScanDone) await this.run(async () => this.files.markBegun());
      this.firstScanDone = true;
      this.ready = true;
      this.notify();
      return; // retried on tick
    }
    const found: string[] = [];
    this.scanning = found;
    const w = new FileWatcher(this.matcher, {
      poll: this.polling,
      pollIntervalMs: this.opts.pollIntervalMs,
      onPath: (p) => (this.scanning === found ? found.push(p) : this.sync(p)),
      onContent: (p, watched) => {
        // A followed symlink is watched as itself: the event names its target's file name.
        const t = this.files.attached.get(p) ?? this.files.attached.get(watched);
        if (t) this.readIn(t);
      },
      onError: (err) => {
        const e = err as NodeJS.ErrnoException;
        if ((e.code === 'EACCES' || e.code === 'EPERM') && e.path && e.path !== this.matcher.base && !this.matcher.single) {
          // A folder inside a folder source that may not be read: said in the status, and
          // watched once it can be. (A single file, or the source's own folder, has its own
          // checks: failed files, checkBase.)
          if (!this.denied.has(e.path)) {
            this.denied.set(e.path, describeError(e));
            this.notify();
          }
          return;
        }
        this.ctx.log?.(`source ${this.ref.name}: watcher: ${err.message}`);
      },
      onWatchRefused: (err) => void this.fallBackToPolling(w, err),
    });
    this.watcher = w;
    await w.start();
    if (this.closed || this.watcher !== w) return;
    this.scanning = null;
    const first = !this.firstScanDone;
    await this.run(() => this.files.assignFound(found, first));
    if (first) await this.run(async () => this.files.markBegun());
    this.firstScanDone = true;
    this.ready = true;
    this.notify();
  }

  private async fallBackToPolling(w: FileWatcher, err: NodeJS.ErrnoException): Promise<void> {
    if (this.closed || this.watcher !== w) return;
    this.polling = true;
    this.pollReason = `the OS refused more file watches (${err.code}); raise fs.inotify.max_user_watches to use events`;
    this.ctx.log?.(`source ${this.ref.name}: ${this.pollReason}; polling instead`);
    this.watcher = null;
    this.scanning = null;
    await w.close();
    this.notify();
    // The refused start returns on its own; then start over, polling.
    await this.startingWatcher?.catch(() => undefined);
    await this.startWatcher();
  }

  private onTick(): void {
    if (this.closed) return;
    void this.checkBase();
    if (this.denied.size) void this.recheckDenied();
    const now = Date.now();
    for (const p of this.files.attached.keys()) if (!((this.quietUntil.get(p) ?? 0) > now)) this.sync(p, false);
    for (const p of this.failed.keys()) this.sync(p, false);
    for (const p of this.files.waiting.keys()) this.sync(p, false);
    for (const t of this.files.detached) this.readIn(t);
    for (const t of this.files.idleDetached(now)) void this.run(() => this.files.finish(t));
    if (this.files.hasCopies) void this.run(() => this.files.settleCopies(now));
    this.files.pumpArchives();
    this.notify();
  }

  /** A folder the watcher could not look into may be read now: watch again, from the top (what is followed stays followed). */
  private async recheckDenied(): Promise<void> {
    if (this.recheckingDenied || this.startingWatcher || !this.watcher) return;
    this.recheckingDenied = true;
    try {
      let readable = false;
      for (const p of this.denied.keys()) {
        try {
          const st = await stat(p);
          await access(p, st.isDirectory() ? constants.R_OK | constants.X_OK : constants.R_OK);
          readable = true;
        } catch (err) {
          // Gone: nothing there to deny.
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') readable = true;
        }
      }
      if (!readable || this.closed || !this.watcher) return;
      const w = this.watcher;
      this.watcher = null;
      this.denied.clear();
      await w.close();
      this.notify();
      await this.startWatcher();
    } finally {
      this.recheckingDenied = false;
    }
  }

  /** The watched folder went away or became unreadable (or came back): stop or restart the watcher. */
  private async checkBase(): Promise<void> {
    if (this.startingWatcher) return;
    const err = await checkFolder(this.matcher.base);
    if (this.closed) return;
    if (!err && this.watcher && (await this.targetBecameFolder())) {
      // The path was missing and read as a file's name; a folder appeared there: watch it as one.
      const w = this.watcher;
      this.watcher = null;
      await w.close();
      await this.startWatcher();
      return;
    }
    if (err && this.watcher) {
      const w = this.watcher;
      this.watcher = null;
      this.baseError = err;
      await w.close();
      this.notify();
    } else if (err && !this.watcher && pathMatcher(this.config.path, this.config).base !== this.matcher.base) {
      // The path means something else now (the folder there became a file again): watch that.
      await this.startWatcher();
    } else if (!err && !this.watcher) {
      await this.startWatcher();
    } else if (!err && this.baseError) {
      this.baseError = null;
      this.notify();
    }
  }

  /** Looks at a single file's path while nothing is followed there: a folder, or no file at all? */
  private async targetBecameFolder(): Promise<boolean> {
    const target = this.matcher.target;
    if (!target || this.files.attached.size || this.files.detached.size) return false;
    let st: Stats;
    try {
      st = await stat(target);
    } catch {
      this.notAFile = null;
      return false;
    }
    const kind = st.isFile() || st.isDirectory() ? null : st.isFIFO() ? 'a named pipe' : st.isSocket() ? 'a socket' : 'a device';
    if (kind !== this.notAFile) {
      this.notAFile = kind;
      this.notify();
    }
    return st.isDirectory();
  }

  // ---- identity decisions (serialised) --------------------------------------------------

  private run(fn: () => Promise<void>): Promise<void> {
    const p = this.control.then(() => (this.closed ? undefined : fn()));
    const done = p.catch((err) => {
      if (!this.abort.signal.aborted) this.ctx.log?.(`source ${this.ref.name}: ${(err as Error).message}`);
    });
    this.control = done;
    return done;
  }

  /**
   * Re-examine a path soon (one at a time, in the control queue). Requests fold: a flood
   * of events for one path is one look. A change event goes before the tick's looks
   * already waiting (`urgent`), so a write is read at once however many files the tick
   * has to look at.
   */
  private sync(path: string, urgent = true): void {
    if (this.closed) return;
    if (urgent) {
      this.dirty.delete(path);
      this.urgent.add(path);
    } else if (!this.urgent.has(path)) {
      this.dirty.add(path);
    }
    if (this.pumping) return;
    this.pumping = true;
    void this.run(async () => {
      try {
        while ((this.urgent.size || this.dirty.size) && !this.closed) {
          const set = this.urgent.size ? this.urgent : this.dirty;
          const p = set.values().next().value as string;
          set.delete(p);
          await this.syncPath(p);
        }
      } finally {
        this.pumping = false;
      }
    });
  }

  private async syncPath(path: string): Promise<void> {
    let st: Stats | null = null;
    try {
      st = await stat(path);
    } catch (err) {
      if (!isGone(err)) return this.fail(path, err);
    }
    const files = this.files;
    const current = files.attached.get(path);
    if (current && st && sameInode(current, st)) {
      this.failed.delete(path);
      current.noteSize(st.size);
      if (current.upToDate(st)) {
        const now = Date.now();
        this.quietUntil.set(path, now + quietLook(now - st.mtimeMs, this.opts.tickMs));
      } else {
        this.quietUntil.delete(path);
        this.readIn(current);
      }
      return;
    }
    this.quietUntil.delete(path);
    if (current) files.detach(current);
    const copy = files.copyAt(path);
    if (copy && st && sameInode(copy, st)) {
      if (st.size === copy.size) return;
      copy.size = st.size;
      copy.changedAt = Date.now();
      if (await files.stillCopy(path, copy)) return;
    }
    // Not (or no longer) a copy: a file of its own, read like any other.
    if (copy) files.forgetCopy(path);
    if (!st || !st.isFile() || !(this.matcher.matches(path) || files.isSideArchive(path))) {
      files.forget(path);
      if (this.failed.delete(path)) this.notify();
      return;
    }
    if (files.stillWaiting(path, st, Date.now())) return;
    // A file we already follow, seen under a new name (renamed within the source)?
    const moved = files.findOpen(st);
    if (moved) {
      await files.move(moved, path);
      this.readIn(moved);
      return;
    }
    let probe: Probe;
    try {
      probe = await probeFile(path);
    } catch (err) {
      if (isGone(err)) return;
      return this.fail(path, err);
    }
    this.failed.delete(path);
    const t = await files.adopt(probe, false, current ?? files.predecessorOf(path));
    if (t) this.readIn(t);
    this.notify();
  }

  // ---- reading ------------------------------------------------------------------------

  private readIn(t: FileTailer): void {
    void this.readAndHandle(t);
  }

  private async readAndHandle(t: FileTailer): Promise<void> {
    let outcome: ReadOutcome;
    try {
      outcome = await t.read();
    } catch (err) {
      if (this.abort.signal.aborted || t.closed) return;
      this.fail(t.path, err);
      return;
    }
    if (outcome === 'truncated' && !this.closed) {
      void this.run(async () => void (await this.files.handleTruncation(t)));
    } else if (outcome === 'ok' && this.files.attached.get(t.path) === t && this.failed.delete(t.path)) {
      // Only the file now at that path clears its failure: a rotated file still being read
      // to its end under the same name must not hide that its successor cannot be opened.
      this.notify();
    }
  }

  private fail(path: string, err: unknown): void {
    this.failed.set(path, describeError(err));
    this.notify();
  }

  private notify(): void {
    const s = this.status();
    const key = `${s.state}|${s.message ?? ''}|${s.files}|${s.polling}|${Math.round((s.bytesBehind ?? 0) / 65536)}`;
    if (key === this.lastStatusKey) return;
    this.lastStatusKey = key;
    this.ctx.statusChanged();
  }
}

/**
 * How long the tick leaves a file that was not written for `idleMs` before it looks again.
 * Change events read a file at once whatever this says; the tick is the net under them
 * (a missed event), and a stat per file per tick, one after another, cost a fifth to a
 * quarter of a core with 5,000 quiet files. Written within the minute: every tick; within
 * ten minutes: every 5 ticks; else every 30 (5 s and 30 s at the default tick).
 */
function quietLook(idleMs: number, tickMs: number): number {
  if (idleMs < 60_000) return tickMs;
  return idleMs < 600_000 ? 5 * tickMs : 30 * tickMs;
}

/** Files left to a source before this one in the config, for the status line. */
function elsewhereNote(elsewhere: Map<string, string>): string | undefined {
  const first = elsewhere.entries().next();
  if (first.done) return undefined;
  const [path, by] = first.value;
  return `${path}${elsewhere.size > 1 ? ` (and ${elsewhere.size - 1} more)` : ''} read by source "${by}", which comes first in the config (a line is stored once)`;
}

/** A rotated generation or an archive (app.log.2, app.log-20261123, app.log.3.gz): not the file a program writes now. */
const GENERATION = /(\.\d+|[-_.]\d{8}[-\d]*)(\.\w{1,4})?$|\.(gz|xz|zst|bz2|lz4|z)$/i;

/**
 * Why files fail, for the status line: the first reason, and the files it names, the files
 * programs write now first (the live access.log denied after a rotation's `create 0640` hid
 * behind an old archive, "access.log.3.gz (and 3 more)").
 */
function pathsNote(failed: Map<string, string>): string {
  const [, why] = failed.entries().next().value as [string, string];
  const paths = [...failed].filter(([, w]) => w === why).map(([p]) => p);
  paths.sort((a, b) => Number(GENERATION.test(a)) - Number(GENERATION.test(b)));
  const shown = paths.slice(0, 2);
  const more = failed.size - shown.length;
  return `${why}: ${shown.join(', ')}${more > 0 ? ` (and ${more} more)` : ''}`;
}

/** Files left unread (a compression we cannot read, a damaged archive), for the status line. */
function notReadNote(notRead: Map<string, string>): string | undefined {
  const first = notRead.entries().next();
  if (first.done) return undefined;
  const [path, why] = first.value;
  return `not read: ${path}: ${why}${notRead.size > 1 ? ` (and ${notRead.size - 1} more)` : ''}`;
}

/** A source's `maxLineBytes` in bytes (the schema took only whole sizes). */
function lineLimit(v: number | string | undefined): number {
  const p = v === undefined ? null : parseSize(v);
  return p && 'bytes' in p ? p.bytes : DEFAULT_MAX_LINE_BYTES;
}
