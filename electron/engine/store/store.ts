import { isAscii } from 'node:buffer';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseSearch } from '../../../shared/search.js';
import { levelFromRank, levelRank, type LogEvent, type RateSeries, type TailPage } from '../../../shared/types.js';
import { migrate } from './migrate.js';
import { preparedOnce } from './prepared.js';
import { RecordCounts } from './record-counts.js';
import { RecordInserter } from './record-insert.js';
import { WalCheckpointer } from './checkpointer.js';
import { forView, newestWithin } from './view-budget.js';

/**
 * One record as written to the `records` table. The pipeline's stored records are rows as
 * they are (same field names): no copy per record on the way in.
 */
export interface RecordRow {
  sourceId: number;
  fileId: number | null;
  firstLine: number | null;
  lastLine: number | null;
  ts: number;
  tsText: string | null;
  levelRank: number;
  levelText: string | null;
  stream?: string | null;
  format: string | null;
  templateId: number | null;
  flags: number;
  message: string;
  raw: string;
  rawBytes: Buffer | null;
}

/** Position reached in one file (or one container stream), committed with the records before it. */
export interface CheckpointUpdate {
  fileId: number;
  offset: number;
  lineNo: number;
  size?: number;
  state?: string;
  cursor?: string | null;
  /** The format the lines up to it were read as (kept when not given). */
  format?: string | null;
}

export interface FileRow {
  id: number;
  source_id: number;
  path: string;
  dev: number | null;
  ino: number | null;
  fingerprint: string | null;
  offset: number;
  line_no: number;
  size: number;
  state: string;
  cursor: string | null;
  /** The format its lines were read as (migration 010): taken up again after a restart. */
  format?: string | null;
  /** When the row last changed (ms): what the source had read by then. */
  updated_at?: number;
}

/** Page size of a new database. */
const PAGE_SIZE = 8192;

/** WAL not yet in the database from which the checkpointer thread copies it: SQLite's default (1000 pages of 4 KiB). */
const CHECKPOINT_DUE_BYTES = 4000 * 1024;
/** WAL this connection lets grow before it checkpoints by itself (the thread fell behind or is gone). */
const FALLBACK_CHECKPOINT_BYTES = 32 * 1024 * 1024;

/**
 * Records a filtered tail() looks at, at most, per call (see TailQuery.scanRows). 500,000
 * held the engine 0.3-0.7 s a page on a busy machine, and the UI asks for up to 8 pages
 * in a row when they hold nothing: lines waited seconds to be stored.
 */
export const TAIL_SCAN_ROWS = 200_000;
/**
 * ...and this many bytes of lines, about: 500,000 lines of 1 KB took half a second, and a
 * page of them from each of a few windows held the engine for seconds.
 */
export const TAIL_SCAN_BYTES = 48 * 1024 * 1024;

export interface TailQuery {
  limit: number;
  source?: string;
  beforeId?: number;
  search?: string;
  minLevel?: string;
  /** Records a filter looks at, at most (default TAIL_SCAN_ROWS). */
  scanRows?: number;
}

/** A record's message from its `records` row (migration 005: text, the end of raw, or raw itself). */
const MESSAGE_SQL = 'CASE WHEN msg_off IS NOT NULL THEN substr(raw, msg_off + 1) ELSE coalesce(message, raw) END';

export interface StoreOptions {
  readonly?: boolean;
}

/**
 * The SQLite store. One writer connection owned by the engine; every write that must be
 * atomic with a checkpoint goes through `transaction`.
 */
export class Store {
  readonly db: Database.Database;
  readonly path: string;
  private readonly updateCheckpoint: Database.Statement;
  private readonly inserter: RecordInserter;
  /** Per-bucket record counts (migration 007); null on a read-only store. */
  private readonly counter: RecordCounts | null;
  private readonly sourceIds = new Map<string, number>();
  /** File rows' statements, prepared once (a folder of 10,000 files prepared 20,000). */
  private readonly statement: (sql: string) => Database.Statement;
  private checkpointer: WalCheckpointer | null = null;
  private closed = false;

