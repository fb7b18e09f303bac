import type Database from 'better-sqlite3';
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { durationMs } from '../../../shared/duration.js';
import { formatBytes, parseSize, sizeBytes, type SizeSpec } from '../../../shared/size.js';
import type { StoreConfig, StoreUsage } from '../../../shared/types.js';
import { damageAdvice, isDamaged } from './damage.js';
import { bucketOf, COUNT_GRAIN_MS } from './record-counts.js';
import type { Store } from './store.js';

// How much the store keeps. Every line read is stored, so without a bound an app that is
// installed and forgotten fills the disk. The bounds are journald's (SystemMaxUse,
// SystemKeepFree, MaxRetentionSec), with gentler defaults:
//  - maxSize: the most the store holds; default 10% of its disk, at most 4 GiB;
//  - keepFree: what it leaves free on its disk; default 5% of the disk, at most 4 GiB;
//  - maxAge: records stored longer ago are removed; default none.
// Past a bound, the oldest records go first, in chunks of their own transactions between
// the ingestor's, down to 90% of the bound. Kept always: the records anomalies cite as
// evidence or context (an incident report stays whole) and their templates. What only
// described removed records goes with them: the chart's counts of times before the oldest
// record, templates no record left has, rows of deleted files and removed containers. Each removal is logged in `retention_log`
// (ids, count, times, the reason), so what is gone is accounted for. A new database
// (auto_vacuum = INCREMENTAL, see Store) gives freed pages back to the disk when the store
// is over its bound for lack of disk or the bound was lowered; otherwise they are reused by
// new records and the file stops growing.

const GiB = 1024 ** 3;
const DEFAULT_MAX: { share: number; cap: number } = { share: 0.1, cap: 4 * GiB };
const DEFAULT_FREE: { share: number; cap: number } = { share: 0.05, cap: 4 * GiB };
/** However low the disk, the store may hold this much (unless maxSize says less). */
export const FLOOR_BYTES = 64 * 1024 * 1024;
/** Records are removed once the store holds this share of its bound, down to TARGET of it. */
const TRIGGER = 0.98;
const TARGET = 0.9;
/** Removals for one reason within this long share a row of retention_log. */
const LOG_ROW_MS = 60_000;
/** Records per removal transaction. */
const CHUNK = 10_000;
/** Pages given back to the disk per step: each moved page is written to the WAL first, so a step holds 2 MiB of WAL at most. */
const VACUUM_STEP = 256;

export interface RetentionOptions {
  /** How often the bounds are checked without a write to prompt it (disk filled by others, maxAge). */
  intervalMs?: number;
  /** Least time between two checks prompted by writes. */
  minGapMs?: number;
  /** The disk holding the store (tests). */
  statfs?: (path: string) => { size: number; free: number };
  now?: () => number;
  log?: (msg: string) => void;
}

interface Limit {
  bytes: number;
  /** Why, as logged with a removal: the same for the same bound. */
  reason: string;
  /** What is true now besides (for store.usage). */
  note?: string;
  /** Bound by keepFree: the disk is short. */
  lowDisk: boolean;
}

export class Retention {
  private maxSize: SizeSpec | null = null;
  private keepFree: SizeSpec | null = null;
  private maxAgeMs: number | null = null;
  private readonly pageSize: number;
  private readonly canShrink: boolean;
  private readonly st: ReturnType<typeof statements>;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastCheck = 0;
  private lastError = '';
  /** Why the last check could not remove what is past the bounds; null when it could. */
  private failing: string | null = null;
  private lastErrorAt = 0;
  /** The bound found by the last check. */
  private lastLimit = Number.MAX_SAFE_INTEGER;
  private closed = false;
  private removedSinceTrim = 0;
  private lastTrim = 0;
  /** See run(): checkpoint after each step. */
  private tight = false;
  /** Ids below this were looked at by an earlier removal (kept evidence need not be scanned again). */
  private from = 0;
  private readonly o: Required<Omit<RetentionOptions, 'log'>> & { log: (msg: string) => void };

  private readonly db: Database.Database;

