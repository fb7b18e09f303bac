// Baselines for counts per interval. Pure, small, serializable: the live detector and the
// chart's band (`detect.band`, recomputed from stored counts) run the same code, so what the
// user sees drawn is what decided.

export type BandMethod = 'mad' | 'stddev';

export interface Band {
  center: number;
  scale: number;
  lower: number;
  upper: number;
}

/**
 * The band around a window of counts: median ± k·MAD (robust: one storm in the window does
 * not widen it) or mean ± k·σ. Counts are Poisson-like, so the scale never drops below
 * √center (and 1): a source with zero errors so far does not alert on its first one.
 */
export function computeBand(values: readonly number[], method: BandMethod, k: number): Band {
  let center: number;
  let scale: number;
  if (values.length === 0) {
    center = 0;
    scale = 1;
  } else if (method === 'mad') {
    const sorted = [...values].sort((a, b) => a - b);
    center = median(sorted);
    const dev = sorted.map((v) => Math.abs(v - center)).sort((a, b) => a - b);
    scale = 1.4826 * median(dev);
  } else {
    let sum = 0;
    for (const v of values) sum += v;
    center = sum / values.length;
    let sq = 0;
    for (const v of values) sq += (v - center) ** 2;
    scale = values.length > 1 ? Math.sqrt(sq / (values.length - 1)) : 0;
  }
  scale = Math.max(scale, Math.sqrt(Math.max(center, 1)));
  return { center, scale, lower: Math.max(0, center - k * scale), upper: center + k * scale };
}

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  const m = n >> 1;
  return n % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

export interface RateSeriesOptions {
  baselineBuckets: number;
  warmupBuckets: number;
  method: BandMethod;
  k: number;
  minCount: number;
}

export interface RateSeriesState {
  window: number[];
  seen: number;
  streak: number;
}

/**
 * Closed buckets in, verdicts out. The window holds the last `baselineBuckets` counts; an
 * anomalous bucket enters it clipped to the band's top, so a storm does not teach the
 * baseline that storms are normal (a lasting shift still moves it, a bucket at a time).
 */
export class RateSeries {
  private window: number[];
  private seen: number;
  private streak: number;
  private cached: Band | null = null;
  private cachedMean: number | null = null;

  constructor(
    private readonly opts: RateSeriesOptions,
    state?: RateSeriesState,
  ) {
    this.window = state?.window.slice(-opts.baselineBuckets) ?? [];
    this.seen = state?.seen ?? 0;
    this.streak = state?.streak ?? 0;
  }

  get warmedUp(): boolean {
    return this.seen >= this.opts.warmupBuckets && this.window.length > 0;
  }
  /** Consecutive anomalous buckets up to the last closed one. */
  get currentStreak(): number {
    return this.streak;
  }

  /** The band for the bucket now filling; null during warm-up. */
  band(): Band | null {
    if (!this.warmedUp) return null;
    this.cached ??= computeBand(this.window, this.opts.method, this.opts.k);
    return this.cached;
  }

  /** Mean count per bucket over the window (the median of sparse counts is 0); null in warm-up. */
  mean(): number | null {
    if (!this.warmedUp) return null;
    if (this.cachedMean === null) {
      let sum = 0;
      for (const v of this.window) sum += v;
      this.cachedMean = sum / this.window.length;
    }
    return this.cachedMean;
  }

  isAnomalous(count: number, band: Band | null = this.band()): boolean {
    return band !== null && count > band.upper && count >= this.opts.minCount;
  }

  /** Closes one bucket: `value` joins the window (clipped by the caller when anomalous). */
  record(value: number, anomalous: boolean): void {
    this.streak = anomalous ? this.streak + 1 : 0;
    this.window.push(value);
    if (this.window.length > this.opts.baselineBuckets) this.window.shift();
    this.seen++;
    this.cached = null;
    this.cachedMean = null;
  }

  /** `n` buckets without a single record (a quiet stretch), in O(min(n, window)). */
  closeEmpty(n: number): void {
    if (n <= 0) return;
    const push = Math.min(n, this.opts.baselineBuckets);
    for (let i = 0; i < push; i++) this.window.push(0);
    if (this.window.length > this.opts.baselineBuckets) this.window.splice(0, this.window.length - this.opts.baselineBuckets);
    this.seen += n;
    this.streak = 0;
    this.cached = null;
    this.cachedMean = null;
  }

