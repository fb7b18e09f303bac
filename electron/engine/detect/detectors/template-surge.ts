import type { Settings } from '../settings.js';
import type { TemplateKey, TemplateStats } from '../template-book.js';
import type { FindingSink, RecordRef } from '../types.js';

// One template's count per bucket against its own long-run mean (exponentially weighted,
// half-life of 30 buckets, quiet buckets included). A surge needs the template to be known
// for a while (new templates are new-template's), at least minCount records in the bucket,
// and `factor` times what the template usually does.

const HALF_LIFE_BUCKETS = 30;
const DECAY = Math.pow(0.5, 1 / HALF_LIFE_BUCKETS);
const SAMPLE = 20;

export class TemplateSurgeDetector {
  constructor(
    private readonly cfg: Settings['templateSurge'],
    private readonly sourceName: string,
  ) {}

  observe(key: TemplateKey, s: TemplateStats, ref: RecordRef, t: number, template: string | null, templateId: number | null, sink: FindingSink): void {
    const ms = this.cfg.bucketMs;
    const bucket = Math.floor(t / ms) * ms;
    let g = s.surge;
    if (!g) {
      g = s.surge = { bucketStart: bucket, count: 0, mean: 0, sum: 0, weight: 0, buckets: 0 };
    } else if (bucket > g.bucketStart) {
      // Close the finished bucket, then decay over the quiet buckets in between.
      // Exponentially weighted mean per bucket, normalized by the weights so far (no start-up bias).
      g.sum = DECAY * g.sum + g.count;
      g.weight = DECAY * g.weight + 1;
      const quiet = Math.round((bucket - g.bucketStart) / ms) - 1;
      if (quiet > 0) {
        const d = Math.pow(DECAY, Math.min(quiet, 10_000));
        g.sum *= d;
        g.weight = g.weight * d + (1 - d) / (1 - DECAY);
      }
      g.mean = g.weight > 0 ? g.sum / g.weight : 0;
      g.buckets += 1 + Math.max(0, quiet);
      g.bucketStart = bucket;
      g.count = 0;
      s.samples = null;
    }
    g.count++;
    if (g.count <= SAMPLE) (s.samples ??= []).push(ref);
    if (t - s.firstTs < this.cfg.minAgeMs || g.buckets < 3) return;
    const expected = g.mean;
    const threshold = Math.max(this.cfg.minCount, this.cfg.factor * expected + 4 * Math.sqrt(expected));
    if (g.count < threshold) return;
    const first = s.firedBucket !== bucket;
    s.firedBucket = bucket;
    sink.found({
      detector: 'template-surge',
      key: typeof key === 'number' ? `t${key}` : key,
      severity: 'medium',
      category: 'surge',
      title: `Surge of one message in ${this.sourceName}`,
      message: `${g.count} in ${Math.round(ms / 1000)} s (usually ${Math.round(expected * 100) / 100}): ${template ?? ''}`.trim(),
      ts: t,
      records: first ? [...(s.samples ?? [ref])] : [ref],
      templateId,
      numbers: { count: g.count, expected: Math.round(expected * 100) / 100, factor: Math.round((g.count / Math.max(expected, 0.01)) * 10) / 10, bucketMs: ms },
    });
  }
}
