import { RECORD_FLAGS } from '../../../../shared/types.js';
import type { SourceLine } from '../../decode/types.js';
import { utf8Boundary } from '../../util/utf8.js';

const NL = 0x0a;
const CR = 0x0d;
/** Bytes remembered before the consumed offset, to recognise the same content later. */
export const TAIL_BYTES = 32;
const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const EMPTY = Buffer.alloc(0);

/**
 * Turns byte chunks of one file into complete lines with their byte offsets.
 * A line without its newline is held until it completes (or `flushPartial` is called
 * when the file is rotated away). A line longer than `maxLineBytes` keeps only its
 * first `maxLineBytes` bytes in memory (cut on a UTF-8 boundary) and is emitted, flagged
 * truncated, when it ends: a 50 MB line costs 1 MiB, not 50.
 */
export class LineSplitter {
  protected held: Buffer[] = [];
  protected heldBytes = 0;
  /** Bytes of the current line beyond what is held (discarded past maxLineBytes). */
  protected overflow = 0;
  /** File offset where the held line starts. */
  protected lineStart: number;
  protected lineNo: number;
  /** The last TAIL_BYTES bytes of the file before `lineStart` (what a checkpoint there follows). */
  protected tailBytes: Buffer;
  /** The last TAIL_BYTES bytes pushed so far (may run into the held line). */
  protected window: Buffer;
  /** RECORD_FLAGS.nulSkipped when NUL bytes were skipped before the next line. */
  protected nulSkipped = 0;

  constructor(
    startOffset: number,
    lastLineNo: number,
    protected readonly maxLineBytes: number,
    /** The bytes just before startOffset, when known (they seed `tail`). */
    tail: Buffer | null = null,
  ) {
    this.lineStart = startOffset;
    this.lineNo = lastLineNo;
    this.tailBytes = tail ?? EMPTY;
    this.window = this.tailBytes;
  }

  /** Offset of the first byte not yet part of an emitted line. */
  get consumedOffset(): number {
    return this.lineStart;
  }
  get lastLineNo(): number {
    return this.lineNo;
  }
  get pendingBytes(): number {
    return this.heldBytes + this.overflow;
  }
  /** Up to TAIL_BYTES bytes that end at consumedOffset. */
  get tail(): Buffer {
    return this.tailBytes;
  }
  /** Up to TAIL_BYTES bytes that end at consumedOffset + pendingBytes (the read position). */
  get readTail(): Buffer {
    return this.window;
  }

