import { useState } from 'react';
import { closesOnEscape } from '../layout/focus.js';
import { useChannels } from '../../stores/channels.js';

const TYPES = ['toast', 'n8n', 'slack', 'discord', 'webhook', 'email'] as const;
type ChannelType = (typeof TYPES)[number];

/** Add a channel; webhook URLs and SMTP passwords go to the secret store, never shown again in full. */
export function AddChannelForm({ onDone }: { onDone: () => void }) {
  const upsert = useChannels((s) => s.upsert);
  const channels = useChannels((s) => s.channels);
  const [problem, setProblem] = useState<string | null>(null);
  const [type, setType] = useState<ChannelType>('slack');
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [host, setHost] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [attachReport, setAttachReport] = useState('');
  const [redactReport, setRedactReport] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    // Adding is not editing: a channel of that name would be replaced, its URL and secrets lost.
    if (channels.some((c) => c.config.name === name.trim())) {
      setProblem(`a channel named "${name.trim()}" exists already; remove it first, or choose another name`);
      return;
    }
    setProblem(null);
    const channel: Record<string, unknown> = { name: name.trim(), type };
    if (type === 'email') {
      Object.assign(channel, { host: host.trim(), from: from.trim(), to: to.split(',').map((s) => s.trim()).filter(Boolean) });
      if (attachReport) Object.assign(channel, { attachReport, ...(redactReport ? { redactReport } : {}) });
    }
    else if (type !== 'toast') channel.url = url.trim();
    if (await upsert(channel)) onDone();
  };

  return (
    <form className="add-source" onSubmit={submit} aria-label="add channel" {...closesOnEscape(onDone)}>
      <label>
        Type
        <select name="type" value={type} onChange={(e) => setType(e.target.value as ChannelType)} autoFocus>
          {TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </label>
      <label>
        Name
        <input name="name" value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      {type === 'email' ? (
        <>
          <label>
            SMTP host
            <input name="host" value={host} onChange={(e) => setHost(e.target.value)} required />
          </label>
          <label>
            From
            <input name="from" value={from} onChange={(e) => setFrom(e.target.value)} required />
          </label>
          <label>
            To (comma-separated)
            <input name="to" value={to} onChange={(e) => setTo(e.target.value)} required />
          </label>
          <label>
            Attach the incident report
            <select name="attachReport" value={attachReport} onChange={(e) => setAttachReport(e.target.value)}>
              <option value="">no</option>
              <option value="html">HTML</option>
              <option value="markdown">Markdown</option>
              <option value="json">JSON</option>
            </select>
          </label>
          {attachReport && (
            <label>
              <input type="checkbox" name="redactReport" checked={redactReport} onChange={(e) => setRedactReport(e.target.checked)} /> redact addresses and secrets
            </label>
          )}
        </>
      ) : type !== 'toast' ? (
        <label>
          Webhook URL (stored as a secret)
          <input name="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://…" required />
        </label>
      ) : null}
      {problem && (
        <div className="error" role="alert" data-testid="add-channel-problem">
          {problem}
        </div>
      )}
      <div className="row">
        <button type="submit" className="primary">
          Save channel
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
