// Conditions only the OS can create, created for real in a child engine process:
// a file or folder the engine's user may not read (as `nobody`: root reads everything),
// and inotify refusing watches (a user namespace with a lower max_inotify_watches).
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineProcess, storedLines } from '../../../support/engine-process.js';
import { tempDir, waitFor } from '../../../support/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const isRoot = process.getuid?.() === 0;
function nobody(): { uid: number; gid: number } | null {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'));
  if (!line) return null;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
function canUnshare(): boolean {
  try {
    execFileSync('unshare', ['-U', '-r', 'sh', '-c', 'echo 1 > /proc/sys/user/max_inotify_watches'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const user = isRoot ? nobody() : null;
const FAST = { tickMs: 50, rotateWaitMs: 500, pollIntervalMs: 50 };

function setup(owner: { uid: number; gid: number } | null) {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  chmodSync(dir, 0o755);
  const dataDir = join(dir, 'data');
  const logs = join(dir, 'logs');
  mkdirSync(dataDir);
  mkdirSync(logs);
  if (owner) {
    chownSync(dataDir, owner.uid, owner.gid);
    chownSync(logs, owner.uid, owner.gid);
  }
  return { dir, dataDir, logs };
}

describe('file source: OS limits, in a child engine', () => {
  it.skipIf(!user)('permission denied (file, then folder) is an error that clears by itself once access is given', async () => {
    // Needs root to switch to `nobody`: root itself is never denied a read.
    const { dataDir, logs } = setup(user);
    const log = join(logs, 'app.log');
    writeFileSync(log, 'one\ntwo\n');
    chmodSync(log, 0o000);
    writeFileSync(join(dataDir, 'vigil.yml'), `sources:\n  - name: app\n    type: file\n    path: ${log}\n    start: beginning\n`);
    chownSync(join(dataDir, 'vigil.yml'), user!.uid, user!.gid);
    const p = await EngineProcess.start({ dataDir, fileOptions: FAST, reportMs: 50, user: user! });
    cleanups.push(() => p.stop());
    await waitFor(() => p.status('app')?.state === 'error', { what: 'error status', timeoutMs: 10_000 });
    expect(p.status('app')?.message).toBe(`permission denied: ${log}`);
    chmodSync(log, 0o644);
    const dbPath = join(dataDir, 'vigil.db');
    await waitFor(() => storedLines(dbPath, 'app').length === 2, { what: 'lines once readable', timeoutMs: 10_000 });
    await waitFor(() => p.status('app')?.state === 'watching', { what: 'watching again' });
    // The folder: unreadable, then readable again; lines written meanwhile are not lost.
    chmodSync(logs, 0o000);
    await waitFor(() => p.status('app')?.state === 'error', { what: 'error on the folder' });
    // Whichever look hits the wall first names it: the folder, or the file inside it.
    expect([`permission denied: ${logs}`, `permission denied: ${log}`]).toContain(p.status('app')?.message);
    appendFileSync(log, 'three\n');
    chmodSync(logs, 0o755);
    await waitFor(() => storedLines(dbPath, 'app').length === 3, { what: 'line written while denied', timeoutMs: 10_000 });
    expect(storedLines(dbPath, 'app')).toEqual(['one', 'two', 'three']);
    await waitFor(() => p.status('app')?.state === 'watching', { what: 'watching again' });
    expect(await p.stop()).toBe(0);
  });

  it.skipIf(!user)('a successor file the engine may not open (made with umask 077) says permission denied, not path missing, and is read once access is given', async () => {
    const { dataDir, logs } = setup(user);
    const log = join(logs, 'app.log');
    writeFileSync(log, 'one\n');
    chownSync(log, user!.uid, user!.gid);
    writeFileSync(join(dataDir, 'vigil.yml'), `sources:\n  - name: app\n    type: file\n    path: ${log}\n    start: beginning\n`);
    chownSync(join(dataDir, 'vigil.yml'), user!.uid, user!.gid);
    const p = await EngineProcess.start({ dataDir, fileOptions: FAST, reportMs: 50, user: user! });
    cleanups.push(() => p.stop());
    const dbPath = join(dataDir, 'vigil.db');
    await waitFor(() => storedLines(dbPath, 'app').length === 1, { what: 'the first file' });
    // Deleted and made again by root, readable by root only: the old file is still read to its end meanwhile.
    rmSync(log);
    writeFileSync(log, 'two\n', { mode: 0o600 });
    await waitFor(() => p.status('app')?.state === 'error', { what: 'error status', timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, FAST.rotateWaitMs * 2));
    expect(p.status('app')?.message).toBe(`permission denied: ${log}`);
    chmodSync(log, 0o644);
    await waitFor(() => storedLines(dbPath, 'app').length === 2, { what: 'the successor once readable', timeoutMs: 10_000 });
    expect(storedLines(dbPath, 'app')).toEqual(['one', 'two']);
    await waitFor(() => p.status('app')?.state === 'watching', { what: 'watching again' });
    expect(await p.stop()).toBe(0);
  });

  it.skipIf(!user)('old archives and the live log denied in a folder source: the status names the live log first, not an archive', async () => {
    const { dataDir, logs } = setup(user);
    for (const n of [3, 2]) writeFileSync(join(logs, `access.log.${n}.gz`), 'old\n', { mode: 0o640 }); // root's
    const live = join(logs, 'access.log');
    writeFileSync(live, 'one\n');
    chownSync(live, user!.uid, user!.gid);
    writeFileSync(join(dataDir, 'vigil.yml'), `sources:\n  - name: app\n    type: file\n    path: ${logs}\n    start: beginning\n`);
    chownSync(join(dataDir, 'vigil.yml'), user!.uid, user!.gid);
    const p = await EngineProcess.start({ dataDir, fileOptions: FAST, reportMs: 50, user: user! });
    cleanups.push(() => p.stop());
    await waitFor(() => storedLines(join(dataDir, 'vigil.db'), 'app').length === 1, { what: 'the live log' });
    // Rotated with `create 0640 root root`, the usual logrotate config: the new live log is root's.
    rmSync(live);
    writeFileSync(live, 'two\n', { mode: 0o640 });
    await waitFor(() => /access\.log[,;]/.test(p.status('app')?.message ?? ''), { what: 'status naming the live log', timeoutMs: 10_000 });
    expect(p.status('app')?.message).toMatch(new RegExp(`^permission denied: ${live}, ${logs}/access\\.log\\.[23]\\.gz \\(and 1 more\\)`));
    expect(await p.stop()).toBe(0);
  });

  it.skipIf(!user)('a folder inside a folder source that the engine may not read is named in the status, and watched once it can be read', async () => {
    const { dataDir, logs } = setup(user);
    const sub = join(logs, 'sub');
    mkdirSync(sub, { mode: 0o700 }); // root's: nobody may not look in
    writeFileSync(join(sub, 'a.log'), 'in sub\n', { mode: 0o644 });
    writeFileSync(join(logs, 'top.log'), 'at top\n');
    chownSync(join(logs, 'top.log'), user!.uid, user!.gid);
    writeFileSync(join(dataDir, 'vigil.yml'), `sources:\n  - name: app\n    type: file\n    path: ${logs}\n    recursive: true\n    start: beginning\n`);
    chownSync(join(dataDir, 'vigil.yml'), user!.uid, user!.gid);
    const p = await EngineProcess.start({ dataDir, fileOptions: FAST, reportMs: 50, user: user! });
    cleanups.push(() => p.stop());
    const dbPath = join(dataDir, 'vigil.db');
    await waitFor(() => storedLines(dbPath, 'app').length === 1, { what: 'the readable file' });
    await waitFor(() => p.status('app')?.state === 'error', { what: 'the unreadable folder named', timeoutMs: 10_000 });
    expect(p.status('app')?.message).toBe(`permission denied: ${sub}; its files are read once it can be`);
    chmodSync(sub, 0o755);
    await waitFor(() => storedLines(dbPath, 'app').length === 2, { what: 'the file in the folder once readable', timeoutMs: 10_000 });
    // A file made in it afterwards is seen too: the folder is watched now.
    writeFileSync(join(sub, 'b.log'), 'new in sub\n');
    await waitFor(() => storedLines(dbPath, 'app').length === 3, { what: 'a new file in it', timeoutMs: 10_000 });
    expect(storedLines(dbPath, 'app').sort()).toEqual(['at top', 'in sub', 'new in sub']);
    await waitFor(() => p.status('app')?.state === 'watching', { what: 'watching' });
    expect(await p.stop()).toBe(0);
  });

  it.skipIf(!isRoot || !canUnshare())('inotify refusing watches (ENOSPC, a real kernel limit): falls back to polling, says so, reads every line', async () => {
    const { dataDir, logs } = setup(null);
    const log = join(logs, 'app.log');
    writeFileSync(log, '');
    writeFileSync(join(dataDir, 'vigil.yml'), `sources:\n  - name: app\n    type: file\n    path: ${logs}/*.log\n    start: beginning\n`);
    // One watch allowed: the config folder's. The log folder's is refused by the kernel.
    const p = await EngineProcess.start({ dataDir, fileOptions: FAST, reportMs: 50, inotifyWatchLimit: 1 });
    cleanups.push(() => p.stop());
    await waitFor(() => p.status('app')?.polling === true, { what: 'polling reported', timeoutMs: 10_000 });
    expect(p.status('app')?.message).toMatch(/^polling: the OS refused more file watches \(ENOSPC\)/);
    const lines: string[] = [];
    for (let i = 0; i < 50; i++) lines.push(`polled ${i}`);
    appendFileSync(log, lines.join('\n') + '\n');
    writeFileSync(join(logs, 'later.log'), 'a file that appeared later\n');
    const dbPath = join(dataDir, 'vigil.db');
    await waitFor(() => storedLines(dbPath, 'app').length === 51, { what: 'all lines while polling', timeoutMs: 15_000 });
    const stored = storedLines(dbPath, 'app');
    expect(stored.filter((l) => l.startsWith('polled'))).toEqual(lines);
    expect(stored).toContain('a file that appeared later');
    expect(p.status('app')?.state).toBe('watching');
    expect(await p.stop()).toBe(0);
  });
});
