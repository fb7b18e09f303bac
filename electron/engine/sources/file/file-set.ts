import { readdir, realpath, stat } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { StreamDecoder } from '../../decode/types.js';
import type { FileRow } from '../../store/store.js';
import type { SourceRef } from '../../pipeline/types.js';
import type { SourceContext } from '../source.js';
import { FileTailer, type TailerDeps } from './tailer.js';
import { ROTATED, type PathMatcher } from './path-matcher.js';
import { findByInode, holdsCheckpoint, probeFile, sameInode, type Probe } from './identity.js';
import { isGone } from './fs-errors.js';
import { decodeTail, encodeTail, fingerprint, readTail } from './fingerprint.js';
import { unreadable, type Compression } from '../../util/compression.js';
import { COMPRESSED, CompressedReader, DECOMPRESSING, furthestHeld } from './compressed-reader.js';

/** Compressed files read at once; the others wait (each reader holds a descriptor, a decompressor and a decoder). */
const MAX_DECOMPRESSING = 2;
/** A row for an archive of ours Vigil cannot read (xz beside a file named alone): named in the status at every start. */
const UNREADABLE = 'unreadable';
/** The state of a source's note that it has begun watching its path (not a file). */
const BEGUN = 'begun';

/** What the set needs from its source: reading (with its error handling) and the source's rules. */
export interface FileSetHost {
  readonly ref: SourceRef;
  readonly ctx: SourceContext;
  /** Which paths belong to the source (rebuilt when its folder appears). */
  matcher(): PathMatcher;
  /** The path as configured (file, glob or folder). */
  readonly path: string;
  /** A new source starting with `start: end`: files found at the first scan are read from their end. */
  readonly startAtEnd: boolean;
  /** Read a file now and handle what the read found (truncation, errors). */
  read(t: FileTailer): Promise<void>;
  readIn(t: FileTailer): void;
  /** Look at a path again later (after the current decision). */
  resync(path: string): void;
  fail(path: string, err: unknown): void;
  recovered(path: string): void;
}

/** A matched file not opened yet (FileSet.waiting). */
interface Waiting {
  dev: number;
  ino: number;
  size: number;
  changedAt: number;
}

/** A new file that looks like a copy of one we follow (copytruncate, `cp`): not read until we know which. */
export interface DeferredCopy {
  of: FileTailer;
  dev: number;
  ino: number;
  size: number;
  changedAt: number;
}

/**
 * The files of one source and which stored checkpoint each one continues. A file is told
 * apart by dev/inode plus a fingerprint of its first line plus the bytes just before each
 * checkpoint, so a rename, copytruncate (copy and truncation seen in either order),
 * truncation, inode reuse and delete-and-recreate are recognised. Never two readers on
 * one file. Callers serialise the calls (the source's control queue); reads run per file.
 */
export class FileSet {
  readonly attached = new Map<string, FileTailer>();
  readonly detached = new Set<FileTailer>();
  private copies = new Map<string, DeferredCopy>();
  /** Matched files not opened yet: empty, or a copy still being written (see adopt). */
  readonly waiting = new Map<string, Waiting>();
  /** The file last at each path, while still open: the next file there reads it first (writer order). */
  private predecessors = new Map<string, FileTailer>();
  /** Stored checkpoints not held by an open file: candidates for files we meet. */
  private rows: FileRow[] = [];
  /** The source has not begun watching its path yet: no note of it, nor a checkpoint on a path it matches. */
  private newHere = true;
  /** The note that the source has begun watching its path (see markBegun). */
  private begun: FileRow | null = null;
  /** Compressed files being read, by dev:ino. */
  private readonly decompressing = new Map<string, CompressedReader>();
  /** Compressed files waiting for one of the MAX_DECOMPRESSING reading slots, by path. */
  private readonly archiveQueue = new Set<string>();
  /** See archivedAway. */
  private readonly sideArchives = new Set<string>();
  /** See copiedAway: by the path of the file it was copied from, read before that file's new lines. */
  private readonly copiedBeside = new Map<string, FileTailer>();
  /** Files met here that a source before this one follows (heldByOther): path -> its name. */
  readonly elsewhere = new Map<string, string>();
  /** Files left unread, and why (compression we cannot read, damage): for the source's status. */
  readonly notRead = new Map<string, string>();
  /** Compressed files met and done with (read, or nothing in them to read), by path. */
  readonly archives = new Set<string>();
  /** The same, by dev:ino:size: not looked into again in this run. */
  private readonly archivesDone = new Set<string>();
  /** Detached files taken off `detached` to be read to their end (finish), until they are. */
  private readonly finishing = new Set<FileTailer>();
  /** The last checkpoints of files read to their end in this run (see currentRows). */
  private readonly finalRows = new Map<number, FileRow>();
  /** Files met under a name of ours while being finished: looked at again once finished. */
  private readonly metWhileFinishing = new Map<FileTailer, string>();
  /** Compressed files (dev:ino) found when a new source with `start: end` first looked. */
  private readonly metAtStart = new Set<string>();
  /**
   * Of those, the ones not decided yet (waiting for their compressor), as dev:ino:first line.
   * Kept with the note that the source began (its cursor), so that a stop before they are
   * decided does not make their lines new at the next start: they were history then.
   */
  private metPending = new Set<string>();
  /** When this source's checkpoints last changed before this run: about when Vigil stopped. */
  private lastReadAt = 0;

  constructor(
    private readonly host: FileSetHost,
    private readonly deps: TailerDeps,
  ) {}

  private get ctx(): SourceContext {
    return this.host.ctx;
  }
  private get ref(): SourceRef {
    return this.host.ref;
  }

  /** The source's checkpoints that may still continue a file. */
  load(): void {
    const all = this.ctx.store.files(this.ref.id);
    // Rotated rows too: a file finished under a name the source lost may be met again
    // under one it matches (renamed again later, or the rename noticed late), and must go
    // on from its checkpoint rather than be read again.
    this.rows = all.filter((r) => r.state === 'active' || r.state === 'truncated' || r.state === 'rotated');
    this.lastReadAt = all.reduce((m, r) => Math.max(m, r.updated_at ?? 0), 0);
    // A source whose path now names files it never read (the user pointed it elsewhere)
    // starts those like a new source would: `start` decides, not "from the beginning".
    // One that began watching this path before, and found nothing there, reads what has
    // appeared since from the beginning: it was written while Vigil was away.
    const m = this.host.matcher();
    this.begun = all.find((r) => r.state === BEGUN) ?? null;
    this.metPending = new Set(parsePending(this.begun?.cursor ?? null));
    // A store of a Vigil from before these notes (before 2026-11-22) has none: a source it
    // knows that never found a file began watching all the same (read from its end, what had
    // appeared there while Vigil was stopped was lost at the upgrade).
    const beganUnnoted = !this.begun && all.length === 0;
    this.newHere = this.ctx.isNew || !(beganUnnoted || this.begun?.path === this.host.path || all.some((r) => r.state !== BEGUN && m.matches(r.path)));
  }

