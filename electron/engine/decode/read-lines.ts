import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { isAscii, isUtf8 } from 'node:buffer';
import { DEFAULT_MAX_LINE_BYTES, RECORD_FLAGS } from '../../../shared/types.js';
import { utf8Boundary } from '../util/utf8.js';
import type { SourceLine } from './types.js';
import { compressionOf, decompressed, decompressedHead, fileHead, unreadable } from '../util/compression.js';
import { encodingOf, newSplitter, type TextEncoding } from '../sources/file/utf16-splitter.js';

// Reads a file as SourceLines in batches, streaming (constant memory whatever the file
// size): for `vigil parse`, `vigil scan` and the decode benchmark, which read whole files
// offline. A gzip or zstd file is read decompressed. The live file source has its own
// reader with checkpoints and rotation.
//
// Batches are small (64 KiB of lines) on purpose: the lines of the batch being decoded are
// what the young-generation GC has to copy, and a smaller batch makes each collection
// cheaper (about 10% of the decode time with 1 MiB batches).

/**
 * `from`: the offset of a line start to begin at (a part of the file, see worker-decode.ts);
 * offsets stay the file's, line numbers count from 1 there. A line longer than
 * `maxLineBytes` is cut there and flagged truncated, as a source stores it: a 600 MB line
 * costs 1 MiB, not a string longer than V8 can make.
 */
export async function* readLineBatches(
  path: string,
  opts: {
    chunkBytes?: number;
    readAt?: number;
    from?: number;
    maxLineBytes?: number;
    /** A compressed file damaged or cut off: the lines before are given, then this says why (else it throws). */
    onDamaged?: (why: string) => void;
  } = {},
): AsyncGenerator<SourceLine[]> {
  const max = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const from = opts.from ?? 0;
  // The first bytes say the compression and the text's encoding (a part from `from` is UTF-8: see worker-decode.ts).
  const head = from === 0 ? fileHead(path, 1024) : null;
  const kind = head && compressionOf(head);
  if (kind !== null) {
    // A compressed file (app.log.2.gz): its decompressed content, offsets in it.
    const why = unreadable(kind);
    if (why) throw new Error(`${path} is ${kind}-compressed: ${why}`);
    const fh = await open(path, 'r');
    try {
      const encoding = encodingOf(await decompressedHead(fh, kind, 1024));
      const chunks = pieces(tolerant(decompressed(fh, kind), kind, opts.onDamaged), opts.chunkBytes ?? 1 << 16);
      if (encoding === 'utf8') yield* splitLines(chunks, 0, opts.readAt ?? Date.now(), max);
      else yield* splitUtf16(chunks, encoding, opts.readAt ?? Date.now(), max);
    } finally {
      await fh.close();
    }
    return;
  }
  const encoding = head ? encodingOf(head) : 'utf8';
  // Synchronous reads in a loop: an offline reader has nothing else to do meanwhile, and
  // waiting on a stream's thread-pool round trips would leave the CPU idle between chunks.
  const fd = openSync(path, 'r');
  try {
    const chunks = readChunks(fd, from, opts.chunkBytes ?? 1 << 16);
    if (encoding === 'utf8') yield* splitLines(chunks, from, opts.readAt ?? Date.now(), max);
    else yield* splitUtf16(chunks, encoding, opts.readAt ?? Date.now(), max);
  } finally {
    closeSync(fd);
  }
}

/** The file's bytes from `pos`, in chunks; one buffer for every read (lines are decoded to strings, and bytes kept are copied). */
function* readChunks(fd: number, pos: number, size: number): Generator<Buffer> {
  const chunk = Buffer.allocUnsafe(size);
  for (;;) {
    const got = readSync(fd, chunk, 0, size, pos);
    if (got === 0) return;
    pos += got;
    yield chunk.subarray(0, got);
  }
}

/** Decompressed chunks up to where the data is damaged; then `onDamaged` says why (without it, the error goes on). */
async function* tolerant(chunks: AsyncIterable<Buffer>, kind: string, onDamaged?: (why: string) => void): AsyncGenerator<Buffer> {
  try {
    yield* chunks;
  } catch (err) {
    if (!onDamaged) throw err;
    const msg = (err as Error).message ?? String(err);
    onDamaged(msg.startsWith(`the ${kind} data`) ? msg : `the ${kind} data is damaged or cut off (${msg})`);
  }
}

/** The same bytes in pieces of at most `size` (the batch size the GC note above asks for). */
async function* pieces(chunks: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  for await (const c of chunks) for (let i = 0; i < c.length; i += size) yield c.subarray(i, i + size);
}

