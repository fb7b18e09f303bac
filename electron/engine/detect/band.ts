import type { BandPoint, BandSeries } from '../../../shared/types.js';
import { judgeBucket, RateSeries, recordBucket, ShareWindow, type BandMethod } from './baseline.js';
import type { Settings } from './settings.js';
import type { RecordCounts } from '../store/record-counts.js';

// The error-rate band for the chart, recomputed from stored counts with the detector's own
// baseline code: the source's record counts per bucket (see store/record-counts.ts), the same
// window, warm-up and k.
// Dump lines and the learning period, which the live detector skips, are counted here.

export interface BandQuery {
  sourceId: number;
  source: string;
  level: 'error' | 'warn';
  spanMs: number;
  bucketMs?: number | undefined;
  method?: BandMethod | undefined;
  /** End of the span (stream time); defaults to the source's latest record. */
  end?: number | null;
}

export function computeBandSeries(counts: RecordCounts, q: BandQuery, settings: Settings): BandSeries {
  const cfg = settings.errorRate;
  const bucketMs = q.bucketMs ?? cfg.bucketMs;
  const method = q.method ?? cfg.method;
  const empty: BandSeries = { source: q.source, level: q.level, method, bucketMs, points: [] };
  const bounds = counts.bounds(q.sourceId);
  if (bounds.first === null || bounds.last === null) return empty;
  const end = Math.floor((q.end ?? bounds.last) / bucketMs) * bucketMs + bucketMs;
  const spanStart = end - Math.ceil(q.spanMs / bucketMs) * bucketMs;
  const lookback = (cfg.baselineBuckets + cfg.warmupBuckets) * bucketMs;
  const from = Math.max(spanStart - lookback, Math.floor(bounds.first / bucketMs) * bucketMs);
  const byT = counts.byBucket({ from, to: end, bucketMs, sourceId: q.sourceId });
  const series = new RateSeries({ baselineBuckets: cfg.baselineBuckets, warmupBuckets: cfg.warmupBuckets, method, k: cfg.k, minCount: cfg.minCount });
  const shares = new ShareWindow(cfg.baselineBuckets);
  const points: BandPoint[] = [];
  for (let t = from; t < end; t += bucketMs) {
    const row = byT.get(t);
    const count = row ? (q.level === 'error' ? row.errors : row.warnings) : 0;
    const total = row?.total ?? 0;
    const v = judgeBucket(series, shares, count, total, cfg.k);
    recordBucket(series, shares, v);
    const { band, anomalous } = v;
    if (t >= spanStart) {
      const r = (x: number) => Math.round(x * 100) / 100;
      points.push({ t, count, center: band ? r(band.center) : null, lower: band ? r(band.lower) : null, upper: band ? r(band.upper) : null, anomalous });
    }
  }
  return { ...empty, points };
}
