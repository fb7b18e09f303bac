import { RECORD_FLAGS } from '../../../../shared/types.js';
import type { SourceLine } from '../../decode/types.js';

const NL = 0x0a;
const CR = 0x0d;
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns byte chunks of one file into complete lines with their byte offsets.
 * A line without its newline is held until it completes (or `flushPartial` is called
 * when the file is rotated away). A line longer than `maxLineBytes` keeps only its
 * first `maxLineBytes` bytes in memory and is emitted, flagged truncated, when it ends.
 */
export class LineSplitter {
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** Bytes of the current line beyond what is held (discarded past maxLineBytes). */
  private overflow = 0;
  /** File offset where the held line starts. */
  private lineStart: number;
  private lineNo: number;

  constructor(
    startOffset: number,
    lastLineNo: number,
    private readonly maxLineBytes: number,
  ) {
    this.lineStart = startOffset;
    this.lineNo = lastLineNo;
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

  /** `chunk` holds the file's bytes from consumedOffset + pendingBytes onward. */
  push(chunk: Buffer, readAt: number, out: SourceLine[]): void {
    let pos = 0;
    const len = chunk.length;
    while (pos < len) {
      const nl = chunk.indexOf(NL, pos);
      if (nl === -1) {
        this.hold(chunk, pos, len);
        return;
      }
      let line: Buffer;
      if (this.heldBytes === 0 && this.overflow === 0) {
        line = chunk.subarray(pos, Math.min(nl, pos + this.maxLineBytes));
        if (nl - pos > this.maxLineBytes) this.overflow = nl - pos - this.maxLineBytes;
      } else {
        this.hold(chunk, pos, nl);
        line = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldBytes);
      }
      const total = line.length + this.overflow + 1;
      out.push(this.makeLine(line, total, readAt, this.overflow > 0 ? RECORD_FLAGS.truncated : 0));
      this.held = [];
      this.heldBytes = 0;
      this.overflow = 0;
      pos = nl + 1;
    }
  }

  /** The file went away (rotated, deleted, truncated): emit the held partial line, if any. */
  flushPartial(readAt: number, out: SourceLine[]): void {
    if (this.heldBytes === 0 && this.overflow === 0) return;
    const line = Buffer.concat(this.held, this.heldBytes);
    const flags = RECORD_FLAGS.partialFlushed | (this.overflow > 0 ? RECORD_FLAGS.truncated : 0);
    out.push(this.makeLine(line, line.length + this.overflow, readAt, flags, false));
    this.held = [];
    this.heldBytes = 0;
    this.overflow = 0;
  }

  /** Forget held bytes and restart at `offset` (after truncation). */
  reset(offset: number, lineNo: number): void {
    this.held = [];
    this.heldBytes = 0;
    this.overflow = 0;
    this.lineStart = offset;
    this.lineNo = lineNo;
  }

  private hold(chunk: Buffer, from: number, to: number): void {
    const room = this.maxLineBytes - this.heldBytes;
    const take = Math.min(room, to - from);
    if (take > 0) {
      // Copy: the caller reuses its read buffer.
      this.held.push(Buffer.from(chunk.subarray(from, from + take)));
      this.heldBytes += take;
    }
    this.overflow += to - from - Math.max(take, 0);
  }

  private makeLine(bytes: Buffer, totalBytes: number, readAt: number, flags: number, stripCr = true): SourceLine {
    let end = bytes.length;
    if (stripCr && end > 0 && bytes[end - 1] === CR && !(flags & RECORD_FLAGS.truncated)) end--;
    const body = end === bytes.length ? bytes : bytes.subarray(0, end);
    let text = body.toString('utf8');
    let raw: Buffer | null = null;
    if (text.includes('\uFFFD')) {
      // U+FFFD may be real text; only keep the bytes when they really are invalid UTF-8.
      try {
        utf8Strict.decode(body);
      } catch {
        raw = Buffer.from(body);
        flags |= RECORD_FLAGS.invalidUtf8;
      }
    }
    const startOffset = this.lineStart;
    this.lineStart += totalBytes;
    this.lineNo++;
    return { text, bytes: raw, flags, lineNo: this.lineNo, startOffset, endOffset: this.lineStart, readAt };
  }
}
