import { levelRank, RECORD_FLAGS } from '../../../shared/types.js';
import { damageAdvice, isDamaged } from '../store/damage.js';
import type { CheckpointUpdate, Store } from '../store/store.js';
import type { BatchStage, IngestBatch, StoredRecord, TemplateStage } from './types.js';

export interface IngestorOptions {
  /** Records queued before `write` waits (backpressure; nothing is dropped). */
  maxQueued?: number;
  /** Bytes of source data queued before `write` waits: bounds memory whatever the line length. */
  maxQueuedBytes?: number;
  /** Records per transaction. */
  maxBatch?: number;
  /** How long a record may wait for company before its batch is committed. */
  lingerMs?: number;
  /** First and longest wait before retrying a store that refused a write. */
  retryMs?: number;
  retryMaxMs?: number;
  /** How long `close` keeps retrying a failing store before giving up (what is left is re-read next start). */
  closeTimeoutMs?: number;
  /** Sources reading at once (see readSlot). */
  maxReaders?: number;
}

export interface IngestorEvents {
  onDidStore?(records: StoredRecord[]): void;
  /** The store refused a write (disk full, I/O error); sources are held until it recovers. */
  onStoreError?(error: Error | null): void;
}

interface Waiter {
  wake(): void;
}

/**
 * The bounded queue between sources and the store. Sources `await write(batch)`; when the
 * store falls behind or refuses writes, the promise waits, so readers pause instead of
 * dropping or growing memory. Each commit writes records and their checkpoints in one
 * transaction, which is what makes dropping a queued batch safe when we must: its
 * checkpoint did not move, so its lines are read again.
 */
export class Ingestor {
  private queue: IngestBatch[] = [];
  private queued = 0;
  private queuedBytes = 0;
  private waiters: Waiter[] = [];
  private readers = 0;
  private readerWaiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private closed = false;
  private failing: Error | null = null;
  private retryDelay: number;
  /** The last stage failure said (see stageFailed). */
  private lastStageError = '';
  /** Per file, the time of the last record that had one and when it was read (see commit). */
  private lastTimed = new Map<string, { ts: number; readAt: number }>();
  private readonly o: Required<IngestorOptions>;

  constructor(
    private readonly store: Store,
    private readonly templates: TemplateStage | null,
    private readonly stages: BatchStage[],
    private readonly events: IngestorEvents = {},
    opts: IngestorOptions = {},
  ) {
    this.o = {
      maxQueued: opts.maxQueued ?? 50_000,
      maxQueuedBytes: opts.maxQueuedBytes ?? 64 * 1024 * 1024,
      maxBatch: opts.maxBatch ?? 10_000,
      lingerMs: opts.lingerMs ?? 20,
      retryMs: opts.retryMs ?? 100,
      retryMaxMs: opts.retryMaxMs ?? 5000,
      closeTimeoutMs: opts.closeTimeoutMs ?? 10_000,
      maxReaders: opts.maxReaders ?? 4,
    };
    this.retryDelay = this.o.retryMs;
  }

  /** Records waiting for the store. */
  get backlog(): number {
    return this.queued;
  }
  get isBlocked(): boolean {
    return this.full() || this.failing !== null;
  }
  /** Why writers wait, for status lines; null when they do not. */
  get blockedReason(): string | null {
    if (this.failing && isDamaged(this.failing)) {
      return `the store is damaged (${this.failing.message}); nothing more is stored until it is recovered: ${damageAdvice(this.store.path)}`;
    }
    if (this.failing) return `the store refused a write (${this.failing.message}); holding records and retrying`;
    if (this.full()) return 'the store is behind';
    return null;
  }

  /**
   * Queues a batch; waits while the queue is full. With `signal` aborted the wait ends
   * with an AbortError and the batch is not queued.
   */
  async write(batch: IngestBatch, signal?: AbortSignal): Promise<void> {
    if (this.closed) throw new Error('ingestor is closed');
    signal?.throwIfAborted();
    // Writers are served in arrival order: a newcomer queues behind those already waiting.
    if (this.full() || this.waiters.length > 0) {
      do {
        await this.wait(signal);
        if (this.closed) throw new Error('ingestor is closed');
      } while (this.full());
    }
    this.queue.push(batch);
    this.queued += batch.records.length;
    this.queuedBytes += batchBytes(batch);
    this.wakeNext();
    this.schedule(this.queued >= this.o.maxBatch ? 0 : this.o.lingerMs);
  }

