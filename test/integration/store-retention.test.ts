// Retention: the store stays within its bounds (maxSize, keepFree, maxAge) by removing its
// oldest records, keeps what anomalies cite, gives freed space back to the disk, and logs
// every removal, so that the records kept plus the records logged as removed are exactly
// the records stored.
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoreUsage } from '../../shared/types.js';
import { Engine } from '../../electron/engine/engine.js';
import { FLOOR_BYTES, Retention } from '../../electron/engine/store/retention.js';
import { migrate } from '../../electron/engine/store/migrate.js';
import { MIGRATIONS } from '../../electron/engine/store/migrations/index.js';
import { Store, type RecordRow } from '../../electron/engine/store/store.js';
import { tempDir, waitFor } from '../support/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const MiB = 1024 * 1024;

function open(dir: string): Store {
  const s = new Store(join(dir, 'vigil.db'));
  cleanups.push(() => s.close());
  return s;
}

/** Stores `n` records of about 300 bytes, lines `from`..; returns their line numbers. */
function fill(s: Store, n: number, from = 1): void {
  const src = s.sourceId('app', 'file');
  for (let i = 0; i < n; i += 2000) {
    const rows: RecordRow[] = [];
    for (let k = i; k < Math.min(n, i + 2000); k++) {
      const line = from + k;
      const raw = `2026-11-21T10:00:00.000Z INFO request ${line} served ${'x'.repeat(240)}`;
      rows.push({ sourceId: src, fileId: null, firstLine: line, lastLine: line, ts: 1_795_000_000_000 + line, tsText: null, levelRank: 3, levelText: 'INFO', stream: null, format: 'generic', templateId: null, flags: 0, message: raw, raw, rawBytes: null });
    }
    s.append(rows, []);
  }
}

const lines = (s: Store) => s.db.prepare('SELECT line_no FROM records ORDER BY id').pluck().all() as number[];
const removed = (s: Store) => s.db.prepare('SELECT coalesce(sum(removed), 0) FROM retention_log').pluck().get() as number;
/** Copies the WAL into the database and empties it (the checkpointer thread may be busy a moment). */
async function settle(s: Store): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const [r] = s.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    if (!r!.busy) return;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error('the WAL stayed busy');
}
const fileBytes = (s: Store) => (s.db.pragma('page_count', { simple: true }) as number) * (s.db.pragma('page_size', { simple: true }) as number);

/** The lines kept are the newest ones, each once, in order; kept + logged as removed = stored. */
function expectNewestKept(s: Store, stored: number, alsoKept: number[] = []): number[] {
  const kept = lines(s);
  const tail = kept.filter((l) => !alsoKept.includes(l));
  expect(tail.length).toBeGreaterThan(0);
  const first = tail[0]!;
  expect(tail).toEqual(Array.from({ length: stored - first + 1 }, (_, i) => first + i));
  expect(kept.length + removed(s)).toBe(stored);
  return kept;
}

