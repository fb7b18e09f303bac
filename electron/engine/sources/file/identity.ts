import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { FileRow } from '../../store/store.js';
import { compressionOf, decompressedHead, type Compression } from '../../util/compression.js';
import { decodeTail, fingerprintOf, FINGERPRINT_BYTES, readTail } from './fingerprint.js';
import { encodingOf, type TextEncoding } from './utf16-splitter.js';
import { binaryByName, binaryReason } from './binary.js';

/** An opened file, looked at before deciding which checkpoint (if any) it continues. */
export interface Probe {
  path: string;
  fh: FileHandle;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  isFile: boolean;
  /** Head fingerprint (first line), null while the first line is incomplete. Of the decompressed content for a compressed file. */
  fp: string | null;
  /** A compressed file (rotated and compressed: read decompressed, once; see compressed.ts). */
  compression: Compression | null;
  /** The text's encoding, by its first bytes (UTF-16 with a byte-order mark, else UTF-8). */
  encoding: TextEncoding;
  /** Why it is not text (a journal file, an executable, utmp records; "gzip-compressed …" for an archive), or null. */
  binary: string | null;
}

export async function probeFile(path: string): Promise<Probe> {
  const fh = await open(path, 'r');
  try {
    const st = await fh.stat();
    let fp: string | null = null;
    let compression: Compression | null = null;
    let encoding: TextEncoding = 'utf8';
    let binary: string | null = null;
    if (st.isFile()) {
      const head = Buffer.alloc(FINGERPRINT_BYTES);
      const { bytesRead } = await fh.read(head, 0, FINGERPRINT_BYTES, 0);
      compression = compressionOf(head.subarray(0, bytesRead));
      const text = compression === null ? head.subarray(0, bytesRead) : compression === 'gzip' || compression === 'zstd' ? await decompressedHead(fh, compression, FINGERPRINT_BYTES) : null;
      if (text) {
        fp = fingerprintOf(text);
        encoding = encodingOf(text);
        const why = encoding === 'utf8' ? (binaryByName(basename(path)) ?? binaryReason(text)) : null;
        if (why) binary = compression ? `${compression}-compressed ${why}` : why;
      }
    }
    return { path, fh, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, isFile: st.isFile(), fp, compression, encoding, binary };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

export function sameInode(a: { dev: number | null; ino: number | null }, b: { dev: number | null; ino: number | null }): boolean {
  return a.dev !== null && a.ino !== null && a.dev === b.dev && a.ino === b.ino;
}

/**
 * Does this file still hold the content `row`'s checkpoint was taken in? It must be at
 * least as long, start with the same first line, and hold the same bytes just before the
 * checkpoint. This is what tells a file renamed or copied (continue) from a reused inode
 * or a file truncated and rewritten (start over).
 */
export async function holdsCheckpoint(probe: Probe, row: FileRow): Promise<boolean> {
  if (probe.size < row.offset) return false;
  if (row.fingerprint !== null && probe.fp !== row.fingerprint) return false;
  if (row.fingerprint === null && !sameInode(probe, row)) return false;
  const want = decodeTail(row.cursor);
  if (want === null) return true; // an older checkpoint without tail bytes: trust the fingerprint
  const have = await readTail(probe.fh, row.offset);
  return have.equals(want);
}

/**
 * Finds where a file now lives by its inode, in the folder it was last seen in: a file
 * rotated (renamed) while Vigil was stopped still holds lines behind our checkpoint.
 * Looks at one folder per call; `cache` keeps each folder's listing for the scan.
 */
export async function findByInode(
  dir: string,
  dev: number,
  ino: number,
  cache: Map<string, Map<string, string>>,
): Promise<string | null> {
  let byInode = cache.get(dir);
  if (!byInode) {
    byInode = new Map();
    cache.set(dir, byInode);
    let names: string[] = [];
    try {
      names = await readdir(dir);
    } catch {
      /* folder gone or unreadable: nothing to find */
    }
    for (const name of names) {
      const p = join(dir, name);
      try {
        const st = await stat(p);
        if (st.isFile()) byInode.set(`${st.dev}:${st.ino}`, p);
      } catch {
        /* vanished meanwhile */
      }
    }
  }
  return byInode.get(`${dev}:${ino}`) ?? null;
}
