import { RECORD_FLAGS } from '../../../../shared/types.js';
import type { SourceLine } from '../../decode/types.js';
import { fileHead } from '../../util/compression.js';
import { lastBytes, LineSplitter } from './line-splitter.js';

// UTF-16 logs: what Windows PowerShell 5 writes with `>` and Out-File, SQL Server's
// ERRORLOG, and other Windows programs. Read as UTF-8 they were NUL-riddled garbage that no
// format read. A file is UTF-16 when it starts with a byte-order mark (FF FE: little-endian,
// FE FF: big-endian), as Windows writes it; without one it is read as UTF-8.

export type TextEncoding = 'utf8' | 'utf16le' | 'utf16be';

/**
 * The encoding a file's first bytes declare (a UTF-16 byte-order mark), else the one they
 * show: UTF-16 written without a mark (a .NET `Encoding.Unicode` writer appending to a file
 * it did not create) has a NUL in nearly every other byte, on one side only. Else UTF-8.
 */
export function encodingOf(head: Buffer): TextEncoding {
  if (head.length >= 2) {
    if (head[0] === 0xff && head[1] === 0xfe) return 'utf16le';
    if (head[0] === 0xfe && head[1] === 0xff) return 'utf16be';
  }
  const n = head.length & ~1;
  if (n < 64) return 'utf8';
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) evenNul++;
    if (head[i + 1] === 0) oddNul++;
  }
  const units = n / 2;
  if (oddNul >= units * 0.9 && evenNul <= units * 0.1) return 'utf16le';
  if (evenNul >= units * 0.9 && oddNul <= units * 0.1) return 'utf16be';
  return 'utf8';
}

/** The encoding of the file at `path`, by its first bytes (see encodingOf). */
export function encodingOfFile(path: string): TextEncoding {
  return encodingOf(fileHead(path, 1024));
}

/** A splitter for a file in `encoding`, from `startOffset` (a line start). */
export function newSplitter(encoding: TextEncoding, startOffset: number, lastLineNo: number, maxLineBytes: number, tail: Buffer | null = null): LineSplitter {
  return encoding === 'utf8'
    ? new LineSplitter(startOffset, lastLineNo, maxLineBytes, tail)
    : new Utf16LineSplitter(startOffset, lastLineNo, maxLineBytes, tail, encoding === 'utf16be');
}

/**
 * The line splitter for UTF-16 text: a line ends at the code unit U+000A (two bytes at an
 * even offset), CR LF too; the text is decoded as UTF-16 (the byte-order mark that starts
 * the file stays on the first line, and the decoder drops it there). Offsets, held partial
 * lines, the line limit, NUL holes and the tail bytes work as in the UTF-8 splitter, in
 * whole code units: a byte whose pair is not read yet waits for it.
 */
export class Utf16LineSplitter extends LineSplitter {
  /** The last byte read when it is the first half of a code unit. */
  private odd: Buffer | null = null;

  constructor(
    startOffset: number,
    lastLineNo: number,
    maxLineBytes: number,
    tail: Buffer | null,
    private readonly bigEndian: boolean,
  ) {
    super(startOffset, lastLineNo, maxLineBytes, tail);
  }

  override get pendingBytes(): number {
    return super.pendingBytes + (this.odd ? 1 : 0);
  }

