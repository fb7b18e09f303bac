import { join } from 'node:path';
import { computeBandSeries } from '../../electron/engine/detect/band.js';
import { DEFAULT_SETTINGS } from '../../electron/engine/detect/settings.js';
import { Store, type RecordRow } from '../../electron/engine/store/store.js';
import { tempDir } from '../support/tmp.js';

// What the chart costs the engine: the UI asks for the error rate (all sources) or one
// source's band every 2 seconds, and the engine answers on the thread that also stores
// lines. Timed over a day of records, next to the same counts taken from the records
// themselves (what the chart read before record_counts). Figures only.

const DAY = 86_400_000;

function best(fn: () => unknown, runs = 3): number {
  let b = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    b = Math.min(b, performance.now() - t0);
  }
  return b;
}

export async function benchChart(opts: { quick?: boolean }): Promise<void> {
  const n = opts.quick ? 200_000 : 2_000_000;
  const { dir, cleanup } = tempDir('vigil-bench-chart-');
  const store = new Store(join(dir, 'chart.db'));
  try {
    const now = Date.now();
    const ids = ['web', 'api', 'worker'].map((name) => store.sourceId(name, 'file'));
    const LEVELS = [3, 3, 3, 2, 5, 6];
    for (let i = 0; i < n; i += 10_000) {
      const rows: RecordRow[] = [];
      for (let k = i; k < Math.min(n, i + 10_000); k++) {
        const raw = `2026-11-21T10:00:00.000Z INFO request ${k} path=/api/v1/items/${k % 977} status=200`;
        rows.push({ sourceId: ids[k % 3]!, fileId: null, firstLine: k + 1, lastLine: k + 1, ts: now - DAY + Math.floor((k / n) * DAY), tsText: null, levelRank: LEVELS[k % 6]!, levelText: null, stream: null, format: 'iso-level', templateId: null, flags: 0, message: raw.slice(30), raw, rawBytes: null });
      }
      store.append(rows, []);
    }
    const scan = store.db.prepare(
      `SELECT CAST(ts / @b AS INTEGER) * @b AS t, count(*) AS total, sum(level >= 6) AS errors, sum(level = 5) AS warnings
       FROM records WHERE ts >= @from AND ts <= @now GROUP BY t`,
    );
    // The band's two queries before record_counts: its source's first and last record, then its buckets.
    const bounds = store.db.prepare('SELECT min(ts) AS first, max(ts) AS last FROM records WHERE source_id = ?');
    const bandRows = store.db.prepare(
      `SELECT CAST(ts / @b AS INTEGER) * @b AS t, sum(level >= 6) AS n, count(*) AS total FROM records WHERE source_id = @s AND ts >= @from AND ts < @end GROUP BY t`,
    );
    const bandBucket = DEFAULT_SETTINGS.errorRate.bucketMs;
    const lookback = (DEFAULT_SETTINGS.errorRate.baselineBuckets + DEFAULT_SETTINGS.errorRate.warmupBuckets) * bandBucket;
    console.log(`${n.toLocaleString('en-US')} records over the last 24 h in 3 sources; best of 3, ms per answer (the UI asks every 2 s)`);
    console.log('span     rate chart (all sources)   error band (one source)   counting the records instead: chart / band');
    for (const [label, span] of [['5 min', 300_000], ['1 h', 3_600_000], ['24 h', DAY]] as const) {
      const bucketMs = Math.max(1000, Math.round(span / 60 / 1000) * 1000);
      const rate = best(() => store.rates({ spanMs: span, bucketMs }, now));
      const band = best(() => computeBandSeries(store.counts, { sourceId: ids[0]!, source: 'web', level: 'error', spanMs: span }, DEFAULT_SETTINGS));
      const from = now - span;
      const rateScan = best(() => scan.all({ b: bucketMs, from, now }));
      const bandScan = best(() => {
        const b = bounds.get(ids[0]) as { last: number };
        const end = Math.floor(b.last / bandBucket) * bandBucket + bandBucket;
        bandRows.all({ b: bandBucket, s: ids[0], from: end - span - lookback, end });
      });
      console.log(`${label.padEnd(6)} ${rate.toFixed(1).padStart(14)} ${band.toFixed(1).padStart(25)} ${rateScan.toFixed(0).padStart(32)} / ${bandScan.toFixed(0)}`);
    }
  } finally {
    store.close();
    cleanup();
  }
}
