import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { computeBandSeries } from '../../electron/engine/detect/band.js';
import { DEFAULT_SETTINGS } from '../../electron/engine/detect/settings.js';
import { migrate } from '../../electron/engine/store/migrate.js';
import { MIGRATIONS } from '../../electron/engine/store/migrations/index.js';
import { COUNT_GRAIN_MS } from '../../electron/engine/store/record-counts.js';
import { Store, type RecordRow } from '../../electron/engine/store/store.js';
import { mulberry32 } from '../support/prng.js';
import { tempDir } from '../support/tmp.js';

// The chart and the error band read per-bucket record counts kept beside the records
// (record_counts). What they show must be exactly what counting the records gives, for
// any span, bucket size and moment, and for records stored before the counts existed.

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).reverse().forEach((c) => c()));

function store(): Store {
  const { dir, cleanup } = tempDir();
  const s = new Store(join(dir, 'v.db'));
  cleanups.push(() => {
    s.close();
    cleanup();
  });
  return s;
}

function row(sourceId: number, ts: number, level: number): RecordRow {
  return { sourceId, fileId: null, firstLine: null, lastLine: null, ts, tsText: null, levelRank: level, levelText: null, stream: null, format: 'generic', templateId: null, flags: 0, message: 'm', raw: 'm', rawBytes: null };
}

const T0 = 1_795_000_000_000;
const HOUR = 3_600_000;

/** Records of three sources over two hours, in batches that interleave sources and go back in time now and then. */
function fill(s: Store, seed: number): RecordRow[] {
  const rnd = mulberry32(seed);
  const ids = ['a', 'b', 'c'].map((n) => s.sourceId(n, 'file'));
  const all: RecordRow[] = [];
  let t = T0;
  for (let batch = 0; batch < 40; batch++) {
    const rows: RecordRow[] = [];
    const n = 1 + Math.floor(rnd() * 300);
    for (let i = 0; i < n; i++) {
      t += Math.floor(rnd() * 400);
      // A late line from another file: an older time.
      const ts = rnd() < 0.05 ? t - Math.floor(rnd() * 600_000) : t;
      rows.push(row(ids[Math.floor(rnd() * ids.length)]!, ts, 1 + Math.floor(rnd() * 8)));
    }
    s.append(rows, []);
    all.push(...rows);
  }
  return all;
}

/** What the chart must show, counted from the rows themselves. */
function expected(rows: RecordRow[], from: number, now: number, bucketMs: number, sourceId: number | null) {
  const points = [];
  for (let t = from; t <= now; t += bucketMs) points.push({ t, total: 0, errors: 0, warnings: 0 });
  for (const r of rows) {
    if (r.ts < from || r.ts > now || (sourceId !== null && r.sourceId !== sourceId)) continue;
    const p = points[Math.floor((r.ts - from) / bucketMs)]!;
    p.total++;
    if (r.levelRank >= 6) p.errors++;
    else if (r.levelRank === 5) p.warnings++;
  }
  return points;
}

function countsTable(db: Database.Database): unknown[] {
  return db.prepare('SELECT t, source_id, total, errors, warnings FROM record_counts ORDER BY t, source_id').all();
}

function countedFromRecords(db: Database.Database): unknown[] {
  return db
    .prepare(
      `SELECT ts - ((ts % ${COUNT_GRAIN_MS}) + ${COUNT_GRAIN_MS}) % ${COUNT_GRAIN_MS} AS t, source_id, count(*) AS total,
              sum(level >= 6) AS errors, sum(level = 5) AS warnings
       FROM records GROUP BY 1, 2 ORDER BY 1, 2`,
    )
    .all();
}

