import { useEffect, useState } from 'react';
import { sourceTarget } from '../../../shared/types.js';
import { useSources } from '../../stores/sources.js';
import { AddSourceForm } from './AddSourceForm.js';
import { DecodingInfo } from './DecodingInfo.js';
import { DetectorToggles } from './DetectorToggles.js';
import { SourceStatusBadge } from './SourceStatusBadge.js';
import { unavailable } from '../layout/focus.js';

/** The source list: status, enable/disable, remove, add. */
export function SourcesPanel() {
  const { sources, error, busy, pending, load, remove, setEnabled, clearError } = useSources();
  const [adding, setAdding] = useState(false);
  const [tuning, setTuning] = useState<string | null>(null);
  const [decoding, setDecoding] = useState<string | null>(null);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <aside className="panel sources" aria-label="sources" data-focus-scope>
      <header>
        <h2>Sources</h2>
        <div className="spacer" />
        {!adding && (
          <button className="chip" data-focus-home onClick={() => setAdding(true)}>
            + Add
          </button>
        )}
      </header>
      {error && (
        <div className="error" role="alert">
          {error}{' '}
          <button className="icon" aria-label="dismiss" onClick={clearError}>
            ×
          </button>
        </div>
      )}
      {adding && <AddSourceForm onDone={() => setAdding(false)} />}
      <ul>
        {sources.map(({ config, status }) => (
          <li key={config.name} data-testid="source-item" data-name={config.name} aria-busy={busy.includes(config.name) || config.name in pending}>
            <div className="src-head">
              <label className="toggle" title={config.enabled === false ? 'enable' : 'disable'}>
                <input
                  type="checkbox"
                  checked={pending[config.name] ?? config.enabled !== false}
                  onChange={(e) => void setEnabled(config.name, e.target.checked)}
                  aria-label={`enable ${config.name}`}
                />
              </label>
              <strong>{config.name}</strong>
              <span className="muted">{config.type}</span>
              <div className="spacer" />
              <button
                className="icon"
                aria-label={`remove ${config.name}`}
                {...unavailable(busy.includes(config.name))}
                onClick={() => !busy.includes(config.name) && void remove(config.name)}
              >
                ×
              </button>
            </div>
            <div className="src-path muted">{sourceTarget(config)}</div>
            <SourceStatusBadge status={status} />
            {status.message && <div className="src-msg muted">{status.message}</div>}
            <button className="link small" onClick={() => setTuning(tuning === config.name ? null : config.name)}>
              {tuning === config.name ? 'hide detection' : 'detection…'}
            </button>
            {tuning === config.name && <DetectorToggles source={config} />}
            <button className="link small" onClick={() => setDecoding(decoding === config.name ? null : config.name)}>
              {decoding === config.name ? 'hide decoding' : 'decoding…'}
            </button>
            {decoding === config.name && <DecodingInfo config={config} />}
          </li>
        ))}
        {!sources.length && <li className="muted">No sources. Add a file to watch.</li>}
      </ul>
    </aside>
  );
}

