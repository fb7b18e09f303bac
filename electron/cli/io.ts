import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { probeFile } from '../engine/sources/file/identity.js';
import { unreadable } from '../engine/util/compression.js';

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
 * cannot read, or binary (an executable, a journal file), as the file source judges it.
 */
export async function unreadableLog(path: string): Promise<string | null> {
  // Not opened unless regular: opening a named pipe would wait for a writer.
  if (!statSync(path).isFile()) return 'not a regular file';
  const probe = await probeFile(path);
  await probe.fh.close();
  const kind = probe.compression;
  const why = kind && unreadable(kind);
  if (why) return `${kind}-compressed: ${why}`;
  return probe.binary;
}