describe('store retention', () => {
  it('maxSize: past it, the oldest records go, down to 90% of it; the file is cut back; the removal is logged with its ids and reason', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const s = open(dir);
    fill(s, 40_000); // about 13 MiB
    expect(fileBytes(s)).toBeGreaterThan(10 * MiB);
    const r = new Retention(s);
    r.configure({ maxSize: '4MiB' });
    await r.check();
    const u = r.usage();
    expect(u.limitBytes).toBe(4 * MiB);
    expect(u.limitReason).toMatch(/^store\.maxSize \(4\.0 MiB\)/);
    expect(u.usedBytes).toBeLessThanOrEqual(4 * MiB * 0.9);
    expect(u.usedBytes).toBeGreaterThan(4 * MiB * 0.7);
    // Given back to the disk: the file is no bigger than the bound, on disk too, at once
    // (not once the WAL happened to be copied back, which on a quiet store could be never).
    expect(fileBytes(s)).toBeLessThanOrEqual(4 * MiB);
    expect(statSync(s.path).size).toBeLessThanOrEqual(4 * MiB);
    await settle(s);
    const kept = expectNewestKept(s, 40_000);
    expect(kept.length).toBeLessThan(40_000);
    const log = s.db.prepare('SELECT * FROM retention_log').all() as { reason: string; removed: number; first_id: number; last_id: number; oldest_ts: number; newest_ts: number }[];
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ removed: 40_000 - kept.length, first_id: 1, last_id: 40_000 - kept.length, oldest_ts: 1_795_000_000_001, newest_ts: 1_795_000_000_000 + 40_000 - kept.length });
    expect(log[0]!.reason).toBe('store.maxSize (4.0 MiB)');
    expect(u).toMatchObject({ removedRecords: 40_000 - kept.length, lastRemovedWhy: log[0]!.reason });
    // The chart's counts of times before the oldest record kept went with them; the others stay.
    const oldest = s.db.prepare('SELECT min(ts) FROM records').pluck().get() as number;
    const counts = s.db.prepare('SELECT t, total FROM record_counts ORDER BY t').all() as { t: number; total: number }[];
    expect(counts[0]!.t).toBe(oldest - (oldest % 5000));
    expect(counts.at(-1)!.t).toBe(1_795_000_040_000 - (1_795_000_040_000 % 5000));
    expect(counts.slice(1).reduce((n, c) => n + c.total, 0)).toBe(40_000 - (counts[1]!.t - 1_795_000_000_000) + 1);

    // Under the bound: nothing more goes. New records go on from the last id.
    await r.check();
    expect(removed(s)).toBe(40_000 - kept.length);
    fill(s, 100, 40_001);
    await r.check();
    expectNewestKept(s, 40_100);
  });

  it('a bound lowered while running holds at once, not at the next minute\'s check (nothing else written meanwhile)', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const s = open(dir);
    fill(s, 20_000);
    const r = new Retention(s, { intervalMs: 3_600_000 });
    cleanups.push(() => r.close());
    r.configure({ maxSize: '100MiB' });
    r.start();
    await r.check();
    expect(removed(s)).toBe(0);
    r.configure({ maxSize: '2MiB' });
    // Removed down to 90% of the new bound (about 5,700 of these records left), the file cut.
    await waitFor(() => removed(s) > 12_000 && statSync(s.path).size <= 2 * MiB, { what: 'the store cut to the new bound', timeoutMs: 5000 });
  });

  it('records that anomalies cite (evidence and context) are kept; the rest around them go', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const s = open(dir);
    fill(s, 20_000);
    const cited = [3, 4, 5000];
    s.db.prepare("INSERT INTO anomalies (id, fingerprint, fingerprints, detector, source, severity, category, title, message, first_ts, last_ts, opened_at, updated_at) VALUES (1, 'f', '[]', 'rule', 'app', 'high', 'error', 't', 'm', 0, 0, 0, 0)").run();
    const ev = s.db.prepare('INSERT INTO anomaly_events (anomaly_id, role, record_id, ts) VALUES (1, ?, ?, 0)');
    ev.run('evidence', 3);
    ev.run('context', 4);
    ev.run('evidence', 5000);
    const r = new Retention(s);
    r.configure({ maxSize: '2MiB' });
    await r.check();
    const kept = expectNewestKept(s, 20_000, cited);
    expect(kept.slice(0, 3)).toEqual(cited);
    expect(kept[3]).toBeGreaterThan(5000);
    // The anomaly's lines read as before.
    expect(s.db.prepare('SELECT count(*) FROM anomaly_evidence WHERE anomaly_id = 1').pluck().get()).toBe(3);
  });

  it("what anomalies cite is kept up to a point: an open one's newest 400, a resolved one's newest 20; past that it goes by age, before newer lines", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const s = open(dir);
    fill(s, 20_000);
    const anomaly = s.db.prepare(
      "INSERT INTO anomalies (id, fingerprint, fingerprints, detector, source, severity, category, title, message, first_ts, last_ts, opened_at, updated_at, state) VALUES (?, ?, '[]', 'rule', 'app', 'high', 'error', 't', 'm', 0, 0, 0, 0, ?)",
    );
    anomaly.run(1, 'open', 'open');
    anomaly.run(2, 'done', 'resolved');
    const ev = s.db.prepare("INSERT INTO anomaly_events (anomaly_id, role, record_id, ts) VALUES (?, 'evidence', ?, 0)");
    // An anomaly open for long cites a thousand lines; a resolved one a hundred; all old.
    for (let id = 1; id <= 1000; id++) ev.run(1, id);
    for (let id = 2001; id <= 2100; id++) ev.run(2, id);
    const r = new Retention(s);
    r.configure({ maxSize: '2MiB' });
    await r.check();
    const cited = (a: number) => s.db.prepare('SELECT r.id FROM records r JOIN anomaly_events e ON e.record_id = r.id WHERE e.anomaly_id = ? ORDER BY r.id').pluck().all(a) as number[];
    expect(cited(1)).toEqual(Array.from({ length: 400 }, (_, i) => 601 + i));
    expect(cited(2)).toEqual(Array.from({ length: 20 }, (_, i) => 2081 + i));
    // The newest lines are still there, and are most of what is left.
    const kept = expectNewestKept(s, 20_000, [...cited(1), ...cited(2)]);
    expect(kept.length - 420).toBeGreaterThan(3000);
  });

  it('templates go with their last record (a log of lines each new kept a template per line for ever); those anomalies cite, or their evidence has, stay', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const s = open(dir);
    fill(s, 20_000);
    // A template per record, seen last at the record's time; 19,999's merged into 7's (records of 19,999 read 7's text).
    s.db.exec(`INSERT INTO template_state (id, text, tokens, count, first_seen, last_seen, merged_into)
      SELECT id, 'line ' || id, '{"t":[],"s":[]}', 1, ts, ts, NULL FROM records`);
    s.db.exec('UPDATE records SET template_id = id');
    s.db.exec('UPDATE template_state SET merged_into = 7 WHERE id = 19999');
    s.db.prepare("INSERT INTO anomalies (id, fingerprint, fingerprints, detector, source, severity, category, title, message, first_ts, last_ts, opened_at, updated_at, template_id) VALUES (1, 'f', '[]', 'rule', 'app', 'high', 'error', 't', 'm', 0, 0, 0, 0, 11)").run();
    s.db.prepare("INSERT INTO anomaly_events (anomaly_id, role, record_id, ts) VALUES (1, 'context', 5, 0)").run();
    const r = new Retention(s);
    r.configure({ maxSize: '2MiB' });
    await r.check();
    const firstLeft = s.db.prepare('SELECT min(id) FROM records WHERE id > 5').pluck().get() as number;
    expect(firstLeft).toBeGreaterThan(10_000);
    const templates = s.db.prepare('SELECT id FROM template_state ORDER BY id').pluck().all() as number[];
    // Kept: the context line's (5), the one a template in use was merged into (7), the anomaly's (11), and every record's left.
    expect(templates.slice(0, 3)).toEqual([5, 7, 11]);
    expect(templates.slice(3)).toEqual(Array.from({ length: 20_000 - firstLeft + 1 }, (_, i) => firstLeft + i));
    // Every record left still reads its template.
    expect(s.db.prepare('SELECT count(*) FROM events WHERE template IS NULL').pluck().get()).toBe(0);
  });

  it("detection's row of each template per source goes with the template's last record, but for the templates anomalies name; trimmed at once when the store is still over its bound", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const s = open(dir);
    fill(s, 20_000);
    const src = s.sourceId('app', 'file');
    // Free text: a template per line, and detection's row for each, last seen at the line's time.
    s.db.exec(`INSERT INTO template_state (id, text, tokens, count, first_seen, last_seen, merged_into)
      SELECT id, 'line ' || id, '{"t":[],"s":[]}', 1, ts, ts, NULL FROM records`);
    s.db.exec('UPDATE records SET template_id = id');
    s.db.exec(`INSERT INTO detector_templates (source_id, template_key, first_ts, last_ts, count, max_level, baseline)
      SELECT ${src}, 't' || id, ts, ts, 1, 3, '${'b'.repeat(400)}' FROM records`);
    s.db.prepare("INSERT INTO anomalies (id, fingerprint, fingerprints, detector, source, severity, category, title, message, first_ts, last_ts, opened_at, updated_at, template_id) VALUES (1, 'f', '[]', 'new-template', 'app', 'medium', 'new', 't', 'm', 0, 0, 0, 0, 11)").run();
    const r = new Retention(s);
    r.configure({ maxSize: '4MiB' });
    await r.check();
    const firstLeft = s.db.prepare('SELECT min(id) FROM records').pluck().get() as number;
    expect(firstLeft).toBeGreaterThan(1);
    const keys = s.db.prepare('SELECT template_key FROM detector_templates').pluck().all() as string[];
    const ids = keys.map((k) => Number(k.slice(1))).sort((a, b) => a - b);
    // Kept: the anomaly's (11) and those of the records left; the rows alone no longer hold the store over its bound.
    expect(ids[0]).toBe(11);
    expect(ids.slice(1)).toEqual(Array.from({ length: 20_000 - firstLeft + 1 }, (_, i) => firstLeft + i));
    expect(s.db.prepare('SELECT count(*) FROM records').pluck().get()).toBeGreaterThan(1000);
  });

  it('maxAge: records stored longer ago than it go (by when they were stored), the others stay', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const s = open(dir);
    fill(s, 25_000);
    fill(s, 5_000, 25_001);
    // The first 25,000 were stored three days ago.
    const day = 86_400_000;
    s.db.prepare('UPDATE records SET ingested_at = ingested_at - 3 * ? WHERE line_no <= 25000').run(day);
    const r = new Retention(s);
    r.configure({ maxAge: '2d' });
    await r.check();
    expect(lines(s)).toEqual(Array.from({ length: 5000 }, (_, i) => 25_001 + i));
    expect(removed(s)).toBe(25_000);
    expect(r.usage().lastRemovedWhy).toMatch(/^store\.maxAge: stored before \d{4}-\d\d-\d\dT/);
    expect(r.usage().oldestStoredAt).toBeGreaterThan(Date.now() - 60_000);
    // maxAge unset: nothing is removed for age.
    s.db.prepare('UPDATE records SET ingested_at = ingested_at - 3 * ?').run(day);
    r.configure({});
    await r.check();
    expect(removed(s)).toBe(25_000);
  });

  it('maxAge: records coming of age one after another within a minute are logged in one row, not one per check', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const s = open(dir);
    fill(s, 3000);
    let now = Date.now();
    const r = new Retention(s, { now: () => now });
    r.configure({ maxAge: '1h' });
    const hour = 3_600_000;
    for (let k = 0; k < 3; k++) {
      // Another thousand records, stored an hour and more ago.
      s.db.prepare('UPDATE records SET ingested_at = ? WHERE line_no > ? AND line_no <= ?').run(now - 2 * hour, k * 1000, (k + 1) * 1000);
      await r.check();
      now += 1000;
    }
    // All but the newest, which stays so that ids only grow.
    expect(removed(s)).toBe(2999);
    expect(s.db.prepare('SELECT count(*) FROM retention_log').pluck().get()).toBeLessThanOrEqual(2);
  });

  it('the newest record stays whatever the bound: the next ones get higher ids, not 1 again, and age out in turn', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const s = open(dir);
    fill(s, 100);
    let now = Date.now();
    const r = new Retention(s, { now: () => now });
    r.configure({ maxAge: '1m' });
    s.db.prepare('UPDATE records SET ingested_at = ?').run(now - 120_000);
    await r.check();
    expect(s.db.prepare('SELECT id FROM records').pluck().all()).toEqual([100]);
    fill(s, 10);
    expect(s.db.prepare('SELECT min(id), max(id) FROM records WHERE id > 100').raw().get()).toEqual([101, 110]);
    now += 180_000;
    await r.check();
    expect(s.db.prepare('SELECT id FROM records').pluck().all()).toEqual([110]);
  });

  it('the defaults: 10% of the disk, at most 4 GiB, and 5% of it kept free, at most 4 GiB; a store under them loses nothing', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const s = open(dir);
    fill(s, 5000);
    const disk = { size: 100 * 1024 ** 3, free: 50 * 1024 ** 3 };
    const r = new Retention(s, { statfs: () => disk });
    r.configure(undefined);
    expect(r.usage()).toMatchObject({ limitBytes: 4 * 1024 ** 3, limitReason: 'store.maxSize (4.0 GiB: 10% of the disk, at most 4 GiB)' });
    disk.size = 10 * 1024 ** 3;
    disk.free = 5 * 1024 ** 3;
    expect(r.usage().limitBytes).toBe(1024 ** 3);
    // A disk with 0.6 GiB free: the store may grow by what is free beyond 5% (0.5 GiB).
    disk.free = 0.6 * 1024 ** 3;
    const u = r.usage();
    expect(u.limitBytes).toBe(Math.floor(u.fileBytes + 0.1 * 1024 ** 3));
    expect(u.limitReason).toBe('store.keepFree (Vigil leaves 512 MiB of its disk free: 5% of it, at most 4 GiB); the disk has 614 MiB free');
    await r.check();
    expect(lines(s)).toHaveLength(5000);
    // A disk with nothing free beyond keepFree: the store keeps its floor, not nothing.
    disk.free = 0;
    expect(r.usage()).toMatchObject({ limitBytes: FLOOR_BYTES });
    expect(r.usage().limitReason).toMatch(/but keeps at least 64\.0 MiB; the disk has 0 B free$/);
  });

  it('a store created before retention (no auto_vacuum): short of disk, it stops growing and reuses its pages, since it cannot give them back', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, 'vigil.db');
    const old = new Database(path);
    old.pragma('page_size = 8192');
    old.pragma('journal_mode = WAL');
    migrate(old, MIGRATIONS.slice(0, 7));
    old.close();
    const s = open(dir);
    expect(s.db.pragma('auto_vacuum', { simple: true })).toBe(0);
    fill(s, 250_000); // about 80 MiB, above the floor
    const file = fileBytes(s);
    const disk = { size: 10 * 1024 ** 3, free: 0 };
    const r = new Retention(s, { statfs: () => disk });
    r.configure({ keepFree: '1GiB' });
    expect(r.usage()).toMatchObject({ limitBytes: file });
    await r.check();
    expect(removed(s)).toBeGreaterThan(0);
    expect(fileBytes(s)).toBe(file);
    // What comes next goes into the pages freed: the file does not grow.
    fill(s, 20_000, 250_001);
    await r.check();
    expect(fileBytes(s)).toBe(file);
    expectNewestKept(s, 270_000);
  });

  it("the rows of files deleted and containers removed go once none of their records is left; cited ones, live ones and each source's newest stay", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const s = open(dir);
    const src = s.sourceId('jobs', 'file');
    const day = 86_400_000;
    const file = (path: string, state: string) => s.addFile({ source_id: src, path, dev: null, ino: null, fingerprint: path, offset: 0, line_no: 0, size: 0, state, cursor: null });
    const ids = { old: file('/j/old.log', 'deleted'), cited: file('/j/cited.log', 'deleted'), container: file('job-1', 'removed'), live: file('/j/live.log', 'active'), recent: file('/j/recent.log', 'deleted'), newest: file('/j/newest.log', 'deleted') };
    const rec = (fileId: number, line: number): RecordRow => ({ sourceId: src, fileId, firstLine: line, lastLine: line, ts: 1_795_000_000_000 + line, tsText: null, levelRank: 3, levelText: null, stream: null, format: 'generic', templateId: null, flags: 0, message: `l${line}`, raw: `l${line}`, rawBytes: null });
    s.append([rec(ids.old, 1), rec(ids.cited, 2), rec(ids.container, 3), rec(ids.live, 4), rec(ids.newest, 5)], []);
    // As a file source stores a file's last lines: with its checkpoint, in one transaction.
    s.append([rec(ids.recent, 6)], [{ fileId: ids.recent, offset: 3, lineNo: 6, state: 'deleted' }]);
    // All but the last record and the recent file's row were stored two days ago.
    s.db.prepare('UPDATE records SET ingested_at = ingested_at - 2 * ? WHERE line_no <= 5').run(day);
    s.db.prepare('UPDATE files SET updated_at = updated_at - 2 * ? WHERE id <> ?').run(day, ids.recent);
    s.db.prepare("INSERT INTO anomalies (id, fingerprint, fingerprints, detector, source, severity, category, title, message, first_ts, last_ts, opened_at, updated_at) VALUES (1, 'f', '[]', 'rule', 'jobs', 'high', 'error', 't', 'm', 0, 0, 0, 0)").run();
    s.db.prepare("INSERT INTO anomaly_events (anomaly_id, role, record_id, ts) VALUES (1, 'evidence', (SELECT id FROM records WHERE line_no = 2), 0)").run();
    const r = new Retention(s);
    r.configure({ maxAge: '1d' });
    await r.check();
    expect(lines(s)).toEqual([2, 6]);
    const left = s.db.prepare('SELECT path FROM files ORDER BY id').pluck().all();
    expect(left).toEqual(['/j/cited.log', '/j/live.log', '/j/recent.log', '/j/newest.log']);
    // The cited record keeps its file's path.
    expect(s.db.prepare('SELECT path FROM events WHERE line_no = 2').pluck().get()).toBe('/j/cited.log');
  });

  it('a store that refuses the removals (here: read-only) loses nothing, says why once a minute at most, and is trimmed once it accepts them', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const s = open(dir);
    fill(s, 20_000);
    const said: string[] = [];
    const r = new Retention(s, { log: (m) => said.push(m) });
    r.configure({ maxSize: '2MiB' });
    s.db.pragma('query_only = 1');
    await r.check();
    await r.check();
    expect(said).toEqual(['retention: could not remove old records (attempt to write a readonly database); trying again later']);
    expect(lines(s)).toHaveLength(20_000);
    s.db.pragma('query_only = 0');
    await r.check();
    expect(r.usage().usedBytes).toBeLessThanOrEqual(2 * MiB);
    expectNewestKept(s, 20_000);
  });

  it('keepFree on a real small disk: as other files fill it, the store gives space back instead of filling the rest', async (ctx) => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const at = join(dir, 'disk');
    mkdirSync(at);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512m', 'tmpfs', at], { stdio: 'ignore' });
    } catch {
      ctx.skip(); // not root: no filesystem of our own to fill (CI runs as root)
    }
    cleanups.push(() => execFileSync('umount', ['-l', at], { stdio: 'ignore' }));
    const free = () => {
      const f = statfsSync(at);
      return f.bavail * f.bsize;
    };
    const s = new Store(join(at, 'vigil.db'));
    cleanups.push(() => s.close());
    const r = new Retention(s);
    r.configure({ maxSize: '100%', keepFree: '32MiB' });
    fill(s, 300_000); // about 100 MiB: above the floor the store keeps however low the disk
    await r.check();
    expect(removed(s)).toBe(0);
    // Another program fills the disk up to 48 MiB free: the store may grow by 16 MiB more.
    await settle(s);
    writeFileSync(join(at, 'ballast'), Buffer.alloc(free() - 48 * MiB));
    // 30 MiB more records, checked as the engine does while it stores.
    for (let i = 0; i < 90_000; i += 5000) {
      fill(s, 5000, 300_001 + i);
      await r.check();
    }
    expect(r.usage().limitReason).toMatch(/^store\.keepFree \(Vigil leaves 32\.0 MiB of its disk free\); the disk has .* free$/);
    expect(s.db.prepare('SELECT DISTINCT reason FROM retention_log').pluck().all()).toEqual(['store.keepFree (Vigil leaves 32.0 MiB of its disk free)']);
    expect(removed(s)).toBeGreaterThan(0);
    expectNewestKept(s, 390_000);
    await settle(s);
    // Left free: keepFree, less what the store's bound leaves it to grow into (10% of it).
    expect(free()).toBeGreaterThan(32 * MiB - 0.1 * r.usage().limitBytes);
    // The other program writes more, leaving 16 MiB free: the store gives back what it must (its file shrinks).
    const before = fileBytes(s);
    writeFileSync(join(at, 'ballast2'), Buffer.alloc(free() - 16 * MiB));
    await r.check();
    await settle(s);
    expect(fileBytes(s)).toBeLessThan(before - 8 * MiB);
    expect(free()).toBeGreaterThan(32 * MiB - 0.1 * r.usage().limitBytes);
    expectNewestKept(s, 390_000);
  });
});