  /**
   * The source has begun watching its path: it looked, or found it missing or unreadable.
   * From now on a file it meets there appeared after that, and is read from its
   * beginning, in this run and the next ones. Noted in the store, as a row of its own.
   */
  markBegun(): void {
    const path = this.host.path;
    if (this.begun?.path === path) return;
    if (this.begun) {
      this.ctx.store.updateFile(this.begun.id, { path });
      this.begun.path = path;
      return;
    }
    const row: Omit<FileRow, 'id'> = {
      source_id: this.ref.id, path, dev: null, ino: null, fingerprint: null, offset: 0, line_no: 0, size: 0, state: BEGUN, cursor: pendingCursor(this.metPending),
    };
    this.begun = { id: this.ctx.store.addFile(row), ...row };
  }

  /** An archive met at the first look is decided: no longer kept with the begun note. */
  private decidedMet(entry: string): void {
    if (!this.metPending.delete(entry) || !this.begun) return;
    this.begun.cursor = pendingCursor(this.metPending);
    this.ctx.store.updateFile(this.begun.id, { cursor: this.begun.cursor });
  }

  get bytesBehind(): number {
    let n = 0;
    for (const t of this.attached.values()) n += t.bytesBehind;
    for (const t of this.detached) n += t.bytesBehind;
    // Rotated files in their last read: a burst's backlog is mostly in them.
    for (const t of this.finishing) n += t.bytesBehind;
    for (const r of this.decompressing.values()) n += r.bytesBehind;
    return n;
  }

  get hasCopies(): boolean {
    return this.copies.size > 0;
  }

  copyAt(path: string): DeferredCopy | undefined {
    return this.copies.get(path);
  }

  forgetCopy(path: string): void {
    this.copies.delete(path);
  }

  predecessorOf(path: string): FileTailer | null {
    return this.predecessors.get(path) ?? null;
  }

  /** Detached files that stopped growing rotateWaitMs ago: to be finished. */
  idleDetached(now: number): FileTailer[] {
    const out: FileTailer[] = [];
    for (const t of this.detached) {
      if (now - Math.max(t.lastGrowthAt, t.detachedAt ?? 0) > this.deps.rotateWaitMs) {
        this.detached.delete(t);
        this.finishing.add(t);
        out.push(t);
      }
    }
    return out;
  }

  /** Stop reading everything (no flush: what is not stored stays behind its checkpoint). */
  async closeAll(): Promise<void> {
    const all = [...this.attached.values(), ...this.detached];
    this.attached.clear();
    this.detached.clear();
    await Promise.all(all.map((t) => t.close().catch(() => undefined)));
    // Stopped by the source's abort signal: each resumes from its checkpoint next start.
    await Promise.all([...this.decompressing.values()].map((r) => r.done?.catch(() => undefined)));
  }

  /** Files being read, for the status line: followed, waiting to be looked at again, compressed ones being read. */
  get fileCount(): number {
    return this.attached.size + this.waiting.size + this.decompressing.size + this.archiveQueue.size;
  }

  /**
   * Decide what a newly met file continues, and open it: a stored checkpoint it still
   * holds, a copy of a file we follow (deferred), or new content (from the start; from
   * the end for files already there when a new source first starts with `start: end`).
   */
  async adopt(probe: Probe, first: boolean, prev: FileTailer | null): Promise<FileTailer | null> {
    const waited = this.waiting.get(probe.path);
    this.waiting.delete(probe.path);
    if (!probe.isFile) {
      await probe.fh.close();
      return null;
    }
    if (this.isStoreFile(probe.path)) {
      // Reading our own database would store each write again, without end.
      this.notRead.set(probe.path, "Vigil's own database");
      await probe.fh.close();
      return null;
    }
    // A file a source before this one in the config follows, met here under another name
    // (a generation it followed through a rename, the file through a link): its lines are
    // that source's, unless this one already reads it.
    const by = probe.fp === null || !this.ctx.heldByOther || this.rows.some((r) => sameInode(r, probe)) ? null
      : this.ctx.heldByOther({ dev: probe.dev, ino: probe.ino, fp: probe.fp, compressed: !!probe.compression });
    if (by !== null) {
      this.elsewhere.set(probe.path, by);
      await probe.fh.close();
      return null;
    }
    if (probe.compression) {
      if (probe.binary) {
        this.notRead.set(probe.path, probe.binary);
        await probe.fh.close();
      } else {
        await this.adoptCompressed(probe, first);
      }
      return null;
    }
    // Never two readers on one file: one we hold open is followed under its new name.
    const open = this.findOpen(probe);
    if (open) {
      await probe.fh.close();
      await this.move(open, probe.path);
      return open;
    }
    // One being finished (it had no name of ours for rotateWaitMs, and now has one again:
    // a rename noticed late): met again once done, it goes on from where it ended.
    const ending = [...this.finishing].find((t) => !t.closed && sameInode(t, probe));
    if (ending) {
      this.metWhileFinishing.set(ending, probe.path);
      await probe.fh.close();
      return null;
    }
    if (probe.binary && !this.rows.some((r) => sameInode(r, probe) || (r.fingerprint !== null && r.fingerprint === probe.fp))) {
      // Not a log (a journal file, an executable, utmp records). A file we already read as
      // text stays followed: its first bytes are old news.
      this.notRead.set(probe.path, probe.binary);
      await probe.fh.close();
      return null;
    }
    let row = await this.claimRow(probe, (r) => sameInode(r, probe));
    row ??= await this.claimRow(probe, (r) => r.state === 'truncated' && r.fingerprint !== null && r.fingerprint === probe.fp);
    if (row) await this.skipReadElsewhere(row, probe);
    if (!row) {
      if (this.mayBeCopyInProgress(probe, waited)) {
        await probe.fh.close();
        return null;
      }
      const copy = await this.copyOf(probe);
      if (copy === 'partial') {
        if (this.mayBeCopyInProgress(probe, waited, true)) {
          await probe.fh.close();
          return null;
        }
      } else if (copy?.truncated) {
        // The original was truncated already (copytruncate is quick): the copy continues it now.
        return this.handleTruncation(copy.of, probe);
      } else if (copy) {
        const of = copy.of;
        this.copies.set(probe.path, { of, dev: probe.dev, ino: probe.ino, size: probe.size, changedAt: Date.now() });
        await probe.fh.close();
        return null;
      }
      const fromEnd = first && this.newHere && this.host.startAtEnd;
      // A file another source read (one removed, or no longer before this one in the config:
      // see readBy) goes on from where that one stopped: from its start, its lines were stored
      // twice; from its end (`start: end`), those written since were lost, when that source
      // read it lately (a file unread for days is history, as `start: end` means).
      const other = probe.fp === null ? null : this.ctx.store.readElsewhere(this.ref.id, probe.dev, probe.ino, probe.fp);
      const held = other !== null && other.offset <= probe.size && (!fromEnd || Date.now() - other.at <= LATELY_MS) ? other : null;
      row = await this.newRow(probe, held ? held.offset : fromEnd ? probe.size : 0, held?.lineNo ?? 0);
    }
    const tail = decodeTail(row.cursor) ?? (await readTail(probe.fh, row.offset));
    const t = new FileTailer(probe, row, tail, this.deps);
    if (prev && !prev.closed) t.prev = prev;
    // Its copy holds the lines before these (copytruncate while we were stopped): read first.
    const copied = this.copiedBeside.get(probe.path);
    if (copied) {
      this.copiedBeside.delete(probe.path);
      if (t.prev) copied.prev ??= t.prev;
      t.prev = copied;
    }
    this.predecessors.delete(probe.path);
    this.attached.set(probe.path, t);
    return t;
  }

