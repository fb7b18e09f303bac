import type { Settings } from '../settings.js';
import { DriftTracker, judgeBucket, RateSeries, recordBucket, ShareWindow, type DriftState, type RateSeriesState } from '../baseline.js';
import type { FindingSink, RecordRef } from '../types.js';

// Error (and warning) rate per source: counts per bucket against a moving baseline (spike),
// and the recent stretch against a long history (a slow rise the moving window would
// follow). While the level is a minority of the traffic, a bucket must also be above what
// its own traffic would bring at the usual share: twice the requests with their usual
// share of errors is load, not an incident. Buckets close on stream time, so a replay
// judges each bucket as if it were live.

export type RateLevel = 'error' | 'warn';

export interface ErrorRateState {
  bucketStart: number;
  count: number;
  total: number;
  series: RateSeriesState;
  shares?: { counts: number[]; totals: number[] };
  drift: DriftState;
}

const SAMPLE = 20;

export class ErrorRateDetector {
  private bucketStart: number;
  private count: number;
  /** Records of any level in the filling bucket. */
  total: number;
  private readonly series: RateSeries;
  private readonly shares: ShareWindow;
  private readonly drift: DriftTracker;
  /** Records of this level in the filling bucket and the one before (evidence when it fires). */
  private samples: RecordRef[] = [];
  private prevSamples: RecordRef[] = [];
  private firedThisBucket = false;
  private prevTotal = 0;
  private readonly cfg: Settings['errorRate'];

  constructor(
    readonly level: RateLevel,
    settings: Settings,
    private readonly sourceName: string,
    state?: ErrorRateState,
  ) {
    this.cfg = settings.errorRate;
    const c = this.cfg;
    this.series = new RateSeries(
      { baselineBuckets: c.baselineBuckets, warmupBuckets: c.warmupBuckets, method: c.method, k: c.k, minCount: c.minCount },
      state?.series,
    );
    this.shares = new ShareWindow(c.baselineBuckets, state?.shares);
    this.drift = new DriftTracker(
      {
        windowBuckets: c.drift.windowBuckets,
        halfLifeBuckets: c.drift.halfLifeMs / c.bucketMs,
        ratio: c.drift.ratio,
        k: c.k,
        minCount: c.minCount,
        warmupBuckets: c.warmupBuckets,
      },
      state?.drift && 'sumCount' in state.drift ? state.drift : undefined,
    );
    this.bucketStart = state?.bucketStart ?? Number.NaN;
    this.count = state?.count ?? 0;
    this.total = state?.total ?? 0;
  }

  /**
   * Records of this level to expect in the last `windowMs` up to `t`: the baseline's mean
   * rate, or what the current traffic brings at the usual share, whichever is more. Null
   * during warm-up.
   */
  expectedIn(windowMs: number, t: number): number | null {
    const mean = this.series.mean();
    if (mean === null) return null;
    let expected = (mean * windowMs) / this.cfg.bucketMs;
    const share = this.shares.usualShare();
    if (share !== null) {
      // Traffic over the filling bucket and the one before it.
      const span = this.cfg.bucketMs + Math.max(1, t - this.bucketStart);
      expected = Math.max(expected, (share * (this.total + this.prevTotal) * windowMs) / span);
    }
    return expected;
  }

  /** Stream time moved to `t`: close the buckets that ended. */
  advance(t: number, sink: FindingSink): void {
    const ms = this.cfg.bucketMs;
    if (Number.isNaN(this.bucketStart)) {
      this.bucketStart = Math.floor(t / ms) * ms;
      return;
    }
    if (t < this.bucketStart + ms) return;
    this.closeBucket(sink);
    const empty = Math.floor((t - this.bucketStart) / ms);
    if (empty > 0) {
      this.series.closeEmpty(empty);
      this.shares.pushEmpty(empty);
      if (this.cfg.drift.enabled) this.drift.closeEmpty(empty);
      this.prevSamples = [];
      this.prevTotal = 0;
      this.bucketStart += empty * ms;
    }
  }

