// From anomaly changes to outbox messages: routing, the repeat interval, grouping windows,
// resolved messages; and sealing complete groups, holding them for quiet hours and rate
// limits. Everything it decides is written to the outbox in one transaction per batch.
import { severityRank, type AnomalyChange, type AnyChannelConfig, type Anomaly } from '../../../shared/types.js';
import type { Outbox, OutboxKind } from './outbox.js';
import { quietHolds, quietState } from './quiet-hours.js';
import { mutedBy, mutes, route, ruleByName, type EffectiveRule, type Inhibition } from './routing.js';
import type { EvidenceReader, MessageItem } from './types.js';

export interface GrouperDeps {
  now: () => number;
  evidence: EvidenceReader;
  rules: () => EffectiveRule[];
  channels: () => AnyChannelConfig[];
  sendsResolved: (channel: AnyChannelConfig) => boolean;
  inhibitions: () => Inhibition[];
  /** Anomalies not resolved (open or acknowledged), this batch's changes included. */
  going: () => Iterable<Anomaly>;
}

/** An incident found already over, its last line older than this, is not notified (see accept). */
export const OLD_MS = 24 * 3600_000;

export class Grouper {
  constructor(
    private readonly outbox: Outbox,
    private readonly deps: GrouperDeps,
  ) {}

  accept(changes: AnomalyChange[]): void {
    const now = this.deps.now();
    const rules = this.deps.rules();
    const channels = this.deps.channels();
    const inhibit = this.deps.inhibitions();
    const evidence = new Map<number, string[]>();
    const evidenceOf = (a: Anomaly) => {
      let e = evidence.get(a.id);
      if (!e) evidence.set(a.id, (e = this.deps.evidence(a)));
      return e;
    };
    this.outbox.transaction(() => {
      for (const { kind, anomaly: a } of changes) {
        this.outbox.refreshUnsent(a, () => evidenceOf(a));
        if (kind === 'opened' || kind === 'repeated') {
          // An acknowledged anomaly is someone's already: its repeats stay quiet. A snoozed
          // one reaches the UI, not the channels. One that opened and resolved within what
          // was read at once (catching up after a stop, a backlog appended in one go) is an
          // incident nobody heard of: it goes out showing it resolved, when it ended within
          // OLD_MS (an old file read from its beginning pages nobody). Not asked of an open
          // one: a device whose clock is days off still pages.
          const bornResolved = kind === 'opened' && a.state === 'resolved' && now - a.lastTs <= OLD_MS;
          if ((a.state !== 'open' && !bornResolved) || snoozed(a, now)) continue;
          // Muted by an incident still going (notify.inhibit): told when that one resolves.
          if (mutedBy(a, inhibit, this.deps.going())) continue;
          this.fire(a, rules, channels, evidenceOf, now);
        } else if (kind === 'resolved') {
          // "Resolved" goes where "firing" went, whatever the rules say now.
          for (const r of this.outbox.notifiedRoutes(a.id)) {
            const channel = channels.find((c) => c.name === r.channel);
            if (!channel || channel.enabled === false || !this.deps.sendsResolved(channel)) continue;
            // Its firing message has not gone out (grouping, retrying): it goes out showing
            // the anomaly resolved. Or it is in the dead letters: the channel was never told.
            if (this.outbox.firingUnsent(r.rule, r.channel, a.id)) continue;
            const window = ruleByName(rules, r.rule)?.groupWindowMs ?? rules[0]?.groupWindowMs ?? 0;
            this.add(r.rule, window, channel, 'resolved', 'resolved', a, evidenceOf(a), now);
          }
          this.outbox.forget(a.id);
          // What it muted, and nothing else mutes now, is told now (as Alertmanager does).
          if (inhibit.length) {
            const going = [...this.deps.going()];
            for (const m of going) {
              if (m.state !== 'open' || snoozed(m, now) || !mutes(a, m, inhibit) || mutedBy(m, inhibit, going)) continue;
              this.fire(m, rules, channels, evidenceOf, now);
            }
          }
        }
      }
    });
  }

  /** Routes a firing anomaly: a message where the channel was not told, or may be told again. */
  private fire(a: Anomaly, rules: EffectiveRule[], channels: AnyChannelConfig[], evidenceOf: (a: Anomaly) => string[], now: number): void {
    for (const { rule, channel } of route(a, rules, channels)) {
      const last = this.outbox.lastNotified(rule.name, channel.name, a.id);
      if (last !== null) {
        // Its message has not gone yet (grouping, or its receiver is down): it goes
        // showing the anomaly as it is now, once; not one more copy per interval.
        if (this.outbox.firingWaiting(rule.name, channel.name, a.id)) continue;
        // Worse than the channel was told (high to critical): told now, whatever the interval.
        const worse = last.severity !== null && severityRank(a.severity) > severityRank(last.severity);
        if (!worse && now - last.at < rule.repeatIntervalMs) continue;
      }
      this.add(rule.name, rule.groupWindowMs, channel, 'firing', last === null ? 'opened' : 'repeated', a, evidenceOf(a), now);
      this.outbox.setNotified(rule.name, channel.name, a.id, now, a.severity);
    }
  }

  private add(rule: string, windowMs: number, channel: AnyChannelConfig, kind: OutboxKind, change: MessageItem['change'], a: Anomaly, evidence: string[], now: number): void {
    // n8n gets one request per anomaly (the seed envelope has no list): holding it for the
    // group window would only delay it, so it goes out at once.
    if (channel.type === 'n8n') windowMs = 0;
    const row = this.outbox.groupingRow(rule, channel.name, kind);
    const id = row?.id ?? this.outbox.createGroup(rule, channel.name, kind, now, now + windowMs);
    this.outbox.upsertItem(id, change, a, evidence, now);
  }

  /** Seals the groups whose window closed; returns the channels that got a message to send. */
  sealDue(): string[] {
    const now = this.deps.now();
    const rules = this.deps.rules();
    const channels = this.deps.channels();
    const ready = new Set<string>();
    this.outbox.transaction(() => {
      for (const row of this.outbox.dueGroups(now)) {
        const channel = channels.find((c) => c.name === row.channel);
        if (!channel || channel.enabled === false) {
          this.outbox.kill(row.id, `the channel "${row.channel}" is ${channel ? 'disabled' : 'no longer configured'}`, now);
          continue;
        }
        const holdUntil = this.holdUntil(ruleByName(rules, row.rule), channel, now);
        if (holdUntil > now) {
          // Held messages keep collecting: quiet hours end with one message, not many.
          this.outbox.postpone(row.id, holdUntil, now);
          continue;
        }
        this.outbox.seal(row.id, now);
        ready.add(channel.name);
      }
    });
    return [...ready];
  }

  nextSealAt(): number | null {
    return this.outbox.nextSealAt();
  }

  private holdUntil(rule: EffectiveRule | undefined, channel: AnyChannelConfig, now: number): number {
    let until = 0;
    if (rule?.quietHours && quietHolds(rule.quietHours, channel)) {
      const q = quietState(now, rule.quietHours);
      if (q.active) until = q.endsAt;
    }
    if (rule?.rateLimit) {
      const { max, perMs } = rule.rateLimit;
      const recent = this.outbox.sealedSince(rule.name, channel.name, now - perMs);
      // The window frees a place when the oldest message that keeps it full leaves it.
      if (recent.length >= max) until = Math.max(until, recent[recent.length - max]! + perMs + 1);
    }
    return until;
  }
}

function snoozed(a: Anomaly, now: number): boolean {
  return typeof a.snoozedUntil === 'number' && a.snoozedUntil > now;
}