  /**
   * A compressed file (logrotate's `compress`): never followed, read decompressed once, from
   * where what we already read of its content ends. Its content is known by its first line
   * and the bytes before a checkpoint, as a renamed file is, so the usual case (the rotated
   * file we read, compressed) reads nothing, and a file rotated and compressed while Vigil
   * was stopped gives the lines written after our checkpoint. Decided once the compressor
   * is done with it, and once its original is no longer being read.
   */
  private async adoptCompressed(probe: Probe, first: boolean): Promise<void> {
    const key = `${probe.dev}:${probe.ino}`;
    const why = unreadable(probe.compression!);
    if (why || this.decompressing.has(key)) {
      if (why && this.notRead.get(probe.path) !== why) {
        this.notRead.set(probe.path, why);
        this.ctx.log?.(`source ${this.ref.name}: not reading ${probe.path}: ${why}`);
      }
      await probe.fh.close();
      return;
    }
    // Met when a new source with `start: end` first looked: history, like the lines already in its files.
    const met = `${key}:${probe.fp}`;
    if (first && this.newHere && this.host.startAtEnd && !this.host.matcher().single) {
      this.metAtStart.add(key);
      if (probe.fp !== null) this.metPending.add(met);
    }
    const now = Date.now();
    // A compressor writing it now (gzip gives the file its original's time when done), or its
    // original still open here: look again later.
    const busy = now - probe.mtimeMs <= this.deps.rotateWaitMs || (probe.fp !== null && (await this.openWithFingerprint(probe.fp)));
    if (busy) {
      this.waiting.set(probe.path, { dev: probe.dev, ino: probe.ino, size: probe.size, changedAt: now });
      await probe.fh.close();
      return;
    }
    const all = this.currentRows();
    const isCompressed = (r: FileRow) => (r.state === DECOMPRESSING || r.state === COMPRESSED) && r.fingerprint === probe.fp;
    // Met before (or being read when we stopped, or read up to where it was cut off): by
    // inode and first line. Compressors only ever append, so a longer file reads on.
    let row = all.find((r) => isCompressed(r) && sameInode(r, probe)) ?? null;
    if (row && row.path !== probe.path) this.ctx.store.updateFile(row.id, { path: (row.path = probe.path) });
    if (row) {
      // Read in this run (its last checkpoint may still be on its way to the store), or before.
      if (this.archivesDone.has(`${key}:${probe.size}`) || (row.state === COMPRESSED && row.size === probe.size)) {
        this.archivesDone.add(`${key}:${probe.size}`);
        this.archives.add(probe.path);
        await probe.fh.close();
        return;
      }
    }
    // Memory and descriptors stay bounded however many archives a folder holds (a new
    // source over /var/log with `start: beginning`): the others wait for a slot.
    if (this.decompressing.size >= MAX_DECOMPRESSING) {
      this.archiveQueue.add(probe.path);
      await probe.fh.close();
      return;
    }
    this.archiveQueue.delete(probe.path);
    if (row) {
      Object.assign(row, { size: probe.size, state: DECOMPRESSING });
      this.ctx.store.updateFile(row.id, { size: probe.size, state: DECOMPRESSING });
    } else {
      // A copy of an archive read before: nothing new in it. Else the rotated file it holds,
      // as far as we read that (usually to its end: then nothing to read either).
      const copied = all.find((r) => isCompressed(r) && r.state === COMPRESSED && r.size === probe.size);
      const held = copied ? null : await furthestHeld(probe.fh, probe.compression!, all.filter((r) => !isCompressed(r) && r.fingerprint === probe.fp && r.offset > 0));
      const from = copied ?? held?.row ?? null;
      const nothingNew = copied !== undefined || (held?.row != null && held.length === held.row.offset) || (!from && (this.metAtStart.has(key) || this.metPending.has(met)));
      const fresh: Omit<FileRow, 'id'> = {
        source_id: this.ref.id, path: probe.path, dev: probe.dev, ino: probe.ino, fingerprint: probe.fp,
        offset: from?.offset ?? 0, line_no: from?.line_no ?? 0, size: probe.size,
        state: nothingNew ? COMPRESSED : DECOMPRESSING, cursor: from?.cursor ?? '',
      };
      row = { ...fresh, id: this.ctx.store.addFile(fresh) };
      this.decidedMet(met);
      if (nothingNew) {
        this.archivesDone.add(`${key}:${probe.size}`);
        this.archives.add(probe.path);
        await probe.fh.close();
        this.pumpArchives();
        return;
      }
    }
    const reader = new CompressedReader(probe, row, this.deps);
    this.decompressing.set(key, reader);
    void reader
      .read()
      .then(() => this.notRead.delete(probe.path))
      .catch((err: Error) => {
        if (!this.deps.signal.aborted) this.notRead.set(probe.path, err.message);
      })
      .finally(() => {
        this.decompressing.delete(key);
        if (this.deps.signal.aborted) return;
        this.archivesDone.add(`${key}:${probe.size}`);
        this.archives.add(probe.path);
        this.host.resync(probe.path);
        this.pumpArchives();
      });
  }

  /** Archives waiting for a reading slot: as many as there are free slots are looked at again. */
  pumpArchives(): void {
    for (let free = MAX_DECOMPRESSING - this.decompressing.size; free > 0 && this.archiveQueue.size; free--) {
      const next = this.archiveQueue.values().next().value!;
      this.archiveQueue.delete(next);
      this.host.resync(next);
    }
  }

  private isStoreFile(path: string): boolean {
    const db = resolve(this.ctx.store.path);
    return path === db || (path.startsWith(db) && /^(-wal|-shm|-journal|\.lock|\.lock-journal|\.lock\.json)$/.test(path.slice(db.length)));
  }

  /** A file read to its end: its last checkpoint, which the store may not have committed yet. */
  private noteFinal(t: FileTailer): void {
    this.finalRows.set(t.row.id, t.checkpointRow(t.row.state));
    // Read to its end but still there: met again (see load), it goes on from here.
    if (t.row.state === 'rotated' && !this.rows.some((r) => r.id === t.row.id)) this.rows.push(t.checkpointRow('rotated'));
    if (this.finalRows.size > 1000) this.finalRows.delete(this.finalRows.keys().next().value!);
  }

