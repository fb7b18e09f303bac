import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.js';
import { StoreInUseError, StoreLinkedError } from '../../electron/engine/store/store-lock.js';
import { tempDir, waitFor } from '../support/tmp.js';

// The desktop app and `vigil serve` share their data folder by default. Two engines on one
// store would tail the same files from the same checkpoints and store every line twice.

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setUp(): { dir: string; log: string } {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'vigil.yml'), `sources:\n  - { name: app, type: file, path: '${log}', start: beginning }\n`);
  return { dir, log };
}

const rawLines = (engine: Engine) => engine.store.db.prepare("SELECT raw FROM events WHERE source = 'app' ORDER BY id").pluck().all() as string[];

describe('one engine per store', () => {
  it('a second engine on the same store is refused with who holds it; once the first stops, it starts and goes on exactly once', async () => {
    const { dir, log } = setUp();
    const dataDir = join(dir, 'data');
    const first = await Engine.start({ dataDir, host: 'server', log: () => undefined });
    cleanups.push(() => first.close());
    appendFileSync(log, 'one\ntwo\n');
    await waitFor(() => rawLines(first).length === 2, { what: 'two lines stored' });

    const refused = await Engine.start({ dataDir, host: 'electron', log: () => undefined }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(StoreInUseError);
    expect((refused as Error).message).toContain(`\`vigil serve\` (pid ${process.pid}`);
    expect((refused as Error).message).toContain(join(dataDir, 'vigil.db'));
    expect((refused as Error).message).toContain('store every line twice');

    await first.close();
    appendFileSync(log, 'three\n');
    const second = await Engine.start({ dataDir, host: 'electron', log: () => undefined });
    cleanups.push(() => second.close());
    await waitFor(() => rawLines(second).length === 3, { what: 'the line written while stopped' });
    expect(rawLines(second)).toEqual(['one', 'two', 'three']);
  });

  it('a second engine reaching the store through a symlink (a moved store, a link left behind) is refused too', async () => {
    const { dir } = setUp();
    const dataDir = join(dir, 'data');
    const first = await Engine.start({ dataDir, host: 'server', log: () => undefined });
    cleanups.push(() => first.close());
    symlinkSync(join(dataDir, 'vigil.db'), join(dir, 'link.db'));
    mkdirSync(join(dir, 'linked-folder-parent'));
    symlinkSync(dataDir, join(dir, 'linked-folder-parent', 'data'));
    for (const other of [
      { dataDir: join(dir, 'other'), dbPath: join(dir, 'link.db'), configPath: join(dataDir, 'vigil.yml') },
      { dataDir: join(dir, 'linked-folder-parent', 'data') },
    ]) {
      const refused = await Engine.start({ ...other, host: 'electron', log: () => undefined }).then(
        (e) => e.close().then(() => null),
        (err: unknown) => err,
      );
      expect(refused).toBeInstanceOf(StoreInUseError);
    }
  });

  it('a symlink made before the store exists leads to the same lock; a store with a second name by a hard link is refused with how to fix it', async () => {
    const { dir } = setUp();
    mkdirSync(join(dir, 'real'));
    mkdirSync(join(dir, 'other'));
    symlinkSync(join(dir, 'real', 'vigil.db'), join(dir, 'other', 'vigil.db'));
    const viaLink = await Engine.start({ dataDir: join(dir, 'other'), configPath: join(dir, 'data', 'vigil.yml'), host: 'server', log: () => undefined });
    cleanups.push(() => viaLink.close());
    const refused = await Engine.start({ dataDir: join(dir, 'real'), configPath: join(dir, 'data', 'vigil.yml'), host: 'electron', log: () => undefined }).then(
      (e) => e.close().then(() => null),
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(StoreInUseError);
    await viaLink.close();

    linkSync(join(dir, 'real', 'vigil.db'), join(dir, 'hard.db'));
    const linked = await Engine.start({ dataDir: join(dir, 'real'), configPath: join(dir, 'data', 'vigil.yml'), host: 'server', log: () => undefined }).then(
      (e) => e.close().then(() => null),
      (err: unknown) => err,
    );
    expect(linked).toBeInstanceOf(StoreLinkedError);
    expect((linked as Error).message).toContain(`${join(dir, 'real', 'vigil.db')} has 2 names (hard links)`);
  });

  it('vigil serve: a second one on the same data folder exits 1 and names the first; a SIGKILLed holder leaves no stale lock', async () => {
    const { dir, log } = setUp();
    const env = { ...process.env, VIGIL_DATA_DIR: join(dir, 'data') };
    const serve = (): ChildProcess => spawn(process.execPath, [join(repo, 'bin', 'vigil.js'), 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const listening = (c: ChildProcess) =>
      new Promise<void>((resolve, reject) => {
        let out = '';
        c.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('Vigil UI:')) resolve();
        });
        c.once('exit', (code) => reject(new Error(`vigil serve exited ${code} before listening`)));
      });
    const exited = (c: ChildProcess) => new Promise<{ code: number | null; stderr: string }>((resolve) => {
      let stderr = '';
      c.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      c.once('exit', (code) => resolve({ code, stderr }));
    });

    const first = serve();
    const firstExit = exited(first);
    cleanups.push(() => void first.kill('SIGKILL'));
    await listening(first);

    const second = serve();
    const r = await exited(second);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`\`vigil serve\` (pid ${first.pid}`);
    expect(r.stderr).toContain('Stop it first');

    appendFileSync(log, 'before the kill\n');
    first.kill('SIGKILL');
    await firstExit;

    const third = serve();
    const thirdExit = exited(third);
    cleanups.push(() => void third.kill('SIGKILL'));
    await listening(third);
    // The line the first may or may not have stored before it was killed: stored once either way.
    const db = new Database(join(dir, 'data', 'vigil.db'), { readonly: true });
    cleanups.push(() => void db.close());
    const count = () => db.prepare("SELECT count(*) FROM events WHERE source = 'app' AND raw = 'before the kill'").pluck().get() as number;
    appendFileSync(log, 'after the restart\n');
    await waitFor(() => (db.prepare("SELECT count(*) FROM events WHERE raw = 'after the restart'").pluck().get() as number) === 1, { what: 'the third one reading' });
    expect(count()).toBe(1);
    third.kill('SIGTERM');
    expect((await thirdExit).code).toBe(0);
  });
});
