// Which channels hear about an anomaly, and under which rule's grouping settings.
import { durationMs } from '../../../shared/duration.js';
import { severityRank, type AnyChannelConfig, type Anomaly, type NotifyConfig, type QuietHoursConfig } from '../../../shared/types.js';

/** The rule in force when `notify.rules` is empty: every enabled channel hears everything. */
export const DEFAULT_RULE = '(default)';
export const DEFAULT_GROUP_WINDOW_MS = 30_000;
export const DEFAULT_REPEAT_INTERVAL_MS = 4 * 3_600_000;

export interface EffectiveRule {
  name: string;
  matches(a: Anomaly): boolean;
  /** Channel names; null = every channel. */
  channels: string[] | null;
  quietHours: QuietHoursConfig | null;
  rateLimit: { max: number; perMs: number } | null;
  groupWindowMs: number;
  repeatIntervalMs: number;
}

export function effectiveRules(notify: NotifyConfig | undefined): EffectiveRule[] {
  const groupWindowMs = durationMs(notify?.groupWindow, DEFAULT_GROUP_WINDOW_MS);
  const repeatIntervalMs = durationMs(notify?.repeatInterval, DEFAULT_REPEAT_INTERVAL_MS);
  const quiet = notify?.quietHours ?? null;
  const rules = notify?.rules ?? [];
  if (!rules.length) {
    return [{ name: DEFAULT_RULE, matches: () => true, channels: null, quietHours: quiet, rateLimit: null, groupWindowMs, repeatIntervalMs }];
  }
  return rules
    .filter((r) => r.enabled !== false)
    .map((r) => ({
      name: r.name,
      matches: (a: Anomaly) =>
        (!r.minSeverity || severityRank(a.severity) >= severityRank(r.minSeverity)) &&
        (!r.maxSeverity || severityRank(a.severity) <= severityRank(r.maxSeverity)) &&
        (!r.sources?.length || r.sources.includes(a.source)) &&
        (!r.categories?.length || r.categories.includes(a.category)) &&
        (!r.detectors?.length || r.detectors.includes(a.detector)),
      channels: r.channels?.length ? r.channels : null,
      quietHours: r.quietHours === false ? null : (r.quietHours ?? quiet),
      rateLimit: r.rateLimit ? { max: r.rateLimit.max, perMs: durationMs(r.rateLimit.per, 3_600_000) } : null,
      groupWindowMs: durationMs(r.groupWindow, groupWindowMs),
      repeatIntervalMs: durationMs(r.repeatInterval, repeatIntervalMs),
    }));
}

export interface Route {
  rule: EffectiveRule;
  channel: AnyChannelConfig;
}

/**
 * Every matching rule contributes its channels; a channel hears about an anomaly once,
 * through the first matching rule (file order) that names it.
 */
export function route(anomaly: Anomaly, rules: EffectiveRule[], channels: AnyChannelConfig[]): Route[] {
  const out: Route[] = [];
  const taken = new Set<string>();
  for (const rule of rules) {
    if (!rule.matches(anomaly)) continue;
    for (const channel of channels) {
      if (channel.enabled === false || taken.has(channel.name)) continue;
      if (rule.channels && !rule.channels.includes(channel.name)) continue;
      taken.add(channel.name);
      out.push({ rule, channel });
    }
  }
  return out;
}

export function ruleByName(rules: EffectiveRule[], name: string): EffectiveRule | undefined {
  return rules.find((r) => r.name === name);
}