  /**
   * Every checkpoint of this source as it stands: the stored rows, with the ones this run
   * holds newer (handed to the pipeline, maybe not committed yet) in their place.
   */
  private currentRows(): FileRow[] {
    const byId = new Map(this.ctx.store.files(this.ref.id).map((r) => [r.id, r]));
    for (const r of this.rows) byId.set(r.id, r);
    for (const r of this.finalRows.values()) byId.set(r.id, r);
    for (const t of this.open()) byId.set(t.row.id, t.checkpointRow(t.row.state));
    return [...byId.values()];
  }

  /**
   * open(), less the files whose first line is known and is not `fp`: only the others can
   * be the original of a file whose first line is `fp`. A folder of 10,000 files looked at
   * every file for every file met (3.5 s of 14 catching up), by way of a new array of all.
   */
  private mayHaveFirstLine(fp: string | null): FileTailer[] {
    const out: FileTailer[] = [];
    for (const set of [this.attached.values(), this.detached, this.finishing]) {
      for (const t of set) if (!t.closed && (t.row.fingerprint === null || t.row.fingerprint === fp)) out.push(t);
    }
    return out;
  }

  /** The decoders of the files read now, by path. */
  decoders(): { what: string; decoder: StreamDecoder }[] {
    return this.open().map((t) => ({ what: t.path, decoder: t.decoding }));
  }

  /** Files read now: followed, detached, or being read to their end. */
  private open(): FileTailer[] {
    return [...this.attached.values(), ...this.detached, ...this.finishing].filter((t) => !t.closed);
  }

  /**
   * A file we hold open whose content starts as `fp` says: by its checkpoint's first line,
   * or by its first line now (truncated and written again, then compressed, before we
   * noticed: the archive holds the new content we are about to read from the open file).
   */
  private async openWithFingerprint(fp: string): Promise<boolean> {
    const open = this.open();
    if (open.some((t) => t.row.fingerprint === fp)) return true;
    // The first lines now, read all at once: one after another, each archive met while
    // catching up waited for every open file in turn (1,000 files and 300 archives: 25 s).
    const now = await Promise.all(open.map((t) => t.currentFingerprint().catch(() => null)));
    return now.includes(fp);
  }

  /**
   * A file that may be a copy still being written (logrotate's copytruncate copies, then
   * truncates): taken for new content now, it would be read whole once filled, after we
   * read the original. An empty file (nothing to read yet), or one that starts like content
   * we followed until it was truncated but is shorter than what we read of it, waits: it is
   * looked at again as it grows (it continues that checkpoint once it holds it), and once
   * it has stopped growing for rotateWaitMs short of it, it is content of its own.
   */
  private mayBeCopyInProgress(probe: Probe, waited: Waiting | undefined, shorterCopy = false): boolean {
    if (this.host.matcher().single) return false; // a copy is never the one path we match
    const now = Date.now();
    const unchanged = waited !== undefined && sameInode(waited, probe) && waited.size === probe.size;
    const changedAt = unchanged ? waited.changedAt : now;
    if (probe.size > 0) {
      const partial = shorterCopy || this.rows.some((r) => r.state === 'truncated' && r.fingerprint !== null && r.fingerprint === probe.fp && probe.size < r.offset);
      if (!partial || now - changedAt > this.deps.rotateWaitMs) return false;
    }
    this.waiting.set(probe.path, { dev: probe.dev, ino: probe.ino, size: probe.size, changedAt });
    return true;
  }

  /** Nothing is at `path` any more. */
  forget(path: string): void {
    this.sideArchives.delete(path);
    this.waiting.delete(path);
    this.archiveQueue.delete(path);
    this.archives.delete(path);
    this.notRead.delete(path);
  }