  snapshot(): RateSeriesState {
    return { window: [...this.window], seen: this.seen, streak: this.streak };
  }
}

/**
 * The level's share of a source's records, over a window of buckets: a traffic surge that
 * brings its usual share of errors is not an error spike. Used only while the level is a
 * minority of the traffic (below half); an error-only log is judged on counts alone.
 */
export class ShareWindow {
  private counts: number[];
  private totals: number[];
  /** share(), until the window moves. */
  private cached: number | null | undefined = undefined;

  constructor(
    private readonly size: number,
    state?: { counts: number[]; totals: number[] },
  ) {
    this.counts = state?.counts.slice(-size) ?? [];
    this.totals = state?.totals.slice(-size) ?? [];
  }

  /** The level's share of all records in the window, or null without traffic. */
  usualShare(): number | null {
    const s = this.share();
    return s !== null && s < 0.5 ? s : null;
  }

  /** The level's share of all records in the window, or null without traffic. */
  share(): number | null {
    if (this.cached !== undefined) return this.cached;
    let c = 0;
    let t = 0;
    for (let i = 0; i < this.totals.length; i++) {
      c += this.counts[i]!;
      t += this.totals[i]!;
    }
    this.cached = t > 0 ? c / t : null;
    return this.cached;
  }

  /** The top of what `total` records would bring at the usual share; null when not applicable. */
  upper(total: number, k: number): number | null {
    const share = this.share();
    if (share === null || share >= 0.5) return null;
    const expected = total * share;
    return expected + k * Math.sqrt(Math.max(expected, 1));
  }

  push(count: number, total: number): void {
    this.cached = undefined;
    this.counts.push(count);
    this.totals.push(total);
    if (this.counts.length > this.size) {
      this.counts.shift();
      this.totals.shift();
    }
  }

  pushEmpty(n: number): void {
    // Quiet buckets carry no share information; they age the window all the same.
    for (let i = 0; i < Math.min(n, this.size); i++) this.push(0, 0);
  }

  snapshot(): { counts: number[]; totals: number[] } {
    return { counts: [...this.counts], totals: [...this.totals] };
  }
}

export interface BucketVerdict {
  band: Band | null;
  anomalous: boolean;
  /** What the baselines learn from this bucket: the count, clipped to the band when anomalous. */
  kept: number;
  /**
   * The bucket's records less those clipped, for the share history: an outage's clipped
   * errors left in the total made an error-only log's history read 7% errors.
   */
  keptTotal: number;
}

/**
 * Judges one bucket of `count` records at a level among `total`: above the band, at least
 * minCount, and (while the level is a minority of traffic) above what the traffic brings.
 * The live detector and the chart's band both decide with this.
 */
export function judgeBucket(series: RateSeries, shares: ShareWindow, count: number, total: number, k: number): BucketVerdict {
  const band = series.band();
  let anomalous = series.isAnomalous(count, band);
  if (anomalous) {
    const byShare = shares.upper(total, k);
    anomalous = byShare === null || count > byShare;
  }
  const kept = anomalous && band ? Math.min(count, band.upper) : count;
  return { band, anomalous, kept, keptTotal: Math.max(kept, total - (count - kept)) };
}

/** Closes a judged bucket in both baselines. */
export function recordBucket(series: RateSeries, shares: ShareWindow, v: BucketVerdict): void {
  series.record(v.kept, v.anomalous);
  shares.push(v.kept, v.keptTotal);
}

export interface DriftState {
  /** Exponentially weighted sums of the level's counts, of all records, and of weights. */
  sumCount: number;
  sumTotal: number;
  weight: number;
  recent: number[];
  recentTotals: number[];
  seen: number;
}

export interface DriftVerdict {
  recentMean: number;
  expectedMean: number;
  z: number;
  /** Share of records at the level, recent and usual (when judged on shares). */
  recentShare?: number;
  usualShare?: number;
}

