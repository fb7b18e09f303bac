// A store SQLite finds damaged while Vigil runs (a page overwritten by a failing disk, a
// restore gone wrong): nothing more can be written that touches the damage, and retrying
// cannot help. The user must be told once, where they look, with what to do; not a stack
// trace per batch for ever, nor a store growing past its bound in silence.
import { spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../electron/engine/engine.js';
import { damageAdvice } from '../../electron/engine/store/damage.js';
import { recoverStore } from '../../electron/engine/store/recover.js';
import { dispatch } from '../../electron/engine/dispatch.js';
import { VigilCallError } from '../../renderer/api/bridge.js';
import { provideApi } from '../../renderer/stores/api-context.js';
import { useEvents } from '../../renderer/stores/events.js';
import { tempDir, waitFor } from '../support/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Overwrites page `pick` of table `table` (from dbstat) with bytes no page holds. */
function damage(db: string, table: string, pick: (pages: number[]) => number): void {
  const d = new Database(db);
  const pages = d.prepare("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno").pluck().all(table) as number[];
  const size = d.pragma('page_size', { simple: true }) as number;
  d.pragma('wal_checkpoint(TRUNCATE)');
  d.close();
  const fd = openSync(db, 'r+');
  writeSync(fd, Buffer.alloc(size, 0x5a), 0, size, (pick(pages) - 1) * size);
  closeSync(fd);
}

async function withLines(yaml: string, n: number) {
  const { dir, cleanup } = tempDir('vigil-damage-');
  cleanups.push(cleanup);
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  writeFileSync(join(dir, 'vigil.yml'), yaml.replace('LOG', log));
  const first = await Engine.start({ dataDir: dir, host: 'server', log: () => undefined });
  for (let i = 1; i <= n; i++) appendFileSync(log, `2026-11-23T06:00:00Z ${i % 50 ? 'INFO' : 'ERROR'} seq=${i} ${'x'.repeat(200)}\n`);
  await waitFor(() => (first.store.db.prepare('SELECT count(*) FROM records').pluck().get() as number) >= n, { what: 'lines stored', timeoutMs: 30_000 });
  await first.close();
  return { dir, log, db: join(dir, 'vigil.db') };
}

describe('a store damaged under a running Vigil', () => {
  it("a damaged page the writes touch: the source's status says the store is damaged and how to recover it, the log says it once", async () => {
    const { dir, log, db } = await withLines("sources:\n  - { name: app, type: file, path: 'LOG', start: beginning }\n", 200);
    damage(db, 'detector_state', (p) => p[0]!);
    const said: string[] = [];
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const e = await Engine.start({ dataDir: dir, host: 'server', log: (m) => said.push(m), ingestor: { retryMs: 20, retryMaxMs: 50 } });
    cleanups.push(() => e.close());
    for (let i = 201; i <= 300; i++) appendFileSync(log, `2026-11-23T06:00:01Z ERROR seq=${i}\n`);
    const status = await waitFor(() => {
      const s = e.handlers['sources.list']({}) as unknown as { status: { message?: string } }[];
      return s[0]?.status.message?.includes('damaged') ? s[0].status : null;
    }, { what: 'the status saying so', timeoutMs: 15_000 });
    expect(status!.message).toBe(`the store is damaged (database disk image is malformed); nothing more is stored until it is recovered: ${damageAdvice(db)}; reading is paused meanwhile`);
    // A dozen retries later: said once, and no stack traces.
    await new Promise((r) => setTimeout(r, 1000));
    expect(said.filter((m) => m.includes('damaged'))).toHaveLength(1);
    expect(stderr.mock.calls.length).toBeLessThanOrEqual(1);
    expect(stderr.mock.calls.flat().some((a) => a instanceof Error)).toBe(false);
    // Quit does not wait out the retries: waiting does not heal a damaged store.
    const t0 = Date.now();
    await e.close();
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it("a source whose start fails on the store shows an error with the reason, not \"starting\" for good", async () => {
    const { dir, db } = await withLines("sources:\n  - { name: app, type: file, path: 'LOG', start: beginning }\n", 50);
    damage(db, 'files', (p) => p[0]!);
    const e = await Engine.start({ dataDir: dir, host: 'server', log: () => undefined });
    cleanups.push(() => e.close());
    const status = await waitFor(() => {
      const s = e.handlers['sources.list']({}) as unknown as { status: { state: string; message?: string } }[];
      return s[0]?.status.state === 'error' ? s[0].status : null;
    }, { what: 'the error status', timeoutMs: 15_000 });
    expect(status!.message).toBe('could not start: database disk image is malformed; it starts again when its config changes or Vigil restarts');
  });

  it('a Live search the store cannot answer says so in the view, not "No stored line matches." (the renderer\'s store on the engine)', async () => {
    const { dir, db } = await withLines("sources:\n  - { name: app, type: file, path: 'LOG', start: beginning }\n", 3000);
    damage(db, 'records', (p) => p[Math.floor(p.length / 2)]!);
    const e = await Engine.start({ dataDir: dir, host: 'server', log: () => undefined });
    cleanups.push(() => e.close());
    provideApi({
      call: async (name, req) => {
        const out = await dispatch(e.handlers, name, req);
        if (!out.ok) throw new VigilCallError(out.error);
        return out.res as never;
      },
      on: (event, cb) => e.events.on(event as never, cb as never),
    });
    await useEvents.getState().setFilter({ search: 'nomatchxyz', minLevel: '', source: '' });
    expect(useEvents.getState()).toMatchObject({ lines: [], loading: false, error: 'database disk image is malformed' });
    // A search that can be answered clears it.
    await useEvents.getState().setFilter({ search: '', minLevel: '', source: '' });
    expect(useEvents.getState().error).toBeNull();
  });

  it.each([
    ['the second', (p: number[]) => p[1]!],
    ['the first (the oldest line is on it)', (p: number[]) => p[0]!],
  ])('a damaged page among the oldest lines (%s): the store usage says older lines cannot be removed, and why', async (_which, pick) => {
    const { dir, db, log } = await withLines("sources:\n  - { name: app, type: file, path: 'LOG', start: beginning }\n", 8000);
    damage(db, 'records', pick);
    writeFileSync(join(dir, 'vigil.yml'), `sources:\n  - { name: app, type: file, path: '${log}', start: beginning }\nstore: { maxSize: 1MiB }\n`);
    const e = await Engine.start({ dataDir: dir, host: 'server', log: () => undefined });
    cleanups.push(() => e.close());
    const u = await waitFor(async () => {
      const usage = (await e.handlers['store.usage']({})) as { failing: string | null };
      return usage.failing ? usage : null;
    }, { what: 'the failure in the usage', timeoutMs: 15_000 });
    expect(u!.failing).toBe(`the store is damaged (database disk image is malformed): ${damageAdvice(db)}`);
  });

  it('vigil recover copies every row it can read into a new store, which Vigil goes on with: the lost rows are one page, new lines follow once', async () => {
    const { dir, log, db } = await withLines("sources:\n  - { name: app, type: file, path: 'LOG', start: beginning }\n", 3000);
    const d = new Database(db);
    const ids = d.prepare("SELECT pageno FROM dbstat WHERE name = 'records' AND pagetype = 'leaf' ORDER BY pageno").pluck().all() as number[];
    d.close();
    damage(db, 'records', (p) => p[Math.floor(p.length / 2)]!);
    const r = spawnSync(process.execPath, [resolve('bin/vigil.js'), 'recover', '--db', db], { encoding: 'utf8', timeout: 60_000 });
    // 1: a store was made, without what it names.
    expect(r.status).toBe(1);
    const lost = /records: (\d+) rows; lost to damage: row ids (\d+)–(\d+)\n/.exec(r.stdout);
    expect(lost, r.stdout).not.toBeNull();
    const [kept, from, to] = [Number(lost![1]), Number(lost![2]), Number(lost![3])];
    expect(kept + (to - from + 1)).toBe(3000);
    // One page's rows, not more.
    expect(to - from + 1).toBeLessThanOrEqual(Math.ceil(3000 / ids.length) * 2);
    expect(r.stdout).toContain(`recovered, with the losses above, into ${db}.recovered (integrity: ok)`);
    // Done again: the new store is not overwritten.
    const again = spawnSync(process.execPath, [resolve('bin/vigil.js'), 'recover', '--db', db], { encoding: 'utf8', timeout: 60_000 });
    expect([again.status, again.stderr]).toEqual([2, `vigil recover: ${db}.recovered exists: give another --out, or move it away\n`]);
    // Put in its place: Vigil goes on from the checkpoints it kept.
    renameSync(db, `${db}.damaged`);
    rmSync(`${db}-wal`, { force: true });
    rmSync(`${db}-shm`, { force: true });
    renameSync(`${db}.recovered`, db);
    const e = await Engine.start({ dataDir: dir, host: 'server', log: () => undefined });
    cleanups.push(() => e.close());
    appendFileSync(log, '2026-11-23T06:00:09Z INFO after the recovery\n');
    await waitFor(() => (e.store.db.prepare("SELECT count(*) FROM records WHERE raw LIKE '%after the recovery'").pluck().get() as number) === 1, { what: 'the new line' });
    expect(e.store.db.prepare('SELECT count(*), count(DISTINCT raw) FROM records').raw().get()).toEqual([kept + 1, kept + 1]);
  });

  it('vigil recover looks past a damaged first page of records too (the oldest lines)', async () => {
    const { db } = await withLines("sources:\n  - { name: app, type: file, path: 'LOG', start: beginning }\n", 2000);
    damage(db, 'records', (p) => p[0]!);
    const r = recoverStore(db, `${db}.recovered`);
    const records = r.tables.find((t) => t.name === 'records')!;
    expect(records.lost).toHaveLength(1);
    const [from, to] = records.lost[0]!.split('–').map(Number);
    expect(from).toBe(1);
    expect(records.rows).toBe(2000 - to!);
    expect(r.integrity).toBe('ok');
  });

  it('vigil recover: rows after damage near the end are kept; evidence of a lost line is left out, not pinned on the new line that takes its id; a file cut short is said to be unreadable, in one line', async () => {
    const { db } = await withLines("sources:\n  - { name: app, type: file, path: 'LOG', start: beginning }\n", 2000);
    const d = new Database(db);
    const leaves = d.prepare("SELECT pageno FROM dbstat WHERE name = 'records' AND pagetype = 'leaf' ORDER BY pageno").pluck().all() as number[];
    // An anomaly with two lines of evidence: one on the page to be damaged, one kept.
    d.prepare("INSERT INTO anomalies (id, fingerprint, fingerprints, detector, source, severity, category, title, message, first_ts, last_ts, opened_at, updated_at) VALUES (1, 'f', '[\"f\"]', 'critical', 'app', 'high', 'error', 't', 'm', 0, 0, 0, 0)").run();
    d.close();
    damage(db, 'records', () => leaves.at(-2)!);
    const probe = new Database(db, { readonly: true });
    let lostId = 0;
    for (let id = 1999; id > 1 && !lostId; id--) {
      try {
        probe.prepare('SELECT raw FROM records WHERE id = ?').get(id);
      } catch {
        lostId = id;
      }
    }
    probe.close();
    expect(lostId).toBeGreaterThan(0);
    const w = new Database(db);
    w.prepare("INSERT INTO anomaly_events (anomaly_id, role, record_id, ts) VALUES (1, 'evidence', ?, 0), (1, 'evidence', 1, 0)").run(lostId);
    w.close();
    const r = recoverStore(db, `${db}.recovered`);
    const records = r.tables.find((t) => t.name === 'records')!;
    const [from, to] = records.lost[0]!.split('–').map(Number);
    expect(lostId).toBeGreaterThanOrEqual(from!);
    expect(lostId).toBeLessThanOrEqual(to!);
    const out = new Database(`${db}.recovered`, { readonly: true });
    // The last page's rows, after the damaged one, are there.
    expect(out.prepare('SELECT max(id) FROM records').pluck().get()).toBe(2000);
    expect(records.rows).toBe(2000 - (to! - from! + 1));
    expect(out.prepare('SELECT record_id FROM anomaly_events').pluck().all()).toEqual([1]);
    expect(r.unlinked).toBe(1);
    out.close();

    // Cut short (a copy taken mid-write): SQL reads nothing of it; said so, in one line.
    const cut = `${db}.cut`;
    writeFileSync(cut, readFileSync(`${db}.recovered`).subarray(0, Math.floor(statSync(`${db}.recovered`).size / 2)));
    const half = spawnSync(process.execPath, [resolve('bin/vigil.js'), 'recover', '--db', cut], { encoding: 'utf8', timeout: 60_000 });
    expect([half.status, half.stderr]).toEqual([1, `vigil recover: nothing can be read of ${cut}: database disk image is malformed\n`]);
  });
});
