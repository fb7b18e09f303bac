import { once } from 'node:events';
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
