import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { isAscii, isUtf8 } from 'node:buffer';
import { RECORD_FLAGS } from '../../../shared/types.js';
import type { SourceLine } from './types.js';
import { compressionOfFile, decompressed, unreadable } from '../util/compression.js';

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
 * offsets stay the file's, line numbers count from 1 there.
 */
export async function* readLineBatches(path: string, opts: { chunkBytes?: number; readAt?: number; from?: number } = {}): AsyncGenerator<SourceLine[]> {
  const from = opts.from ?? 0;
  const kind = from === 0 ? compressionOfFile(path) : null;
  if (kind !== null) {
    // A compressed file (app.log.2.gz): its decompressed content, offsets in it.
    const why = unreadable(kind);
    if (why) throw new Error(`${path} is ${kind}-compressed: ${why}`);
    const fh = await open(path, 'r');
    try {
      yield* splitLines(pieces(decompressed(fh, kind), opts.chunkBytes ?? 1 << 16), 0, opts.readAt ?? Date.now());
    } finally {
      await fh.close();
    }
    return;
  }
  // Synchronous reads in a loop: an offline reader has nothing else to do meanwhile, and
  // waiting on a stream's thread-pool round trips would leave the CPU idle between chunks.
  const fd = openSync(path, 'r');
  try {
    yield* splitLines(readChunks(fd, from, opts.chunkBytes ?? 1 << 16), from, opts.readAt ?? Date.now());
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

/** The same bytes in pieces of at most `size` (the batch size the GC note above asks for). */
async function* pieces(chunks: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  for await (const c of chunks) for (let i = 0; i < c.length; i += size) yield c.subarray(i, i + size);
}

/** Lines of the content that `chunks` hold from `offset` on (a line start). */
async function* splitLines(chunks: Iterable<Buffer> | AsyncIterable<Buffer>, offset: number, readAt: number): AsyncGenerator<SourceLine[]> {
  // The line that spans chunks, in pieces (joined once its end arrives: no quadratic copying).
  let carry: Buffer[] = [];
  let lineNo = 0;
  for await (const data of chunks) {
    const batch: SourceLine[] = [];
    let start = 0;
    if (carry.length) {
      const nl = data.indexOf(10);
      if (nl < 0) {
        carry.push(Buffer.from(data));
        continue;
      }
      carry.push(data.subarray(0, nl + 1));
      const joined = Buffer.concat(carry);
      batch.push(makeLine(joined, 0, joined.length - 1, ++lineNo, offset, offset + joined.length, readAt));
      offset += joined.length;
      start = nl + 1;
      carry = [];
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
          encoding
            ? validLine(data, start, nl, encoding, ++lineNo, base + start, base + nl + 1, readAt)
            : makeLine(data, start, nl, ++lineNo, base + start, base + nl + 1, readAt),
        );
        start = nl + 1;
      }
    }
    if (start < data.length) carry.push(Buffer.from(data.subarray(start)));
    offset = base + start;
    if (batch.length) yield batch;
  }
  if (carry.length) {
    const rest = Buffer.concat(carry);
    if (rest.length) yield [makeLine(rest, 0, rest.length, ++lineNo, offset, offset + rest.length, readAt)];
  }
}

function validLine(buf: Buffer, start: number, end: number, encoding: 'latin1' | 'utf8', lineNo: number, startOffset: number, endOffset: number, readAt: number): SourceLine {
  let e = end;
  if (e > start && buf[e - 1] === 13) e--;
  return { text: buf.toString(encoding, start, e), bytes: null, flags: 0, lineNo, startOffset, endOffset, readAt };
}

function makeLine(buf: Buffer, start: number, end: number, lineNo: number, startOffset: number, endOffset: number, readAt: number): SourceLine {
  let e = end;
  if (e > start && buf[e - 1] === 13) e--;
  const text = buf.toString('utf8', start, e);
  let bytes: Buffer | null = null;
  let flags = 0;
  // U+FFFD is either in the file or stands for bytes that were not UTF-8: keep those bytes.
  if (text.indexOf('\uFFFD') >= 0 && !Buffer.from(text, 'utf8').equals(buf.subarray(start, e))) {
    bytes = Buffer.from(buf.subarray(start, e));
    flags |= RECORD_FLAGS.invalidUtf8;
  }
  return { text, bytes, flags, lineNo, startOffset, endOffset, readAt };
}
