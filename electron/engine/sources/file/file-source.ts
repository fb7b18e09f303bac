import { access, readdir, stat } from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FileSourceConfig, SourceStatus } from '../../../../shared/types.js';
import type { FileRow } from '../../store/store.js';
import type { SourceRef } from '../../pipeline/types.js';
import type { Source, SourceContext } from '../source.js';
import { FileTailer, type ReadOutcome, type TailerDeps } from './tailer.js';
import { pathMatcher, type PathMatcher } from './path-matcher.js';
import { FileWatcher } from './file-watcher.js';
import { findByInode, holdsCheckpoint, probeFile, sameInode, type Probe } from './identity.js';
import { decodeTail, encodeTail, readTail } from './fingerprint.js';

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

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

/** A new file that looks like a copy of one we follow (copytruncate, `cp`): not read until we know which. */
interface DeferredCopy {
  of: FileTailer;
  dev: number;
  ino: number;
  size: number;
  changedAt: number;
}

/**
 * A file source: a file, a glob or a folder. Files are told apart by dev/inode plus a
 * fingerprint of their first line plus the bytes just before each checkpoint, so renames,
 * copytruncate, truncation, inode reuse and delete-and-recreate are recognised; a
 * checkpoint per file, committed with its records, makes every line reach the store
 * exactly once. Identity decisions run one at a time (`control`); reads run per file.
 */
