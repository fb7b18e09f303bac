import { useEffect, useState } from 'react';
import type { RecipientsView } from '../../../shared/types.js';
import { api } from '../../stores/api-context.js';

/** E-mail recipients kept in the app override the config's `to`; "use config" returns to it. */
export function RecipientsEditor({ channel }: { channel: string }) {
  const [view, setView] = useState<RecipientsView | null>(null);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void api().call('recipients.get', { channel }).then((v) => {
      setView(v);
      setText(v.recipients.join(', '));
    });
  }, [channel]);

  const save = async (recipients: string[] | null) => {
    try {
      const v = await api().call('recipients.set', { channel, recipients });
      setView(v);
      setText(v.recipients.join(', '));
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  if (!view) return null;
  return (
    <div className="recipients small">
      <span className="muted">to ({view.from}):</span>
      <input aria-label={`recipients of ${channel}`} value={text} onChange={(e) => setText(e.target.value)} />
      <button className="chip" onClick={() => void save(text.split(',').map((s) => s.trim()).filter(Boolean))}>
        Save
      </button>
      {view.from === 'app' && (
        <button className="chip" onClick={() => void save(null)}>
          Use config
        </button>
      )}
      {error && <span className="error">{error}</span>}
    </div>
  );
}
