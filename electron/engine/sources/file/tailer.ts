import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { DecodedRecord, SourceLine, StreamDecoder } from '../../decode/types.js';
import type { IngestBatch, SourceRef } from '../../pipeline/types.js';
import type { FileRow } from '../../store/store.js';
import type { SourceContext } from '../source.js';
import { encodeTail, fingerprint, fingerprintOf, FINGERPRINT_BYTES, readTail } from './fingerprint.js';
import { holdsCheckpoint, type Probe } from './identity.js';
import { type LineSplitter, TAIL_BYTES } from './line-splitter.js';
import { encodingOf, newSplitter, type TextEncoding } from './utf16-splitter.js';

const READ_CHUNK = 512 * 1024;

/** Read buffers, shared by all files: one is in use per read slot (see readToEnd). */
const spareBuffers: Buffer[] = [];
const takeBuffer = (): Buffer => spareBuffers.pop() ?? Buffer.allocUnsafe(READ_CHUNK);
const giveBuffer = (b: Buffer): void => {
  if (spareBuffers.length < 8) spareBuffers.push(b);
};

/** Bytes just read: where they start in the file, and the bytes before them (up to TAIL_BYTES). */
interface ReadChunk {
  start: number;
  before: Buffer;
  bytes: Buffer;
}

export interface TailerDeps {
  ref: SourceRef;
  ctx: SourceContext;
  /** Aborted when the source closes: a write waiting for room gives up (nothing is lost: the checkpoint did not move). */
  signal: AbortSignal;
  maxLineBytes: number;
  /** A predecessor idle this long no longer needs reading before us. */
  rotateWaitMs: number;
  makeDecoder(mtimeMs: number): StreamDecoder;
}

/** What a read found: `truncated` means the content before our position is gone (the source decides what next). */
export type ReadOutcome = 'ok' | 'truncated' | 'closed';

/**
 * Reads one file (one identity: an open descriptor) from its checkpoint to its end,
 * again whenever asked. Everything on one tailer runs one at a time (`exclusive`), and
 * concurrent read requests fold into one, so a flood of change events costs one read.
 */
