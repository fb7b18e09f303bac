import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { VigilConfig } from '../../shared/types.js';
import { formatErrors, parseConfig } from '../engine/config/config-file.js';
import { probeFile } from '../engine/sources/file/identity.js';
import { unreadable } from '../engine/util/compression.js';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Read for a FILE given as `-`. */
  stdin?: NodeJS.ReadableStream;
}

/**
 * A temporary folder that goes away however the command ends: `remove()`, the process
 * exiting, or Ctrl-C / SIGTERM (which then end the command, 130 / 143, as they would).
 */
export function tempFolder(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const rm = () => rmSync(dir, { recursive: true, force: true });
  const onSignal = (signal: NodeJS.Signals) => {
    rm();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', rm);
  return {
    dir,
    remove: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('exit', rm);
      rm();
    },
  };
}

/**
 * A FILE given as `-` (`kubectl logs web | vigil scan -`): standard input copied to a
 * temporary file, because parse reads its file twice and both commands take its size and
 * time. `use` gets the file's path; the file is removed after. A copy that fails (no
 * standard input, a full disk) is said as `<command>: cannot read standard input: ...`, exit 2.
 */
export async function withStdinFile(command: string, io: CliIo, use: (path: string) => Promise<number>): Promise<number> {
  // Removed however the command ends: Ctrl-C on `kubectl logs -f ... | vigil scan -` would
  // otherwise leave the whole copy behind.
  const { dir, remove } = tempFolder('vigil-stdin-');
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
    remove();
  }
}

/**
 * Why `path` cannot be read as a log, or null: not a regular file, compressed in a way we
 * cannot read, or binary (an executable, a journal file), as the file source judges it.
 */
export async function unreadableLog(path: string): Promise<string | null> {
  // Not opened unless regular: opening a named pipe would wait for a writer.
  const st = statSync(path);
  // `vigil scan <(zcat app.log.gz)`: a pipe is read as standard input is.
  if (st.isFIFO() || st.isSocket()) return 'a pipe, not a file: give it on standard input, as - (zcat app.log.gz | vigil scan -)';
  if (!st.isFile()) return st.isDirectory() ? 'a folder, not a file' : 'not a regular file';
  const probe = await probeFile(path);
  await probe.fh.close();
  const kind = probe.compression;
  const why = kind && unreadable(kind);
  if (why) return `${kind}-compressed: ${why}`;
  return probe.binary;
}

/**
 * A command's `--config F`: the config, or null once it has said on stderr why not (the file
 * cannot be read, or the key and reason of what is invalid); the command then exits 2.
 */
export function readConfigArg(command: string, path: string, io: CliIo): VigilConfig | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    io.stderr.write(`${command}: cannot read ${path}: ${(err as Error).message}\n`);
    return null;
  }
  const r = parseConfig(text);
  if (!r.ok) {
    io.stderr.write(`${command}: invalid config ${path}:\n${formatErrors(r.errors)}\n`);
    return null;
  }
  return r.config;
}
