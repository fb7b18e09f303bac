// The desktop app's main process (electron/main/main.ts, built to dist/electron/main.js), run
// for real under Node with a FAKE ELECTRON module (test/support/fake-electron): the Electron
// binary cannot be downloaded here. The engine, store, files and receivers are real; what
// Electron would draw (window, tray, toast, dialog) is recorded by the fake and read back.
import { appendFileSync, cpSync, existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { launchMain, type FakeElectronApp } from '../support/fake-electron/app.js';
import { tempDir, waitFor } from '../support/tmp.js';

const MAIN = resolve('dist/electron/main.js');
const apps: FakeElectronApp[] = [];
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) a.kill();
  for (const c of cleanups.splice(0).reverse()) await c();
});

function launch(env: Record<string, string>): FakeElectronApp {
  const app = launchMain(MAIN, env);
  apps.push(app);
  return app;
}

function dataFolder(yaml: string): { dir: string; log: string } {
  const t = tempDir('vigil-electron-');
  cleanups.push(t.cleanup);
  const log = join(t.dir, 'app.log');
  writeFileSync(log, '');
  writeFileSync(join(t.dir, 'vigil.yml'), yaml.replaceAll('LOG', log));
  return { dir: t.dir, log };
}

const count = (db: string, sql: string) => {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare(sql).pluck().get() as number;
  } finally {
    d.close();
  }
};

