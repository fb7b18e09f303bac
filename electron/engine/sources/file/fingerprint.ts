import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { TAIL_BYTES } from './line-splitter.js';

/** Bytes looked at: the first line, or this many bytes when the first line is longer. */
export const FINGERPRINT_BYTES = 1024;

/**
 * A file's identity beside dev/inode (which the OS reuses): a hash of its first line, as
 * Vector's checksum fingerprint. Null until the file has a complete first line (or 1 KiB).
 */
export async function fingerprint(fh: FileHandle): Promise<string | null> {
  const buf = Buffer.alloc(FINGERPRINT_BYTES);
  const { bytesRead } = await fh.read(buf, 0, FINGERPRINT_BYTES, 0);
  return fingerprintOf(buf.subarray(0, bytesRead));
}

/** The fingerprint of a file starting with `head` (its first bytes, as read). */
export function fingerprintOf(head: Buffer): string | null {
  const bytes = head.subarray(0, FINGERPRINT_BYTES);
  const nl = bytes.indexOf(0x0a);
  if (nl === -1 && bytes.length < FINGERPRINT_BYTES) return null;
  const end = nl === -1 ? bytes.length : nl + 1;
  return createHash('sha1').update(bytes.subarray(0, end)).digest('hex').slice(0, 20);
}

/**
 * The TAIL_BYTES bytes just before `offset` (fewer near the start). Stored with each
 * checkpoint, they tell whether a file still holds the content the checkpoint was taken
 * in (same inode reused, truncated and rewritten, a copy) before we resume there.
 */
export async function readTail(fh: FileHandle, offset: number): Promise<Buffer> {
  const from = Math.max(0, offset - TAIL_BYTES);
  const buf = Buffer.alloc(offset - from);
  if (!buf.length) return buf;
  const { bytesRead } = await fh.read(buf, 0, buf.length, from);
  return buf.subarray(0, bytesRead);
}

/** The checkpoint `cursor` of a file row: the tail bytes, hex. */
export function encodeTail(tail: Buffer): string {
  return tail.toString('hex');
}

export function decodeTail(cursor: string | null): Buffer | null {
  if (cursor === null || !/^(?:[0-9a-f]{2})*$/.test(cursor)) return null;
  return Buffer.from(cursor, 'hex');
}