  override push(chunk: Buffer, readAt: number, out: SourceLine[]): void {
    if (chunk.length === 0) return;
    // The bytes before `c` (the window ends at the read position, past a waiting odd byte).
    const before = this.odd ? this.window.subarray(0, this.window.length - 1) : this.window;
    const c = this.odd ? Buffer.concat([this.odd, chunk]) : chunk;
    this.odd = null;
    let len = c.length;
    if (len & 1) {
      this.odd = Buffer.from(c.subarray(len - 1));
      len--;
    }
    const max = this.maxLineBytes;
    let pos = 0;
    let lastEnd = -1;
    while (pos < len) {
      const lineEmpty = this.heldBytes === 0 && this.overflow === 0;
      if (lineEmpty && c[pos] === 0 && c[pos + 1] === 0) {
        // NUL units where a line starts: a hole (see LineSplitter.push).
        let z = pos + 2;
        while (z < len && c[z] === 0 && c[z + 1] === 0) z += 2;
        this.lineStart += z - pos;
        this.nulSkipped = RECORD_FLAGS.nulSkipped;
        lastEnd = z;
        pos = z;
        continue;
      }
      const nl = this.newline(c, pos, len);
      if (nl === -1) {
        this.hold(c, pos, len);
        break;
      }
      if (lineEmpty) {
        const n = nl - pos;
        if (n <= max) out.push(this.makeLine(c, pos, this.withoutCr(c, pos, nl), n + 2, readAt, 0));
        else out.push(this.makeLine(c, pos, this.cut(c, pos, pos + max), n + 2, readAt, RECORD_FLAGS.truncated));
      } else {
        this.hold(c, pos, nl);
        const total = this.heldBytes + this.overflow + 2;
        const line = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldBytes);
        if (this.overflow > 0) out.push(this.makeLine(line, 0, this.cut(line, 0, line.length), total, readAt, RECORD_FLAGS.truncated));
        else out.push(this.makeLine(line, 0, this.withoutCr(line, 0, line.length), total, readAt, 0));
        this.held = [];
        this.heldBytes = 0;
        this.overflow = 0;
      }
      lastEnd = nl + 2;
      pos = nl + 2;
    }
    if (lastEnd !== -1) this.tailBytes = lastBytes(before, c, lastEnd);
    this.window = lastBytes(before, c, c.length);
  }

  override flushPartial(readAt: number, out: SourceLine[]): void {
    if (this.odd) {
      // Half a code unit: counted in the line's bytes, not decoded.
      this.hold(this.odd, 0, 1);
      this.odd = null;
    }
    super.flushPartial(readAt, out);
  }

  override reset(offset: number, lineNo: number, tail: Buffer | null = null): void {
    this.odd = null;
    super.reset(offset, lineNo, tail);
  }

  /** Where a line cut at `end` ends: whole code units, a surrogate pair kept whole. */
  protected override cut(buf: Buffer, start: number, end: number): number {
    let e = start + ((end - start) & ~1);
    if (e > start) {
      const hi = this.bigEndian ? buf[e - 2]! : buf[e - 1]!;
      if (hi >= 0xd8 && hi <= 0xdb) e -= 2;
    }
    return e;
  }

  protected override makeLine(buf: Buffer, start: number, end: number, totalBytes: number, readAt: number, flags: number): SourceLine {
    const e = start + ((end - start) & ~1);
    const text = this.bigEndian ? Buffer.from(buf.subarray(start, e)).swap16().toString('utf16le') : buf.toString('utf16le', start, e);
    flags |= this.nulSkipped;
    this.nulSkipped = 0;
    const startOffset = this.lineStart;
    this.lineStart += totalBytes;
    return { text, bytes: null, flags, lineNo: ++this.lineNo, startOffset, endOffset: this.lineStart, readAt };
  }

  /** The offset of the next U+000A code unit in c[pos, len) (pos even), or -1. */
  private newline(c: Buffer, pos: number, len: number): number {
    for (let i = pos; ; ) {
      const k = c.indexOf(0x0a, i);
      if (k === -1 || k >= len) return -1;
      if (this.bigEndian) {
        if ((k - pos) & 1 && c[k - 1] === 0) return k - 1;
      } else if (((k - pos) & 1) === 0 && c[k + 1] === 0) return k;
      i = k + 1;
    }
  }

  /** `end`, less a CR code unit just before it. */
  private withoutCr(c: Buffer, start: number, end: number): number {
    if (end - start < 2) return end;
    const cr = this.bigEndian ? c[end - 2] === 0 && c[end - 1] === 0x0d : c[end - 2] === 0x0d && c[end - 1] === 0;
    return cr ? end - 2 : end;
  }
}