export class FileSource implements Source {
  private matcher: PathMatcher;
  private watcher: FileWatcher | null = null;
  private attached = new Map<string, FileTailer>();
  private detached = new Set<FileTailer>();
  private copies = new Map<string, DeferredCopy>();
  /** The file last at each path, while still open: the next file there reads it first (writer order). */
  private predecessors = new Map<string, FileTailer>();
  /** Stored checkpoints not held by an open file: candidates for files we meet. */
  private rows: FileRow[] = [];
  private failed = new Map<string, string>();
  private control: Promise<unknown> = Promise.resolve();
  private dirty = new Set<string>();
  private pumping = false;
  private readonly abort = new AbortController();
  private scanning: string[] | null = null;
  private firstScanDone = false;
  private ready = false;
  private polling: boolean;
  private pollReason = '';
  private baseError: string | null = null;
  private startingWatcher: Promise<void> | null = null;
  private tick: NodeJS.Timeout | null = null;
  private closed = false;
  private lastStatusKey = '';
  private readonly opts: Required<FileSourceOptions>;
  private readonly deps: TailerDeps;

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
    this.matcher = pathMatcher(config.path, config);
    this.polling = !!config.poll;
    this.deps = {
      ref,
      ctx,
      signal: this.abort.signal,
      maxLineBytes: config.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
      rotateWaitMs: this.opts.rotateWaitMs,
      makeDecoder: (mtimeMs) =>
        ctx.decoders.create({
          ...(config.format ? { format: config.format } : {}),
          ...(config.multiline ? { multiline: config.multiline } : {}),
          fileMtimeMs: mtimeMs,
        }),
    };
  }

  async start(): Promise<void> {
    this.rows = this.ctx.store.files(this.ref.id).filter((r) => r.state === 'active' || r.state === 'truncated');
    await this.startWatcher();
    this.tick = setInterval(() => this.onTick(), this.opts.tickMs);
    this.tick.unref?.();
  }

  status(): SourceStatus {
    let bytesBehind = 0;
    for (const t of this.attached.values()) bytesBehind += t.bytesBehind;
    for (const t of this.detached) bytesBehind += t.bytesBehind;
    const base = { files: this.attached.size, bytesBehind, polling: this.polling };
    const pollNote = this.polling ? `polling${this.pollReason ? `: ${this.pollReason}` : ''}` : undefined;
    const note = pollNote ? { message: pollNote } : {};
    if (this.baseError) return { ...base, state: 'error', message: this.baseError };
    if (this.failed.size) {
      const [p, why] = this.failed.entries().next().value as [string, string];
      return { ...base, state: 'error', message: `${why}: ${p}${this.failed.size > 1 ? ` (and ${this.failed.size - 1} more)` : ''}` };
    }
    if (!this.ready) return { ...base, state: 'starting', ...note };
    if (this.ctx.isBlocked()) {
      const why = this.ctx.blockedReason?.() ?? 'the store is behind';
      return { ...base, state: 'paused', message: `${why}; reading is paused until it catches up` };
    }
    if (this.matcher.single && this.attached.size === 0 && this.detached.size === 0) {
      return { ...base, state: 'error', message: `path missing: ${this.matcher.describe}` };
    }
    if (bytesBehind > this.opts.catchUpBytes) return { ...base, state: 'catching-up', ...note };
    if (this.attached.size === 0) return { ...base, state: 'watching', message: `no file yet: waiting for ${this.matcher.describe}` };
    return { ...base, state: 'watching', ...note };
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
      this.control.then(() => this.finishDeleted()),
      new Promise<void>((r) => (timer = setTimeout(r, this.opts.closeFlushMs))),
    ]);
    clearTimeout(timer);
    this.abort.abort();
    await this.control.catch(() => undefined);
    const all = [...this.attached.values(), ...this.detached];
    this.attached.clear();
    this.detached.clear();
    await Promise.all(all.map((t) => t.close().catch(() => undefined)));
  }

  // ---- watching -----------------------------------------------------------------------

  private startWatcher(): Promise<void> {
    this.startingWatcher ??= this.openWatcher().finally(() => (this.startingWatcher = null));
    return this.startingWatcher;
  }

  private async openWatcher(): Promise<void> {
    if (this.closed) return;
    // Rebuilt each time: a missing folder may have appeared, and with it the meaning of the path.
    this.matcher = pathMatcher(this.config.path, this.config);
    this.baseError = await checkFolder(this.matcher.base);
    if (this.baseError) {
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
      onContent: (p) => {
        const t = this.attached.get(p);
        if (t) this.readIn(t);
      },
      onError: (err) => this.ctx.log?.(`source ${this.ref.name}: watcher: ${err.message}`),
      onWatchRefused: (err) => void this.fallBackToPolling(w, err),
    });
    this.watcher = w;
    await w.start();
    if (this.closed || this.watcher !== w) return;
    this.scanning = null;
    const first = !this.firstScanDone;
    await this.run(() => this.assignFound(found, first));
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
    for (const p of this.attached.keys()) this.sync(p);
    for (const p of this.failed.keys()) this.sync(p);
    const now = Date.now();
    for (const t of this.detached) {
      this.readIn(t);
      if (now - Math.max(t.lastGrowthAt, t.detachedAt ?? 0) > this.opts.rotateWaitMs) {
        this.detached.delete(t);
        void this.run(() => this.finish(t));
      }
    }
    if (this.copies.size) void this.run(() => this.settleCopies(now));
    this.notify();
  }

  /** The watched folder went away or became unreadable (or came back): stop or restart the watcher. */
  private async checkBase(): Promise<void> {
    if (this.startingWatcher) return;
    const err = await checkFolder(this.matcher.base);
    if (this.closed) return;
    if (err && this.watcher) {
      const w = this.watcher;
      this.watcher = null;
      this.baseError = err;
      await w.close();
      this.notify();
    } else if (!err && !this.watcher) {
      await this.startWatcher();
    } else if (!err && this.baseError) {
      this.baseError = null;
      this.notify();
    }
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

  /** Re-examine a path soon. Requests fold: a flood of events for one path is one look. */
  private sync(path: string): void {
    if (this.closed) return;
    this.dirty.add(path);
    if (this.pumping) return;
    this.pumping = true;
    void this.run(async () => {
      try {
        while (this.dirty.size && !this.closed) {
          const p = this.dirty.values().next().value as string;
          this.dirty.delete(p);
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
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return this.fail(path, err);
    }
    const current = this.attached.get(path);
    if (current && st && sameInode(current, st)) {
      this.failed.delete(path);
      current.noteSize(st.size);
      this.readIn(current);
      return;
    }
    if (current) this.detachTailer(current);
    const copy = this.copies.get(path);
    if (copy && st && sameInode(copy, st)) {
      if (st.size === copy.size) return;
      copy.size = st.size;
      copy.changedAt = Date.now();
      if (await this.stillCopy(path, copy)) return;
    }
    // Not (or no longer) a copy: a file of its own, read like any other.
    if (copy) this.copies.delete(path);
    if (!st || !st.isFile() || !this.matcher.matches(path)) {
      if (this.failed.delete(path)) this.notify();
      return;
    }
    // A file we already follow, seen under a new name (renamed within the source)?
    const moved = this.findOpen(st);
    if (moved) {
      await this.move(moved, path);
      this.readIn(moved);
      return;
    }
    let probe: Probe;
    try {
      probe = await probeFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      return this.fail(path, err);
    }
    this.failed.delete(path);
    const t = await this.adopt(probe, false, current ?? this.predecessors.get(path) ?? null);
    if (t) this.readIn(t);
    this.notify();
  }

  /**
   * Decide what a newly met file continues, and open it: a stored checkpoint it still
   * holds, a copy of a file we follow (deferred), or new content (from the start; from
   * the end for files already there when a new source first starts with `start: end`).
   */
  private async adopt(probe: Probe, first: boolean, prev: FileTailer | null): Promise<FileTailer | null> {
    if (!probe.isFile) {
      await probe.fh.close();
      return null;
    }
    // Never two readers on one file: one we hold open is followed under its new name.
    const open = this.findOpen(probe);
    if (open) {
      await probe.fh.close();
      await this.move(open, probe.path);
      return open;
    }
    let row = await this.claimRow(probe, (r) => sameInode(r, probe));
    row ??= await this.claimRow(probe, (r) => r.state === 'truncated' && r.fingerprint !== null && r.fingerprint === probe.fp);
    if (!row) {
      const copy = await this.copyOf(probe);
      // The original was truncated already (copytruncate is quick): the copy continues it now.
      if (copy?.truncated) return this.handleTruncation(copy.of, probe);
      if (copy) {
        const of = copy.of;
        this.copies.set(probe.path, { of, dev: probe.dev, ino: probe.ino, size: probe.size, changedAt: Date.now() });
        await probe.fh.close();
        return null;
      }
      const fromEnd = first && this.ctx.isNew && (this.config.start ?? 'end') === 'end';
      row = await this.newRow(probe, fromEnd ? probe.size : 0);
    }
    const tail = decodeTail(row.cursor) ?? (await readTail(probe.fh, row.offset));
    const t = new FileTailer(probe, row, tail, this.deps);
    if (prev && !prev.closed) t.prev = prev;
    this.predecessors.delete(probe.path);
    this.attached.set(probe.path, t);
    return t;
  }

  /** The first stored row chosen by `pick` whose checkpoint this file still holds; rows it fails are retired. */
  private async claimRow(probe: Probe, pick: (r: FileRow) => boolean): Promise<FileRow | null> {
    for (const r of this.rows.filter(pick)) {
      if (await holdsCheckpoint(probe, r)) {
        this.rows.splice(this.rows.indexOf(r), 1);
        if (r.path !== probe.path || r.dev !== probe.dev || r.ino !== probe.ino || r.state !== 'active') {
          Object.assign(r, { path: probe.path, dev: probe.dev, ino: probe.ino, state: 'active' });
          this.ctx.store.updateFile(r.id, { path: probe.path, dev: probe.dev, ino: probe.ino, state: 'active' });
        }
        return r;
      }
      if (sameInode(r, probe) && r.state === 'active') {
        // Same inode, other content: truncated or rewritten while we were away (or a
        // reused inode). A copy of the old content may still continue this checkpoint.
        r.state = 'truncated';
        this.ctx.store.updateFile(r.id, { state: 'truncated' });
      }
    }
    return null;
  }

  private async newRow(probe: Probe, offset: number): Promise<FileRow> {
    const tail = await readTail(probe.fh, offset);
    const fresh: Omit<FileRow, 'id'> = {
      source_id: this.ref.id, path: probe.path, dev: probe.dev, ino: probe.ino, fingerprint: probe.fp,
      offset, line_no: 0, size: probe.size, state: 'active', cursor: encodeTail(tail),
    };
    return { ...fresh, id: this.ctx.store.addFile(fresh) };
  }

  /**
   * Is this new file a byte copy of one we follow (same first line, same bytes where they
   * overlap)? Only files still at their own path count: a file that took the place of
   * another (rotation) is its successor, even when both start with the same banner.
   */
  private async copyOf(probe: Probe): Promise<{ of: FileTailer; truncated: boolean } | null> {
    if (probe.fp === null) return null;
    for (const t of [...this.attached.values()]) {
      if (t.closed || t.row.fingerprint !== probe.fp || sameInode(t, probe)) continue;
      if (t.path === probe.path || t.previousPath === probe.path) continue;
      // Bring the original up to date first: copytruncate copies and truncates in one go,
      // so by now the original may hold new content and the copy the rest of the old.
      if (!t.isSuspended) await t.read().catch(() => undefined);
      if (t.closed) continue;
      if (t.isSuspended) {
        if (await holdsCheckpoint(probe, t.checkpointRow('truncated'))) return { of: t, truncated: true };
        continue;
      }
      const at = Math.min(probe.size, t.checkpointOffset);
      if (at > 0 && (await t.sameBytesAs(probe.fh, at))) return { of: t, truncated: false };
    }
    return null;
  }

  /** A held-back copy changed: is it still the same bytes as its original where they overlap? */
  private async stillCopy(path: string, c: DeferredCopy): Promise<boolean> {
    const o = c.of;
    if (o.closed) return true; // its original is gone: settleCopies decides
    // Bring the original up to date first: a truncated original hands over to its copy.
    await this.readAndHandle(o);
    if (o.isSuspended) return true;
    let probe: Probe;
    try {
      probe = await probeFile(path);
    } catch {
      return true;
    }
    try {
      const at = Math.min(probe.size, o.checkpointOffset);
      return sameInode(probe, c) && at > 0 && (await o.sameBytesAs(probe.fh, at));
    } finally {
      await probe.fh.close();
    }
  }

  /** Follow an open file under a new name. A truncation it has not been through yet is handled first. */
  private async move(t: FileTailer, path: string): Promise<void> {
    if (t.isSuspended) await this.handleTruncation(t);
    if (t.closed) return;
    if (this.attached.get(t.path) === t) this.attached.delete(t.path);
    this.detached.delete(t);
    this.predecessors.set(t.path, t);
    t.reattach(path);
    this.attached.set(path, t);
  }

  private findOpen(st: { dev: number; ino: number }): FileTailer | null {
    for (const t of this.attached.values()) if (!t.closed && sameInode(t, st)) return t;
    for (const t of this.detached) if (!t.closed && sameInode(t, st)) return t;
    return null;
  }

  private detachTailer(t: FileTailer): void {
    if (this.attached.get(t.path) === t) this.attached.delete(t.path);
    this.predecessors.set(t.path, t);
    t.detach();
    this.detached.add(t);
    this.readIn(t);
  }

  /** Files found by a (re)scan: claim checkpoints by inode first, so a copy never takes its original's. */
  private async assignFound(paths: string[], first: boolean): Promise<void> {
    const probes: Probe[] = [];
    for (const path of new Set(paths)) {
      const t = this.attached.get(path);
      try {
        const st = await stat(path);
        if (t && sameInode(t, st)) {
          this.readIn(t);
          continue;
        }
        if (!st.isFile() || !this.matcher.matches(path)) continue;
        probes.push(await probeFile(path));
        this.failed.delete(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.fail(path, err);
      }
    }
    const byInode = (p: Probe) => (this.rows.some((r) => sameInode(r, p)) ? 0 : 1);
    probes.sort((a, b) => byInode(a) - byInode(b));
    const orphans = first ? await this.findOrphans(probes) : [];
    const inodeOf = new Map(this.rows.map((r) => [r.id, { dev: r.dev, ino: r.ino }]));
    const opened: FileTailer[] = [];
    for (const probe of probes) {
      const prev = this.attached.get(probe.path) ?? orphans.find((o) => o.row.path === probe.path) ?? null;
      if (this.attached.has(probe.path)) this.detachTailer(this.attached.get(probe.path)!);
      const t = await this.adopt(probe, first, prev);
      if (t) opened.push(t);
    }
    // A copy that took over the checkpoint of a file truncated meanwhile (copytruncate
    // while we were stopped) holds older lines than that file's new content: read it first.
    for (const t of opened) {
      const was = inodeOf.get(t.row.id);
      if (!was || sameInode(was, t)) continue;
      const successor = opened.find((o) => o !== t && sameInode(was, o));
      if (successor && !successor.prev) successor.prev = t;
    }
    // Lines left in files rotated while we were stopped come before their successors'.
    for (const o of orphans) {
      o.row.path = o.path;
      this.ctx.store.updateFile(o.row.id, { path: o.path });
      await this.readAndHandle(o);
    }
    for (const t of opened) this.readIn(t);
  }

  /**
   * Checkpoints whose file is no longer at its path (rotated away while we were stopped):
   * look for the inode in the folder it was in and read it to its end, detached.
   */
  private async findOrphans(probes: Probe[]): Promise<FileTailer[]> {
    const listing = new Map<string, Map<string, string>>();
    const out: FileTailer[] = [];
    for (const r of [...this.rows]) {
      if (r.state !== 'active' || r.dev === null || r.ino === null) continue;
      if (probes.some((p) => sameInode(p, r))) continue;
      const found = await findByInode(dirname(r.path), r.dev, r.ino, listing);
      // Not found, or still at its own path but no longer matched (the config changed): gone for us.
      if (found === null || found === r.path || probes.some((p) => p.path === found)) {
        r.state = 'gone';
        this.rows.splice(this.rows.indexOf(r), 1);
        this.ctx.store.updateFile(r.id, { state: 'gone' });
        continue;
      }
      let probe: Probe;
      try {
        probe = await probeFile(found);
      } catch {
        continue;
      }
      if (!(await holdsCheckpoint(probe, r))) {
        await probe.fh.close();
        continue;
      }
      this.rows.splice(this.rows.indexOf(r), 1);
      const t = new FileTailer(probe, r, decodeTail(r.cursor) ?? Buffer.alloc(0), this.deps);
      t.detach();
      this.detached.add(t);
      out.push(t);
    }
    return out;
  }

  /**
   * A file we follow was truncated (or rewritten). Its lines written after our last read
   * survive only in a copy (copytruncate): if one that the source matches sits beside it,
   * the copy continues our checkpoint from there; otherwise the held partial line is flushed.
   * Either way the file is then read again from its start under a new checkpoint.
   */
  private async handleTruncation(t: FileTailer, found: Probe | null = null): Promise<FileTailer | null> {
    // Several reads may report the same truncation; only the first is acted on.
    if (t.closed || !t.isSuspended) {
      await found?.fh.close();
      return null;
    }
    const copy = found ?? (await this.findCopyBeside(t));
    const fresh = await this.newRowFor(t);
    const old = await t.restart(fresh, copy !== null);
    if (copy) {
      const row: FileRow = { ...old, path: copy.path, dev: copy.dev, ino: copy.ino, state: 'active' };
      this.ctx.store.updateFile(row.id, { path: copy.path, dev: copy.dev, ino: copy.ino, state: 'active' });
      this.copies.delete(copy.path);
      const ct = new FileTailer(copy, row, decodeTail(row.cursor) ?? Buffer.alloc(0), this.deps);
      const at = this.attached.get(copy.path);
      if (at && at !== ct) this.detachTailer(at);
      this.attached.set(copy.path, ct);
      // The copy holds the older lines: they go before the truncated file's new ones.
      t.prev = ct;
      await this.readAndHandle(ct);
      this.readIn(t);
      return ct;
    }
    this.rows.push(old);
    this.readIn(t);
    return null;
  }

  private async newRowFor(t: FileTailer): Promise<FileRow> {
    const fresh: Omit<FileRow, 'id'> = {
      source_id: this.ref.id, path: t.path, dev: t.dev, ino: t.ino, fingerprint: null,
      offset: 0, line_no: 0, size: 0, state: 'active', cursor: '',
    };
    return { ...fresh, id: this.ctx.store.addFile(fresh) };
  }

  /** A file in the truncated file's folder, matched by the source, holding its content up to our checkpoint. */
  private async findCopyBeside(t: FileTailer): Promise<Probe | null> {
    const want = t.checkpointRow('truncated');
    if (want.fingerprint === null || want.offset === 0) return null;
    const dir = dirname(t.path);
    let names: string[] = [];
    try {
      names = await readdir(dir);
    } catch {
      return null;
    }
    // Deferred copies of this very file first, then anything else beside it.
    const paths = [...[...this.copies].filter(([, c]) => c.of === t).map(([p]) => p), ...names.map((n) => join(dir, n))];
    for (const p of new Set(paths)) {
      if (p === t.path || this.attached.has(p) || !this.matcher.matches(p)) continue;
      try {
        const st = await stat(p);
        if (!st.isFile() || st.size < want.offset || sameInode(st, t)) continue;
      } catch {
        continue;
      }
      let probe: Probe;
      try {
        probe = await probeFile(p);
      } catch {
        continue;
      }
      if (probe.isFile && !sameInode(probe, t) && (await holdsCheckpoint(probe, want))) return probe;
      await probe.fh.close();
    }
    return null;
  }

  /**
   * Copies we held back: when their original went away, a copy continues its last
   * checkpoint; when the original stays and the copy stopped changing, the copy is a
   * plain duplicate and is followed from its end (only what is appended to it is new).
   */
  private async settleCopies(now: number): Promise<void> {
    for (const [path, c] of [...this.copies]) {
      const originalGone = c.of.closed;
      if (!originalGone && now - c.changedAt < this.opts.rotateWaitMs) continue;
      this.copies.delete(path);
      let probe: Probe;
      try {
        probe = await probeFile(path);
      } catch {
        continue;
      }
      if (!sameInode(probe, c) || this.attached.has(path)) {
        await probe.fh.close();
        this.sync(path);
        continue;
      }
      let row: FileRow | null = null;
      if (originalGone) {
        const want = c.of.checkpointRow(c.of.row.state);
        if (await holdsCheckpoint(probe, want)) {
          row = { ...want, path, dev: probe.dev, ino: probe.ino, state: 'active' };
          this.ctx.store.updateFile(row.id, { path, dev: probe.dev, ino: probe.ino, state: 'active' });
        }
      }
      row ??= await this.newRow(probe, probe.size);
      const tail = decodeTail(row.cursor) ?? (await readTail(probe.fh, row.offset));
      const t = new FileTailer(probe, row, tail, this.deps);
      this.attached.set(path, t);
      this.readIn(t);
    }
  }

  /** A detached file stopped growing: read what is left, flush, close. */
  private async finish(t: FileTailer): Promise<void> {
    const links = await t.links().catch(() => 0);
    await t.finish(links === 0 ? 'deleted' : 'rotated');
    for (const [p, x] of this.predecessors) if (x === t) this.predecessors.delete(p);
    for (const c of this.copies.values()) if (c.of === t) c.changedAt = 0;
  }

  private async finishDeleted(): Promise<void> {
    for (const t of [...this.detached]) {
      if ((await t.links().catch(() => 1)) === 0) {
        await t.finish('deleted').catch(() => undefined);
        this.detached.delete(t);
      }
    }
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
      void this.run(async () => void (await this.handleTruncation(t)));
    } else if (outcome === 'ok' && this.failed.delete(t.path)) {
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

/** Null when the folder can be listed and entered, else why not. */
async function checkFolder(dir: string): Promise<string | null> {
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) return `not a directory: ${dir}`;
    await access(dir, constants.R_OK | constants.X_OK);
    return null;
  } catch (err) {
    return `${describeError(err)}: ${dir}`;
  }
}

function describeError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' ? 'path missing' :
    code === 'EACCES' || code === 'EPERM' ? 'permission denied' :
    code === 'ENOTDIR' ? 'not a directory' :
    code === 'EMFILE' || code === 'ENFILE' ? 'too many open files' :
    ((err as Error)?.message ?? String(err));
}
