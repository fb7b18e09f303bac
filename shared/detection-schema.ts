// Validators for detection: the `detection:` defaults, each source's `detectors:`, the
// fields a rule may use, and the detection calls of the contract. Re-exported by schema.ts.
import { z } from 'zod';
import { checkRegexSafety } from './regex-safety.js';
import { LEVELS, REPORT_FORMATS, SEVERITIES } from './types.js';

const DAY = 86_400_000;
const level = z.enum(LEVELS);
const levelOrAny = z.union([level, z.literal('any')]);
const severity = z.enum(SEVERITIES);
const ms = (min: number, max: number) => z.number().int().min(min, `must be at least ${min} ms`).max(max, `must be at most ${max} ms`);
const int = (min: number, max: number) => z.number().int().min(min).max(max);

// Every detector key takes `false` (off), `true` (on, defaults) or an object of overrides.
const critical = z.union([z.boolean(), z.strictObject({ enabled: z.boolean().optional(), minLevel: level.optional() })]);
const burst = z.union([
  z.boolean(),
  z.strictObject({ enabled: z.boolean().optional(), count: int(2, 100_000).optional(), windowMs: ms(100, DAY).optional(), minLevel: level.optional() }),
]);
const drift = z.union([
  z.boolean(),
  z.strictObject({ enabled: z.boolean().optional(), windowBuckets: int(2, 10_000).optional(), halfLifeMs: ms(60_000, 30 * DAY).optional(), ratio: z.number().min(1.1).max(1000).optional() }),
]);
const errorRate = z.union([
  z.boolean(),
  z.strictObject({
    enabled: z.boolean().optional(),
    bucketMs: ms(1000, DAY).optional(),
    baselineBuckets: int(5, 10_000).optional(),
    warmupBuckets: int(1, 10_000).optional(),
    method: z.enum(['mad', 'stddev']).optional(),
    k: z.number().min(1).max(50).optional(),
    minDurationBuckets: int(1, 1000).optional(),
    minCount: int(1, 1_000_000).optional(),
    levels: z.array(z.enum(['warn', 'error'])).min(1).optional(),
    drift: drift.optional(),
  }),
]);
const newTemplate = z.union([z.boolean(), z.strictObject({ enabled: z.boolean().optional(), minLevel: levelOrAny.optional() })]);
const templateSurge = z.union([
  z.boolean(),
  z.strictObject({
    enabled: z.boolean().optional(),
    bucketMs: ms(1000, DAY).optional(),
    factor: z.number().min(1.5).max(10_000).optional(),
    minCount: int(1, 1_000_000).optional(),
    minLevel: levelOrAny.optional(),
    minAgeMs: ms(0, 30 * DAY).optional(),
  }),
]);
const silence = z.union([
  z.boolean(),
  z.strictObject({ enabled: z.boolean().optional(), minMs: ms(1000, 30 * DAY).optional(), factor: z.number().min(1).max(1000).optional() }),
]);
const traceback = z.union([z.boolean(), z.strictObject({ enabled: z.boolean().optional(), minLines: int(2, 10_000).optional() })]);
const alerts = z.union([z.boolean(), z.strictObject({ enabled: z.boolean().optional() })]);
const coalesce = z.union([
  z.boolean(),
  z.strictObject({ enabled: z.boolean().optional(), gapMs: ms(0, DAY).optional(), maxMs: ms(0, DAY).optional(), maxEntries: int(1, 100_000).optional() }),
]);

/** Detection settings: top-level `detection:` (defaults) and `sources[].detectors` (overrides). */
export const DetectorSettings = z.strictObject({
  /** Detection as a whole for this source. */
  enabled: z.boolean().optional(),
  /** A source's first stretch (stream time) and records: statistical detectors learn, not report. */
  learningMs: ms(0, 30 * DAY).optional(),
  learningRecords: int(0, 100_000_000).optional(),
  /** Repeats within this window attach to the open anomaly; it also is the base quiet period. */
  dedupeWindowMs: ms(1000, 7 * DAY).optional(),
  /** Quiet time after which an anomaly resolves itself (default: the dedupe window). */
  resolveAfterMs: ms(1000, 7 * DAY).optional(),
  /** An anomaly's quiet period adapts to its own repeat rhythm, up to this. */
  maxQuietMs: ms(1000, 30 * DAY).optional(),
  coalesce: coalesce.optional(),
  contextLines: int(0, 50).optional(),
  /** Evidence records stored per anomaly; beyond it they are counted only. */
  maxEvidence: int(1, 10_000_000).optional(),
  /** Register/state dump lines (`name: 0x1f`, `name.....0`) are context, never findings. */
  dumpLinesAreContext: z.boolean().optional(),
  critical: critical.optional(),
  burst: burst.optional(),
  errorRate: errorRate.optional(),
  newTemplate: newTemplate.optional(),
  templateSurge: templateSurge.optional(),
  silence: silence.optional(),
  traceback: traceback.optional(),
  alerts: alerts.optional(),
});

