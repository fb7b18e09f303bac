import { levelRank } from '../../../../shared/types.js';
import type { Settings } from '../settings.js';
import type { FindingSink, RecordRef } from '../types.js';

// N records at level >= error within a window, per source. The threshold is N, or more
// when the source's own baseline already expects that many errors in a window: a service
// that always logs an error a second does not "burst" every ten seconds.

export interface BurstState {
  recent: RecordRef[];
}

export class BurstDetector {
  /** Qualifying records inside the window, oldest first. */
  private recent: RecordRef[];
  private head = 0;
  readonly minRank: number;

  constructor(
    private readonly cfg: Settings['burst'],
    private readonly sourceName: string,
    state?: BurstState,
  ) {
    this.recent = state?.recent ?? [];
    this.minRank = levelRank(cfg.minLevel);
  }

  /** A record at or above minLevel at stream time `t`; `expected`: what the error baseline expects in a window. */
  observe(ref: RecordRef, t: number, expectedInWindow: number | null, sink: FindingSink): void {
    const from = t - this.cfg.windowMs;
    while (this.head < this.recent.length && this.recent[this.head]!.ts <= from) this.head++;
    if (this.head > 64 && this.head * 2 > this.recent.length) {
      this.recent = this.recent.slice(this.head);
      this.head = 0;
    }
    // Stream time is monotonic per source; a late record counts as now.
    this.recent.push({ id: ref.id, ts: Math.max(ref.ts, t) });
    const inWindow = this.recent.length - this.head;
    const expected = expectedInWindow ?? 0;
    // Well beyond Poisson noise around what the baseline expects: this window is checked at
    // every error, and the maximum over many sliding windows runs high.
    const threshold = Math.max(this.cfg.count, Math.ceil(expected + 6 * Math.sqrt(expected) + 3));
    if (inWindow < threshold) return;
    // When the window first crosses the threshold, all of it is evidence; then each record.
    const records = inWindow === threshold ? this.recent.slice(this.head) : [ref];
    sink.found({
      detector: 'burst',
      key: '',
      severity: 'high',
      category: 'burst',
      title: `Burst of errors in ${this.sourceName}`,
      message: `${inWindow} records at ${this.cfg.minLevel} or above within ${this.cfg.windowMs / 1000} s`,
      ts: t,
      records,
      numbers: { count: inWindow, windowMs: this.cfg.windowMs, threshold, expected: Math.round(expected * 100) / 100 },
    });
  }

  snapshot(): BurstState {
    // Enough to resume the window after a restart.
    return { recent: this.recent.slice(Math.max(this.head, this.recent.length - 1000)) };
  }
}
