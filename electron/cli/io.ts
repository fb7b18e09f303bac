import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Read for a FILE given as `-`. */
  stdin?: NodeJS.ReadableStream;
}

/**
 * A FILE given as `-` (`kubectl logs web | vigil scan -`): standard input copied to a
 * temporary file, because parse reads its file twice and both take its size and time.
 * `cleanup` removes it.
 */
export async function spoolStdin(stdin: NodeJS.ReadableStream | undefined): Promise<{ path: string; cleanup: () => void }> {
  if (!stdin) throw new Error('no standard input here');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-stdin-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const path = join(dir, 'stdin');
  try {
    await pipeline(stdin, createWriteStream(path));
  } catch (err) {
    cleanup();
    throw err;
  }
  return { path, cleanup };
}