/**
 * A slow rise that a moving window follows: the last `windowBuckets` against a long
 * exponentially weighted history (half-life of hours). While the level is a minority of the
 * traffic it is judged on its share (more traffic bringing more errors is no drift), else on
 * counts. Fires when the recent count is `ratio` times what the history expects and well
 * outside its Poisson noise.
 */
export class DriftTracker {
  private sumCount: number;
  private sumTotal: number;
  private weight: number;
  private recent: number[];
  private recentTotals: number[];
  private seen: number;
  private readonly decay: number;

  constructor(
    private readonly opts: { windowBuckets: number; halfLifeBuckets: number; ratio: number; k: number; minCount: number; warmupBuckets: number },
    state?: DriftState,
  ) {
    this.decay = Math.pow(0.5, 1 / Math.max(1, opts.halfLifeBuckets));
    this.sumCount = state?.sumCount ?? 0;
    this.sumTotal = state?.sumTotal ?? 0;
    this.weight = state?.weight ?? 0;
    this.recent = state?.recent.slice(-opts.windowBuckets) ?? [];
    this.recentTotals = state?.recentTotals?.slice(-opts.windowBuckets) ?? this.recent.map(() => 0);
    this.seen = state?.seen ?? 0;
  }

  /** What the history expects of a bucket with `total` records. */
  private expected(total: number): { mean: number; share: number | null } {
    const share = this.sumTotal > 0 ? this.sumCount / this.sumTotal : null;
    if (share !== null && share < 0.5) return { mean: total * share, share };
    return { mean: this.weight > 0 ? this.sumCount / this.weight : 0, share: null };
  }

  /** Adds a closed bucket (`count` at the level, `total` records); returns a verdict when drifted. */
  close(count: number, total: number): DriftVerdict | null {
    this.recent.push(count);
    this.recentTotals.push(total);
    if (this.recent.length > this.opts.windowBuckets) {
      this.recent.shift();
      this.recentTotals.shift();
    }
    const w = this.opts.windowBuckets;
    let verdict: DriftVerdict | null = null;
    if (this.seen >= Math.max(this.opts.warmupBuckets, w) && this.recent.length === w) {
      let c = 0;
      let t = 0;
      for (let i = 0; i < w; i++) {
        c += this.recent[i]!;
        t += this.recentTotals[i]!;
      }
      const e = this.expected(t / w);
      const expectedSum = Math.max(e.mean * w, 1);
      const z = (c - expectedSum) / Math.sqrt(expectedSum);
      if (c >= this.opts.ratio * expectedSum && z >= this.opts.k && c >= this.opts.minCount) {
        verdict = { recentMean: c / w, expectedMean: expectedSum / w, z, ...(e.share !== null && t > 0 ? { recentShare: c / t, usualShare: e.share } : {}) };
      }
    }
    // The history learns from what is normal: a drifted bucket enters it capped.
    const cap = this.opts.ratio * Math.max(this.expected(total).mean, 1 / w);
    const learn = verdict ? Math.min(count, cap) : count;
    this.sumCount = this.decay * this.sumCount + learn;
    this.sumTotal = this.decay * this.sumTotal + total;
    this.weight = this.decay * this.weight + 1;
    this.seen++;
    return verdict;
  }

  closeEmpty(n: number): void {
    if (n <= 0) return;
    // n zeros: the sums decay; the weight gains the geometric series of n buckets.
    const d = Math.pow(this.decay, n);
    this.sumCount *= d;
    this.sumTotal *= d;
    this.weight = this.weight * d + (1 - d) / (1 - this.decay);
    const push = Math.min(n, this.opts.windowBuckets);
    for (let i = 0; i < push; i++) {
      this.recent.push(0);
      this.recentTotals.push(0);
    }
    if (this.recent.length > this.opts.windowBuckets) {
      this.recent.splice(0, this.recent.length - this.opts.windowBuckets);
      this.recentTotals.splice(0, this.recentTotals.length - this.opts.windowBuckets);
    }
    this.seen += n;
  }

  snapshot(): DriftState {
    return { sumCount: this.sumCount, sumTotal: this.sumTotal, weight: this.weight, recent: [...this.recent], recentTotals: [...this.recentTotals], seen: this.seen };
  }
}