describe('the desktop app (FAKE ELECTRON: binary unavailable here)', () => {
  it('opens its window once it can answer it, keeps watching from the tray when closed, and Quit stores every line read before it exits', async () => {
    const { dir, log } = dataFolder("sources:\n  - { name: app, type: file, path: 'LOG' }\n");
    const app = launch({ FAKE_ELECTRON_USER_DATA: dir });
    const s = await waitFor(async () => {
      const st = await app.state();
      return st.windows[0]?.visible ? st : null;
    }, { what: 'the window' });
    expect(s!.handlers).toBeGreaterThan(30);
    expect(await app.call('app.info')).toMatchObject({ ok: true });
    await app.ask('close-window');
    expect((await app.state()).windows[0]!.visible).toBe(false);
    expect((await app.state()).trays[0]!.destroyed).toBe(false);
    for (let i = 1; i <= 500; i++) appendFileSync(log, `2026-11-23T10:00:00Z INFO line ${i}\n`);
    await waitFor(async () => {
      const r = await app.call('query.run', { sql: 'select count(*) n from events' });
      return typeof r === 'object' && (r.res as { rows: { n: number }[] }).rows[0]!.n >= 1 ? true : null;
    }, { what: 'lines read' });
    // Quit while reading: what was read is stored, the rest is read at the next start, once.
    await app.ask('quit');
    expect(await app.exited).toBe(0);
    const again = launch({ FAKE_ELECTRON_USER_DATA: dir });
    appendFileSync(log, '2026-11-23T10:00:01Z INFO after the restart\n');
    await waitFor(async () => {
      const r = await again.call('query.run', { sql: "select count(*) n from events where message like 'line %'" });
      return typeof r === 'object' && r.ok && (r.res as { rows: { n: number }[] }).rows[0]!.n === 500 ? true : null;
    }, { what: 'all 500 lines' });
    await again.ask('quit');
    expect(await again.exited).toBe(0);
    const db = join(dir, 'vigil.db');
    expect(count(db, "select count(*) from records where raw like '%INFO line %'")).toBe(500);
    expect(count(db, "select count(distinct raw) from records where raw like '%INFO line %'")).toBe(500);
  });

  it('installed under a folder named with % [ ] ~ and a space, the window\'s calls are answered (its URL is as loadFile writes it)', async () => {
    const { dir } = dataFolder('sources: []\n');
    const odd = join(dir, 'Vigil 100% [x] ~1');
    cpSync(resolve('dist'), join(odd, 'dist'), { recursive: true });
    symlinkSync(resolve('node_modules'), join(odd, 'node_modules'));
    const moved = launchMain(join(odd, 'dist', 'electron', 'main.js'), { FAKE_ELECTRON_USER_DATA: join(dir, 'data2') });
    apps.push(moved);
    await waitFor(async () => (await moved.state()).windows[0]?.visible, { what: 'the window' });
    expect(await moved.call('app.info')).toMatchObject({ ok: true });
    await moved.ask('quit');
    expect(await moved.exited).toBe(0);
  });

  it('VIGIL_DATA_DIR chooses its data folder, as for vigil serve', async () => {
    const { dir } = dataFolder('sources: []\n');
    const elsewhere = tempDir('vigil-electron-default-');
    cleanups.push(elsewhere.cleanup);
    const app = launch({ FAKE_ELECTRON_USER_DATA: elsewhere.dir, VIGIL_DATA_DIR: dir });
    await waitFor(async () => (await app.state()).windows[0]?.visible, { what: 'the window' });
    expect((await app.state()).userData).toBe(dir);
    expect(existsSync(join(dir, 'vigil.db'))).toBe(true);
    expect(existsSync(join(elsewhere.dir, 'vigil.db'))).toBe(false);
    await app.ask('quit');
    expect(await app.exited).toBe(0);
  });

  it('a data folder holding a file that is no store: a dialog says which file and what to do', async () => {
    const { dir } = dataFolder('sources: []\n');
    writeFileSync(join(dir, 'vigil.db'), 'not a database, a text file someone put here\n'.repeat(100));
    const app = launch({ FAKE_ELECTRON_USER_DATA: dir });
    expect(await app.exited).toBe(1);
    expect(app.dialogs).toEqual([
      { title: 'Vigil could not start', content: `${join(dir, 'vigil.db')} is not a Vigil store (not an SQLite database); move it away, and Vigil makes a new store` },
    ]);
  });

  it('another Vigil holding the store: the dialog names it and says what to do', async () => {
    const { dir } = dataFolder('sources: []\n');
    const first = launch({ FAKE_ELECTRON_USER_DATA: dir });
    await waitFor(async () => (await first.state()).windows[0]?.visible, { what: 'the first window' });
    // A second app on the same folder past Electron's own lock (VIGIL_DATA_DIR set for one only, say).
    const second = launch({ FAKE_ELECTRON_USER_DATA: join(dir, 'other'), VIGIL_DATA_DIR: dir });
    expect(await second.exited).toBe(1);
    expect(second.dialogs[0]!.content).toMatch(/^the Vigil desktop app \(pid \d+, since .*\) is already watching logs into .*vigil\.db; two at once would store every line twice/);
    await first.ask('quit');
    expect(await first.exited).toBe(0);
  });

  it.each(['second-instance', 'activate'])('%s while the store is still opening: no window nobody answers; the one window opens answered', async (event) => {
    const { dir } = dataFolder('sources: []\n');
    const app = launch({ FAKE_ELECTRON_USER_DATA: dir, FAKE_ELECTRON_EARLY: event });
    const s = await waitFor(async () => {
      const st = await app.state();
      return st.windows.length ? st : null;
    }, { what: 'a window' });
    // The window opened once its calls could be answered.
    expect(s!.windows[0]!.handlersAtOpen).toBeGreaterThan(30);
    expect(await app.call('sources.list')).toMatchObject({ ok: true });
    expect((await app.state()).windows).toHaveLength(1);
    await app.ask('quit');
    expect(await app.exited).toBe(0);
  });

  it('Quit with a webhook that never answers: the window goes at once, a second Quit waits for the first, and it exits within seconds', async () => {
    const hang: Server = createServer(() => undefined);
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => hang.close(r)));
    hang.on('connection', (s) => cleanups.push(() => s.destroy()));
    const port = (hang.address() as { port: number }).port;
    const { dir, log } = dataFolder(
      `sources:\n  - { name: app, type: file, path: 'LOG' }\nchannels:\n  - { name: hook, type: webhook, url: 'http://127.0.0.1:${port}/x', timeout: 60s }\nnotify: { groupWindow: 0 }\n`,
    );
    const app = launch({ FAKE_ELECTRON_USER_DATA: dir });
    await waitFor(async () => (await app.state()).windows[0]?.visible, { what: 'the window' });
    appendFileSync(log, '2026-11-23T10:00:00Z FATAL the database is gone\n');
    await waitFor(async () => {
      const r = await app.call('notifications.history', {});
      // In flight: its first attempt begun, no answer yet.
      return typeof r === 'object' && (r.res as { status: string; attempts: number }[]).some((h) => h.status === 'pending' && h.attempts === 1) ? true : null;
    }, { what: 'a request out', timeoutMs: 20_000 });
    const t0 = Date.now();
    await app.ask('quit');
    const s = await app.state();
    expect(s.windows[0]!.visible).toBe(false);
    expect(s.trays[0]!.destroyed).toBe(true);
    await app.ask('quit');
    expect((await app.state()).exitCode).toBeUndefined();
    expect(await app.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(20_000);
    // The message was cut off, not lost: the next start sends it again.
    expect(count(join(dir, 'vigil.db'), "select count(*) from notify_outbox where status = 'sending'")).toBe(1);
  });

  it('a toast clicked long after it appeared, also from the Action Center (Windows sent close), still opens Vigil at its anomaly (Electron holds a Notification weakly)', async () => {
    const { dir, log } = dataFolder(
      "sources:\n  - { name: app, type: file, path: 'LOG' }\nchannels:\n  - { name: desktop, type: toast }\nnotify: { groupWindow: 0 }\n",
    );
    const app = launch({ FAKE_ELECTRON_USER_DATA: dir });
    await waitFor(async () => (await app.state()).windows[0]?.visible, { what: 'the window' });
    await app.ask('close-window');
    appendFileSync(log, '2026-11-23T10:00:00Z FATAL the database is gone\n');
    await waitFor(async () => ((await app.state()).notifications.length ? true : null), { what: 'a toast', timeoutMs: 20_000 });
    await app.ask('toast-close', { index: 0 });
    await app.ask('gc');
    expect(await app.ask('click', { index: 0 })).toMatchObject({ clicked: true });
    await waitFor(async () => (await app.state()).windows[0]?.visible, { what: 'the window shown by the click' });
    expect((await app.state()).windows[0]!.sent).toContain('vigil:event:notify.toastClicked');
    await app.ask('quit');
    expect(await app.exited).toBe(0);
  });
});