describe('store retention in the engine', () => {
  it('a store: bound in vigil.yml holds while lines stream in; every line is kept once or logged as removed; the bound can be changed live; a bad size is refused with its key', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const cfg = (size: string) => `store:\n  maxSize: ${size}\nsources:\n  - { name: app, type: file, path: ${log}, start: beginning }\n`;
    writeFileSync(join(dir, 'vigil.yml'), cfg('2MiB'));
    const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined, retention: { minGapMs: 50 } });
    cleanups.push(() => engine.close());
    const N = 30_000;
    for (let i = 1; i <= N; i += 1000) {
      appendFileSync(log, Array.from({ length: 1000 }, (_, k) => `2026-11-21T10:00:00.000Z INFO line ${i + k} ${'y'.repeat(150)}\n`).join(''));
      await new Promise((r) => setTimeout(r, 20));
    }
    const kept = () => engine.store.db.prepare("SELECT line_no FROM records WHERE source_id = (SELECT id FROM sources WHERE name = 'app') ORDER BY id").pluck().all() as number[];
    await waitFor(() => kept().at(-1) === N, { what: 'the last line stored', timeoutMs: 30_000 });
    await engine.retention.check();
    const k = kept();
    expect(k).toEqual(Array.from({ length: k.length }, (_, i) => N - k.length + 1 + i));
    expect(k.length + removed(engine.store)).toBe(N);
    const u = engine.handlers['store.usage']({} as never) as StoreUsage;
    expect(u).toMatchObject({ limitBytes: 2 * MiB, removedRecords: N - k.length });
    expect(u.usedBytes).toBeLessThanOrEqual(2 * MiB);
    expect(u.lastRemovedWhy).toBe('store.maxSize (2.0 MiB)');
    // Removals for one reason within a minute share a row of retention_log.
    expect(engine.store.db.prepare('SELECT count(*) FROM retention_log').pluck().get()).toBe(1);

    // Raised live: nothing more is removed as more lines come.
    expect(await engine.handlers['config.set']({ text: cfg('1GiB') } as never)).toMatchObject({ ok: true });
    expect((engine.handlers['store.usage']({} as never) as StoreUsage).limitBytes).toBe(1024 * MiB);
    const before = removed(engine.store);
    appendFileSync(log, Array.from({ length: 5000 }, (_, k) => `2026-11-21T10:00:01.000Z INFO line ${N + 1 + k} ${'y'.repeat(150)}\n`).join(''));
    await waitFor(() => kept().at(-1) === N + 5000, { what: 'the next lines stored' });
    await engine.retention.check();
    expect(removed(engine.store)).toBe(before);

    const bad = await engine.handlers['config.set']({ text: cfg('lots') } as never);
    expect(bad).toEqual({ ok: false, errors: [{ key: 'store.maxSize', reason: 'is not a size like 500MiB, 4GiB or 10% (of the disk holding the store)' }] });
    expect((engine.handlers['store.usage']({} as never) as StoreUsage).limitBytes).toBe(1024 * MiB);
  });
});
