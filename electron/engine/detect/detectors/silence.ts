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
  /** Weighted mean of the pauses learned as the source's rhythm (see isRhythm), and how many. */
  pause?: number | null;
  pauses?: number;
  /** When the source's current stretch of writing began (its first record after a long pause). */
  activeFrom?: number | null;
}

export class SilenceDetector {
  private last: RecordRef | null;
  private gap: number | null;
  private alerted: boolean;
  private pause: number | null;
  private pauses: number;
  private activeFrom: number | null;

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
    this.activeFrom = state?.activeFrom ?? state?.last?.ts ?? null;
  }

  /**
   * A source that pauses in a rhythm (a job writing a batch every 15 minutes) has it learned
   * after two such pauses: a pause is then a silence only when half again as long. Judged by
   * the gaps between lines alone, every pause went quiet, 24 times in 8 hours.
   */
  expectedMs(): number {
    const base = this.baseMs();
    return this.pauses >= 2 && this.pause !== null ? Math.max(base, 1.5 * this.pause) : base;
  }

  /** From the gaps between lines alone. */
  private baseMs(): number {
    return Math.max(this.cfg.minMs, this.cfg.factor * (this.gap ?? Infinity));
  }

  /**
   * Whether a pause of `gap` after writing since `activeFrom` is the source's rhythm. Until
   * two are learned: a pause longer than the writing before it (a batch job's; a service
   * down 20 minutes after 40 of writing is not). After: one within what is expected; a
   * silence (a missed run, an outage) teaches nothing, or outages became "usual pauses".
   */
  private isRhythm(gap: number, lastTs: number, expected: number): boolean {
    if (this.pauses >= 2) return gap <= expected;
    return this.activeFrom !== null && lastTs - this.activeFrom < gap;
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
      if (this.gap !== null && gap > this.baseMs()) {
        if (this.isRhythm(gap, last.ts, expected)) {
          this.pause = this.pause === null ? gap : 0.7 * this.pause + 0.3 * gap;
          this.pauses++;
        }
        this.activeFrom = t;
      }
      // Long gaps teach less: one night off does not make the source "usually silent".
      const g = Math.min(Math.max(gap, 0), expected);
      this.gap = this.gap === null ? g : 0.95 * this.gap + 0.05 * g;
    }
    this.last = ref;
    this.activeFrom ??= t;
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
      message: `no record for ${Math.round(quietMs / 1000)} s; it usually writes every ${usual(this.gap ?? 0)}${this.pauses >= 2 && this.pause !== null ? `, and pauses for ${Math.round(this.pause / 1000)} s` : ''}`,
      ts,
      records: this.last ? [this.last] : [],
      numbers: { quietMs: Math.round(quietMs), expectedMs: Math.round(this.expectedMs()), usualGapMs: Math.round(this.gap ?? 0), ...(this.pause !== null ? { usualPauseMs: Math.round(this.pause) } : {}) },
    });
  }

  snapshot(): SilenceState {
    return { last: this.last, gap: this.gap, alerted: this.alerted, pause: this.pause, pauses: this.pauses, activeFrom: this.activeFrom };
  }
}

/** A usual gap, said so it is not "every 0 s" for a source writing 20 lines a second. */
function usual(ms: number): string {
  return ms < 1000 ? `${Math.max(1, Math.round(ms))} ms` : `${Math.round(ms / 100) / 10} s`;
}
