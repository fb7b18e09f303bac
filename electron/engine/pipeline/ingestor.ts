import { levelRank, RECORD_FLAGS } from '../../../shared/types.js';
import type { CheckpointUpdate, RecordRow, Store } from '../store/store.js';
import type { BatchStage, IngestBatch, StoredRecord, TemplateStage } from './types.js';

export interface IngestorOptions {
  /** Records queued before `write` waits (backpressure; nothing is dropped). */
  maxQueued?: number;
  /** Records per transaction. */
  maxBatch?: number;
  /** How long a record may wait for company before its batch is committed. */
  lingerMs?: number;
}

export interface IngestorEvents {
  onDidStore?(records: StoredRecord[]): void;
  /** The store refused a write (disk full, I/O error); sources are held until it recovers. */
  onStoreError?(error: Error | null): void;
}

/**
 * The bounded queue between sources and the store. Sources `await write(batch)`; when the
 * store falls behind, the promise waits, so readers pause instead of dropping or growing
 * memory. Each flush writes records and checkpoints in one transaction.
 */
export class Ingestor {
  private queue: IngestBatch[] = [];
  private queued = 0;
  private waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private closed = false;
  private failing: Error | null = null;
  private retryMs = 100;
  private readonly maxQueued: number;
  private readonly maxBatch: number;
  private readonly lingerMs: number;

  constructor(
    private readonly store: Store,
    private readonly templates: TemplateStage | null,
    private readonly stages: BatchStage[],
    private readonly events: IngestorEvents = {},
    opts: IngestorOptions = {},
  ) {
    this.maxQueued = opts.maxQueued ?? 50_000;
    this.maxBatch = opts.maxBatch ?? 10_000;
    this.lingerMs = opts.lingerMs ?? 20;
  }

  /** Records waiting for the store. */
  get backlog(): number {
    return this.queued;
  }
  get isBlocked(): boolean {
    return this.queued >= this.maxQueued || this.failing !== null;
  }

  async write(batch: IngestBatch): Promise<void> {
    if (this.closed) throw new Error('ingestor is closed');
    while (this.queued >= this.maxQueued) {
      await new Promise<void>((r) => this.waiters.push(r));
      if (this.closed) throw new Error('ingestor is closed');
    }
    this.queue.push(batch);
    this.queued += batch.records.length;
    this.schedule(this.queued >= this.maxBatch ? 0 : this.lingerMs);
  }

  /** Writes everything queued. */
  async drain(): Promise<void> {
    while (this.queue.length || this.flushing) {
      if (this.flushing) await this.flushing;
      else await this.flushNow();
      if (this.failing) throw this.failing;
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      await this.drain();
    } finally {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    }
  }

  private schedule(ms: number): void {
    if (this.closed || this.flushing) return;
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flushNow();
    }, ms);
  }

  private flushNow(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = (async () => {
      try {
        while (this.queue.length) {
          const take: IngestBatch[] = [];
          let n = 0;
          while (this.queue.length && (n === 0 || n + this.queue[0]!.records.length <= this.maxBatch)) {
            const b = this.queue.shift()!;
            take.push(b);
            n += b.records.length;
          }
          try {
            this.commit(take);
            if (this.failing) {
              this.failing = null;
              this.retryMs = 100;
              this.events.onStoreError?.(null);
            }
          } catch (err) {
            // Put them back in front, untouched: nothing accepted is lost.
            this.queue.unshift(...take);
            this.failing = err as Error;
            this.events.onStoreError?.(this.failing);
            await new Promise((r) => setTimeout(r, this.retryMs));
            this.retryMs = Math.min(this.retryMs * 2, 5000);
            if (this.closed) return;
            continue;
          }
          this.queued -= n;
          while (this.waiters.length && this.queued < this.maxQueued) this.waiters.shift()!();
          // Yield so sources and timers get the CPU between transactions.
          await new Promise((r) => setImmediate(r));
        }
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }

  private commit(batches: IngestBatch[]): void {
    const rows: RecordRow[] = [];
    const stored: StoredRecord[] = [];
    const checkpoints = new Map<number, CheckpointUpdate>();
    for (const b of batches) {
      for (const r of b.records) {
        let ts = r.ts;
        let flags = r.flags;
        if (ts === null) {
          ts = b.readAt;
          flags |= RECORD_FLAGS.noTimestamp;
        }
        const t = this.templates?.match(r.message, r) ?? null;
        const rank = levelRank(r.level);
        rows.push({
          sourceId: b.source.id,
          fileId: b.fileId,
          lineNo: r.firstLine,
          lineEnd: r.lastLine,
          ts,
          tsText: r.tsText,
          level: rank,
          levelText: r.levelText,
          stream: r.stream ?? null,
          format: r.format,
          templateId: t?.id ?? null,
          flags,
          message: r.message,
          raw: r.raw,
          rawBytes: r.rawBytes,
        });
        stored.push({
          ...r,
          flags,
          id: 0,
          sourceName: b.source.name,
          sourceId: b.source.id,
          fileId: b.fileId,
          path: b.path,
          ts,
          levelRank: rank,
          templateId: t?.id ?? null,
          template: t?.template ?? null,
        });
      }
      // Later checkpoints of the same file supersede earlier ones.
      if (b.checkpoint) checkpoints.set(b.checkpoint.fileId, b.checkpoint);
    }
    this.store.append(rows, [...checkpoints.values()], (firstId) => {
      for (let i = 0; i < stored.length; i++) stored[i]!.id = firstId + i;
      this.templates?.persist?.();
      for (const s of this.stages) {
        if (!s.inTransaction) continue;
        // A savepoint per stage: a failing detector must not stall ingestion or lose records.
        try {
          this.store.db.transaction(() => s.inTransaction!(stored))();
        } catch (err) {
          console.error(`vigil: stage ${s.name} failed; its writes for this batch were rolled back:`, err);
        }
      }
    });
    for (const s of this.stages) {
      try {
        s.afterCommit?.(stored);
      } catch (err) {
        console.error(`vigil: stage ${s.name} failed after commit:`, err);
      }
    }
    if (stored.length) this.events.onDidStore?.(stored);
  }
}
