import type { FileHandle } from 'node:fs/promises';
import type { DecodedRecord, SourceLine, StreamDecoder } from '../../decode/types.js';
import type { FileRow } from '../../store/store.js';
import { decompressed, type Compression } from '../../util/compression.js';
import { decodeTail, encodeTail } from './fingerprint.js';
import type { Probe } from './identity.js';
import { type LineSplitter, TAIL_BYTES } from './line-splitter.js';
import { encodingOf, newSplitter } from './utf16-splitter.js';
import type { TailerDeps } from './tailer.js';

/** A compressed file being read (its checkpoints are in decompressed bytes). */
export const DECOMPRESSING = 'decompressing';
/** A compressed file read to its end (or, met at a new source's first look with `start: end`, left as history). */
export const COMPRESSED = 'compressed';

/**
 * Of `rows` (checkpoints of files read uncompressed, with the same first line), the one
 * this compressed content holds furthest: the bytes before its offset are the ones we read
 * there. With the decompressed length when the content ends before or at that offset
 * (nothing more to read), else null.
 */
export async function furthestHeld(fh: FileHandle, kind: Compression, rows: FileRow[]): Promise<{ row: FileRow | null; length: number | null }> {
  const want = rows
    .map((row) => ({ row, tail: decodeTail(row.cursor) }))
    .filter((c): c is { row: FileRow; tail: Buffer } => c.tail !== null && c.row.offset >= c.tail.length)
    .sort((a, b) => a.row.offset - b.row.offset);
  let best: FileRow | null = null;
  if (!want.length) return { row: null, length: null };
  const last = want.at(-1)!.row.offset;
  let pos = 0;
  let before = Buffer.alloc(0); // the TAIL_BYTES bytes before `pos`
  let i = 0;
  try {
    for await (const chunk of decompressed(fh, kind)) {
      const end = pos + chunk.length;
      const seen = Buffer.concat([before, chunk]);
      const seenStart = pos - before.length;
      for (; i < want.length && want[i]!.row.offset <= end; i++) {
        const { row, tail } = want[i]!;
        const at = row.offset - seenStart;
        if (seen.subarray(at - tail.length, at).equals(tail)) best = row;
      }
      before = seen.subarray(Math.max(0, seen.length - TAIL_BYTES));
      pos = end;
      if (pos > last) return { row: best, length: null };
    }
  } catch {
    /* damaged past this point: what was held before it counts */
    return { row: best, length: null };
  }
  return { row: best, length: pos };
}

/**
 * Reads a compressed file's lines, decompressed, once: from its row's offset to the end.
 * Each batch goes to the pipeline with a checkpoint, as a tailer's do, so a stop or a
 * crash resumes where it was; the row ends in state COMPRESSED. The file is not followed:
 * a compressed file is written once.
 */
export class CompressedReader {
  readonly path: string;
  private readonly fh: FileHandle;
  private readonly kind: Compression;
  private readonly size: number;
  private rawRead = 0;
  private decoder: StreamDecoder;
  private ckptOffset: number;
  done: Promise<void> | null = null;

  constructor(
    probe: Probe,
    private readonly row: FileRow,
    private readonly deps: TailerDeps,
  ) {
    this.fh = probe.fh;
    this.path = probe.path;
    this.kind = probe.compression!;
    this.size = probe.size;
    this.ckptOffset = row.offset;
    this.decoder = deps.makeDecoder(probe.mtimeMs);
  }

  /** Compressed bytes not read yet. */
  get bytesBehind(): number {
    return Math.max(0, this.size - this.rawRead);
  }

  /** Reads to the end (closing the file after); throws what stopped it (damage, closing). */
  read(): Promise<void> {
    this.done ??= this.readAll().finally(() => this.fh.close().catch(() => undefined));
    return this.done;
  }

  private async readAll(): Promise<void> {
    const from = this.row.offset;
    // Made at the first bytes, which say the text's encoding (see utf16-splitter.ts).
    let splitter: LineSplitter | null = null;
    const splitterFor = (head: Buffer) => newSplitter(encodingOf(head), from, this.row.line_no, this.deps.maxLineBytes, decodeTail(this.row.cursor));
    const progress = { read: 0 };
    let pos = 0;
    let damage: unknown = null;
    try {
      for await (let chunk of decompressed(this.fh, this.kind, progress)) {
        this.rawRead = progress.read;
        this.deps.signal.throwIfAborted();
        splitter ??= splitterFor(chunk);
        if (pos + chunk.length <= from) {
          pos += chunk.length;
          continue;
        }
        if (pos < from) {
          chunk = chunk.subarray(from - pos);
          pos = from;
        }
        pos += chunk.length;
        const lines: SourceLine[] = [];
        splitter.push(chunk, Date.now(), lines);
        await this.emit(splitter, lines, false);
      }
    } catch (err) {
      if (this.deps.signal.aborted) throw err;
      // Damaged or cut off: what came before is stored, the file is done, and the source says why.
      damage = err;
    }
    this.rawRead = this.size;
    splitter ??= splitterFor(Buffer.alloc(0));
    const lines: SourceLine[] = [];
    splitter.flushPartial(Date.now(), lines);
    await this.emit(splitter, lines, true);
    if (damage) throw new Error(`${this.kind} data damaged or cut off after ${pos} bytes (${(damage as Error).message}); the lines before it are stored`);
  }

  private async emit(splitter: LineSplitter, lines: SourceLine[], final: boolean): Promise<void> {
    const records: DecodedRecord[] = [];
    for (const l of lines) for (const r of this.decoder.push(l)) records.push(r);
    if (final) for (const r of this.decoder.flush()) records.push(r);
    // A record the decoder holds (multi-line) starts where the checkpoint stays.
    const pending = final ? null : this.decoder.pendingStart();
    const offset = pending ? pending.offset : splitter.consumedOffset;
    const lineNo = pending ? pending.lineNo - 1 : splitter.lastLineNo;
    if (!final && !records.length && offset === this.ckptOffset) return;
    this.deps.signal.throwIfAborted();
    await this.deps.ctx.write(
      {
        source: this.deps.ref,
        fileId: this.row.id,
        path: this.path,
        records,
        // The bytes before a checkpoint identify a file we follow; a compressed file is
        // known by its inode, first line and size instead, so only its end gets them.
        checkpoint: { fileId: this.row.id, offset, lineNo, size: this.size, state: final ? COMPRESSED : DECOMPRESSING, cursor: final ? encodeTail(splitter.tail) : '' },
        readAt: Date.now(),
        bytes: offset - this.ckptOffset,
      },
      this.deps.signal,
    );
    this.ckptOffset = offset;
  }
}