  constructor(path: string, opts: StoreOptions = {}) {
    this.path = path;
    if (path !== ':memory:' && !opts.readonly) mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path, { readonly: !!opts.readonly, fileMustExist: !!opts.readonly });
    this.db.pragma('busy_timeout = 5000');
    // Case folding beyond ASCII, for the Live view's search (see tail).
    this.db.function('unicode_lower', { deterministic: true }, (t: unknown) => (typeof t === 'string' ? t.toLowerCase() : t));
    this.statement = preparedOnce(this.db);
    if (!opts.readonly) {
      // New databases only (an existing one keeps its page size). Measured against 4 KiB:
      // a sixth less insert time catching up on many files (the time index's scattered
      // inserts touch half the pages per transaction), a few % less in file order; the
      // price: a one-record commit writes 33 KiB of WAL instead of 17 (16 KiB: faster
      // still, 66 KiB, and an empty database no longer fits the disk-full test's 4 MiB).
      this.db.pragma(`page_size = ${PAGE_SIZE}`);
      // New databases only: pages freed by retention can be given back to the disk
      // (store/retention.ts). Measured: inserts 2-3% dearer (engine, 12 runs each way).
      if (this.db.pragma('page_count', { simple: true }) === 0) this.db.pragma('auto_vacuum = INCREMENTAL');
      this.db.pragma('journal_mode = WAL');
      // WAL + NORMAL: a committed transaction survives a crash of this process (SIGKILL);
      // only an OS crash or power loss may roll back the last transactions.
      this.db.pragma('synchronous = NORMAL');
      migrate(this.db);
      // Statement journals (for savepoints) in memory, not in a temporary file.
      this.db.pragma('temp_store = MEMORY');
      if (path !== ':memory:' && path !== '') {
        // Checkpoints run on their own thread; SQLite's own, on this connection, only
        // when the WAL grows past 32 MiB anyway (the thread fell behind or is gone).
        const pageSize = this.db.pragma('page_size', { simple: true }) as number;
        this.checkpointer = new WalCheckpointer(path, Math.ceil(CHECKPOINT_DUE_BYTES / pageSize));
        this.db.pragma(`wal_autocheckpoint = ${Math.ceil(FALLBACK_CHECKPOINT_BYTES / pageSize)}`);
        // A WAL grown by a burst is cut back to this size once checkpointed.
        this.db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
      }
    }
    this.inserter = new RecordInserter(this.db);
    this.counter = opts.readonly ? null : new RecordCounts(this.db);
    this.updateCheckpoint = this.db.prepare(
      `UPDATE files SET offset = ?, line_no = ?, size = coalesce(?, size), state = coalesce(?, state),
                        cursor = coalesce(?, cursor), format = coalesce(?, format), updated_at = ? WHERE id = ?`,
    );
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  sourceExists(name: string): boolean {
    return this.db.prepare('SELECT 1 FROM sources WHERE name = ?').get(name) !== undefined;
  }

  /** A source renamed in the config keeps its id, and so its records, files and checkpoints. */
  renameSource(from: string, to: string): void {
    this.db.prepare('UPDATE sources SET name = ? WHERE name = ?').run(to, from);
    const id = this.sourceIds.get(from);
    this.sourceIds.delete(from);
    if (id !== undefined) this.sourceIds.set(to, id);
  }

  sourceId(name: string, type: string): number {
    const known = this.sourceIds.get(name);
    if (known !== undefined) return known;
    this.db.prepare('INSERT OR IGNORE INTO sources (name, type, created_at) VALUES (?, ?, ?)').run(name, type, Date.now());
    const row = this.db.prepare('SELECT id FROM sources WHERE name = ?').get(name) as { id: number };
    this.sourceIds.set(name, row.id);
    return row.id;
  }

  files(sourceId: number): FileRow[] {
    return this.statement('SELECT * FROM files WHERE source_id = ? ORDER BY id').all(sourceId) as FileRow[];
  }

  /**
   * How far another source read this file (same device, inode and first line), by its
   * checkpoint, and when it last did: a file a removed source, or one that came first in
   * the config, read up to there. null: no other source read it.
   */
  readElsewhere(sourceId: number, dev: number, ino: number, fingerprint: string): { offset: number; lineNo: number; at: number } | null {
    const r = this.statement(
      `SELECT offset, line_no AS lineNo, coalesce(updated_at, 0) AS at FROM files
       WHERE source_id != ? AND dev = ? AND ino = ? AND fingerprint = ? AND state IN ('active', 'rotated')
       ORDER BY offset DESC LIMIT 1`,
    ).get(sourceId, dev, ino, fingerprint) as { offset: number; lineNo: number; at: number } | undefined;
    return r ?? null;
  }