describe('record counts for the chart and the band', () => {
  it('are kept with every write, in its transaction', () => {
    const s = store();
    fill(s, 7);
    expect(countsTable(s.db)).toEqual(countedFromRecords(s.db));
    const before = countsTable(s.db);
    const src = s.sourceId('a', 'file');
    expect(() => s.append([row(src, T0 + 5, 6)], [], () => {
      throw new Error('boom');
    })).toThrow('boom');
    expect(countsTable(s.db)).toEqual(before);
  });

  it('give the chart exactly the counts of the records, whatever the span, bucket, moment and source', () => {
    const s = store();
    const rows = fill(s, 11);
    const last = Math.max(...rows.map((r) => r.ts));
    const ids = [null, s.sourceId('a', 'file'), s.sourceId('c', 'file')];
    const rnd = mulberry32(3);
    let checked = 0;
    for (const bucketMs of [1000, 5000, 7000, 10_000, 60_000, 1_440_000]) {
      for (let k = 0; k < 6; k++) {
        // Moments on and off the 5-second grain, inside the data and past its end.
        const now = k === 0 ? last : k === 1 ? T0 + HOUR : T0 + Math.floor(rnd() * 2.5 * HOUR);
        const spanMs = [60_000, 300_000, HOUR, 24 * HOUR][k % 4]!;
        for (const sourceId of ids) {
          const name = sourceId === null ? undefined : (['a', 'b', 'c'][sourceId - 1] as string);
          const got = s.rates({ spanMs, bucketMs, ...(name ? { source: name } : {}) }, now);
          const from = Math.floor((now - spanMs) / bucketMs) * bucketMs;
          expect(got.points).toEqual(expected(rows, from, now, bucketMs, sourceId));
          checked += got.points.reduce((a, p) => a + p.total, 0);
        }
      }
    }
    expect(checked).toBeGreaterThan(10_000);
    expect(s.rates({ spanMs: HOUR, bucketMs: 60_000, source: 'nobody' }, last).points.every((p) => p.total === 0)).toBe(true);
  });

  it('give the band the counts of the records, and its first and last record exactly', () => {
    const s = store();
    const rows = fill(s, 5);
    const a = s.sourceId('a', 'file');
    const mine = rows.filter((r) => r.sourceId === a);
    const first = Math.min(...mine.map((r) => r.ts));
    const last = Math.max(...mine.map((r) => r.ts));
    expect(s.counts.bounds(a)).toEqual({ first, last });
    expect(s.counts.bounds(999)).toEqual({ first: null, last: null });
    for (const bucketMs of [10_000, 7000]) {
      for (const level of ['error', 'warn'] as const) {
        const band = computeBandSeries(s.counts, { sourceId: a, source: 'a', level, spanMs: HOUR, bucketMs }, DEFAULT_SETTINGS);
        expect(band.points.length).toBeGreaterThan(100);
        for (const p of band.points) {
          const want = mine.filter((r) => r.ts >= p.t && r.ts < p.t + bucketMs && (level === 'error' ? r.levelRank >= 6 : r.levelRank === 5)).length;
          expect(p.count).toBe(want);
        }
        // The span ends with the bucket of the source's last record.
        expect(band.points.at(-1)!.t).toBe(Math.floor(last / bucketMs) * bucketMs);
      }
    }
  });

  it('are counted once for records stored before they existed', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const db = new Database(join(dir, 'old.db'));
    migrate(db, MIGRATIONS.slice(0, 6));
    db.prepare("INSERT INTO sources (id, name, type, created_at) VALUES (1, 'old', 'file', 1)").run();
    const ins = db.prepare('INSERT INTO records (source_id, ts, level, raw, ingested_at) VALUES (1, ?, ?, ?, 1)');
    const rnd = mulberry32(9);
    // Negative times too: a bucket is the floor, below zero as above.
    for (let i = 0; i < 2000; i++) ins.run(Math.floor((rnd() - 0.1) * 600_000), 1 + Math.floor(rnd() * 8), `line ${i}`);
    migrate(db);
    expect(countsTable(db)).toEqual(countedFromRecords(db));
    expect((countsTable(db) as { t: number }[]).some((r) => r.t < 0)).toBe(true);
    expect(db.prepare('SELECT sum(total) FROM record_counts').pluck().get()).toBe(2000);
    db.close();
  });
});
