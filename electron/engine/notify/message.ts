// Wording shared by every channel: titles, one-line summaries, plain text.
import { severityRank, type Anomaly, type Severity } from '../../../shared/types.js';
import type { MessageItem, NotificationMessage } from './types.js';

export const SEVERITY_LABEL: Record<Severity, string> = { low: 'LOW', medium: 'MEDIUM', high: 'HIGH', critical: 'CRITICAL' };
export const SEVERITY_EMOJI: Record<Severity, string> = { low: '🔵', medium: '🟡', high: '🟠', critical: '🔴' };
/** Discord embed colours. */
export const SEVERITY_COLOR: Record<Severity, number> = { low: 0x3b82f6, medium: 0xeab308, high: 0xf97316, critical: 0xdc2626 };

export function worstSeverity(items: { anomaly: Pick<Anomaly, 'severity'> }[]): Severity {
  let worst: Severity = 'low';
  for (const i of items) if (severityRank(i.anomaly.severity) > severityRank(worst)) worst = i.anomaly.severity;
  return worst;
}

/** Items worst first, then oldest first: what a cut-short message shows. */
export function byImportance(items: MessageItem[]): MessageItem[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => severityRank(b.item.anomaly.severity) - severityRank(a.item.anomaly.severity) || a.i - b.i)
    .map((x) => x.item);
}

export function messageTitle(msg: NotificationMessage): string {
  const first = byImportance(msg.items)[0]!.anomaly;
  const n = msg.items.length;
  const prefix = msg.test ? 'Test: ' : msg.kind === 'resolved' ? 'Resolved: ' : '';
  if (n === 1) return `${prefix}${first.title}`;
  return msg.kind === 'resolved'
    ? `${prefix}${n} anomalies`
    : `${prefix}${n} anomalies (worst ${SEVERITY_LABEL[worstSeverity(msg.items)].toLowerCase()}): ${first.title}`;
}

export function itemLine(item: MessageItem): string {
  const a = item.anomaly;
  const count = a.count > 1 ? ` ×${a.count}` : '';
  const tag = item.change === 'resolved' || a.state === 'resolved' ? 'RESOLVED' : SEVERITY_LABEL[a.severity];
  return `[${tag}] ${a.title} (${a.source}${a.category ? ` / ${a.category}` : ''})${count}`;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** The plain-text body (e-mail, generic webhooks' {{text}}). */
export function plainText(msg: NotificationMessage, opts: { evidence?: boolean } = {}): string {
  const out: string[] = [];
  for (const item of byImportance(msg.items)) {
    const a = item.anomaly;
    out.push(itemLine(item));
    if (a.message && a.message !== a.title) out.push(`  ${a.message}`);
    out.push(`  detector ${a.detector}, first ${isoTime(a.firstTs)}, last ${isoTime(a.lastTs)}, anomaly #${a.id}`);
    if (opts.evidence !== false && item.evidence.length) {
      out.push('  evidence:');
      for (const line of item.evidence) out.push(`    ${line}`);
    }
    out.push('');
  }
  return out.join('\n').trimEnd();
}

/** A made-up anomaly for "send test". */
export function testMessage(channel: string, now: number): NotificationMessage {
  const anomaly: Anomaly = {
    id: 0,
    fingerprint: 'vigil-test',
    detector: 'test',
    source: 'vigil',
    severity: 'low',
    category: 'test',
    title: 'Vigil test notification',
    message: `This is a test from Vigil to the channel "${channel}". If you can read it, the channel works.`,
    state: 'open',
    count: 1,
    firstTs: now,
    lastTs: now,
    openedAt: now,
  };
  return { id: 0, kind: 'firing', rule: 'test', channel, createdAt: now, test: true, items: [{ change: 'opened', anomaly, evidence: [] }] };
}
