// Which channels hear about an anomaly, and under which rule's grouping settings.
import { durationMs } from '../../../shared/duration.js';
import { severityRank, type AnomalyMatcher, type AnyChannelConfig, type Anomaly, type InhibitEqualField, type NotifyConfig, type QuietHoursConfig } from '../../../shared/types.js';

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
      matches: matcher(r),
      channels: r.channels?.length ? r.channels : null,
      quietHours: r.quietHours === false ? null : (r.quietHours ?? quiet),
      rateLimit: r.rateLimit ? { max: r.rateLimit.max, perMs: durationMs(r.rateLimit.per, 3_600_000) } : null,
      groupWindowMs: durationMs(r.groupWindow, groupWindowMs),
      repeatIntervalMs: durationMs(r.repeatInterval, repeatIntervalMs),
    }));
}

/** Every condition `m` sets holds for the anomaly. */
function matcher(m: AnomalyMatcher): (a: Anomaly) => boolean {
  return (a) =>
    (!m.minSeverity || severityRank(a.severity) >= severityRank(m.minSeverity)) &&
    (!m.maxSeverity || severityRank(a.severity) <= severityRank(m.maxSeverity)) &&
    (!m.sources?.length || m.sources.includes(a.source)) &&
    (!m.categories?.length || m.categories.includes(a.category)) &&
    (!m.detectors?.length || m.detectors.includes(a.detector));
}

export interface Inhibition {
  when: (a: Anomaly) => boolean;
  mute: (a: Anomaly) => boolean;
  equal: InhibitEqualField[];
}

export function inhibitions(notify: NotifyConfig | undefined): Inhibition[] {
  return (notify?.inhibit ?? []).map((r) => ({ when: matcher(r.when), mute: matcher(r.mute), equal: r.equal ?? [] }));
}

/**
 * The anomaly that keeps `a` from notifying, if any: one still going (open or acknowledged)
 * that matches a rule's `when` where `a` matches its `mute`, sharing its `equal` fields.
 * As in Alertmanager, one that matches both sides cannot be muted by another that does:
 * two such incidents would otherwise silence each other.
 */
export function mutedBy(a: Anomaly, rules: Inhibition[], going: Iterable<Anomaly>): Anomaly | null {
  if (!rules.length) return null;
  for (const b of going) if (b.state !== 'resolved' && mutes(b, a, rules)) return b;
  return null;
}

/** Whether `b`, while going, keeps `a` from notifying. */
export function mutes(b: Anomaly, a: Anomaly, rules: Inhibition[]): boolean {
  if (b.id === a.id) return false;
  return rules.some((r) => r.mute(a) && r.when(b) && !(r.when(a) && r.mute(b)) && r.equal.every((f) => b[f] === a[f]));
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