  /** A waiting file as it is now: nothing to look at again (same file, same size, not due). */
  stillWaiting(path: string, st: { dev: number; ino: number; size: number }, now: number): boolean {
    const w = this.waiting.get(path);
    return w !== undefined && sameInode(w, st) && w.size === st.size && (st.size === 0 || now - w.changedAt <= this.deps.rotateWaitMs);
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
        // Copied and truncated (copytruncate) while we were stopped: the copy beside it holds
        // the lines after the checkpoint. Or rotated and compressed, and its inode given to the new file.
        if (!(await this.copiedAway(r, probe))) await this.archivedAway(r);
      }
    }
    return null;
  }

  /**
   * Our checkpoint of a file another source read further meanwhile (this source was removed
   * or put after it in the config, and is back first): on from there, or what that one
   * stored would be stored again.
   */
  private async skipReadElsewhere(row: FileRow, probe: Probe): Promise<void> {
    if (probe.fp === null || row.fingerprint !== probe.fp) return;
    const other = this.ctx.store.readElsewhere(this.ref.id, probe.dev, probe.ino, probe.fp);
    if (!other || other.offset <= row.offset || other.offset > probe.size) return;
    const cursor = encodeTail(await readTail(probe.fh, other.offset));
    Object.assign(row, { offset: other.offset, line_no: other.lineNo, cursor });
    this.ctx.store.updateFile(row.id, { offset: other.offset, line_no: other.lineNo, cursor });
  }

  private async newRow(probe: Probe, offset: number, lineNo = 0): Promise<FileRow> {
    const tail = await readTail(probe.fh, offset);
    const fresh: Omit<FileRow, 'id'> = {
      source_id: this.ref.id, path: probe.path, dev: probe.dev, ino: probe.ino, fingerprint: probe.fp,
      offset, line_no: lineNo, size: probe.size, state: 'active', cursor: encodeTail(tail),
    };
    return { ...fresh, id: this.ctx.store.addFile(fresh) };
  }

  /**
   * Is this new file a byte copy of one we follow (same first line, same bytes where they
   * overlap)? Only files still at their own path count: a file that took the place of
   * another (rotation) is its successor, even when both start with the same banner.
   */
  private async copyOf(probe: Probe): Promise<{ of: FileTailer; truncated: boolean } | 'partial' | null> {
    if (probe.compression) return null; // read decompressed, on its own (adoptCompressed)
    // As it is now: a copy seen while being written has grown since it was opened.
    await refresh(probe);
    for (const t of this.mayHaveFirstLine(probe.fp)) {
      if (t.closed || sameInode(t, probe)) continue;
      if (t.path === probe.path || t.previousPath === probe.path) continue;
      // Same first line; a file whose first line is not whole yet: same bytes from the start.
      if (t.row.fingerprint !== null ? t.row.fingerprint !== probe.fp : !(await t.continuedBy(probe))) continue;
      // Bring the original up to date first: copytruncate copies and truncates in one go,
      // so by now the original may hold new content and the copy the rest of the old.
      if (!t.isSuspended) await t.read().catch(() => undefined);
      if (t.closed) continue;
      if (!t.isSuspended) {
        // Holding all we stored of it: known by our checkpoint's bytes, whatever the
        // original holds by now. A shorter copy (still being written) is compared with
        // the original where they overlap.
        const whole = probe.size >= t.checkpointOffset;
        if (whole ? await t.continuedBy(probe) : probe.size > 0 && (await t.sameBytesAs(probe.fh, probe.size))) {
          // More in the copy than in its original now: the original lost content (it was
          // truncated before we read as far as the truncation shows: from its start, it
          // looks like a file that was always this short). The copy is its rest.
          if (whole && probe.size > (await t.currentSize())) {
            t.markTruncated();
            return { of: t, truncated: true };
          }
          return { of: t, truncated: false };
        }
        // No match: the original may have been truncated since it was read (copytruncate
        // truncates right after copying), and now holds other bytes. Look again.
        await t.read().catch(() => undefined);
        if (t.closed || !t.isSuspended) continue;
      }
      // Truncated since the probe was refreshed: the copy was done before that.
      await refresh(probe);
      if (await t.continuedBy(probe)) return { of: t, truncated: true };
      // Our first line, shorter than what we read: a copy still being written (its
      // original truncated before the copy was done: not logrotate's order, but a copy
      // tool's, or one we saw late). It waits (see mayBeCopyInProgress).
      if (t.row.fingerprint !== null && probe.fp === t.row.fingerprint && probe.size < t.checkpointOffset) return 'partial';
    }
    return null;
  }

  /** A held-back copy changed: is it still the same bytes as its original where they overlap? */
  async stillCopy(path: string, c: DeferredCopy): Promise<boolean> {
    const o = c.of;
    if (o.closed) return true; // its original is gone: settleCopies decides
    // Bring the original up to date first: a truncated original hands over to its copy.
    await this.host.read(o);
    if (o.isSuspended) return true;
    let probe: Probe;
    try {
      probe = await probeFile(path);
    } catch {
      return true;
    }
    try {
      if (!sameInode(probe, c)) return false;
      // As in copyOf: by our checkpoint's bytes when it holds them all, else where they overlap.
      const whole = probe.size >= o.checkpointOffset;
      if (whole ? await o.continuedBy(probe) : probe.size > 0 && (await o.sameBytesAs(probe.fh, probe.size))) return true;
      // The original may have been truncated since it was read: then the copy is its rest.
      await this.host.read(o);
      return o.isSuspended;
    } finally {
      await probe.fh.close();
    }
  }

  /** Follow an open file under a new name. A truncation it has not been through yet is handled first. */
  async move(t: FileTailer, path: string): Promise<void> {
    if (t.isSuspended) await this.handleTruncation(t);
    if (t.closed) return;
    if (this.attached.get(t.path) === t) this.attached.delete(t.path);
    this.detached.delete(t);
    this.predecessors.set(t.path, t);
    t.reattach(path);
    this.attached.set(path, t);
  }

  findOpen(st: { dev: number; ino: number }): FileTailer | null {
    for (const t of this.attached.values()) if (!t.closed && sameInode(t, st)) return t;
    for (const t of this.detached) if (!t.closed && sameInode(t, st)) return t;
    return null;
  }

  detach(t: FileTailer): void {
    if (this.attached.get(t.path) === t) this.attached.delete(t.path);
    this.predecessors.set(t.path, t);
    t.detach();
    this.detached.add(t);
    this.host.readIn(t);
  }

  /** Files found by a (re)scan: claim checkpoints by inode first, so a copy never takes its original's. */
  async assignFound(paths: string[], first: boolean): Promise<void> {
    const probes: Probe[] = [];
    for (const path of new Set(paths)) {
      const t = this.attached.get(path);
      try {
        const st = await stat(path);
        if (t && sameInode(t, st)) {
          this.host.readIn(t);
          continue;
        }
        if (!st.isFile() || !this.host.matcher().matches(path)) continue;
        probes.push(await probeFile(path));
        this.host.recovered(path);
      } catch (err) {
        if (!isGone(err)) this.host.fail(path, err);
      }
    }
    const byInode = (p: Probe) => (this.rows.some((r) => sameInode(r, p)) ? 0 : 1);
    probes.sort((a, b) => byInode(a) - byInode(b));
    const orphans = first ? await this.findOrphans(probes) : [];
    const inodeOf = new Map(this.rows.map((r) => [r.id, { dev: r.dev, ino: r.ino }]));
    const mtimes = new Map(probes.map((p) => [p.path, p.mtimeMs]));
    const opened: FileTailer[] = [];
    for (const probe of probes) {
      const prev = this.attached.get(probe.path) ?? orphans.find((o) => o.row.path === probe.path) ?? null;
      if (this.attached.has(probe.path)) this.detach(this.attached.get(probe.path)!);
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
    if (first) chainGenerations(opened, mtimes);
    // Lines left in files rotated while we were stopped come before their successors'. The
    // row keeps the name the source matched: found at a name of its own, it would read as a
    // file the config no longer matches if we were stopped again before its end (and its
    // last lines were lost). Its lines carry that name, as a file rotated while we run does.
    for (const o of orphans) await this.host.read(o);
    for (const t of opened) this.host.readIn(t);
  }

  /**
   * Checkpoints whose file is no longer at its path (rotated away while we were stopped):
   * look for the inode in the folder it was in and read it to its end, detached.
   */
  private async findOrphans(probes: Probe[]): Promise<FileTailer[]> {
    await this.archivesLeft();
    const listing = new Map<string, Map<string, string>>();
    const out: FileTailer[] = [];
    const away: FileRow[] = [];
    const reused: [FileRow, Probe][] = [];
    for (const r of [...this.rows]) {
      if (r.state !== 'active' || r.dev === null || r.ino === null) continue;
      const here = probes.find((p) => sameInode(p, r));
      if (here) {
        // Its inode holds other content now: ours was rotated away and its number given to
        // the new file (a compressor deleting the rotated file freed it: logrotate's
        // compress, a second rotation while we were stopped). The file here is read as
        // new (adopt sees it truncated); ours, and what came after it, are looked for as
        // for a file gone.
        if (here.path === r.path && !(await holdsCheckpoint(here, r))) reused.push([r, here]);
        continue;
      }
      let found = await findByInode(dirname(r.path), r.dev, r.ino, listing);
      if (found === null) {
        // Read through a link (kubelet's /var/log/containers/*.log into /var/log/pods): the
        // file was rotated in the folder the link points into, not in the link's.
        const real = await realpath(r.path).catch(() => null);
        if (real !== null && dirname(real) !== dirname(r.path)) found = await findByInode(dirname(real), r.dev, r.ino, listing);
      }
      // Still at its own path, but no longer matched (the config changed): not ours now, but
      // its checkpoint stays, so that the config changed back goes on from it (marked gone,
      // the file was read again from its start: its lines twice).
      if (found === r.path) {
        this.rows.splice(this.rows.indexOf(r), 1);
        continue;
      }
      away.push(r);
      let probe: Probe | null = null;
      if (found !== null && !probes.some((p) => p.path === found)) {
        try {
          probe = await probeFile(found);
        } catch {
          continue;
        }
        // Its inode is another file's now: ours was deleted (or compressed) and its number
        // given to a file made since (SQLite's WAL beside it, say). Ours is gone, as below.
        if (!(await holdsCheckpoint(probe, r))) {
          await probe.fh.close();
          probe = null;
          found = null;
        }
      }
      // Not found: gone for us.
      if (probe === null) {
        r.state = 'gone';
        this.rows.splice(this.rows.indexOf(r), 1);
        this.ctx.store.updateFile(r.id, { state: 'gone' });
        if (found === null) await this.archivedAway(r);
        continue;
      }
      this.rows.splice(this.rows.indexOf(r), 1);
      const t = new FileTailer(probe, r, decodeTail(r.cursor) ?? Buffer.alloc(0), this.deps);
      t.detach();
      this.detached.add(t);
      out.push(t);
    }
    // A copy beside it (copytruncate) is read first, and the generations after it (see copiedAway).
    for (const [r, here] of reused) if (!(await this.copiedAway(r, here))) await this.archivedAway(r);
    away.push(...reused.map(([r]) => r));
    if (away.length) out.push(...(await this.newerGenerations(away, probes)));
    return out;
  }

  /**
   * Generations made and rotated away while we were stopped, after the file of our
   * checkpoint left (app.log rotated twice: app.log.1 was app.log in between), by a source
   * that does not match their names, so that nothing else reads them. Never seen: known by
   * their name (the file's, then a rotator's number or date: ROTATED), by being written after
   * the source last read anything, and by an inode and first line no checkpoint of the source
   * has. Read whole, oldest first, after the file they follow. A compressed one is read as
   * any archive is, once its compressor is done.
   */
  private async newerGenerations(away: FileRow[], probes: Probe[]): Promise<FileTailer[]> {
    const all = this.ctx.store.files(this.ref.id);
    // By first line; by inode only where a checkpoint has no first line yet (an inode may be
    // the number a compressor freed, given to a generation since: delaycompress, three rotations).
    const known = (p: Probe) => all.some((r) => (r.fingerprint !== null ? r.fingerprint === p.fp : sameInode(r, p))) || probes.some((q) => sameInode(q, p));
    const found: { probe: Probe; from: FileRow }[] = [];
    const seen = new Set<string>();
    for (const r of away) {
      for (const { path, suffix } of await besideFile(r.path)) {
        if (seen.has(path) || !ROTATED.test(suffix)) continue;
        seen.add(path);
        if (this.host.matcher().matches(path) || this.sideArchives.has(path)) continue;
        let probe: Probe;
        try {
          probe = await probeFile(path);
        } catch {
          continue;
        }
        const fresh = probe.isFile && !probe.binary && probe.fp !== null && probe.mtimeMs > this.lastReadAt && !known(probe);
        if (fresh && !found.some((f) => sameInode(f.probe, probe))) found.push({ probe, from: r });
        else await probe.fh.close();
      }
    }
    const out: FileTailer[] = [];
    for (const { probe, from } of found.sort((a, b) => a.probe.mtimeMs - b.probe.mtimeMs)) {
      if (probe.compression) {
        this.sideArchives.add(probe.path);
        await this.adoptCompressed(probe, false);
        continue;
      }
      // Named as the file it followed, as a file rotated away while we were stopped is (findOrphans).
      const fresh: Omit<FileRow, 'id'> = {
        source_id: this.ref.id, path: from.path, dev: probe.dev, ino: probe.ino, fingerprint: probe.fp,
        offset: 0, line_no: 0, size: probe.size, state: 'active', cursor: '',
      };
      const t = new FileTailer(probe, { ...fresh, id: this.ctx.store.addFile(fresh) }, Buffer.alloc(0), this.deps);
      t.detach();
      this.detached.add(t);
      out.push(t);
    }
    return out;
  }

  /**
   * A file rotated and compressed while we were stopped (logrotate's `compress` without
   * `delaycompress`: app.log -> app.log.1 -> app.log.1.gz; gone, or its inode now the new
   * app.log's) by a source that does not match the archive's name: the archive beside it holding the file's first lines is read from
   * the checkpoint on (adoptCompressed finds the row by those lines), or its lines written
   * after the checkpoint were lost.
   */
  private async archivedAway(r: FileRow): Promise<void> {
    if (r.fingerprint !== null) await this.archivedBeside(r.path, new Set([r.fingerprint]), this.lastReadAt);
  }

  /**
   * A file truncated while we were stopped, whose copy beside it (logrotate's copytruncate:
   * app.log.1, app.log-20261123, with or without delaycompress) holds its content up to our
   * checkpoint and on: the copy is read from the checkpoint, detached, before the file's new
   * lines (see adopt). A source that matches the copy's name reads it itself (adopt takes the
   * truncated row by its first line); one that names the file alone lost those lines.
   */
  private async copiedAway(r: FileRow, now: Probe): Promise<boolean> {
    if (r.fingerprint === null || r.offset === 0) return false;
    for (const { path } of await besideFile(r.path)) {
      if (this.host.matcher().matches(path)) continue;
      let probe: Probe;
      try {
        probe = await probeFile(path);
      } catch {
        continue;
      }
      const copy =
        probe.isFile && !probe.compression && probe.fp === r.fingerprint && !sameInode(probe, now) && this.findOpen(probe) === null && (await holdsCheckpoint(probe, r));
      if (!copy) {
        await probe.fh.close();
        continue;
      }
      r.state = 'active';
      this.ctx.store.updateFile(r.id, { state: 'active' });
      this.rows.splice(this.rows.indexOf(r), 1);
      // Its row keeps the name the source matched, as a file rotated away while we were stopped does (findOrphans).
      const t = new FileTailer(probe, r, decodeTail(r.cursor) ?? Buffer.alloc(0), this.deps);
      t.detach();
      this.detached.add(t);
      // Copied twice while we were stopped: the copy in between (app.log.1 when ours is
      // app.log.2 now) is read whole after it, as a generation never seen is.
      let last = t;
      for (const g of await this.newerGenerations([r], [now])) {
        g.prev = last;
        last = g;
      }
      this.copiedBeside.set(now.path, last);
      return true;
    }
    return false;
  }

  /** archivedAway for the files that were at `at`, known by their first lines (or, unreadable, by being written after `since`). */
  private async archivedBeside(at: string, fingerprints: Set<string>, since: number): Promise<void> {
    for (const { path } of await besideFile(at)) {
      if (this.host.matcher().matches(path)) continue; // the source reads it as it does any archive
      let probe: Probe;
      try {
        probe = await probeFile(path);
      } catch {
        continue;
      }
      // One we cannot read (xz) is known by having been written since we last read: it is
      // named in the source's status (adoptCompressed), not dropped without a word.
      const ours = probe.fp !== null ? fingerprints.has(probe.fp) : probe.compression !== null && unreadable(probe.compression) !== null && probe.mtimeMs > since;
      if (probe.compression && ours) {
        if (probe.fp === null) this.noteUnreadable(probe);
        // Looked at again until read, though the source does not match its name (the
        // compressor may still be at it: then it waits, as any archive does).
        this.sideArchives.add(path);
        await this.adoptCompressed(probe, false);
      } else await probe.fh.close();
    }
  }

  /** Keeps an archive of ours we cannot read in the store, so that every start names it (see archivesLeft). */
  private noteUnreadable(probe: Probe): void {
    const all = this.ctx.store.files(this.ref.id);
    if (all.some((r) => r.state === UNREADABLE && sameInode(r, probe))) return;
    this.ctx.store.addFile({
      source_id: this.ref.id, path: probe.path, dev: probe.dev, ino: probe.ino, fingerprint: null,
      offset: 0, line_no: 0, size: probe.size, state: UNREADABLE, cursor: probe.compression,
    });
  }

  /**
   * Archives archivedAway found in the last run and had not read when it stopped: an archive
   * waits rotateWaitMs for its compressor, and its file was marked truncated or gone at once,
   * so the next run never looked for it again (its lines were lost). Looked for once more at
   * start, for each such file marked in the day before the stop, with lines read and no
   * archive row with its first line yet.
   */
  private async archivesLeft(): Promise<void> {
    const all = this.ctx.store.files(this.ref.id);
    // Archives of ours we cannot read, found at an earlier start: still there (rotated on to
    // another name, app.log.1.xz to app.log.2.xz, they are found by their inode), still said.
    const listing = new Map<string, Map<string, string>>();
    for (const r of all) {
      if (r.state !== UNREADABLE || r.dev === null || r.ino === null) continue;
      const st = await stat(r.path).catch(() => null);
      const at = st && sameInode(r, st) ? r.path : await findByInode(dirname(r.path), r.dev, r.ino, listing);
      const why = unreadable(r.cursor as Compression);
      if (at === null || !why) continue;
      if (at !== r.path) this.ctx.store.updateFile(r.id, { path: at });
      this.notRead.set(at, why);
    }
    const archived = new Set(all.filter((r) => r.state === DECOMPRESSING || r.state === COMPRESSED).map((r) => r.fingerprint));
    const left = new Map<string, Set<string>>();
    for (const r of all) {
      if ((r.state !== 'truncated' && r.state !== 'gone') || r.fingerprint === null || r.offset === 0 || archived.has(r.fingerprint)) continue;
      if ((r.updated_at ?? 0) < this.lastReadAt - LATELY_MS) continue;
      (left.get(r.path) ?? left.set(r.path, new Set()).get(r.path)!).add(r.fingerprint);
    }
    for (const [at, fingerprints] of left) await this.archivedBeside(at, fingerprints, this.lastReadAt);
  }

  /** An archive of a file of ours found beside it (archivedAway), read though the source does not match its name. */
  isSideArchive(path: string): boolean {
    return this.sideArchives.has(path);
  }

  /**
   * A file we follow was truncated (or rewritten). Its lines written after our last read
   * survive only in a copy (copytruncate): if the source matches one (beside it or in
   * another folder it watches), the copy continues our checkpoint from there; otherwise
   * the held partial line is flushed. Either way the file is then read again from its start under a new checkpoint.
   */
  async handleTruncation(t: FileTailer, found: Probe | null = null): Promise<FileTailer | null> {
    // Several reads may report the same truncation; only the first is acted on.
    if (t.closed || !t.isSuspended) {
      await found?.fh.close();
      return null;
    }
    const copy = found ?? (await this.findCopy(t));
    const fresh = await this.newRowFor(t);
    const old = await t.restart(fresh, copy !== null);
    if (copy) {
      const row: FileRow = { ...old, path: copy.path, dev: copy.dev, ino: copy.ino, state: 'active' };
      this.ctx.store.updateFile(row.id, { path: copy.path, dev: copy.dev, ino: copy.ino, state: 'active' });
      this.copies.delete(copy.path);
      const ct = new FileTailer(copy, row, decodeTail(row.cursor) ?? Buffer.alloc(0), this.deps);
      const at = this.attached.get(copy.path);
      if (at && at !== ct) this.detach(at);
      this.attached.set(copy.path, ct);
      // The copy holds the older lines: they go before the truncated file's new ones.
      t.prev = ct;
      await this.host.read(ct);
      this.host.readIn(t);
      return ct;
    }
    this.rows.push(old);
    this.host.readIn(t);
    return null;
  }

  private async newRowFor(t: FileTailer): Promise<FileRow> {
    const fresh: Omit<FileRow, 'id'> = {
      source_id: this.ref.id, path: t.path, dev: t.dev, ino: t.ino, fingerprint: null,
      offset: 0, line_no: 0, size: 0, state: 'active', cursor: '',
    };
    return { ...fresh, id: this.ctx.store.addFile(fresh) };
  }

  /**
   * A file the source matches (beside the truncated one first, then anywhere else it
   * watches: logrotate's olddir), holding its content up to our checkpoint.
   */
  private async findCopy(t: FileTailer): Promise<Probe | null> {
    const want = t.checkpointRow('truncated');
    // Nothing read: no copy can hold anything of ours.
    if (want.fingerprint === null && t.readOffset === 0) return null;
    const m = this.host.matcher();
    if (m.single) return null; // only the file itself is matched
    // A rotator may be renaming files while we look (logrotate shifts app.log.1 to
    // app.log.2 just as we pass app.log.2): look again while the folders keep changing.
    for (let pass = 0; pass < 5; pass++) {
      const listing = await listMatched(m, dirname(t.path));
      // Deferred copies of this very file first, then beside it, then the rest.
      const paths = [...[...this.copies].filter(([, c]) => c.of === t).map(([p]) => p), ...listing.paths];
      const copy = await this.firstCopy(t, want, paths);
      if (copy || (await listingStamp(listing.dirs)) === listing.stamp) return copy;
    }
    return null;
  }

  private async firstCopy(t: FileTailer, want: FileRow, paths: string[]): Promise<Probe | null> {
    const m = this.host.matcher();
    // A file we have open (at any name) is no copy. A name may still be attached to the
    // file that was there before, though: logrotate shifts app.log.1 to app.log.2, then
    // copies to app.log.1, and the truncation is often noticed before the watcher reports
    // either. That copy holds the rest of a line we may hold half of: skipping it would
    // flush the half as a record and the copy would store the rest as another.
    const ours = (st: { dev: number; ino: number }) => sameInode(st, t) || this.findOpen(st) !== null;
    for (const p of new Set(paths)) {
      if (p === t.path || !m.matches(p)) continue;
      try {
        const st = await stat(p);
        if (!st.isFile() || st.size < want.offset || ours(st)) continue;
      } catch {
        continue;
      }
      let probe: Probe;
      try {
        probe = await probeFile(p);
      } catch {
        continue;
      }
      if (probe.isFile && !probe.compression && !ours(probe) && (await t.continuedBy(probe))) return probe;
      await probe.fh.close();
    }
    return null;
  }

  /**
   * Copies we held back: when their original went away, a copy continues its last
   * checkpoint; when the original stays and the copy stopped changing, the copy is a
   * plain duplicate and is followed from its end (only what is appended to it is new).
   */
  async settleCopies(now: number): Promise<void> {
    for (const [path, c] of [...this.copies]) {
      const originalGone = c.of.closed;
      if (!originalGone && now - c.changedAt < this.deps.rotateWaitMs) continue;
      this.copies.delete(path);
      let probe: Probe;
      try {
        probe = await probeFile(path);
      } catch {
        continue;
      }
      if (!sameInode(probe, c) || this.attached.has(path)) {
        await probe.fh.close();
        this.host.resync(path);
        continue;
      }
      if (!originalGone) {
        // Its original was truncated meanwhile (noticed or not, not handled yet): the copy
        // is no duplicate but the rest of it, held half line included.
        const o = c.of;
        if (!o.isSuspended) await o.read().catch(() => undefined);
        if (o.isSuspended && !o.closed && (await o.continuedBy(probe))) {
          await this.handleTruncation(o, probe);
          continue;
        }
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
      this.host.readIn(t);
    }
  }

  /** A detached file stopped growing: read what is left, flush, close. */
  async finish(t: FileTailer): Promise<void> {
    try {
      // Truncated since we last looked (copytruncate, then rotated away before we noticed):
      // what we hold of its last line may continue in a copy; decide that before flushing.
      if ((await t.read().catch(() => null)) === 'truncated') await this.handleTruncation(t);
      const links = await t.links().catch(() => 0);
      await t.finish(links === 0 ? 'deleted' : 'rotated');
    } finally {
      this.noteFinal(t);
      this.finishing.delete(t);
      const again = this.metWhileFinishing.get(t);
      this.metWhileFinishing.delete(t);
      if (again !== undefined) this.host.resync(again);
    }
    for (const [p, x] of this.predecessors) if (x === t) this.predecessors.delete(p);
    for (const c of this.copies.values()) if (c.of === t) c.changedAt = 0;
  }

  /** Files deleted but still open (noticed or not yet): read to their end, as nobody can later. */
  async finishDeleted(): Promise<void> {
    for (const t of [...this.detached, ...this.attached.values()]) {
      if ((await t.links().catch(() => 1)) === 0) {
        await t.finish('deleted').catch(() => undefined);
        this.noteFinal(t);
        this.detached.delete(t);
        if (this.attached.get(t.path) === t) this.attached.delete(t.path);
      }
    }
  }
}

/** A probe's size and fingerprint as the file is now. */
async function refresh(probe: Probe): Promise<void> {
  probe.size = (await probe.fh.stat()).size;
  probe.fp = await fingerprint(probe.fh);
}

/**
 * Files the source matches: those in `first` (a folder), then the rest under its base, to
 * its depth. With a stamp of the folders listed (names and modification times), to tell
 * whether they changed since.
 */
async function listMatched(m: PathMatcher, first: string, limit = 10_000): Promise<{ paths: string[]; dirs: string[]; stamp: string }> {
  const out: string[] = [];
  const inFirst: string[] = [];
  const dirs: string[] = [];
  const stamps: string[] = [];
  let seen = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries: Dirent[];
    let stamp: string;
    try {
      stamp = await dirStamp(dir);
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    dirs.push(dir);
    stamps.push(stamp, entries.map((e) => e.name).sort().join('/'));
    for (const e of entries) {
      if (++seen > limit) return;
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (m.depth === undefined || depth < m.depth) await walk(p, depth + 1);
      } else if (m.matches(p)) {
        (dir === first ? inFirst : out).push(p);
      }
    }
  };
  await walk(m.base, 0);
  return { paths: [...inFirst, ...out], dirs, stamp: stamps.join('\n') };
}

