import { useEffect, useState } from 'react';
import { retryKey, useChannels } from '../../stores/channels.js';
import { useConnection } from '../../stores/connection.js';
import { fmtTime } from '../format.js';
import { AddChannelForm } from './AddChannelForm.js';
import { RecipientsEditor } from './RecipientsEditor.js';
import { unavailable } from '../layout/focus.js';
import type { NotificationHistoryEntry } from '../../../shared/types.js';

/**
 * One row per message sent, naming the anomalies it carried: the history has a row per
 * anomaly, and a message about two read as two identical rows, like a double send.
 */
function byMessage(history: NotificationHistoryEntry[]): { h: NotificationHistoryEntry; anomalies: number[] }[] {
  const out: { h: NotificationHistoryEntry; anomalies: number[] }[] = [];
  for (const h of history) {
    const last = out[out.length - 1];
    if (last && last.h.deliveryId === h.deliveryId) {
      if (h.anomalyId !== null) last.anomalies.push(h.anomalyId);
    } else out.push({ h, anomalies: h.anomalyId === null ? [] : [h.anomalyId] });
  }
  return out;
}

/** Channels (masked), their health, a "send test" each, recent deliveries and the dead-letter list. */
export function NotificationsView() {
  const { channels, dead, history, message, busy, load, test, remove, retry } = useChannels();
  const [adding, setAdding] = useState(false);
  const headless = useConnection((c) => c.info?.host === 'server');
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section className="panel notifications" data-focus-scope>
      <header>
        <h2>Channels</h2>
        <div className="spacer" />
        {!adding && (
          <button className="chip" data-focus-home onClick={() => setAdding(true)}>
            + Add channel
          </button>
        )}
      </header>
      <div role="status">{message && <div className={message.ok ? 'note ok' : 'error'}>{message.text}</div>}</div>
      {adding && <AddChannelForm onDone={() => setAdding(false)} />}
      <table className="grid" data-testid="channel-list">
        {channels.length > 0 && <Head cols={['Channel', 'Type', 'Target', 'Health', 'Last', 'Actions']} />}
        <tbody>
          {channels.length === 0 && (
            <tr>
              <td className="muted">
                {/* A server has no tray, and nobody may be looking at this page. */}
                {headless
                  ? 'No channels: anomalies show on this page only, and nobody is told. Add a channel (webhook, Slack, Discord, n8n, e-mail) to be told.'
                  : 'No channels: anomalies show here and in the tray only.'}
              </td>
            </tr>
          )}
          {channels.map((c) => (
            <tr key={c.config.name} data-testid="channel-item">
              <td>
                <strong>{c.config.name}</strong>
              </td>
              <td>{c.config.type}</td>
              <td className="mono muted">
                {'url' in c.config ? String(c.config.url ?? '') : ''}
                {c.config.type === 'email' && <RecipientsEditor channel={c.config.name} />}
              </td>
              <td className={`st-${c.status.health}`}>
                {c.status.health}
                {c.status.pending ? ` · ${c.status.pending} pending` : ''}
                {c.status.dead ? ` · ${c.status.dead} dead` : ''}
              </td>
              <td className="muted small">{c.status.lastError ?? (c.status.lastSentAt ? `sent ${fmtTime(c.status.lastSentAt)}` : '')}</td>
              <td>
                <button
                  className="chip"
                  aria-label={`Send test to ${c.config.name}`}
                  {...unavailable(busy.includes(`test:${c.config.name}`))}
                  onClick={() => !busy.includes(`test:${c.config.name}`) && void test(c.config.name)}
                >
                  Send test
                </button>{' '}
                <button
                  className="icon"
                  aria-label={`remove ${c.config.name}`}
                  {...unavailable(busy.includes(`remove:${c.config.name}`))}
                  onClick={() => !busy.includes(`remove:${c.config.name}`) && void remove(c.config.name)}
                >
                  ×
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <header>
        <h2>Dead letters</h2>
        <div className="spacer" />
        {dead.length > 0 && (
          <button className="chip" {...unavailable(busy.includes(retryKey('all')))} onClick={() => !busy.includes(retryKey('all')) && void retry('all')}>
            Retry all
          </button>
        )}
      </header>
      <table className="grid">
        {dead.length > 0 && <Head cols={['Channel', 'Message', 'Attempts', 'Error', 'Action']} />}
        <tbody>
          {dead.length === 0 && (
            <tr>
              <td className="muted">None: every notification was delivered or is still being retried.</td>
            </tr>
          )}
          {dead.map((d) => (
            <tr key={d.deliveryId}>
              <td>{d.channel}</td>
              <td>{d.title}</td>
              <td>{d.attempts} attempts</td>
              <td className="muted small">{d.error}</td>
              <td>
                <button
                  className="chip"
                  aria-label={`Retry ${d.title} to ${d.channel}`}
                  {...unavailable(busy.includes(retryKey([d.deliveryId])))}
                  onClick={() => !busy.includes(retryKey([d.deliveryId])) && void retry([d.deliveryId])}
                >
                  Retry
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <header>
        <h2>Recent deliveries</h2>
      </header>
      <table className="grid">
        {history.length > 0 && <Head cols={['Sent', 'Channel', 'Kind', 'Anomalies', 'Status', 'Error']} />}
        <tbody>
          {byMessage(history).map(({ h, anomalies }) => (
            <tr key={h.deliveryId} data-testid="delivery-item">
              {/* When it went out (quiet hours, rate limits and retries hold a message for hours); when written while it waits. */}
              <td className="muted" title={`written ${fmtTime(h.createdAt)}${h.sentAt ? `, sent ${fmtTime(h.sentAt)}` : ''}`}>
                {fmtTime(h.sentAt ?? h.updatedAt)}
              </td>
              <td>{h.channel}</td>
              <td>{h.kind}</td>
              <td className="muted">{anomalies.map((id) => `#${id}`).join(', ')}</td>
              <td className={`st-${h.status}`}>{h.status}</td>
              <td className="muted small">{h.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Column names for screen readers (a cell was read without its column); the rows show what they are. */
function Head({ cols }: { cols: string[] }) {
  return (
    <thead className="visually-hidden">
      <tr>
        {cols.map((c) => (
          <th key={c} scope="col">
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}