// ---- rules ---------------------------------------------------------------------------

/** Fields a rule may use beyond `name` (spread into RuleConfig in schema.ts). */
export const ruleFields = {
  /** Matched against the message (the first 4096 characters of it). */
  regex: z.string().min(1).max(2000).optional(),
  ignoreCase: z.boolean().optional(),
  minLevel: level.optional(),
  level: level.optional(),
  stream: z.enum(['stdout', 'stderr']).optional(),
  /** A structured field (dotted path into JSON/logfmt fields), with equals or contains. */
  field: z.string().min(1).max(200).optional(),
  equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  contains: z.string().min(1).max(1000).optional(),
  /** Only these sources (default: all). */
  sources: z.array(z.string().min(1)).optional(),
  severity: severity.optional(),
  category: z.string().min(1).max(100).optional(),
  title: z.string().min(1).max(200).optional(),
  enabled: z.boolean().optional(),
};

type RuleShape = { regex?: string | undefined; ignoreCase?: boolean | undefined; minLevel?: unknown; level?: unknown; stream?: unknown; field?: string | undefined; equals?: unknown; contains?: string | undefined };

/** Cross-field checks of a rule; refuses a regex that could backtrack catastrophically. */
export function checkRule(rule: RuleShape, ctx: z.RefinementCtx): void {
  if (rule.regex !== undefined) {
    const r = checkRegexSafety(rule.regex, rule.ignoreCase ? 'i' : '');
    if (!r.ok) ctx.addIssue({ code: 'custom', path: ['regex'], message: r.reason ?? 'is refused' });
  }
  if ((rule.equals !== undefined || rule.contains !== undefined) && rule.field === undefined) {
    ctx.addIssue({ code: 'custom', path: ['field'], message: 'is needed with equals or contains' });
  }
  if (rule.regex === undefined && rule.minLevel === undefined && rule.level === undefined && rule.stream === undefined && rule.field === undefined) {
    ctx.addIssue({ code: 'custom', path: [], message: 'needs at least one condition: regex, minLevel, level, stream or field' });
  }
}

// ---- contract requests ---------------------------------------------------------------

export const AnomalyListRequest = z.strictObject({
  /** `active` = open or acknowledged. */
  state: z.enum(['open', 'acknowledged', 'resolved', 'active', 'all']).default('active'),
  source: z.string().optional(),
  /** At least this severity. */
  severity: severity.optional(),
  detector: z.string().optional(),
  limit: int(1, 1000).default(100),
  beforeId: z.number().int().positive().optional(),
  includeSnoozed: z.boolean().default(true),
});
export const AnomalyGetRequest = z.strictObject({
  id: z.number().int().positive(),
  /** Evidence records returned (newest kept when there are more). */
  maxEvidence: int(1, 5000).default(200),
});
export const ReportRequest = z.strictObject({
  id: z.number().int().positive(),
  format: z.enum(REPORT_FORMATS).default('markdown'),
  /** Replace IP and e-mail addresses, tokens and passwords in the text with placeholders. */
  redact: z.boolean().default(false),
  /** Evidence records in the report (the newest when there are more). */
  maxEvidence: int(1, 5000).default(200),
  /** The zone its times are written in: "UTC" (the default) or an IANA name such as Europe/Paris. */
  timeZone: z.string().max(64).refine(isTimeZone, 'must be UTC or an IANA time zone such as Europe/Paris').default('UTC'),
});

/** Whether the runtime knows this time zone name. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
export const AnomalyIdRequest = z.strictObject({ id: z.number().int().positive() });
export const SnoozeRequest = z.strictObject({
  scope: z.enum(['fingerprint', 'source', 'rule', 'detector']),
  value: z.string().min(1).max(1000),
  durationMs: ms(60_000, 365 * DAY),
  note: z.string().max(500).optional(),
});
export const SnoozeIdRequest = z.strictObject({ id: z.number().int().positive() });
export const BandRequest = z.strictObject({
  source: z.string().min(1),
  level: z.enum(['error', 'warn']).default('error'),
  /** How far back from the source's latest record, in ms (default 1 hour, at most 7 days). */
  spanMs: ms(10_000, 7 * DAY).default(3_600_000),
  /** Defaults to the source's errorRate settings. */
  bucketMs: ms(1000, DAY).optional(),
  method: z.enum(['mad', 'stddev']).optional(),
});
export const DetectSettingsRequest = z.strictObject({ source: z.string().optional() });
export const DetectConfigureRequest = z.strictObject({
  /** A source's `detectors:`, or the top-level `detection:` when absent. null removes it. */
  source: z.string().optional(),
  settings: DetectorSettings.nullable(),
});