async function dirStamp(dir: string): Promise<string> {
  const st = await stat(dir, { bigint: true });
  return `${dir}:${st.mtimeNs}:${st.ctimeNs}`;
}

/** The same stamp as listMatched's, for folders listed before. */
async function listingStamp(dirs: string[]): Promise<string> {
  const stamps: string[] = [];
  for (const dir of dirs) {
    try {
      stamps.push(await dirStamp(dir));
      stamps.push((await readdir(dir)).sort().join('/'));
    } catch {
      stamps.push(`${dir}: gone`);
    }
  }
  return stamps.join('\n');
}

/** How lately another source must have read a file for a new `start: end` source to go on from its checkpoint. */
const LATELY_MS = 24 * 3600_000;

/** The begun note's cursor: the archives met at the first look not decided yet (metPending). */
function pendingCursor(pending: Set<string>): string | null {
  return pending.size ? JSON.stringify({ metAtStart: [...pending] }) : null;
}

function parsePending(cursor: string | null): string[] {
  if (!cursor) return [];
  try {
    const v = (JSON.parse(cursor) as { metAtStart?: unknown }).metAtStart;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * At a start, the generations of a file a folder source matches (rotated while we were
 * stopped: app.log-20261122 beside app.log, with our checkpoint's unread lines or never
 * seen) are read oldest first, each before the next, the last before the file itself: read
 * side by side, their lines went in between the new file's (request 1039 after 1743).
 */
function chainGenerations(opened: FileTailer[], mtimes: Map<string, number>): void {
  const byPath = new Map(opened.map((t) => [t.path, t]));
  const chains = new Map<FileTailer, FileTailer[]>();
  for (const g of opened) {
    // The file it is a generation of: the longest name of a file opened beside it that its
    // name starts with, followed by a rotator's suffix (looked up by name: a folder of
    // 10,000 files is not compared pair by pair).
    const name = basename(g.path);
    const dir = g.path.slice(0, g.path.length - name.length);
    let of: FileTailer | undefined;
    for (let k = name.length - 1; k > 0 && !of; k--) {
      if (!'.-_'.includes(name[k]!) || !ROTATED.test(name.slice(k))) continue;
      of = byPath.get(dir + name.slice(0, k));
    }
    if (of) (chains.get(of) ?? chains.set(of, []).get(of)!).push(g);
  }
  for (const [live, gens] of chains) {
    gens.sort((a, b) => (mtimes.get(a.path) ?? 0) - (mtimes.get(b.path) ?? 0));
    let before: FileTailer | null = null;
    for (const t of [...gens, live]) {
      // A file waiting for one of these (the copy holding its checkpoint) waits for the newest of them.
      if (before && (!t.prev || gens.includes(t.prev))) t.prev = before;
      before = t;
    }
  }
}

/**
 * Files named as `path` is, then `.`, `-` or `_` (app.log.1, app.log-20261122.gz), with what
 * follows its name (`suffix`): beside it,
 * and beside what it links to (kubelet's containers/*.log into pods/), where a rotator puts
 * its generations.
 */
async function besideFile(path: string): Promise<{ path: string; suffix: string }[]> {
  const real = await realpath(path).catch(() => null);
  const out: { path: string; suffix: string }[] = [];
  for (const place of new Set([path, ...(real ? [real] : [])])) {
    const name = basename(place);
    let names: string[];
    try {
      names = await readdir(dirname(place));
    } catch {
      continue;
    }
    for (const n of names) {
      const suffix = n.slice(name.length);
      if (n !== name && n.startsWith(name) && /^[.\-_]/.test(suffix)) out.push({ path: join(dirname(place), n), suffix });
    }
  }
  return out;
}
