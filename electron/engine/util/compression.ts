import { closeSync, openSync, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as zlib from 'node:zlib';
import { Readable, type Transform } from 'node:stream';

// Log rotators compress the files they rotate (logrotate's `compress`: app.log.2.gz). A
// compressed file is never appended to, and what it holds is usually what we already read
// under its old name; when it is not (rotated and compressed while Vigil was stopped, or
// an archive dropped into the folder), its lines are read decompressed, once. Known by
// their first bytes, not by their names.

export type Compression = 'gzip' | 'zstd' | 'bzip2' | 'xz';

/** The compression a file's first bytes announce, if any. */
export function compressionOf(head: Buffer): Compression | null {
  if (head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  // "BZh" and a block size, then a block's magic (pi): plain text never starts so.
  if (head.length >= 10 && head.subarray(0, 3).toString('latin1') === 'BZh' && head.subarray(4, 10).equals(BZ_BLOCK)) return 'bzip2';
  if (head.length >= 6 && head.subarray(0, 6).equals(XZ_MAGIC)) return 'xz';
  return null;
}

/** The first `n` bytes of the file at `path` (fewer when it is shorter). */
export function fileHead(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(n);
    return head.subarray(0, readSync(fd, head, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/** The compression of the file at `path`, by its first bytes. */
export function compressionOfFile(path: string): Compression | null {
  return compressionOf(fileHead(path, 16));
}

const BZ_BLOCK = Buffer.from([0x31, 0x41, 0x59, 0x26, 0x53, 0x59]);
const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);

/** Why a compressed file cannot be read here, or null when it can. */
export function unreadable(kind: Compression): string | null {
  if (kind === 'gzip') return null;
  if (kind === 'zstd') return typeof zlib.createZstdDecompress === 'function' ? null : 'zstd needs Node 22.15 or later';
  return `${kind} is not supported (Vigil reads gzip and zstd)`;
}

function decompressor(kind: Compression): Transform {
  const chunkSize = 256 * 1024;
  if (kind === 'gzip') return zlib.createGunzip({ chunkSize });
  if (kind === 'zstd') return zlib.createZstdDecompress({ chunkSize });
  throw new Error(unreadable(kind) ?? `cannot decompress ${kind}`);
}

/**
 * The file's content, decompressed, in chunks. Reads through `fh` by position (the file
 * stays the one we probed, whatever its path names meanwhile); `fh` stays open. A damaged
 * or cut-off file ends with an error after the chunks that could be decompressed.
 *
 * zstd: Node's decompressor stops at the end of the first frame, and a frame cut short just
 * ends. So each frame is read on its own, from where the last one's bytes ended (a file of
 * several frames: pzstd, `cat a.zst b.zst`), and one that ends short of the content size
 * its header announces is an error, not an end.
 */
export async function* decompressed(fh: FileHandle, kind: Compression, progress?: { read: number }): AsyncGenerator<Buffer> {
  if (kind !== 'zstd') {
    yield* decompressFrom(fh, kind, 0, progress);
    return;
  }
  const size = (await fh.stat()).size;
  let start = 0;
  while (start < size) {
    const header = Buffer.alloc(18);
    const { bytesRead } = await fh.read(header, 0, header.length, start);
    const magic = bytesRead >= 4 ? header.readUInt32LE(0) : 0;
    if (bytesRead >= 8 && (magic & 0xfffffff0) === 0x184d2a50) {
      // A skippable frame (metadata): its length follows its magic.
      start += 8 + header.readUInt32LE(4);
      continue;
    }
    if (magic !== 0xfd2fb528) throw new Error(`the zstd data is damaged at byte ${start} (no frame starts there)`);
    const announced = frameContentSize(header.subarray(0, bytesRead));
    const meter = { produced: 0, consumed: 0 };
    yield* decompressFrom(fh, kind, start, progress, meter);
    if (announced !== null && meter.produced < announced) {
      throw new Error(`the zstd data is cut off: its frame at byte ${start} gave ${meter.produced} of its ${announced} bytes`);
    }
    if (meter.consumed === 0) throw new Error(`the zstd data is damaged at byte ${start}`);
    start += meter.consumed;
  }
}

async function* decompressFrom(fh: FileHandle, kind: Compression, from: number, progress?: { read: number }, meter?: { produced: number; consumed: number }): AsyncGenerator<Buffer> {
  const src = Readable.from(rawChunks(fh, progress, from), { objectMode: false });
  const d = decompressor(kind);
  const out = src.pipe(d);
  src.on('error', (err) => out.destroy(err));
  try {
    for await (const chunk of out) {
      if (meter) meter.produced += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
    // The compressed bytes the frame took (zlib counts what it consumed).
    if (meter) meter.consumed = (d as unknown as { bytesWritten: number }).bytesWritten;
  } finally {
    src.destroy();
    out.destroy();
  }
}

/** Frame_Content_Size of a zstd frame header (RFC 8878, 3.1.1.1), or null when the header does not say. */
export function frameContentSize(h: Buffer): number | null {
  if (h.length < 5) return null;
  const fhd = h[4]!;
  const fcsFlag = fhd >> 6;
  const single = (fhd >> 5) & 1;
  const dictFlag = fhd & 3;
  const fcsBytes = fcsFlag === 0 ? (single ? 1 : 0) : [0, 2, 4, 8][fcsFlag]!;
  if (!fcsBytes) return null;
  const at = 5 + (single ? 0 : 1) + [0, 1, 2, 4][dictFlag]!;
  if (h.length < at + fcsBytes) return null;
  if (fcsBytes === 1) return h[at]!;
  if (fcsBytes === 2) return h.readUInt16LE(at) + 256;
  if (fcsBytes === 4) return h.readUInt32LE(at);
  return Number(h.readBigUInt64LE(at));
}

async function* rawChunks(fh: FileHandle, progress?: { read: number }, from = 0): AsyncGenerator<Buffer> {
  let pos = from;
  for (;;) {
    const buf = Buffer.allocUnsafe(256 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) return;
    pos += bytesRead;
    if (progress) progress.read = pos;
    yield buf.subarray(0, bytesRead);
  }
}

/** The first `n` bytes of the decompressed content (fewer when it is shorter, or cut off or damaged there). */
export async function decompressedHead(fh: FileHandle, kind: Compression, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let have = 0;
  try {
    for await (const chunk of decompressed(fh, kind)) {
      parts.push(chunk);
      have += chunk.length;
      if (have >= n) break;
    }
  } catch {
    /* what came before the damage is the head */
  }
  return Buffer.concat(parts).subarray(0, n);
}
