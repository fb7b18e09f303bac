// Generic webhook: a JSON body from the user's template, custom headers, and an optional
// HMAC-SHA256 signature of the exact body bytes.
import { createHmac } from 'node:crypto';
import type { WebhookChannelConfig } from '../../../../shared/types.js';
import { byImportance, isoTime, messageTitle, plainText, worstSeverity } from '../message.js';
import type { ChannelSender, MessageItem, NotificationMessage, SendContext } from '../types.js';
import { sendJson } from './http.js';

export const DEFAULT_SIGNATURE_HEADER = 'X-Vigil-Signature';

/** The values a template can use, by dotted path: {{title}}, {{anomaly.source}}, {{anomalies}}, ... */
export function templateValues(msg: NotificationMessage, deliveryKey: string): Record<string, unknown> {
  const anomalies = byImportance(msg.items).map(anomalyValues);
  return {
    kind: msg.kind,
    test: !!msg.test,
    rule: msg.rule,
    channel: msg.channel,
    title: messageTitle(msg),
    text: plainText(msg),
    severity: worstSeverity(msg.items),
    count: msg.items.length,
    timestamp: isoTime(msg.createdAt),
    deliveryId: deliveryKey,
    anomaly: anomalies[0],
    anomalies,
  };
}

function anomalyValues(item: MessageItem) {
  const a = item.anomaly;
  return {
    id: a.id,
    change: item.change,
    title: a.title,
    message: a.message,
    severity: a.severity,
    state: a.state,
    source: a.source,
    category: a.category,
    detector: a.detector,
    fingerprint: a.fingerprint,
    count: a.count,
    firstTs: isoTime(a.firstTs),
    lastTs: isoTime(a.lastTs),
    openedAt: isoTime(a.openedAt),
    evidence: item.evidence,
  };
}

const DEFAULT_TEMPLATE = JSON.stringify({
  kind: '{{kind}}',
  rule: '{{rule}}',
  title: '{{title}}',
  severity: '{{severity}}',
  count: '{{count}}',
  text: '{{text}}',
  timestamp: '{{timestamp}}',
  anomalies: '{{anomalies}}',
});

const PLACEHOLDER = /\{\{\s*([\w.]+)\s*\}\}/g;
const WHOLE = /^\{\{\s*([\w.]+)\s*\}\}$/;

/**
 * Renders a JSON template. A string that is exactly one placeholder becomes that value with
 * its JSON type ("{{count}}" -> 3, "{{anomalies}}" -> [...]); placeholders inside longer
 * strings are replaced by text. Unknown placeholders become null / "". Values are never
 * spliced into JSON text, so log content cannot break the body's structure.
 */
export function renderTemplate(template: string | undefined, values: Record<string, unknown>): string {
  const lookup = (path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), values);
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') {
      const whole = WHOLE.exec(node);
      if (whole) return lookup(whole[1]!) ?? null;
      return node.replace(PLACEHOLDER, (_m, path: string) => {
        const v = lookup(path);
        return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      });
    }
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    return node;
  };
  return JSON.stringify(walk(JSON.parse(template ?? DEFAULT_TEMPLATE)));
}

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export const webhookSender: ChannelSender = {
  type: 'webhook',
  resolvedByDefault: true,
  async send(msg: NotificationMessage, ctx: SendContext) {
    const config = ctx.config as WebhookChannelConfig;
    const body = renderTemplate(config.template, templateValues(msg, ctx.deliveryKey));
    const headers: Record<string, string> = { ...config.headers, 'x-vigil-delivery': ctx.deliveryKey };
    if (config.signing) headers[config.signing.header ?? DEFAULT_SIGNATURE_HEADER] = signBody(config.signing.secret, body);
    return sendJson(config.url, body, { method: config.method ?? 'POST', headers, signal: ctx.signal });
  },
};
