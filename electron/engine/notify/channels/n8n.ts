// n8n: the seed envelope, one request per anomaly (an n8n workflow handles one event per
// run), with the envelope's headers also sent as HTTP headers.
import type { N8nChannelConfig } from '../../../../shared/types.js';
import { detail } from '../evidence.js';
import { isoTime } from '../message.js';
import type { ChannelSender, MessageItem, NotificationMessage, SendContext } from '../types.js';
import { sendJson } from './http.js';

export interface N8nEnvelope {
  eventType: string;
  payload: {
    timestamp: string;
    anomaly: string;
    severity: string;
    source: 'log_monitor';
    details: { logType: string; message: string; logDetails: string; detectionSource: 'log_file_monitoring' };
  };
  headers: { 'x-event-type': string; 'x-source': 'log-monitor' };
  timestamp: string;
}

/**
 * logType: the log's own type when an alert line gave one (details.logType), else
 * "<source>/<category>" (just the source when there is no category). logDetails: the
 * evidence lines joined by "\n".
 * payload.timestamp: the latest evidence time; timestamp: when Vigil wrote the message
 * (the same on every retry). Resolved messages (only with sendResolved: true) use
 * anomaly-resolved / log_anomaly_resolved / log-anomaly-resolved.
 */
export function n8nEnvelope(item: MessageItem, msg: Pick<NotificationMessage, 'kind' | 'createdAt'>): N8nEnvelope {
  const a = item.anomaly;
  const resolved = msg.kind === 'resolved';
  const own = detail(a, 'logType');
  const logType = typeof own === 'string' && own ? own : a.category ? `${a.source}/${a.category}` : a.source;
  return {
    eventType: resolved ? 'anomaly-resolved' : 'anomaly-detected',
    payload: {
      timestamp: isoTime(a.lastTs),
      anomaly: resolved ? 'log_anomaly_resolved' : 'log_anomaly_detected',
      severity: a.severity,
      source: 'log_monitor',
      details: { logType, message: a.message || a.title, logDetails: item.evidence.join('\n'), detectionSource: 'log_file_monitoring' },
    },
    headers: { 'x-event-type': resolved ? 'log-anomaly-resolved' : 'log-anomaly', 'x-source': 'log-monitor' },
    timestamp: isoTime(msg.createdAt),
  };
}

export const n8nSender: ChannelSender = {
  type: 'n8n',
  // The seed envelope has no "resolved" event; opt in with sendResolved: true.
  resolvedByDefault: false,
  async send(msg: NotificationMessage, ctx: SendContext) {
    const config = ctx.config as N8nChannelConfig;
    let statusCode: number | undefined;
    for (let i = ctx.partsDone; i < msg.items.length; i++) {
      if (msg.items[i]!.skip) {
        ctx.partSent(i);
        continue;
      }
      const envelope = n8nEnvelope(msg.items[i]!, msg);
      const res = await sendJson(config.url, JSON.stringify(envelope), {
        headers: { ...config.headers, ...envelope.headers, 'x-vigil-delivery': `${ctx.deliveryKey}.${i}` },
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.timeoutMs)]),
      });
      statusCode = res.statusCode;
      ctx.partSent(i);
    }
    return { statusCode };
  },
};
