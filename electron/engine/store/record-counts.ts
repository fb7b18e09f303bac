import type Database from 'better-sqlite3';
import type { RecordRow } from './store.js';

// Record counts per source and 5-second bucket (migration 007), kept in the transaction
// that stores the records, so the chart and the error band read a few thousand count rows
// instead of every record of the span. Reading the records was what they did before:
// 0.7 s for a day of 2 million lines, on the engine's thread, every 2 seconds while the
// chart was open, and the band scanned all of a source's records to find its first and last.

/** The grain of record_counts, ms. Migration 007 fills it with this grain: changing it takes a new migration. */
export const COUNT_GRAIN_MS = 5000;

/** Errors are level >= 6 (error, critical, fatal), warnings level 5, as the chart has always counted. */
const ERROR_RANK = 6;
const WARN_RANK = 5;

export interface BucketCount {
  total: number;
  errors: number;
  warnings: number;
}

/** Start of the `size`-ms bucket holding `ts` (floor, negative times too). */
export function bucketOf(ts: number, size: number): number {
  return ts - (((ts % size) + size) % size);
}

/** The same, in SQL over the column `col`, with the bucket size bound as @b. */
const bucketSql = (col: string) => `${col} - ((${col} % @b) + @b) % @b`;

export class RecordCounts {
  private readonly upsert: Database.Statement;
  private readonly rawAll: Database.Statement;
  private readonly rawSource: Database.Statement;
  private readonly countsAll: Database.Statement;
  private readonly countsSource: Database.Statement;
  private readonly lastBucket: Database.Statement;
  private readonly firstBucket: Database.Statement;
  private readonly maxTsIn: Database.Statement;
  private readonly minTsIn: Database.Statement;

  constructor(db: Database.Database) {
    this.upsert = db.prepare(
      `INSERT INTO record_counts (t, source_id, total, errors, warnings) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (t, source_id) DO UPDATE SET total = total + excluded.total, errors = errors + excluded.errors, warnings = warnings + excluded.warnings`,
    );
    const raw = (where: string) =>
      db.prepare(
        `SELECT ${bucketSql('ts')} AS t, count(*) AS total, sum(level >= ${ERROR_RANK}) AS errors, sum(level = ${WARN_RANK}) AS warnings
         FROM records WHERE ts >= @from AND ts < @to ${where} GROUP BY 1`,
      );
    this.rawAll = raw('');
    // `+source_id`: the source is a filter here, the time range the index. Without stats
    // SQLite takes source_id = ? for the better index, and reads all of the source's records.
    this.rawSource = raw('AND +source_id = @s');
    const counts = (where: string) =>
      db.prepare(
        `SELECT ${bucketSql('t')} AS t, sum(total) AS total, sum(errors) AS errors, sum(warnings) AS warnings
         FROM record_counts WHERE t >= @from AND t < @to ${where} GROUP BY 1`,
      );
    this.countsAll = counts('');
    this.countsSource = counts('AND source_id = @s');
    this.lastBucket = db.prepare('SELECT max(t) FROM record_counts WHERE source_id = ?').pluck();
    this.firstBucket = db.prepare('SELECT min(t) FROM record_counts WHERE source_id = ?').pluck();
    this.maxTsIn = db.prepare('SELECT max(ts) FROM records WHERE ts >= ? AND ts < ? AND +source_id = ?').pluck();
    this.minTsIn = db.prepare('SELECT min(ts) FROM records WHERE ts >= ? AND ts < ? AND +source_id = ?').pluck();
  }

  /** Counts rows being stored. Call in the transaction that inserts them. */
  add(rows: readonly RecordRow[]): void {
    // Rows come in runs of one source and bucket; each run is one entry, each entry one upsert.
    const acc = new Map<string, [t: number, s: number, total: number, errors: number, warnings: number]>();
    let cur: [number, number, number, number, number] | null = null;
    for (const r of rows) {
      const ts = r.ts;
      if (cur === null || ts < cur[0] || ts >= cur[0] + COUNT_GRAIN_MS || cur[1] !== r.sourceId) {
        const t = bucketOf(ts, COUNT_GRAIN_MS);
        const key: string = `${r.sourceId}:${t}`;
        cur = acc.get(key) ?? null;
        if (cur === null) acc.set(key, (cur = [t, r.sourceId, 0, 0, 0]));
      }
      cur[2]++;
      if (r.levelRank >= ERROR_RANK) cur[3]++;
      else if (r.levelRank === WARN_RANK) cur[4]++;
    }
    for (const c of acc.values()) this.upsert.run(c);
  }

  /**
   * Records with from <= ts < to (of one source, or all), counted per `bucketMs` bucket
   * (keyed by the bucket's start). Exact: where the span and the buckets align with the
   * 5-second grain, from the counts; the unaligned edges, and buckets that are not a
   * multiple of the grain, from the records themselves.
   */
  byBucket(q: { from: number; to: number; bucketMs: number; sourceId: number | null }): Map<number, BucketCount> {
    const out = new Map<number, BucketCount>();
    const take = (stmt: Database.Statement, from: number, to: number) => {
      if (from >= to) return;
      for (const r of stmt.all({ from, to, b: q.bucketMs, s: q.sourceId }) as ({ t: number } & BucketCount)[]) {
        const o = out.get(r.t);
        if (o) {
          o.total += r.total;
          o.errors += r.errors;
          o.warnings += r.warnings;
        } else out.set(r.t, { total: r.total, errors: r.errors, warnings: r.warnings });
      }
    };
    const raw = q.sourceId === null ? this.rawAll : this.rawSource;
    const a = Math.ceil(q.from / COUNT_GRAIN_MS) * COUNT_GRAIN_MS;
    const z = bucketOf(q.to, COUNT_GRAIN_MS);
    if (q.bucketMs % COUNT_GRAIN_MS !== 0 || a >= z) {
      take(raw, q.from, q.to);
      return out;
    }
    take(raw, q.from, a);
    take(q.sourceId === null ? this.countsAll : this.countsSource, a, z);
    take(raw, z, q.to);
    return out;
  }

  /** A source's first and last record time, exactly, without reading all its records. */
  bounds(sourceId: number): { first: number | null; last: number | null } {
    const lo = this.firstBucket.get(sourceId) as number | null;
    const hi = this.lastBucket.get(sourceId) as number | null;
    if (lo === null || hi === null) return { first: null, last: null };
    return {
      first: this.minTsIn.get(lo, lo + COUNT_GRAIN_MS, sourceId) as number | null,
      last: this.maxTsIn.get(hi, hi + COUNT_GRAIN_MS, sourceId) as number | null,
    };
  }
}
