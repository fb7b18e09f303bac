import type { z } from 'zod';
import type { DetectorSettings } from '../../../shared/schema.js';
import type { Level } from '../../../shared/types.js';

/** What a user may write under `detection:` or a source's `detectors:`. */
export type DetectorSettingsInput = z.infer<typeof DetectorSettings>;

/** Settings in force for one source: the defaults with `detection:` and `detectors:` laid over. */
export interface Settings {
  enabled: boolean;
  learningMs: number;
  learningRecords: number;
  dedupeWindowMs: number;
  resolveAfterMs: number;
  maxQuietMs: number;
  coalesce: { enabled: boolean; gapMs: number; maxMs: number; maxEntries: number };
  contextLines: number;
  maxEvidence: number;
  dumpLinesAreContext: boolean;
  critical: { enabled: boolean; minLevel: Level };
  burst: { enabled: boolean; count: number; windowMs: number; minLevel: Level };
  errorRate: {
    enabled: boolean;
    bucketMs: number;
    baselineBuckets: number;
    warmupBuckets: number;
    method: 'mad' | 'stddev';
    k: number;
    minDurationBuckets: number;
    minCount: number;
    levels: ('warn' | 'error')[];
    drift: { enabled: boolean; windowBuckets: number; halfLifeMs: number; ratio: number };
  };
  newTemplate: { enabled: boolean; minLevel: Level | 'any' };
  templateSurge: { enabled: boolean; bucketMs: number; factor: number; minCount: number; minLevel: Level | 'any'; minAgeMs: number };
  silence: { enabled: boolean; minMs: number; factor: number };
  traceback: { enabled: boolean; minLines: number };
  alerts: { enabled: boolean };
}

const MIN = 60_000;

/** Sane defaults: on for everything except silence (which needs a source that always writes). */
export const DEFAULT_SETTINGS: Settings = Object.freeze({
  enabled: true,
  learningMs: 10 * MIN,
  learningRecords: 100,
  dedupeWindowMs: 5 * MIN,
  resolveAfterMs: 5 * MIN,
  maxQuietMs: 60 * MIN,
  coalesce: { enabled: true, gapMs: 10_000, maxMs: 60_000, maxEntries: 50 },
  contextLines: 3,
  maxEvidence: 1000,
  dumpLinesAreContext: true,
  critical: { enabled: true, minLevel: 'critical' },
  burst: { enabled: true, count: 5, windowMs: 10_000, minLevel: 'error' },
  errorRate: {
    enabled: true,
    bucketMs: 10_000,
    baselineBuckets: 60,
    warmupBuckets: 30,
    method: 'mad',
    k: 4,
    minDurationBuckets: 2,
    minCount: 5,
    levels: ['error', 'warn'],
    drift: { enabled: true, windowBuckets: 30, halfLifeMs: 60 * MIN, ratio: 2 },
  },
  newTemplate: { enabled: true, minLevel: 'warn' },
  templateSurge: { enabled: true, bucketMs: MIN, factor: 10, minCount: 20, minLevel: 'warn', minAgeMs: 10 * MIN },
  silence: { enabled: false, minMs: 5 * MIN, factor: 10 },
  traceback: { enabled: true, minLines: 3 },
  alerts: { enabled: true },
}) as Settings;

type Toggle<T> = boolean | (Partial<T> & { enabled?: boolean }) | undefined;

/** `false` turns off, `true` turns on with what is there, an object tunes and turns on. */
function layer<T extends { enabled: boolean }>(base: T, over: Toggle<T>): T {
  if (over === undefined) return base;
  if (typeof over === 'boolean') return { ...base, enabled: over };
  const defined = Object.fromEntries(Object.entries(over).filter(([, v]) => v !== undefined)) as Partial<T>;
  return { ...base, ...defined, enabled: over.enabled ?? true };
}

/** Lays each input over the defaults, in order (later wins). */
export function resolveSettings(...inputs: (DetectorSettingsInput | null | undefined)[]): Settings {
  let s: Settings = structuredClone(DEFAULT_SETTINGS);
  for (const i of inputs) {
    if (!i) continue;
    const { critical, burst, errorRate, newTemplate, templateSurge, silence, traceback, alerts, coalesce, ...scalars } = i;
    const defined = Object.fromEntries(Object.entries(scalars).filter(([, v]) => v !== undefined));
    const explicitResolve = i.resolveAfterMs !== undefined;
    s = {
      ...s,
      ...defined,
      // The quiet period follows the dedupe window unless set on its own.
      resolveAfterMs: explicitResolve ? i.resolveAfterMs! : i.dedupeWindowMs ?? s.resolveAfterMs,
      coalesce: layer(s.coalesce, coalesce),
      critical: layer(s.critical, critical),
      burst: layer(s.burst, burst),
      errorRate: (() => {
        const { drift, ...rest } = typeof errorRate === 'object' ? errorRate : { drift: undefined };
        const e = layer(s.errorRate, typeof errorRate === 'object' ? (rest as Toggle<Settings['errorRate']>) : errorRate);
        return { ...e, drift: layer(s.errorRate.drift, drift) };
      })(),
      newTemplate: layer(s.newTemplate, newTemplate),
      templateSurge: layer(s.templateSurge, templateSurge),
      silence: layer(s.silence, silence),
      traceback: layer(s.traceback, traceback),
      alerts: layer(s.alerts, alerts),
    };
  }
  return s;
}