  /**
   * Which of `sourceIds` holds a checkpoint of this very file: same device, inode and first
   * line (a generation it followed through a rename, the file under another path), or for a
   * compressed file, the first line of one it followed. null: none.
   */
  fileHolder(sourceIds: readonly number[], dev: number, ino: number, fingerprint: string, compressed: boolean): number | null {
    if (!sourceIds.length) return null;
    const ids = sourceIds.join(',');
    const r = (
      compressed
        ? this.statement(`SELECT source_id FROM files WHERE source_id IN (${ids}) AND fingerprint = ? AND state IN ('rotated', 'compressed', 'decompressing') LIMIT 1`).get(fingerprint)
        : this.statement(`SELECT source_id FROM files WHERE source_id IN (${ids}) AND dev = ? AND ino = ? AND fingerprint = ? AND state IN ('active', 'rotated') LIMIT 1`).get(dev, ino, fingerprint)
    ) as { source_id: number } | undefined;
    return r?.source_id ?? null;
  }

  addFile(f: Omit<FileRow, 'id'>): number {
    const r = this.statement(
      `INSERT INTO files (source_id, path, dev, ino, fingerprint, offset, line_no, size, state, cursor, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(f.source_id, f.path, f.dev, f.ino, f.fingerprint, f.offset, f.line_no, f.size, f.state, f.cursor, Date.now());
    return Number(r.lastInsertRowid);
  }

  updateFile(id: number, patch: Partial<Omit<FileRow, 'id' | 'source_id'>>): void {
    const keys = Object.keys(patch) as (keyof typeof patch)[];
    if (!keys.length) return;
    const sets = keys.map((k) => `${k} = @${k}`).join(', ');
    this.statement(`UPDATE files SET ${sets}, updated_at = @__now WHERE id = @__id`).run({ ...patch, __now: Date.now(), __id: id });
  }

  /**
   * Writes records and the checkpoints reached by them in one transaction, so a crash
   * at any moment neither loses nor repeats a line. Returns the id of the first record.
   * `also` runs inside the same transaction (templates, anomalies, ...).
   */
  append(records: RecordRow[], checkpoints: CheckpointUpdate[], also?: (firstId: number) => void): number {
    const now = Date.now();
    let firstId = 0;
    this.db.transaction(() => {
      firstId = this.inserter.insert(records, now);
      this.counter!.add(records);
      for (const c of checkpoints) {
        this.updateCheckpoint.run(c.offset, c.lineNo, c.size ?? null, c.state ?? null, c.cursor ?? null, c.format ?? null, now, c.fileId);
      }
      also?.(firstId);
    })();
    // After the commit nothing may throw: the caller would take the records for unstored.
    this.committed();
    return firstId;
  }

  /**
   * After a commit made on `db` outside `append` (retention's removals): the checkpointer
   * copies the WAL into the database when it is due, so the WAL is reused instead of
   * growing. Never throws.
   */
  committed(): void {
    if (this.checkpointer && !this.checkpointer.committed()) {
      this.checkpointer.close();
      this.checkpointer = null;
      try {
        this.db.pragma('wal_autocheckpoint = 1000');
      } catch {
        /* SQLite checkpoints at the fallback size meanwhile */
      }
    }
  }

  private scanBudget: { rows: number; at: number } | null = null;

  /** Records a filtered tail() looks at: TAIL_SCAN_ROWS, fewer when lines are long (TAIL_SCAN_BYTES), from the store's size per record. */
  private scanRows(): number {
    const now = Date.now();
    if (this.scanBudget && now - this.scanBudget.at < 10_000) return this.scanBudget.rows;
    let rows = TAIL_SCAN_ROWS;
    const span = this.statement('SELECT max(id) - min(id) + 1 FROM records').pluck().get() as number | null;
    if (span && span > 0) {
      const pageSize = this.db.pragma('page_size', { simple: true }) as number;
      const used = ((this.db.pragma('page_count', { simple: true }) as number) - (this.db.pragma('freelist_count', { simple: true }) as number)) * pageSize;
      const perRecord = used / span;
      if (perRecord > 0) rows = Math.max(10_000, Math.min(TAIL_SCAN_ROWS, Math.floor(TAIL_SCAN_BYTES / perRecord)));
    }
    this.scanBudget = { rows, at: now };
    return rows;
  }

  /**
   * The newest records (newest last), optionally before an id, filtered. A filter looks at
   * `scanRows` records at most, newest first (it runs on the engine's thread: a word no
   * record has would read the whole store); `before` says where to go on from, or is null
   * when the store's oldest record was reached.
   */
  tail(req: TailQuery): TailPage {
    const where: string[] = [];
    const args: Record<string, unknown> = { limit: req.limit };
    const newest = (this.statement('SELECT max(id) FROM records').pluck().get() as number | null) ?? 0;
    const top = req.beforeId ? Math.min(req.beforeId, newest + 1) : newest + 1;
    args.top = top;
    where.push('id < @top');
    const filtered = !!(req.source || req.minLevel || req.search);
    // Ids are dense (one per record, the oldest removed first): a span of ids is a count of records.
    const floor = filtered ? Math.max(0, top - 1 - (req.scanRows ?? this.scanRows())) : 0;
    if (floor > 0) {
      where.push('id > @floor');
      args.floor = floor;
    }
    if (req.source) {
      where.push('source_id = (SELECT id FROM sources WHERE name = @source)');
      args.source = req.source;
    }
    if (req.minLevel) {
      where.push('level >= @minLevel');
      args.minLevel = levelRank(req.minLevel as never);
    }
    if (req.search) {
      // Words all in the message, none of the -words (shared/search.ts), case ignored. SQLite's
      // lower() folds ASCII only: a word with other letters (ошибка, échec) is matched with
      // JavaScript's folding (unicode_lower, slower), as the view matches new lines.
      const terms = parseSearch(req.search);
      const word = (t: string, arg: string, op: string) => {
        const ascii = isAscii(Buffer.from(t));
        where.push(ascii ? `instr(lower(${MESSAGE_SQL}), lower(@${arg})) ${op}` : `instr(unicode_lower(${MESSAGE_SQL}), @${arg}) ${op}`);
        args[arg] = ascii ? t : t.toLowerCase();
      };
      terms.include.forEach((t, k) => word(t, `in${k}`, '> 0'));
      terms.exclude.forEach((t, k) => word(t, `out${k}`, '= 0'));
    }
    // The page's ids first (the filter on `records`, its indexes), then their rows by id: a
    // range of ids from the first to the last would read every record between them.
    const rows = this
      .statement(`SELECT * FROM events WHERE id IN (SELECT id FROM records WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit) ORDER BY id`)
      .all(args) as Record<string, unknown>[];
    const all = rows.map((r) => forView(toLogEvent(r)));
    // Within the page's text budget: the newest; the next page goes on below them.
    const events = newestWithin(all);
    // The next page looks below the oldest record returned, or below what this one looked at.
    let before: number | null = all.length === req.limit || events.length < all.length ? events[0]!.id : floor + 1;
    const oldest = this.statement('SELECT min(id) FROM records').pluck().get() as number | null;
    if (oldest === null || before <= oldest) before = null;
    return { events, before };
  }

  /** Records with first <= id <= last, as LogEvents, oldest first. */
  eventsByIdRange(first: number, last: number): LogEvent[] {
    const rows = this.db.prepare('SELECT * FROM events WHERE id BETWEEN ? AND ? ORDER BY id').all(first, last) as Record<string, unknown>[];
    return rows.map(toLogEvent);
  }

  rates(req: { spanMs: number; bucketMs: number; source?: string }, now = Date.now()): RateSeries {
    const from = Math.floor((now - req.spanMs) / req.bucketMs) * req.bucketMs;
    let sourceId: number | null = null;
    if (req.source) {
      const id = this.db.prepare('SELECT id FROM sources WHERE name = ?').pluck().get(req.source) as number | undefined;
      // A source never seen: no records, every bucket empty.
      sourceId = id ?? -1;
    }
    const byT = this.counts.byBucket({ from, to: now + 1, bucketMs: req.bucketMs, sourceId });
    const points = [];
    for (let t = from; t <= now; t += req.bucketMs) {
      const r = byT.get(t);
      points.push({ t, total: r?.total ?? 0, errors: r?.errors ?? 0, warnings: r?.warnings ?? 0 });
    }
    return { bucketMs: req.bucketMs, points };
  }

  /** Record counts per time bucket (see record-counts.ts). */
  get counts(): RecordCounts {
    if (!this.counter) throw new Error('the store is read-only: no counts');
    return this.counter;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.checkpointer?.close();
    if (!this.db.readonly) {
      try {
        this.db.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        /* best effort: the WAL is replayed on next open anyway */
      }
    }
    this.db.close();
  }
}

export function toLogEvent(r: Record<string, unknown>): LogEvent {
  return {
    id: r.id as number,
    source: r.source as string,
    path: (r.path as string | null) ?? null,
    ts: r.ts as number,
    level: (r.level as LogEvent['level']) ?? null,
    levelText: (r.level_text as string | null | undefined) ?? null,
    message: r.message as string,
    raw: r.raw as string,
    stream: (r.stream as 'stdout' | 'stderr' | null) ?? null,
    format: (r.format as string | null) ?? null,
    templateId: (r.template_id as number | null) ?? null,
    template: (r.template as string | null | undefined) ?? null,
    flags: (r.flags as number) ?? 0,
  };
}

export { levelFromRank };