  private closeBucket(sink: FindingSink): void {
    const v = judgeBucket(this.series, this.shares, this.count, this.total, this.cfg.k);
    const { anomalous } = v;
    recordBucket(this.series, this.shares, v);
    // A spike is the band's to judge; drift is a slow rise the band follows. An outage's
    // buckets (clipped to the band, as they were) kept the drift window high for five
    // minutes after it: routine errors then were taken for more of it.
    if (this.cfg.drift.enabled && !anomalous) {
      const d = this.drift.close(this.count, this.total);
      // Said only for a bucket that has errors of its own: the window's mean stays high for a
      // while after they stop, and a finding without records would stretch the incident (its
      // count and last seen) past its last error.
      if (d && this.samples.length) {
        const end = this.bucketStart + this.cfg.bucketMs;
        const what = this.level === 'error' ? 'error' : 'warning';
        const detail =
          d.recentShare !== undefined && d.usualShare !== undefined
            ? `${pct(d.recentShare)} of records are ${what}s over the last ${minutes(this.cfg.drift.windowBuckets * this.cfg.bucketMs)}, against a usual ${pct(d.usualShare)}`
            : `${perMinute(d.recentMean, this.cfg.bucketMs)}/min ${what}s over the last ${minutes(this.cfg.drift.windowBuckets * this.cfg.bucketMs)}, against a usual ${perMinute(d.expectedMean, this.cfg.bucketMs)}/min`;
        sink.found({
          detector: 'error-rate',
          key: this.level,
          severity: this.level === 'error' ? 'high' : 'medium',
          category: 'rate',
          title: `${cap(what)} rate rising in ${this.sourceName}`,
          message: detail,
          ts: end - 1,
          records: this.samples.slice(-SAMPLE),
          numbers: {
            rate: round(d.recentMean),
            expected: round(d.expectedMean),
            z: round(d.z),
            bucketMs: this.cfg.bucketMs,
            ...(d.recentShare !== undefined ? { share: round(d.recentShare * 100), usualShare: round((d.usualShare ?? 0) * 100) } : {}),
          },
          details: { kind: 'drift' },
        });
      }
    }
    this.prevSamples = this.samples;
    this.samples = [];
    this.count = 0;
    this.prevTotal = this.total;
    this.total = 0;
    this.firedThisBucket = false;
    this.bucketStart += this.cfg.bucketMs;
  }

  /** A record of this level at stream time `t` (advance first; `total` counted by the caller). */
  observe(ref: RecordRef, t: number, sink: FindingSink): void {
    this.count++;
    if (this.samples.length < SAMPLE * 5) this.samples.push(ref);
    // The filling bucket is already over the band (counts only grow): it is anomalous now.
    const { band, anomalous } = judgeBucket(this.series, this.shares, this.count, this.total, this.cfg.k);
    if (!band || !anomalous) return;
    if (this.series.currentStreak + 1 < this.cfg.minDurationBuckets) return;
    const first = !this.firedThisBucket;
    this.firedThisBucket = true;
    const what = this.level === 'error' ? 'error' : 'warning';
    sink.found({
      detector: 'error-rate',
      key: this.level,
      severity: this.level === 'error' ? 'high' : 'medium',
      category: 'rate',
      title: `${cap(what)} rate spike in ${this.sourceName}`,
      message: `${this.count} ${what}s in ${seconds(this.cfg.bucketMs)} (usual ${round(band.center)}, band up to ${round(band.upper)})`,
      ts: t,
      // On the bucket's first verdict, what made it: this bucket's and the previous one's.
      records: first ? [...this.prevSamples.slice(-SAMPLE), ...this.samples.slice(-SAMPLE)] : [ref],
      numbers: {
        rate: this.count,
        center: round(band.center),
        lower: round(band.lower),
        upper: round(band.upper),
        z: round((this.count - band.center) / band.scale),
        bucketMs: this.cfg.bucketMs,
      },
      details: { kind: 'spike' },
    });
  }

  snapshot(): ErrorRateState {
    return {
      bucketStart: this.bucketStart,
      count: this.count,
      total: this.total,
      series: this.series.snapshot(),
      shares: this.shares.snapshot(),
      drift: this.drift.snapshot(),
    };
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
const pct = (x: number) => `${round(x * 100)}%`;
const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
const perMinute = (perBucket: number, bucketMs: number) => round((perBucket * 60_000) / bucketMs);
const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);
const minutes = (ms: number) => (ms >= 60_000 ? `${round(ms / 60_000)} min` : seconds(ms));
