import { closeSync, openSync, readSync } from 'node:fs';
import { RECORD_FLAGS } from '../../../shared/types.js';
import type { SourceLine } from './types.js';

// Reads a file as SourceLines in batches, streaming (constant memory whatever the file
// size): for `vigil parse` and the decode benchmark, which read whole files offline. The
// live file source has its own reader with checkpoints and rotation.

export async function* readLineBatches(path: string, opts: { chunkBytes?: number; readAt?: number } = {}): AsyncGenerator<SourceLine[]> {
  // Synchronous reads in a loop: an offline reader has nothing else to do meanwhile, and
  // waiting on a stream's thread-pool round trips would leave the CPU idle between chunks.
  const fd = openSync(path, 'r');
  const size = opts.chunkBytes ?? 1 << 20;
  const readAt = opts.readAt ?? Date.now();
  let carry: Buffer | null = null;
  let offset = 0; // file offset of the first byte not yet in a line
  let lineNo = 0;
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(size);
      const got = readSync(fd, chunk, 0, size, null);
      if (got === 0) break;
      const data = chunk.subarray(0, got);
      const batch: SourceLine[] = [];
      let start = 0;
      if (carry) {
        // Only the line that spans two chunks is copied, not the whole chunk.
        const nl = data.indexOf(10);
        if (nl < 0) {
          carry = Buffer.concat([carry, data]);
          continue;
        }
        const joined = Buffer.concat([carry, data.subarray(0, nl + 1)]);
        batch.push(makeLine(joined, 0, joined.length - 1, ++lineNo, offset, offset + joined.length, readAt));
        offset += joined.length;
        start = nl + 1;
        carry = null;
      }
      const base = offset - start; // file offset of data[0]
      for (;;) {
        const nl = data.indexOf(10, start);
        if (nl < 0) break;
        batch.push(makeLine(data, start, nl, ++lineNo, base + start, base + nl + 1, readAt));
        start = nl + 1;
      }
      carry = start < data.length ? Buffer.from(data.subarray(start)) : null;
      offset = base + start;
      if (batch.length) yield batch;
    }
    if (carry && carry.length) yield [makeLine(carry, 0, carry.length, ++lineNo, offset, offset + carry.length, readAt)];
  } finally {
    closeSync(fd);
  }
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