  /**
   * A slot to read and decode one chunk in, then `write` it. A source holds one from its
   * read until its batch is queued, so what sources have read but not queued yet stays
   * bounded however many files they read at once (500 files catching up held 500 decoded
   * chunks, 3 GB, while they waited for the queue). Resolves with the release; an aborted
   * wait rejects with the signal's reason.
   */
  async readSlot(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.readers >= this.o.maxReaders || this.readerWaiters.length) {
      await new Promise<void>((resolve, reject) => {
        const w = () => {
          forget();
          resolve();
        };
        const forget = onAbort(signal, () => {
          const i = this.readerWaiters.indexOf(w);
          if (i !== -1) this.readerWaiters.splice(i, 1);
          reject(signal!.reason);
        });
        this.readerWaiters.push(w);
      });
    } else {
      this.readers++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The slot passes to the longest waiting reader, or is freed.
      const next = this.readerWaiters.shift();
      if (next) next();
      else this.readers--;
    };
  }

  /** Writes everything queued; throws the store's error if it refuses. */
  async drain(): Promise<void> {
    while (this.queue.length || this.flushing) {
      if (this.flushing) await this.flushing;
      else await this.flushNow();
      if (this.failing) throw this.failing;
    }
  }

  /**
   * Waits until nothing of `sourceId` is queued (a source restarting must not read its
   * checkpoints while its last batches are in flight). Past `timeoutMs` (a failing
   * store), its batches are dropped instead: their checkpoints did not move.
   */
  async release(sourceId: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.some((b) => b.source.id === sourceId)) {
      if (Date.now() >= deadline) {
        this.dropWhere((b) => b.source.id === sourceId);
        return;
      }
      this.schedule(0);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Stores what is queued, retrying a failing store for up to closeTimeoutMs, then stops. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const deadline = Date.now() + this.o.closeTimeoutMs;
    try {
      for (;;) {
        try {
          await this.drain();
          break;
        } catch (err) {
          // A damaged store does not heal by waiting: stop now (what is queued is read again).
          if (Date.now() >= deadline || isDamaged(err)) throw err;
          await new Promise((r) => setTimeout(r, Math.min(this.retryDelay, Math.max(0, deadline - Date.now()))));
        }
      }
    } finally {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      for (const w of this.waiters.splice(0)) w.wake();
    }
  }

  // ---- internals --------------------------------------------------------------------

  private full(): boolean {
    // An empty queue always takes one batch, however big: a single huge batch must pass.
    return this.queue.length > 0 && (this.queued >= this.o.maxQueued || this.queuedBytes >= this.o.maxQueuedBytes);
  }

  private wait(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        wake: () => {
          forget();
          resolve();
        },
      };
      const forget = onAbort(signal, () => {
        const i = this.waiters.indexOf(w);
        if (i !== -1) this.waiters.splice(i, 1);
        this.wakeNext();
        reject(signal!.reason);
      });
      this.waiters.push(w);
    });
  }

  /** Room again: let the longest waiting writer in (it wakes the next one after queueing). */
  private wakeNext(): void {
    if (this.waiters.length && !this.full()) this.waiters.shift()!.wake();
  }

  private dropWhere(pred: (b: IngestBatch) => boolean): void {
    const keep: IngestBatch[] = [];
    for (const b of this.queue) {
      if (pred(b)) {
        this.queued -= b.records.length;
        this.queuedBytes -= batchBytes(b);
      } else keep.push(b);
    }
    this.queue = keep;
    this.wakeNext();
  }

  private schedule(ms: number): void {
    if (this.closed || this.flushing || this.failing) return;
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flushNow();
    }, ms);
  }

  private flushNow(): Promise<void> {
    if (this.flushing) return this.flushing;
    // Cleared by the promise itself, not inside it: the body may finish synchronously
    // (empty queue, or a commit failing at once), before `flushing` would be assigned.
    const p = this.flushLoop();
    this.flushing = p;
    void p.finally(() => {
      if (this.flushing === p) this.flushing = null;
    });
    return p;
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length) {
      const take: IngestBatch[] = [];
      let n = 0;
      let bytes = 0;
      while (this.queue.length && (n === 0 || n + this.queue[0]!.records.length <= this.o.maxBatch)) {
        const b = this.queue.shift()!;
        take.push(b);
        n += b.records.length;
        bytes += batchBytes(b);
      }
      try {
        this.commit(take);
      } catch (err) {
        // Put them back in front, untouched: nothing accepted is lost. Retry later.
        this.templates?.rollback?.();
        this.queue.unshift(...take);
        this.failing = err as Error;
        this.events.onStoreError?.(this.failing);
        this.scheduleRetry();
        return;
      }
      if (this.failing) {
        this.failing = null;
        this.retryDelay = this.o.retryMs;
        this.events.onStoreError?.(null);
      }
      this.queued -= n;
      this.queuedBytes -= bytes;
      this.wakeNext();
      // Yield so sources and timers get the CPU between transactions.
      await new Promise((r) => setImmediate(r));
    }
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, this.o.retryMaxMs);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flushNow();
    }, delay);
  }

  /**
   * A stage's failure, said once while it repeats: a damaged page in a table a stage reads
   * failed every batch, 127 lines of stack traces in 20 s. The store's own errors are said
   * without a stack (they are not Vigil's bugs); anything else with it.
   */
  private stageFailed(stage: string, what: string, err: unknown): void {
    const msg = (err as Error)?.message ?? String(err);
    const key = `${stage}\0${what}\0${msg}`;
    if (this.lastStageError === key) return;
    this.lastStageError = key;
    const known = String((err as { code?: unknown } | null)?.code ?? '').startsWith('SQLITE_');
    console.error(`vigil: stage ${stage} failed, ${what}:`, known ? msg : err);
  }

  private commit(batches: IngestBatch[]): void {
    const stored: StoredRecord[] = [];
    const checkpoints = new Map<number, CheckpointUpdate>();
    const templates = this.templates;
    for (const b of batches) {
      const recs = b.records;
      const file = `${b.source.id}:${b.fileId}`;
      let timed = this.lastTimed.get(file);
      for (let i = 0; i < recs.length; i++) {
        const r = recs[i]!;
        let ts = r.ts;
        let flags = r.flags;
        if (ts === null) {
          // A record without a time of its own takes the time of the one before it in its
          // file when that one was read just now, as lnav does: a line of a backlog read at
          // start stamped with the read time stood hours after its neighbours (a burst of
          // the backlog's errors "now"). Else the time it was read.
          ts = timed && b.readAt - timed.readAt <= TIMED_RECENT_MS ? timed.ts : b.readAt;
          flags |= RECORD_FLAGS.noTimestamp;
        } else if (i === recs.length - 1 || recs[i + 1]!.ts === null) {
          timed = { ts, readAt: b.readAt };
        }
        const t = templates ? templates.match(r.message, r) : null;
        // The decoded record becomes the stored one, which is also the row written (no
        // copy: the source is done with it; its fields were made with it, see newRecord).
        const s = r as StoredRecord;
        s.ts = ts;
        s.flags = flags;
        s.id = 0;
        s.sourceName = b.source.name;
        s.sourceId = b.source.id;
        s.fileId = b.fileId;
        s.path = b.path;
        s.levelRank = levelRank(r.level);
        s.templateId = t ? t.id : null;
        s.template = t ? t.template : null;
        stored.push(s);
      }
      if (timed) {
        if (this.lastTimed.size >= 10_000 && !this.lastTimed.has(file)) this.lastTimed.clear();
        this.lastTimed.set(file, timed);
      }
      // Later checkpoints of the same file supersede earlier ones.
      if (b.checkpoint) checkpoints.set(b.checkpoint.fileId, b.checkpoint);
    }
    this.store.append(stored, [...checkpoints.values()], (firstId) => {
      for (let i = 0; i < stored.length; i++) stored[i]!.id = firstId + i;
      this.templates?.persist?.();
      for (const s of this.stages) {
        if (!s.inTransaction) continue;
        // A savepoint per stage: a failing detector must not stall ingestion or lose records.
        try {
          this.store.db.transaction(() => s.inTransaction!(stored))();
        } catch (err) {
          this.stageFailed(s.name, 'its writes for this batch were rolled back', err);
        }
      }
    });
    for (const s of this.stages) {
      try {
        s.afterCommit?.(stored);
      } catch (err) {
        this.stageFailed(s.name, 'after commit', err);
      }
    }
    if (stored.length) this.events.onDidStore?.(stored);
  }
}

/** How recently the record a time is taken from must have been read (see commit). */
const TIMED_RECENT_MS = 5000;

function batchBytes(b: IngestBatch): number {
  if (b.bytes !== undefined) return b.bytes;
  let n = 0;
  for (const r of b.records) n += r.raw.length;
  return n;
}

// One 'abort' listener per signal, however many waits share it: a source's files all wait
// on its signal, and EventTarget looks through every listener of a signal to add one (a
// folder of 10,000 files catching up spent 1.7 s adding listeners).
const aborts = new WeakMap<AbortSignal, Set<() => void>>();

/** Runs `fn` when `signal` aborts; returns the function that cancels that. */
function onAbort(signal: AbortSignal | undefined, fn: () => void): () => void {
  if (!signal) return () => undefined;
  let set = aborts.get(signal);
  if (!set) {
    const all = new Set<() => void>();
    set = all;
    aborts.set(signal, all);
    signal.addEventListener(
      'abort',
      () => {
        const fns = [...all];
        all.clear();
        for (const f of fns) f();
      },
      { once: true },
    );
  }
  set.add(fn);
  return () => void set.delete(fn);
}
