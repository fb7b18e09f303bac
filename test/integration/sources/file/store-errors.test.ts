// The store refusing writes (disk full, locked): records are held and retried, never lost,
// never doubled, and the source says it is paused and why.
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../../../support/tmp.js';
import { Rig, Writer } from './rig.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A tiny tmpfs, when this process may mount one (root); null otherwise. */
function tinyFs(at: string, size: string): (() => void) | null {
  mkdirSync(at, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', at], { stdio: 'ignore' });
  } catch {
    return null;
  }
  return () => execFileSync('umount', ['-l', at], { stdio: 'ignore' });
}

describe('file source: store write errors', () => {
  it('disk full (the database on a full filesystem): held and retried; everything stored once when space comes back', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const dbDir = join(dir, 'db');
    const unmount = tinyFs(dbDir, '8m');
    if (unmount) cleanups.push(unmount);
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const rig = await Rig.start({
      dir,
      dbPath: join(dbDir, 'vigil.db'),
      source: { path: log, start: 'beginning' },
      ingestor: { retryMs: 20, retryMaxMs: 100 },
    });
    cleanups.push(() => rig.close());
    let makeRoom: () => void;
    if (unmount) {
      // A real ENOSPC: fill the filesystem the database lives on.
      const filler = join(dbDir, 'filler');
      execFileSync('sh', ['-c', `dd if=/dev/zero of='${filler}' bs=64k 2>/dev/null || true`]);
      makeRoom = () => rmSync(filler);
    } else {
      // Not allowed to mount here: SQLite's own size cap gives the same SQLITE_FULL.
      console.warn('store-errors: cannot mount a tmpfs (not root?); using PRAGMA max_page_count for SQLITE_FULL');
      const pages = rig.store.db.pragma('page_count', { simple: true }) as number;
      rig.store.db.pragma(`max_page_count = ${pages + 2}`);
      makeRoom = () => void rig.store.db.pragma('max_page_count = 1073741823');
    }
    const w = new Writer(log);
    for (let i = 0; i < 30; i++) w.write(1000);
    await waitFor(() => rig.status().state === 'paused', { what: 'paused on a full disk' });
    expect(rig.status().message).toMatch(/store refused a write \(database or disk is full\)/);
    const storedWhileFull = rig.count();
    await new Promise((r) => setTimeout(r, 300));
    expect(rig.count()).toBe(storedWhileFull);
    makeRoom();
    const lines = await rig.expectCount(w.written.length, 'all lines after space came back', 30_000);
    expect(lines).toEqual(w.written);
    await waitFor(() => rig.status().state === 'watching', { what: 'watching again' });
  });

  it('a locked database (another writer holds it): held, retried, then stored once', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const rig = await Rig.start({ dir, source: { path: log, start: 'beginning' }, ingestor: { retryMs: 20, retryMaxMs: 100 } });
    cleanups.push(() => rig.close());
    rig.store.db.pragma('busy_timeout = 0');
    const other = new Database(join(dir, 'vigil.db'));
    cleanups.push(() => other.close());
    other.exec('BEGIN IMMEDIATE');
    const w = new Writer(log);
    w.write(500);
    await waitFor(() => rig.status().state === 'paused', { what: 'paused on a locked database' });
    expect(rig.status().message).toMatch(/database is locked/);
    other.exec('ROLLBACK');
    w.write(10);
    expect(await rig.expectCount(510)).toEqual(w.written);
  });

  it('closing while the store refuses every write gives up in bounded time; the next start reads what was not stored', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const rig = await Rig.start({ dir, source: { path: log, start: 'beginning' }, ingestor: { retryMs: 20, retryMaxMs: 50, closeTimeoutMs: 300 } });
    const w = new Writer(log);
    w.write(100);
    await rig.expectCount(100);
    rig.store.db.pragma('busy_timeout = 0');
    const other = new Database(join(dir, 'vigil.db'));
    other.exec('BEGIN IMMEDIATE');
    w.write(50);
    await waitFor(() => rig.status().state === 'paused', { what: 'paused' });
    await rig.close(); // must return although nothing can be written
    other.exec('ROLLBACK');
    other.close();
    await rig.open();
    cleanups.push(() => rig.close());
    expect(await rig.expectCount(150)).toEqual(w.written);
  });
});