/** Lines of the content that `chunks` hold from `offset` on (a line start). */
async function* splitLines(chunks: Iterable<Buffer> | AsyncIterable<Buffer>, offset: number, readAt: number, max: number): AsyncGenerator<SourceLine[]> {
  // The line that spans chunks, in pieces (joined once its end arrives: no quadratic
  // copying), up to `max` bytes; the bytes past that are only counted.
  const carry = new Carry(max);
  let lineNo = 0;
  for await (const data of chunks) {
    const batch: SourceLine[] = [];
    let start = 0;
    if (carry.length) {
      const nl = data.indexOf(10);
      if (nl < 0) {
        carry.add(data, 0, data.length);
        continue;
      }
      carry.add(data, 0, nl + 1);
      batch.push(carry.line(++lineNo, offset, readAt, true));
      offset += carry.length;
      start = nl + 1;
      carry.clear();
    }
    const base = offset - start; // offset of data[0]
    const last = data.lastIndexOf(10);
    if (last >= start) {
      // Valid text (nearly always) needs no per-line check for bytes that are not UTF-8;
      // ASCII decodes faster as latin1, to the same string.
      const region = data.subarray(start, last + 1);
      const encoding = isAscii(region) ? 'latin1' : isUtf8(region) ? 'utf8' : null;
      for (;;) {
        const nl = data.indexOf(10, start);
        if (nl < 0) break;
        batch.push(
          nl - start > max
            ? cutLine(data, start, ++lineNo, base + start, base + nl + 1, readAt, max)
            : encoding
              ? validLine(data, start, nl, encoding, ++lineNo, base + start, base + nl + 1, readAt)
              : makeLine(data, start, nl, ++lineNo, base + start, base + nl + 1, readAt),
        );
        start = nl + 1;
      }
    }
    if (start < data.length) carry.add(data, start, data.length);
    offset = base + start;
    if (batch.length) yield batch;
  }
  if (carry.length) yield [carry.line(++lineNo, offset, readAt, false)];
}

/** Lines of UTF-16 text (a file that starts with its byte-order mark), by the file source's splitter. */
async function* splitUtf16(chunks: Iterable<Buffer> | AsyncIterable<Buffer>, encoding: TextEncoding, readAt: number, max: number): AsyncGenerator<SourceLine[]> {
  const splitter = newSplitter(encoding, 0, 0, max);
  for await (const data of chunks) {
    const batch: SourceLine[] = [];
    splitter.push(data, readAt, batch);
    if (batch.length) yield batch;
  }
  const last: SourceLine[] = [];
  splitter.flushPartial(readAt, last);
  if (last.length) yield last;
}

/** The start of a line that spans chunks: at most `max` bytes kept, the rest counted. */
class Carry {
  private pieces: Buffer[] = [];
  private kept = 0;
  /** All the line's bytes so far, its newline included once it came. */
  length = 0;
  constructor(private readonly max: number) {}

  add(data: Buffer, from: number, to: number): void {
    const take = Math.min(to - from, this.max + 1 - this.kept); // one past max: tells a cut line
    if (take > 0) {
      this.pieces.push(Buffer.from(data.subarray(from, from + take))); // copied: the reader reuses its buffer
      this.kept += take;
    }
    this.length += to - from;
  }

  line(lineNo: number, startOffset: number, readAt: number, ended: boolean): SourceLine {
    const bytes = Buffer.concat(this.pieces, this.kept);
    const end = this.length - (ended ? 1 : 0); // the line's own bytes, without its newline
    if (end > this.max) return cutLine(bytes, 0, lineNo, startOffset, startOffset + this.length, readAt, this.max);
    return makeLine(bytes, 0, end, lineNo, startOffset, startOffset + this.length, readAt);
  }

  clear(): void {
    this.pieces = [];
    this.kept = 0;
    this.length = 0;
  }
}

/** A line longer than `max` bytes: its first `max` bytes (whole characters), flagged truncated. */
function cutLine(buf: Buffer, start: number, lineNo: number, startOffset: number, endOffset: number, readAt: number, max: number): SourceLine {
  return textLine(buf, start, utf8Boundary(buf, start, start + max), RECORD_FLAGS.truncated, lineNo, startOffset, endOffset, readAt);
}

function validLine(buf: Buffer, start: number, end: number, encoding: 'latin1' | 'utf8', lineNo: number, startOffset: number, endOffset: number, readAt: number): SourceLine {
  let e = end;
  if (e > start && buf[e - 1] === 13) e--;
  return { text: buf.toString(encoding, start, e), bytes: null, flags: 0, lineNo, startOffset, endOffset, readAt };
}

function makeLine(buf: Buffer, start: number, end: number, lineNo: number, startOffset: number, endOffset: number, readAt: number): SourceLine {
  let e = end;
  if (e > start && buf[e - 1] === 13) e--;
  return textLine(buf, start, e, 0, lineNo, startOffset, endOffset, readAt);
}

/** buf[start, e) as a line's text, exactly (no CR taken off). */
function textLine(buf: Buffer, start: number, e: number, flags: number, lineNo: number, startOffset: number, endOffset: number, readAt: number): SourceLine {
  const text = buf.toString('utf8', start, e);
  let bytes: Buffer | null = null;
  // U+FFFD is either in the file or stands for bytes that were not UTF-8: keep those bytes.
  if (text.indexOf('\uFFFD') >= 0 && !Buffer.from(text, 'utf8').equals(buf.subarray(start, e))) {
    bytes = Buffer.from(buf.subarray(start, e));
    flags |= RECORD_FLAGS.invalidUtf8;
  }
  return { text, bytes, flags, lineNo, startOffset, endOffset, readAt };
}
