import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/** Bytes looked at: the first line, or this many bytes when the first line is longer. */
export const FINGERPRINT_BYTES = 1024;

/**
 * A file's identity beside dev/inode (which the OS reuses): a hash of its first line, as
 * Vector's checksum fingerprint. Null until the file has a complete first line (or 1 KiB).
 */
export async function fingerprint(fh: FileHandle): Promise<string | null> {
  const buf = Buffer.alloc(FINGERPRINT_BYTES);
  const { bytesRead } = await fh.read(buf, 0, FINGERPRINT_BYTES, 0);
  const nl = buf.subarray(0, bytesRead).indexOf(0x0a);
  if (nl === -1 && bytesRead < FINGERPRINT_BYTES) return null;
  const end = nl === -1 ? bytesRead : nl + 1;
  return createHash('sha1').update(buf.subarray(0, end)).digest('hex').slice(0, 20);
}
