import { useEffect } from 'react';
import { snoozesOf, useAnomalies } from '../../stores/anomalies.js';
import { fmtAgo } from '../format.js';
import { AnomalyDetailView } from './AnomalyDetailView.js';

/** One row per incident (repeats attach to it), newest first; the selected one with its evidence. */
export function AnomaliesView() {
  const { list, more, view, selected, error, snoozes, load, loadMore, setView, select } = useAnomalies();
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section className="panel anomalies">
      <header>
        <h2>Anomalies</h2>
        {(['active', 'resolved', 'all'] as const).map((v) => (
          <button key={v} className={v === view ? 'chip active' : 'chip'} onClick={() => setView(v)}>
            {v}
          </button>
        ))}
      </header>
      {error && <div className="error">{error}</div>}
      <div className="split">
        <ul className="anomaly-list" data-testid="anomaly-list">
          {list.length === 0 && <li className="muted">Nothing needs your attention.</li>}
          {list.map((a) => (
            <li
              key={a.id}
              data-testid="anomaly-item"
              className={a.id === selected ? 'selected' : ''}
              // Reached with Tab and opened with Enter or Space: its actions are on the page it opens.
              role="button"
              tabIndex={0}
              aria-pressed={a.id === selected}
              onClick={() => void select(a.id)}
              onKeyDown={(e) => {
                if (e.key !== 'Enter' && e.key !== ' ') return;
                e.preventDefault();
                void select(a.id);
              }}
            >
              <span className={`sev sev-${a.severity}`}>{a.severity}</span>
              <div className="a-body">
                <div className="a-title">{a.title}</div>
                <div className="muted small">
                  {a.source} · {a.detector} · {a.count} record{a.count === 1 ? '' : 's'} · {fmtAgo(a.lastTs)} · {a.state}
                  {snoozesOf(a, snoozes).length > 0 && ' · snoozed'}
                </div>
              </div>
            </li>
          ))}
          {more && (
            <li className="more">
              <button className="chip" onClick={() => void loadMore()}>
                Older anomalies (showing the newest {list.length})
              </button>
            </li>
          )}
        </ul>
        <div className="detail-col">
          <AnomalyDetailView />
        </div>
      </div>
    </section>
  );
}