  constructor(
    private readonly store: Store,
    opts: RetentionOptions = {},
  ) {
    this.db = store.db;
    this.o = {
      intervalMs: opts.intervalMs ?? 60_000,
      minGapMs: opts.minGapMs ?? 1000,
      statfs: opts.statfs ?? diskOf,
      now: opts.now ?? Date.now,
      log: opts.log ?? (() => {}),
    };
    this.pageSize = this.db.pragma('page_size', { simple: true }) as number;
    this.canShrink = this.db.pragma('auto_vacuum', { simple: true }) === 2;
    this.st = statements(this.db);
  }

  /** Applies the config's `store:` section (absent: the defaults). */
  configure(cfg: StoreConfig | undefined): void {
    this.maxSize = cfg?.maxSize === undefined ? null : parseSize(cfg.maxSize);
    this.keepFree = cfg?.keepFree === undefined ? null : parseSize(cfg.keepFree);
    this.maxAgeMs = cfg?.maxAge === undefined ? null : durationMs(cfg.maxAge, 0) || null;
    this.lastCheck = 0;
    this.lastLimit = Number.MAX_SAFE_INTEGER;
    // Started: the new bounds hold now, not at the next minute's check (a quiet store kept
    // its old size until then).
    if (this.timer) void this.check(true);
  }

