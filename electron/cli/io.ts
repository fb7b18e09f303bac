import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { binaryByName, binaryReason } from '../engine/sources/file/binary.js';
import { encodingOf } from '../engine/sources/file/utf16-splitter.js';
import { compressionOfFile, decompressedHead, unreadable } from '../engine/util/compression.js';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Read for a FILE given as `-`. */
  stdin?: NodeJS.ReadableStream;
}

/**
 * A FILE given as `-` (`kubectl logs web | vigil scan -`): standard input copied to a
 * temporary file, because parse reads its file twice and both commands take its size and
 * time. `use` gets the file's path; the file is removed after. A copy that fails (no
 * standard input, a full disk) is said as `<command>: cannot read standard input: ...`, exit 2.
 */
export async function withStdinFile(command: string, io: CliIo, use: (path: string) => Promise<number>): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-stdin-'));
  try {
    const path = join(dir, 'stdin');
    try {
      if (!io.stdin) throw new Error('no standard input here');
      await pipeline(io.stdin, createWriteStream(path));
    } catch (e) {
      const msg = `${command}: cannot read standard input: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`;
      if (!io.stderr.write(msg)) await once(io.stderr, 'drain');
      return 2;
    }
    return await use(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Why `path` cannot be read as a log, or null: not a regular file, compressed in a way we
 * cannot read, or binary (an executable, a journal file: see sources/file/binary.ts).
 */
export async function unreadableLog(path: string): Promise<string | null> {
  if (!statSync(path).isFile()) return 'not a regular file';
  const kind = compressionOfFile(path);
  const why = kind && unreadable(kind);
  if (why) return `${kind}-compressed: ${why}`;
  const fh = await open(path, 'r');
  try {
    let head: Buffer;
    if (kind) {
      head = await decompressedHead(fh, kind, 1024);
    } else {
      const buf = Buffer.alloc(1024);
      head = buf.subarray(0, (await fh.read(buf, 0, buf.length, 0)).bytesRead);
    }
    const binary = encodingOf(head) === 'utf8' ? (binaryByName(basename(path)) ?? binaryReason(head)) : null;
    return binary && (kind ? `${kind}-compressed ${binary}` : binary);
  } finally {
    await fh.close();
  }
}
