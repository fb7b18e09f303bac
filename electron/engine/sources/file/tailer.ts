import { open, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { DecodedRecord, SourceLine, StreamDecoder } from '../../decode/types.js';
import type { FileRow } from '../../store/store.js';
import type { SourceContext } from '../source.js';
import type { SourceRef } from '../../pipeline/types.js';
import { LineSplitter } from './line-splitter.js';
import { fingerprint } from './fingerprint.js';

const READ_CHUNK = 256 * 1024;

export interface TailerOptions {
  maxLineBytes: number;
  makeDecoder: (mtimeMs: number) => StreamDecoder;
}

/**
 * Reads one file (one identity: an open descriptor) from its checkpoint to its end,
 * again whenever asked. All work on one tailer is serialized through `serial`.
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
  private splitter: LineSplitter;
  private decoder: StreamDecoder;
  private readPos: number;
  private size = 0;
  private serial: Promise<unknown> = Promise.resolve();
  private buf = Buffer.allocUnsafe(READ_CHUNK);
  private flushTimer: NodeJS.Timeout | null = null;
  private lastCheckpoint = -1;

  private constructor(
    private readonly fh: FileHandle,
    st: Stats,
    row: FileRow,
    private readonly ref: SourceRef,
    private readonly ctx: SourceContext,
    private readonly opts: TailerOptions,
  ) {
    this.path = row.path;
    this.dev = st.dev;
    this.ino = st.ino;
    this.row = row;
    this.size = st.size;
    this.readPos = row.offset;
    this.splitter = new LineSplitter(row.offset, row.line_no, opts.maxLineBytes);
    this.decoder = opts.makeDecoder(st.mtimeMs);
  }

  static async open(
    path: string,
    ref: SourceRef,
    ctx: SourceContext,
    opts: TailerOptions,
    pickRow: (fh: FileHandle, st: Stats, fp: string | null) => FileRow,
  ): Promise<FileTailer> {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      const fp = await fingerprint(fh);
      const row = pickRow(fh, st, fp);
      return new FileTailer(fh, st, row, ref, ctx, opts);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** Links to the file: 0 once it was deleted (we still hold it open). */
  async links(): Promise<number> {
    if (this.closed) return 0;
    return (await this.fh.stat()).nlink;
  }

  get bytesBehind(): number {
    return Math.max(0, this.size - this.readPos);
  }

  /** Read whatever was appended. Detects truncation (size below what was read). */
  read(): Promise<void> {
    return this.enqueue(async () => {
      if (this.closed) return;
      const st = await this.fh.stat();
      this.size = st.size;
      if (st.size < this.readPos || (await this.contentReplaced())) {
        await this.onTruncated();
      }
      await this.readToEnd();
    });
  }

  /** The file was rotated away or deleted: read what is left; keep reading late writes. */
  detach(now = Date.now()): Promise<void> {
    if (this.detachedAt === null) this.detachedAt = now;
    return this.read();
  }

  /** Reattach under a path (a rotated file that still matches the source). */
  reattach(path: string): void {
    this.path = path;
    this.detachedAt = null;
    if (this.row.path !== path) {
      this.row.path = path;
      this.ctx.store.updateFile(this.row.id, { path });
    }
  }

  /** Final read of a detached file: flush the partial line and held records, then close. */
  finish(finalState: 'rotated' | 'deleted'): Promise<void> {
    return this.enqueue(async () => {
      if (this.closed) return;
      await this.readToEnd();
      const lines: SourceLine[] = [];
      this.splitter.flushPartial(Date.now(), lines);
      await this.emit(lines, true, finalState);
      await this.closeHandle();
    });
  }

  /** Stop without flushing: held lines stay behind the checkpoint for the next start. */
  close(): Promise<void> {
    return this.enqueue(() => this.closeHandle());
  }

  private async closeHandle(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    await this.fh.close();
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.serial.then(fn, fn);
    this.serial = p.catch(() => undefined);
    return p;
  }

  private async readToEnd(): Promise<void> {
    for (;;) {
      const { bytesRead } = await this.fh.read(this.buf, 0, READ_CHUNK, this.readPos);
      if (bytesRead === 0) break;
      this.readPos += bytesRead;
      if (this.readPos > this.size) this.size = this.readPos;
      this.lastGrowthAt = Date.now();
      const lines: SourceLine[] = [];
      this.splitter.push(this.buf.subarray(0, bytesRead), Date.now(), lines);
      await this.emit(lines, false);
      if (this.closed) return;
    }
    if (this.row.fingerprint === null && this.readPos > 0) {
      const fp = await fingerprint(this.fh);
      if (fp) {
        this.row.fingerprint = fp;
        this.ctx.store.updateFile(this.row.id, { fingerprint: fp });
      }
    }
  }

  /** Same inode, but the first line is no longer the one we fingerprinted: rewritten in place. */
  private async contentReplaced(): Promise<boolean> {
    if (!this.row.fingerprint || this.readPos === 0) return false;
    const fp = await fingerprint(this.fh);
    return fp !== null && fp !== this.row.fingerprint;
  }

  private async onTruncated(): Promise<void> {
    // What was held belongs to the content that is gone: flush it, then start over at 0
    // under a new row. The old row keeps its fingerprint and offset, so a copy made by
    // copytruncate that matches the source resumes where we were instead of repeating.
    const lines: SourceLine[] = [];
    this.splitter.flushPartial(Date.now(), lines);
    await this.emit(lines, true, 'truncated');
    const now = Date.now();
    const id = this.ctx.store.addFile({
      source_id: this.ref.id, path: this.path, dev: this.dev, ino: this.ino, fingerprint: null,
      offset: 0, line_no: 0, size: 0, state: 'active', cursor: null,
    });
    this.row = { ...this.row, id, fingerprint: null, offset: 0, line_no: 0, size: 0, state: 'active' };
    this.readPos = 0;
    this.size = 0;
    this.lastCheckpoint = -1;
    this.splitter.reset(0, 0);
    this.decoder = this.opts.makeDecoder(now);
  }

  private async emit(lines: SourceLine[], final: boolean, state?: string): Promise<void> {
    let records: DecodedRecord[] = [];
    for (const l of lines) {
      const out = this.decoder.push(l);
      if (out.length === 1) records.push(out[0]!);
      else if (out.length) records = records.concat(out);
    }
    if (final) records = records.concat(this.decoder.flush());
    const pending = final ? null : this.decoder.pendingStart();
    const offset = pending ? pending.offset : this.splitter.consumedOffset;
    const lineNo = pending ? pending.lineNo - 1 : this.splitter.lastLineNo;
    if (!records.length && offset === this.lastCheckpoint && !state) return;
    this.lastCheckpoint = offset;
    await this.ctx.write({
      source: this.ref,
      fileId: this.row.id,
      path: this.path,
      records,
      checkpoint: { fileId: this.row.id, offset, lineNo, size: this.size, ...(state ? { state } : {}) },
      readAt: Date.now(),
    });
    this.scheduleTimeoutFlush();
  }

  private scheduleTimeoutFlush(): void {
    const due = this.decoder.flushDueInMs(Date.now());
    if (due === null || this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.enqueue(async () => {
        if (this.closed) return;
        const again = this.decoder.flushDueInMs(Date.now());
        if (again !== null && again > 0) return this.scheduleTimeoutFlush();
        const recs = this.decoder.flush();
        if (!recs.length) return;
        // Nothing held now: the checkpoint may move past the flushed lines.
        await this.emitRecords(recs);
      });
    }, Math.max(due, 1));
  }

  private async emitRecords(records: DecodedRecord[]): Promise<void> {
    const pending = this.decoder.pendingStart();
    const offset = pending ? pending.offset : this.splitter.consumedOffset;
    const lineNo = pending ? pending.lineNo - 1 : this.splitter.lastLineNo;
    this.lastCheckpoint = offset;
    await this.ctx.write({
      source: this.ref, fileId: this.row.id, path: this.path, records,
      checkpoint: { fileId: this.row.id, offset, lineNo, size: this.size }, readAt: Date.now(),
    });
  }
}