  /** Checks now and then every intervalMs. */
  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => void this.check(true), this.o.intervalMs);
    this.timer.unref();
    void this.check(true);
  }

  /**
   * Something was stored: checks the bounds if that was not done within minGapMs, or if
   * the store grew past its last bound meanwhile (a burst stores tens of MB a second).
   */
  noteStored(): void {
    if (this.running || this.closed) return;
    if (this.o.now() - this.lastCheck >= this.o.minGapMs || this.pages().used > this.lastLimit * TRIGGER) void this.check(true);
  }

  /** Checks the bounds and removes what is past them; resolves when done. */
  check(force = true): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.running) return this.running;
    const now = this.o.now();
    if (!force && now - this.lastCheck < this.o.minGapMs) return Promise.resolve();
    this.lastCheck = now;
    this.running = this.run()
      .then(() => {
        this.failing = null;
      })
      .catch((err) => {
        this.failing = this.why(err);
        // Once a minute at most: a full disk fails every check until space comes back.
        const msg = this.failing;
        if (msg === this.lastError && now - this.lastErrorAt < 60_000) return;
        this.lastError = msg;
        this.lastErrorAt = now;
        this.o.log(`retention: could not remove old records (${msg}); trying again later`);
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  usage(): StoreUsage {
    const { used, file } = this.pages();
    const disk = this.disk();
    const limit = this.limit(file, disk);
    // What reads the records can meet the damage retention met: the usage still comes, saying so.
    let failing = this.failing;
    const read = <T>(fn: () => T, otherwise: T): T => {
      try {
        return fn();
      } catch (err) {
        failing ??= this.why(err);
        return otherwise;
      }
    };
    const t = read(() => this.st.totals.get() as { n: number; at: number | null }, { n: 0, at: null });
    return {
      usedBytes: used,
      fileBytes: file,
      limitBytes: limit.bytes,
      limitReason: limit.note ? `${limit.reason}; ${limit.note}` : limit.reason,
      diskBytes: disk.size,
      diskFreeBytes: disk.free,
      oldestStoredAt: read(() => (this.st.oldest.get() as number | undefined) ?? null, null),
      removedRecords: t.n,
      lastRemovedAt: t.at,
      lastRemovedWhy: read(() => (this.st.lastWhy.get() as string | undefined) ?? null, null),
      failing,
    };
  }

  /** A failure as the store usage and the log say it: a damaged store with what to do. */
  private why(err: unknown): string {
    const msg = (err as Error)?.message ?? String(err);
    return isDamaged(err) ? `the store is damaged (${msg}): ${damageAdvice(this.db.name)}` : msg;
  }

  // ---- internals --------------------------------------------------------------------

  private async run(): Promise<void> {
    // To the minute: removals of one minute share their reason, and so their log row.
    if (this.maxAgeMs !== null) await this.removeOlder(Math.floor((this.o.now() - this.maxAgeMs) / 60_000) * 60_000);
    let { used, file } = this.pages();
    const limit = this.limit(file, this.disk());
    // Short of disk, the WAL that removals write must not grow into what is left: each
    // step's pages are copied into the database at once, so the WAL starts over instead.
    this.tight = limit.lowDisk;
    this.lastLimit = limit.bytes;
    let trimmedInPass = false;
    if (used > limit.bytes * TRIGGER) {
      const target = Math.floor(limit.bytes * TARGET);
      // From the oldest record left: cited ones kept by an earlier pass may not be now (their
      // anomaly resolved, or it cites newer ones), and go before any newer line.
      this.from = 0;
      let log: number | null = null;
      const reason = limit.reason;
      // A store of free text: a template per line or so, each with detection's row, which
      // may weigh more than the lines. Those of the lines gone are trimmed after each chunk
      // (at the end only, every line but the newest went, and the next as soon as stored).
      const describing = ((this.st.lastTemplate.get() as number | null) ?? 0) * 10 >= ((this.st.lastId.get() as number | null) ?? 0);
      while (!this.closed && used > target) {
        const r = this.removeChunk(Number.MAX_SAFE_INTEGER, reason, log, this.rowsFor(used - target));
        if (!r) break;
        log = r.log;
        if (describing) {
          await this.trimDescriptions();
          trimmedInPass = true;
        }
        ({ used, file } = this.pages());
        await yieldToOthers();
      }
    }
    await this.trimCounts();
    // What described removed records only (file rows, templates): once records went, and
    // once a minute at most (their anti-joins read every citation), but see above.
    if (this.removedSinceTrim > 0 && (trimmedInPass || this.o.now() - this.lastTrim >= 60_000)) await this.trimDescriptions();
    if (this.canShrink && file > limit.bytes) await this.shrink(file - limit.bytes);
  }

  private async trimDescriptions(): Promise<void> {
    this.removedSinceTrim = 0;
    this.lastTrim = this.o.now();
    this.trimFiles();
    await this.trimTemplates();
  }

  /**
   * Checkpoints of files deleted (unlinked: never met again) and of containers removed, once
   * no record of theirs is left: a folder of per-job files adds a row per file, a host
   * running short jobs a row per container, and a source loads its rows at every start. A
   * file's records were stored no later than its row was last updated, so a row last
   * updated before the oldest record left has none, but for records an anomaly cites (kept,
   * with their rows). The newest row of each source stays: it says the source has read.
   */
  private trimFiles(): void {
    const first = this.st.firstId.get(this.from) as number | null;
    const oldest = first === null ? null : (this.st.storedAt.get(first) as number);
    if (oldest === null) return;
    this.st.trimFiles.run(oldest);
    this.afterStep();
  }

  /**
   * Templates whose every record is gone: a log whose lines are each new (free text, ids
   * in the words) adds a template per line, and kept them all, so the templates alone
   * outgrew the bound and every line was removed as soon as stored. A template's last_seen
   * is the time of its newest record at least: older than the oldest record left (kept
   * evidence aside), no record of it is left. Kept: those an anomaly names or its evidence
   * carries, and those a template still in use was merged from.
   */
  private async trimTemplates(): Promise<void> {
    const cut = this.st.liveMinTs.get(this.from) as number | null;
    if (cut === null) return;
    const last = (this.st.lastTemplate.get() as number | null) ?? 0;
    for (let lo = (this.st.firstTemplate.get() as number | null) ?? 0; !this.closed && lo <= last; lo += CHUNK) {
      this.st.trimTemplates.run({ cut, lo, hi: lo + CHUNK - 1 });
      this.afterStep();
      await yieldToOthers();
    }
    // What detection knows of each template per source (first seen, count, baseline), once
    // no record of it is left: kept, a row per line of free text outgrew the bound by itself.
    // Kept: templates an anomaly names. In key order, a page at a time.
    let after = { s: -1, k: '' };
    while (!this.closed) {
      const page = this.st.detectorTemplatesPage.all(after) as { source_id: number; template_key: string }[];
      if (!page.length) break;
      const end = page[page.length - 1]!;
      this.st.trimDetectorTemplates.run({ s: after.s, k: after.k, s2: end.source_id, k2: end.template_key, cut });
      after = { s: end.source_id, k: end.template_key };
      this.afterStep();
      await yieldToOthers();
    }
  }

  /**
   * The chart's per-bucket counts (record_counts) of times before the oldest record kept
   * count removed records only: they go too, a day of buckets per step, or a store that
   * runs for a year would hold a row per 5 s per source of nothing.
   */
  private async trimCounts(): Promise<void> {
    const minTs = this.st.minTs.get() as number | null;
    if (minTs === null) return;
    const cut = bucketOf(minTs, COUNT_GRAIN_MS);
    for (let t = this.st.minCount.get() as number | null; !this.closed && t !== null && t < cut; t = this.st.minCount.get() as number | null) {
      this.st.trimCounts.run(Math.min(cut, t + 86_400_000));
      this.afterStep();
      await yieldToOthers();
    }
  }

  private async removeOlder(cutoff: number): Promise<void> {
    let log: number | null = null;
    while (!this.closed) {
      const r = this.removeChunk(cutoff, `store.maxAge: stored before ${new Date(cutoff).toISOString()}`, log, CHUNK);
      if (!r) return;
      log = r.log;
      if (!r.full) return;
      await yieldToOthers();
    }
  }

  /**
   * Removes the oldest chunk of records (stored before `cutoff`), in one transaction with
   * its line in retention_log. Null when there was nothing to remove.
   */
  private removeChunk(cutoff: number, reason: string, log: number | null, rows: number): { log: number; full: boolean } | null {
    let out: { log: number; full: boolean } | null = null;
    this.db.transaction(() => {
      const lo = this.st.firstId.get(this.from) as number | null;
      if (lo === null) return;
      // The newest record stays: with none left, SQLite would give the next one id 1 again,
      // and ids that go back confuse everything that goes on from an id (this class, the UI).
      const newest = this.st.lastId.get() as number;
      if (lo >= newest) return;
      let hi = Math.min((this.st.chunkEnd.get(lo, rows - 1) as number | undefined) ?? newest, newest - 1);
      let full = true;
      if (cutoff !== Number.MAX_SAFE_INTEGER && !((this.st.storedAt.get(hi) as number) < cutoff)) {
        const last = this.st.lastBefore.get(lo, hi, cutoff) as number | null;
        if (last === null) return;
        hi = last;
        full = false;
      }
      const span = this.st.span.get(lo, hi) as { lo: number | null; hi: number | null };
      const removed = this.st.remove.run({ lo, hi }).changes;
      this.removedSinceTrim += removed;
      this.from = hi + 1;
      const now = this.o.now();
      let id = log ?? (this.st.logOpen.get(reason, now - LOG_ROW_MS) as number | undefined) ?? null;
      if (id === null) id = Number(this.st.logNew.run({ now }, reason, removed, lo, hi, span.lo, span.hi).lastInsertRowid);
      else this.st.logMore.run({ now, lo: span.lo, hi: span.hi, id }, removed, hi);
      out = { log: id, full };
    })();
    this.afterStep();
    return out;
  }

  /** About how many of the oldest records hold `bytes` (from the store's bytes per record), within 100..CHUNK. */
  private rowsFor(bytes: number): number {
    const first = this.st.firstId.get(this.from) as number | null;
    const last = this.st.lastId.get() as number | null;
    if (first === null || last === null) return CHUNK;
    const perRecord = this.pages().used / (last - first + 1);
    return Math.max(100, Math.min(CHUNK, Math.ceil(bytes / perRecord)));
  }

  /** Gives up to `bytes` of free pages back to the disk. */
  private async shrink(bytes: number): Promise<void> {
    let pages = Math.min(this.db.pragma('freelist_count', { simple: true }) as number, Math.ceil(bytes / this.pageSize));
    while (!this.closed && pages > 0) {
      const n = Math.min(VACUUM_STEP, pages);
      this.db.pragma(`incremental_vacuum(${n})`);
      this.afterStep();
      pages -= n;
      await yieldToOthers();
    }
    // The file is cut when the WAL holding the vacuum is copied back: now, not once 4 MB
    // more were written (a quiet store kept its old size on disk for ever). PASSIVE: never
    // waiting on a reader; tried again a few times while the checkpointer thread is at it.
    for (let i = 0; i < 20 && !this.closed; i++) {
      try {
        const [r] = this.db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
        if (!r || (!r.busy && r.checkpointed >= r.log)) break;
      } catch {
        break; // at the next checkpoint then
      }
      await new Promise((res) => setTimeout(res, 25));
    }
  }

  private afterStep(): void {
    if (this.tight) this.db.pragma('wal_checkpoint(PASSIVE)');
    else this.store.committed();
  }

  private pages(): { used: number; file: number } {
    // Prepared once: this runs after every batch the engine stores (noteStored).
    const count = this.st.pageCount.get() as number;
    const free = this.st.freeCount.get() as number;
    return { used: (count - free) * this.pageSize, file: count * this.pageSize };
  }

  private disk(): { size: number; free: number } {
    try {
      return this.o.statfs(dirname(this.store.path));
    } catch {
      return { size: Number.MAX_SAFE_INTEGER, free: Number.MAX_SAFE_INTEGER };
    }
  }

  /** What the store may hold now: the least of maxSize and what keepFree leaves it, never under the floor. */
  private limit(file: number, disk: { size: number; free: number }): Limit {
    const max = Math.floor(this.maxSize ? sizeBytes(this.maxSize, disk.size) : Math.min(DEFAULT_MAX.cap, DEFAULT_MAX.share * disk.size));
    const maxWhy = this.maxSize ? `store.maxSize (${formatBytes(max)})` : `store.maxSize (${formatBytes(max)}: 10% of the disk, at most 4 GiB)`;
    const keep = Math.floor(this.keepFree ? sizeBytes(this.keepFree, disk.size) : Math.min(DEFAULT_FREE.cap, DEFAULT_FREE.share * disk.size));
    // What the store may grow to: its file, plus the disk's free space beyond keepFree.
    // Pages freed in an old database (no auto_vacuum) stay in its file, so its bound is
    // never under the file's size: it stops growing instead of losing records for nothing.
    let room = Math.floor(file + disk.free - keep);
    if (!this.canShrink) room = Math.max(room, file);
    const floor = Math.min(FLOOR_BYTES, max);
    if (max <= room) return { bytes: max, reason: maxWhy, lowDisk: false };
    const keepWhy = `store.keepFree (Vigil leaves ${formatBytes(keep)} of its disk free${this.keepFree ? '' : ': 5% of it, at most 4 GiB'})`;
    const note = `the disk has ${formatBytes(disk.free)} free`;
    if (room >= floor) return { bytes: room, reason: keepWhy, note, lowDisk: true };
    return { bytes: floor, reason: `${keepWhy}, but keeps at least ${formatBytes(floor)}`, note, lowDisk: true };
  }
}

/** Records an anomaly cites that retention keeps, newest first: of one not resolved (its report shows 200 evidence lines), of a resolved one. */
const KEEP_OPEN = 400;
const KEEP_RESOLVED = 20;

function statements(db: Database.Database) {
  return {
    chunkEnd: db.prepare('SELECT id FROM records WHERE id >= ? ORDER BY id LIMIT 1 OFFSET ?').pluck(),
    lastId: db.prepare('SELECT max(id) FROM records').pluck(),
    firstId: db.prepare('SELECT min(id) FROM records WHERE id >= ?').pluck(),
    span: db.prepare('SELECT min(ts) lo, max(ts) hi FROM records WHERE id BETWEEN ? AND ?'),
    // What anomalies cite stays, up to a point: the newest KEEP_OPEN records of each anomaly
    // not resolved (what its report shows), KEEP_RESOLVED of a resolved one. All of it was
    // kept, and an anomaly open for weeks (or many resolved ones) grew its evidence past the
    // bound: then every new line went as soon as it was stored.
    remove: db.prepare(
      `DELETE FROM records WHERE id BETWEEN @lo AND @hi AND id NOT IN (
         SELECT record_id FROM (
           SELECT e.record_id, a.state, row_number() OVER (PARTITION BY e.anomaly_id ORDER BY e.record_id DESC) AS rn
           FROM anomaly_events e JOIN anomalies a ON a.id = e.anomaly_id
           WHERE e.anomaly_id IN (SELECT anomaly_id FROM anomaly_events WHERE record_id BETWEEN @lo AND @hi))
         WHERE record_id BETWEEN @lo AND @hi AND rn <= CASE WHEN state = 'resolved' THEN ${KEEP_RESOLVED} ELSE ${KEEP_OPEN} END)`,
    ),
    // Age: records stored before the cutoff, within a chunk (ids follow the order of storing).
    lastBefore: db.prepare('SELECT max(id) FROM records WHERE id BETWEEN ? AND ? AND ingested_at < ?').pluck(),
    storedAt: db.prepare('SELECT ingested_at FROM records WHERE id = ?').pluck(),
    oldest: db.prepare('SELECT ingested_at FROM records WHERE id = (SELECT min(id) FROM records)').pluck(),
    logNew: db.prepare(
      'INSERT INTO retention_log (started_at, at, reason, removed, first_id, last_id, oldest_ts, newest_ts) VALUES (@now, @now, ?, ?, ?, ?, ?, ?)',
    ),
    logMore: db.prepare(
      `UPDATE retention_log SET at = @now, removed = removed + ?, last_id = ?, oldest_ts = min(coalesce(oldest_ts, @lo), @lo),
         newest_ts = max(coalesce(newest_ts, @hi), @hi) WHERE id = @id`,
    ),
    /** The newest row, if it is for `reason` and started after `since`: removals continuing it share it. */
    logOpen: db.prepare('SELECT id FROM retention_log WHERE id = (SELECT max(id) FROM retention_log) AND reason = ? AND started_at > ?').pluck(),
    totals: db.prepare('SELECT coalesce(sum(removed), 0) n, max(at) at FROM retention_log'),
    minTs: db.prepare('SELECT min(ts) FROM records').pluck(),
    pageCount: db.prepare('PRAGMA page_count').pluck(),
    freeCount: db.prepare('PRAGMA freelist_count').pluck(),
    trimFiles: db.prepare(
      `DELETE FROM files WHERE state IN ('deleted', 'removed') AND updated_at < ?
         AND id NOT IN (SELECT max(id) FROM files GROUP BY source_id)
         AND id NOT IN (SELECT r.file_id FROM anomaly_events e JOIN records r ON r.id = e.record_id WHERE r.file_id IS NOT NULL)`,
    ),
    minCount: db.prepare('SELECT min(t) FROM record_counts').pluck(),
    /** The oldest time of the records past those kept as evidence (ids from `?` on), through the time index. */
    liveMinTs: db.prepare('SELECT ts FROM records INDEXED BY records_ts WHERE id >= ? ORDER BY ts LIMIT 1').pluck(),
    lastTemplate: db.prepare('SELECT max(id) FROM template_state').pluck(),
    firstTemplate: db.prepare('SELECT min(id) FROM template_state').pluck(),
    trimTemplates: db.prepare(
      // The newest stays, as the newest record does: the miner numbers new templates from it.
      `DELETE FROM template_state WHERE id BETWEEN @lo AND @hi AND last_seen < @cut AND id < (SELECT max(id) FROM template_state)
         AND id NOT IN (SELECT merged_into FROM template_state WHERE merged_into IS NOT NULL AND last_seen >= @cut)
         AND id NOT IN (SELECT template_id FROM anomalies WHERE template_id IS NOT NULL)
         AND id NOT IN (SELECT r.template_id FROM anomaly_events e JOIN records r ON r.id = e.record_id WHERE r.template_id IS NOT NULL)`,
    ),
    detectorTemplatesPage: db.prepare(
      `SELECT source_id, template_key FROM detector_templates WHERE (source_id, template_key) > (@s, @k) ORDER BY source_id, template_key LIMIT ${CHUNK}`,
    ),
    trimDetectorTemplates: db.prepare(
      `DELETE FROM detector_templates WHERE (source_id, template_key) > (@s, @k) AND (source_id, template_key) <= (@s2, @k2) AND last_ts < @cut
         AND template_key NOT IN (SELECT 't' || template_id FROM anomalies WHERE template_id IS NOT NULL)`,
    ),
    trimCounts: db.prepare('DELETE FROM record_counts WHERE t < ?'),
    lastWhy: db.prepare('SELECT reason FROM retention_log ORDER BY id DESC LIMIT 1').pluck(),
  };
}

function diskOf(dir: string): { size: number; free: number } {
  const s = statfsSync(dir);
  return { size: s.blocks * s.bsize, free: s.bavail * s.bsize };
}

const yieldToOthers = () => new Promise<void>((r) => setImmediate(r));
