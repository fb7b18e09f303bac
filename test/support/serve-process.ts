import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  /** SIGTERM, then wait for a clean exit; returns the exit code. */
  stop(): Promise<number | null>;
}

/** Starts the built `vigil serve` (bin/vigil.js) and waits for its "Vigil UI: <url>" line. */
/** `stderrFd`: where its log goes instead of a pipe (a file descriptor: /dev/full, a full disk). */
export function startServe(args: string[], env: NodeJS.ProcessEnv = {}, stderrFd?: number): Promise<ServeProcess> {
  const child = spawn(process.execPath, [join(repo, 'bin', 'vigil.js'), 'serve', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', stderrFd ?? 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vigil serve did not print its URL in time; stderr:\n${err}`));
    }, 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vigil serve exited with ${code}; stderr:\n${err}`));
    });
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^Vigil UI: (\S+)$/m.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        url: m[1]!,
        child,
        stderr: () => err,
        stop: () =>
          new Promise((res) => {
            if (child.exitCode !== null) return res(child.exitCode);
            child.once('exit', (code) => res(code));
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