  /** `chunk` holds the file's bytes from consumedOffset + pendingBytes onward. */
  push(chunk: Buffer, readAt: number, out: SourceLine[]): void {
    const len = chunk.length;
    if (len === 0) return;
    let pos = 0;
    let lastEnd = -1;
    const max = this.maxLineBytes;
    while (pos < len) {
      if (chunk[pos] === 0 && this.heldBytes === 0 && this.overflow === 0) {
        // NUL bytes where a line should start: the hole a program writing without O_APPEND
        // leaves when its file is truncated under it (`cmd > app.log` with copytruncate).
        // Not text: skipped (a hole larger than maxLineBytes would otherwise swallow the
        // first real line after it as the cut-off end of a "line" of NULs).
        let z = pos + 1;
        while (z < len && chunk[z] === 0) z++;
        this.lineStart += z - pos;
        this.nulSkipped = RECORD_FLAGS.nulSkipped;
        lastEnd = z;
        pos = z;
        continue;
      }
      const nl = chunk.indexOf(NL, pos);
      if (nl === -1) {
        this.hold(chunk, pos, len);
        break;
      }
      if (this.heldBytes === 0 && this.overflow === 0) {
        const n = nl - pos;
        if (n <= max) {
          // The hot path: a whole line inside this chunk.
          let end = nl;
          if (end > pos && chunk[end - 1] === CR) end--;
          out.push(this.makeLine(chunk, pos, end, n + 1, readAt, 0));
        } else {
          const cut = this.cut(chunk, pos, pos + max);
          out.push(this.makeLine(chunk, pos, cut, n + 1, readAt, RECORD_FLAGS.truncated));
        }
      } else {
        this.hold(chunk, pos, nl);
        const total = this.heldBytes + this.overflow + 1;
        const line = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldBytes);
        if (this.overflow > 0) {
          const cut = this.cut(line, 0, line.length);
          out.push(this.makeLine(line, 0, cut, total, readAt, RECORD_FLAGS.truncated));
        } else {
          let end = line.length;
          if (end > 0 && line[end - 1] === CR) end--;
          out.push(this.makeLine(line, 0, end, total, readAt, 0));
        }
        this.held = [];
        this.heldBytes = 0;
        this.overflow = 0;
      }
      lastEnd = nl + 1;
      pos = nl + 1;
    }
    if (lastEnd !== -1) this.tailBytes = lastBytes(this.window, chunk, lastEnd);
    this.window = lastBytes(this.window, chunk, len);
  }

  /** The file went away (rotated, deleted, truncated): emit the held partial line, if any. */
  flushPartial(readAt: number, out: SourceLine[]): void {
    if (this.heldBytes === 0 && this.overflow === 0) return;
    const line = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldBytes);
    const truncated = this.overflow > 0;
    const flags = RECORD_FLAGS.partialFlushed | (truncated ? RECORD_FLAGS.truncated : 0);
    const end = truncated ? this.cut(line, 0, line.length) : line.length;
    out.push(this.makeLine(line, 0, end, line.length + this.overflow, readAt, flags));
    this.held = [];
    this.heldBytes = 0;
    this.overflow = 0;
    this.tailBytes = this.window;
  }

  /** Forget held bytes and restart at `offset` (after truncation). */
  reset(offset: number, lineNo: number, tail: Buffer | null = null): void {
    this.held = [];
    this.heldBytes = 0;
    this.overflow = 0;
    this.lineStart = offset;
    this.lineNo = lineNo;
    this.tailBytes = tail ?? EMPTY;
    this.window = this.tailBytes;
    this.nulSkipped = 0;
  }

  /** Where a line cut at `end` ends: on a character boundary. */
  protected cut(buf: Buffer, start: number, end: number): number {
    return utf8Boundary(buf, start, end);
  }

  protected hold(chunk: Buffer, from: number, to: number): void {
    const room = this.maxLineBytes - this.heldBytes;
    const take = Math.max(0, Math.min(room, to - from));
    if (take > 0) {
      // Copy: the caller reuses its read buffer.
      this.held.push(Buffer.from(chunk.subarray(from, from + take)));
      this.heldBytes += take;
    }
    this.overflow += to - from - take;
  }

  protected makeLine(buf: Buffer, start: number, end: number, totalBytes: number, readAt: number, flags: number): SourceLine {
    const text = buf.toString('utf8', start, end);
    let bytes: Buffer | null = null;
    // U+FFFD may be real text; keep the bytes only when they really are invalid UTF-8.
    if (text.includes('\uFFFD') && !isValidUtf8(buf.subarray(start, end))) {
      bytes = Buffer.from(buf.subarray(start, end));
      flags |= RECORD_FLAGS.invalidUtf8;
    }
    flags |= this.nulSkipped;
    this.nulSkipped = 0;
    const startOffset = this.lineStart;
    this.lineStart += totalBytes;
    return { text, bytes, flags, lineNo: ++this.lineNo, startOffset, endOffset: this.lineStart, readAt };
  }
}

function isValidUtf8(b: Buffer): boolean {
  try {
    utf8Strict.decode(b);
    return true;
  } catch {
    return false;
  }
}

/** The last TAIL_BYTES bytes of `prev` followed by `chunk[0, end)`. */
export function lastBytes(prev: Buffer, chunk: Buffer, end: number): Buffer {
  if (end >= TAIL_BYTES) return Buffer.from(chunk.subarray(end - TAIL_BYTES, end));
  const keep = Math.min(prev.length, TAIL_BYTES - end);
  return Buffer.concat([prev.subarray(prev.length - keep), chunk.subarray(0, end)]);
}