export class FileTailer {
  path: string;
  readonly dev: number;
  readonly ino: number;
  row: FileRow;
  /** Detached: the path now names another file or none; we still read late writes. */
  detachedAt: number | null = null;
  lastGrowthAt = Date.now();
  closed = false;
  /** The file this one replaced at its path: read to its end before each read of ours, so a writer's order survives rotation. */
  prev: FileTailer | null = null;
  /** The path this file had before it was renamed to `path` (a new file there is its successor, not its copy). */
  previousPath: string | null = null;
  private readonly fh: FileHandle;
  private splitter: LineSplitter;
  /** The text's encoding, by the file's first bytes (decided again when reading from offset 0). */
  private encoding: TextEncoding;
  private decoder: StreamDecoder;
  private readPos: number;
  private size: number;
  /** The position (and its line number and tail bytes) last handed to the pipeline with a checkpoint. */
  private ckptOffset: number;
  private ckptLineNo: number;
  private ckptTail: Buffer;
  private suspended = false;
  /** The file's times at the start of the last full look that read to its end (see upToDate). */
  private seen: { mtimeMs: number; ctimeMs: number } | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private queuedRead: Promise<ReadOutcome> | null = null;
  /** The file's first bytes as we read them, while its fingerprint is unknown. */
  private head: Buffer | null = null;
  /** The bytes before the start of the record the decoder holds (see heldTail). */
  private pendingTail: { offset: number; bytes: Buffer } | null = null;
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    probe: Probe,
    row: FileRow,
    tail: Buffer,
    private readonly deps: TailerDeps,
  ) {
    this.fh = probe.fh;
    this.path = probe.path;
    this.dev = probe.dev;
    this.ino = probe.ino;
    this.row = row;
    this.size = probe.size;
    this.readPos = row.offset;
    this.ckptOffset = row.offset;
    this.ckptLineNo = row.line_no;
    this.ckptTail = tail;
    this.encoding = probe.encoding;
    this.splitter = newSplitter(probe.encoding, row.offset, row.line_no, deps.maxLineBytes, tail);
    this.decoder = deps.makeDecoder(probe.mtimeMs);
    // Resumed: read on as before the stop, not as the first lines written since would say
    // (unless the config forces a format: then that one).
    if (row.offset > 0 && row.format && !this.decoder.describe().forced) {
      try {
        this.decoder.takeOver?.(row.format);
      } catch {
        /* a format no longer defined: decided again */
      }
    }
  }

  /** The format the decoder decided on (kept with the checkpoint); null while it decides, or when forced or generic. */
  private decidedFormat(): string | null {
    const d = this.decoder.describe();
    return d.forced || d.format === 'detecting' || d.format === 'generic' ? null : d.format;
  }

  /** The decoder of the file's content now (its format, and why: StreamDecoder.describe). */
  get decoding(): StreamDecoder {
    return this.decoder;
  }

  /**
   * Bytes in the file not yet handed to the pipeline, less a line without its newline yet:
   * that one waits for its writer, not for Vigil (a 3 MB line still being written was
   * "catching up" for ever).
   */
  get bytesBehind(): number {
    return Math.max(0, this.size - this.ckptOffset - this.splitter.pendingBytes);
  }

  /** The file's size as seen from outside (a read may be waiting for room meanwhile). */
  noteSize(size: number): void {
    if (size > this.size) this.size = size;
  }

  /**
   * Nothing to read, by a stat of the path: read to the size it has, and neither written nor
   * truncated since our last full look (same mtime and ctime). The source's once-a-second
   * look at every file skips such files: with 500 files, reading each again (fstat, the
   * bytes before our position, the first line, an empty read) cost 6-12% of a core while
   * nothing was written. Change events still read at once, with every check.
   */
  upToDate(st: Stats): boolean {
    const seen = this.seen;
    return seen !== null && this.prev === null && !this.suspended && st.size === this.readPos && st.mtimeMs === seen.mtimeMs && st.ctimeMs === seen.ctimeMs;
  }

  /** The checkpoint reached, as a row (for handing this content over to a copy, or after closing). */
  checkpointRow(state: string): FileRow {
    return { ...this.row, offset: this.ckptOffset, line_no: this.ckptLineNo, cursor: encodeTail(this.ckptTail), state };
  }

  /** The tail bytes at the checkpoint (what a copy must hold there to continue it). */
  get checkpointTail(): Buffer {
    return this.ckptTail;
  }
  get checkpointOffset(): number {
    return this.ckptOffset;
  }
  /** Where the next read starts: past the checkpoint by what is held (a partial line, lines the decoder holds). */
  get readOffset(): number {
    return this.readPos;
  }

  /** Read reported `truncated` and waits for the source to decide what continues the old content. */
  get isSuspended(): boolean {
    return this.suspended;
  }

  /**
   * A copy of this file holds our checkpoint and more than the file now does: the file was
   * truncated where no read of ours could see it (nothing read yet, so no bytes before our
   * position to compare). Wait, as a read that saw the truncation would.
   */
  markTruncated(): void {
    this.suspended = true;
  }

  /** The fingerprint of the file's first line now (it may differ from our checkpoint's). */
  currentFingerprint(): Promise<string | null> {
    return fingerprint(this.fh);
  }

  /** The file's size now (fstat of our handle). */
  async currentSize(): Promise<number> {
    return (await this.fh.stat()).size;
  }

  /** Links to the file: 0 once it was deleted (we still hold it open). */
  async links(): Promise<number> {
    if (this.closed) return 0;
    return (await this.fh.stat()).nlink;
  }

  /**
   * Does another file hold our content up to the checkpoint (a copy of it, or the file
   * we followed under another name)? Known by the first line and the bytes before the
   * checkpoint; while the first line is not whole yet (no fingerprint), by the bytes read
   * from the start: a copy made then holds them, and the rest of the line we hold.
   */
  async continuedBy(probe: Probe): Promise<boolean> {
    if (this.row.fingerprint !== null) return holdsCheckpoint(probe, this.checkpointRow('truncated'));
    const head = this.head;
    if (head === null || head.length === 0 || this.ckptOffset !== 0 || probe.size < head.length) return false;
    const buf = Buffer.alloc(head.length);
    const { bytesRead } = await probe.fh.read(buf, 0, head.length, 0);
    return bytesRead === head.length && buf.equals(head);
  }

  /** Compares our file's bytes with another open file's at the same place (is one a copy of the other?). */
  async sameBytesAs(other: FileHandle, offset: number): Promise<boolean> {
    if (this.closed) return false;
    const [a, b] = await Promise.all([readTail(this.fh, offset), readTail(other, offset)]);
    return a.equals(b);
  }

  /** Read whatever was appended. Requests made while a read waits fold into it. */
  read(): Promise<ReadOutcome> {
    if (this.queuedRead) return this.queuedRead;
    const p = this.exclusive(() => {
      this.queuedRead = null;
      return this.readOnce();
    });
    this.queuedRead = p;
    return p;
  }

  /** The path now names another file or none: keep reading late writes until finished. */
  detach(now = Date.now()): void {
    if (this.detachedAt === null) this.detachedAt = now;
  }

  /** Attached again under a path (renamed to a name the source also matches). */
  reattach(path: string): void {
    if (path !== this.path) this.previousPath = this.path;
    this.path = path;
    this.detachedAt = null;
    if (this.row.path !== path) {
      this.row.path = path;
      this.deps.ctx.store.updateFile(this.row.id, { path });
    }
  }

  /** Final read of a file that went away: its partial line and held records are flushed, then it is closed. */
  finish(finalState: 'rotated' | 'deleted'): Promise<void> {
    return this.exclusive(async () => {
      if (this.closed) return;
      const st = await this.fh.stat();
      this.size = st.size;
      this.decoder.writtenBy?.(st.mtimeMs);
      if (!this.suspended && st.size >= this.readPos && (await this.unchangedBefore())) await this.readToEnd();
      const lines: SourceLine[] = [];
      if (!this.suspended) this.splitter.flushPartial(Date.now(), lines);
      await this.emit(lines, true, finalState);
      this.row.state = finalState;
      await this.closeHandle();
    });
  }

  /**
   * After `read` reported `truncated`: the content we were reading is gone. With
   * `handedOver`, a copy of it continues our checkpoint (held bytes are in the copy, so
   * they are dropped here); otherwise what was held is flushed. Then reading starts over
   * at 0 under `next`. Returns the old content's final row.
   */
  restart(next: FileRow, handedOver: boolean): Promise<FileRow> {
    return this.exclusive(async () => {
      if (!handedOver && !this.closed) {
        const lines: SourceLine[] = [];
        this.splitter.flushPartial(Date.now(), lines);
        await this.emit(lines, true, 'truncated');
      }
      const old = this.checkpointRow('truncated');
      const now = Date.now();
      this.row = next;
      this.head = null;
      this.seen = null;
      this.readPos = 0;
      this.size = 0;
      this.ckptOffset = 0;
      this.ckptLineNo = 0;
      this.ckptTail = Buffer.alloc(0);
      this.splitter.reset(0, 0);
      this.pendingTail = null;
      this.decoder = this.deps.makeDecoder(now);
      this.suspended = false;
      return old;
    });
  }

  /** Stop without flushing: held lines stay behind the checkpoint for the next start. */
  close(): Promise<void> {
    return this.exclusive(() => this.closeHandle());
  }

  // ---- internals --------------------------------------------------------------------

  /** Back to the last checkpoint handed to the pipeline; what was read after it is read again. */
  private rewind(): void {
    this.seen = null;
    this.readPos = this.ckptOffset;
    this.pendingTail = null;
    this.splitter.reset(this.ckptOffset, this.ckptLineNo, this.ckptTail);
    this.decoder = this.deps.makeDecoder(Date.now());
  }

  private async closeHandle(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.prev = null;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    await this.fh.close();
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private async readOnce(): Promise<ReadOutcome> {
    if (this.closed) return 'closed';
    if (this.suspended) return 'truncated';
    const prev = this.prev;
    if (prev) {
      const idle = prev.detachedAt === null && Date.now() - prev.lastGrowthAt > this.deps.rotateWaitMs;
      if (prev.closed || idle) this.prev = null;
      else await prev.read().catch(() => undefined); // its own reads report its errors
    }
    const st = await this.fh.stat();
    // This file has lines to give: what its predecessor holds goes first.
    if (prev && this.prev === prev && st.size > this.readPos) await prev.releaseHeld().catch(() => undefined);
    this.size = st.size;
    this.seen = null;
    // What is read now was written by the file's mtime: a year-less timestamp's year (see writtenBy).
    this.decoder.writtenBy?.(st.mtimeMs);
    if (st.size < this.readPos || !(await this.unchangedBefore())) {
      this.suspended = true;
      return 'truncated';
    }
    await this.readToEnd();
    if (this.suspended) return 'truncated';
    // What this look saw: had the file changed after the fstat, its mtime would differ.
    this.seen = { mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
    return this.closed ? 'closed' : 'ok';
  }

  /**
   * The bytes just before our read position are still the ones we read, and the first line
   * is still ours. Catches a file truncated and written again past our position between two
   * looks (size alone would not). Lines that end alike (a padding, a constant last field)
   * can put the same bytes before our position in the new content: its first line tells.
   */
  private async unchangedBefore(): Promise<boolean> {
    const want = this.splitter.readTail;
    if (this.readPos === 0 || want.length === 0) return true;
    const have = await readTail(this.fh, this.readPos);
    if (!(have.length === want.length && have.equals(want.subarray(want.length - have.length)))) return false;
    return this.row.fingerprint === null || (await fingerprint(this.fh)) === this.row.fingerprint;
  }

  /**
   * Reads one chunk and hands its lines to the pipeline. A function of its own: a waiting
   * async loop keeps the variables of its last pass alive, and a file waiting for a read
   * slot would hold its last chunk's lines (300 files: 260 MiB).
   */
  private async readChunk(buf: Buffer): Promise<'more' | 'end' | 'stop'> {
    const { bytesRead } = await this.fh.read(buf, 0, READ_CHUNK, this.readPos);
    if (bytesRead === 0) return 'end';
    // Each chunk waits for the store before the next is read: meanwhile the file may have
    // been truncated and written past our position again. What was just read continues
    // ours only if the bytes before it still are ours (checked after the read, so a
    // truncation at any moment before it is seen).
    if (!(await this.unchangedBefore()) || this.otherFirstLine(buf.subarray(0, bytesRead))) {
      this.suspended = true;
      return 'stop';
    }
    if (this.row.fingerprint === null) this.noteHead(this.readPos, buf.subarray(0, bytesRead));
    const chunk: ReadChunk = { start: this.readPos, before: this.splitter.readTail, bytes: buf.subarray(0, bytesRead) };
    this.readPos += bytesRead;
    if (this.readPos > this.size) this.size = this.readPos;
    const now = Date.now();
    this.lastGrowthAt = now;
    if (chunk.start === 0 && this.splitter.pendingBytes === 0) {
      // The file's first bytes (a new file, or one truncated and written again): its encoding.
      const enc = encodingOf(chunk.bytes);
      if (enc !== this.encoding) {
        this.encoding = enc;
        this.splitter = newSplitter(enc, 0, this.splitter.lastLineNo, this.deps.maxLineBytes, this.splitter.tail);
      }
    }
    const lines: SourceLine[] = [];
    this.splitter.push(chunk.bytes, now, lines);
    try {
      await this.emit(lines, false, undefined, chunk);
    } catch (err) {
      // Not handed over (a decoder threw, or we are closing): go back to the last
      // checkpoint so these lines are read again, never skipped.
      this.rewind();
      throw err;
    }
    return 'more';
  }

  private async readToEnd(): Promise<void> {
    for (;;) {
      if (this.closed || this.deps.signal.aborted) return;
      // A slot from the read until the batch is queued (what is read and not queued yet
      // stays bounded whatever the number of files), and a read buffer that goes with it.
      const release = await this.deps.ctx.readSlot?.(this.deps.signal);
      const buf = takeBuffer();
      let step: 'more' | 'end' | 'stop';
      try {
        step = await this.readChunk(buf);
      } finally {
        // Nothing keeps the buffer: lines, held bytes and tail bytes are copies.
        giveBuffer(buf);
        release?.();
      }
      if (step === 'stop') return;
      if (step === 'end') break;
    }
    if (this.row.fingerprint === null && this.splitter.consumedOffset > 0 && !this.closed) {
      // Content we did not read from its start: its first line as it is now, if the file
      // still holds what we read (truncated meanwhile, its first line is another content's).
      const fp = await fingerprint(this.fh);
      if (fp && (await this.unchangedBefore())) this.setFingerprint(fp);
    }
  }

  /**
   * Reading from the start, a first line other than the one this checkpoint knows (taken
   * when we met the file): truncated and written again before our first read, with no
   * bytes before our position to show it. Its old content may be in a copy (copytruncate).
   */
  private otherFirstLine(chunk: Buffer): boolean {
    if (this.readPos !== 0 || this.row.fingerprint === null) return false;
    const fp = fingerprintOf(chunk);
    return fp !== null && fp !== this.row.fingerprint;
  }

  /**
   * The fingerprint from the bytes as we read them: taken from the file later, after the
   * file was truncated (copytruncate), it would be the new content's (or none), and the
   * copy holding what we read would not be known as ours.
   */
  private noteHead(at: number, chunk: Buffer): void {
    if (at === 0) this.head = Buffer.from(chunk.subarray(0, FINGERPRINT_BYTES));
    else if (this.head && at === this.head.length && this.head.length < FINGERPRINT_BYTES) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, FINGERPRINT_BYTES - this.head.length)]);
    } else return;
    const fp = fingerprintOf(this.head);
    if (fp) this.setFingerprint(fp);
  }

  private setFingerprint(fp: string): void {
    this.head = null;
    this.row.fingerprint = fp;
    this.deps.ctx.store.updateFile(this.row.id, { fingerprint: fp });
  }

  private async emit(lines: SourceLine[], final: boolean, state?: string, chunk?: ReadChunk): Promise<void> {
    let records: DecodedRecord[] = [];
    const decoder = this.decoder;
    for (let i = 0; i < lines.length; i++) {
      const out = decoder.push(lines[i]!);
      if (out.length === 1) records.push(out[0]!);
      else for (const r of out) records.push(r);
    }
    if (final) for (const r of decoder.flush()) records.push(r);
    const pending = final ? null : decoder.pendingStart();
    const offset = pending ? pending.offset : this.splitter.consumedOffset;
    const lineNo = pending ? pending.lineNo - 1 : this.splitter.lastLineNo;
    if (!records.length && offset === this.ckptOffset && !state) {
      // Nothing to store yet, but the decoder may hold lines (sampling, multi-line):
      // they must still reach the store when its timeout passes.
      this.scheduleTimeoutFlush();
      return;
    }
    const tail = offset === this.splitter.consumedOffset ? this.splitter.tail : (this.heldTail(offset, chunk) ?? (await readTail(this.fh, offset)));
    await this.write({
      source: this.deps.ref,
      fileId: this.row.id,
      path: this.path,
      records,
      checkpoint: { fileId: this.row.id, offset, lineNo, size: this.size, cursor: encodeTail(tail), format: this.decidedFormat(), ...(state ? { state } : {}) },
      readAt: Date.now(),
      bytes: offset - this.ckptOffset,
    });
    this.ckptOffset = offset;
    this.ckptLineNo = lineNo;
    this.ckptTail = tail;
    this.scheduleTimeoutFlush();
  }

  /**
   * The bytes just before `offset`, where a record the decoder holds starts (the checkpoint
   * stays there), as we read them: from the chunk just read, or remembered from the chunk
   * the record started in. Read from the file instead, they could be a new content's
   * bytes if it was truncated meanwhile, and no copy would then be known by them.
   */
  private heldTail(offset: number, chunk: ReadChunk | undefined): Buffer | null {
    if (this.pendingTail?.offset === offset) return this.pendingTail.bytes;
    if (!chunk || offset < chunk.start || offset > chunk.start + chunk.bytes.length) return null;
    const at = offset - chunk.start;
    const own = chunk.bytes.subarray(Math.max(0, at - TAIL_BYTES), at);
    const need = TAIL_BYTES - own.length;
    const bytes = Buffer.concat([chunk.before.subarray(Math.max(0, chunk.before.length - need)), own]);
    this.pendingTail = { offset, bytes };
    return bytes;
  }

  private async write(batch: IngestBatch): Promise<void> {
    this.deps.signal.throwIfAborted();
    await this.deps.ctx.write(batch, this.deps.signal);
  }

  /** A multi-line decoder holding lines flushes them after its timeout, even if nothing more is written. */
  private scheduleTimeoutFlush(): void {
    if (this.flushTimer || this.closed) return;
    const due = this.decoder.flushDueInMs(Date.now());
    if (due === null) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.exclusive(async () => {
        if (this.closed || this.suspended) return;
        const now = Date.now();
        const again = this.decoder.flushDueInMs(now);
        if (again !== null && again > 0) return this.scheduleTimeoutFlush();
        await this.storeFlushed(this.decoder.flushDue ? this.decoder.flushDue(now) : this.decoder.flush());
      }).catch(() => undefined);
    }, Math.max(due, 1));
    this.flushTimer.unref?.();
  }

  /**
   * Stores the record the decoder holds for lines that may continue it, now: the writer
   * has gone on to this file's successor, whose lines must not be stored before it (the
   * rotated file is read to its end before its successor).
   */
  releaseHeld(): Promise<void> {
    return this.exclusive(async () => {
      if (!this.closed && !this.suspended) await this.flushHeld();
    });
  }

  private flushHeld(): Promise<void> {
    return this.storeFlushed(this.decoder.flush());
  }

  /** Stores records a flush gave; the checkpoint moves to the start of what is still held, or past everything read. */
  private async storeFlushed(recs: DecodedRecord[]): Promise<void> {
    const pending = this.decoder.pendingStart();
    const offset = pending ? pending.offset : this.splitter.consumedOffset;
    if (!recs.length && offset === this.ckptOffset) {
      this.scheduleTimeoutFlush();
      return;
    }
    const lineNo = pending ? pending.lineNo - 1 : this.splitter.lastLineNo;
    const tail = offset === this.splitter.consumedOffset ? this.splitter.tail : (this.heldTail(offset, undefined) ?? (await readTail(this.fh, offset)));
    await this.write({
      source: this.deps.ref, fileId: this.row.id, path: this.path, records: recs,
      checkpoint: { fileId: this.row.id, offset, lineNo, size: this.size, cursor: encodeTail(tail), format: this.decidedFormat() },
      readAt: Date.now(), bytes: offset - this.ckptOffset,
    });
    this.ckptOffset = offset;
    this.ckptLineNo = lineNo;
    this.ckptTail = tail;
    this.scheduleTimeoutFlush();
  }
}
