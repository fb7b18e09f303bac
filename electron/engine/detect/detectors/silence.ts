import type { Settings } from '../settings.js';
import type { FindingSink, RecordRef } from '../types.js';

// A source that normally writes goes quiet for longer than expected: longer than `factor`
// times its usual gap between records, and at least `minMs`. Checked by a timer against the
// source's stream clock (live), and on the next record after a long gap (replays, scan).

export interface SilenceState {
  last: RecordRef | null;
  /** Exponentially weighted mean gap between records, ms. */
  gap: number | null;
  alerted: boolean;
  /** Weighted mean of the pauses longer than expected that ended (the source wrote again), and how many. */
  pause?: number | null;
  pauses?: number;
}

export class SilenceDetector {
  private last: RecordRef | null;
  private gap: number | null;
  private alerted: boolean;
  private pause: number | null;
  private pauses: number;

  constructor(
    private readonly cfg: Settings['silence'],
    private readonly sourceName: string,
    state?: SilenceState,
  ) {
    this.last = state?.last ?? null;
    this.gap = state?.gap ?? null;
    this.alerted = state?.alerted ?? false;
    this.pause = state?.pause ?? null;
    this.pauses = state?.pauses ?? 0;
  }

  /**
   * A source that pauses in a rhythm (a job writing a batch every 15 minutes) has it learned
   * after two such pauses: a pause is then a silence only when half again as long. Judged by
   * the gaps between lines alone, every pause went quiet, 24 times in 8 hours.
   */
  expectedMs(): number {
    const base = Math.max(this.cfg.minMs, this.cfg.factor * (this.gap ?? Infinity));
    return this.pauses >= 2 && this.pause !== null ? Math.max(base, 1.5 * this.pause) : base;
  }

  /** A record arrived at stream time `t`; `learning` suppresses verdicts. */
  observe(ref: RecordRef, t: number, learning: boolean, sink: FindingSink): void {
    const last = this.last;
    if (last) {
      const gap = t - last.ts;
      const expected = this.expectedMs();
      if (this.alerted) {
        sink.cleared({ detector: 'silence', key: '', ts: t });
        this.alerted = false;
      } else if (!learning && this.gap !== null && gap > expected) {
        // Nobody was watching the clock (a replay): report the silence now, then its end.
        this.fire(last.ts + this.expectedMs(), gap, sink);
        sink.cleared({ detector: 'silence', key: '', ts: t });
        this.alerted = false;
      }
      if (this.gap !== null && gap > expected) {
        this.pause = this.pause === null ? gap : 0.7 * this.pause + 0.3 * gap;
        this.pauses++;
      }
      // Long gaps teach less: one night off does not make the source "usually silent".
      const g = Math.min(Math.max(gap, 0), expected);
      this.gap = this.gap === null ? g : 0.95 * this.gap + 0.05 * g;
    }
    this.last = ref;
  }

  /** The timer's check at stream time `now`. */
  check(now: number, learning: boolean, sink: FindingSink): void {
    if (learning || this.alerted || !this.last || this.gap === null) return;
    const quiet = now - this.last.ts;
    if (quiet > this.expectedMs()) {
      this.fire(now, quiet, sink);
      this.alerted = true;
    }
  }

  private fire(ts: number, quietMs: number, sink: FindingSink): void {
    sink.found({
      detector: 'silence',
      key: '',
      severity: 'medium',
      category: 'silence',
      title: `${this.sourceName} went quiet`,
      message: `no record for ${Math.round(quietMs / 1000)} s; it usually writes every ${Math.round((this.gap ?? 0) / 100) / 10} s${this.pauses >= 2 && this.pause !== null ? `, and pauses for ${Math.round(this.pause / 1000)} s` : ''}`,
      ts,
      records: this.last ? [this.last] : [],
      numbers: { quietMs: Math.round(quietMs), expectedMs: Math.round(this.expectedMs()), usualGapMs: Math.round(this.gap ?? 0), ...(this.pause !== null ? { usualPauseMs: Math.round(this.pause) } : {}) },
    });
  }

  snapshot(): SilenceState {
    return { last: this.last, gap: this.gap, alerted: this.alerted, pause: this.pause, pauses: this.pauses };
  }
}
