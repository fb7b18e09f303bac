import { useEffect, useRef } from 'react';
import { snoozesOf, useAnomalies } from '../../stores/anomalies.js';
import { fmtAgo } from '../format.js';
import { AnomalyDetailView } from './AnomalyDetailView.js';

/** One row per incident (repeats attach to it), newest first; the selected one with its evidence. */
export function AnomaliesView() {
  const { list, more, view, selected, error, snoozes, load, loadMore, setView, select } = useAnomalies();
  useEffect(() => {
    void load();
  }, [load]);
  // Where the focus goes back to when the page it opened closes (×): the item it was opened from.
  const opened = useRef<number | null>(null);
  if (selected !== null) opened.current = selected;
  return (
    <section className="panel anomalies" data-focus-scope>
      <header>
        <h2>Anomalies</h2>
        {(['active', 'resolved', 'all'] as const).map((v) => (
          <button key={v} className={v === view ? 'chip active' : 'chip'} aria-pressed={v === view} onClick={() => setView(v)}>
            {v}
          </button>
        ))}
      </header>
      <div role="alert">{error && <div className="error">{error}</div>}</div>
      <div className="split">
        <ul className="anomaly-list" data-testid="anomaly-list">
          {list.length === 0 && <li className="muted">Nothing needs your attention.</li>}
          {list.map((a) => (
            <li key={a.id} data-testid="anomaly-item" className={a.id === selected ? 'selected' : ''}>
              {/* A button in the item (the list stays a list): reached with Tab, opened with Enter or Space. */}
              <button
                className="a-item"
                aria-pressed={a.id === selected}
                {...(a.id === opened.current ? { 'data-focus-home': true } : {})}
                onClick={() => void select(a.id)}
              >
                <span className={`sev sev-${a.severity}`}>{a.severity}</span>
                <span className="a-body">
                  <span className="a-title">{a.title}</span>
                  <span className="muted small">
                    {a.source} · {a.detector} · {a.count} record{a.count === 1 ? '' : 's'} · {fmtAgo(a.lastTs)} · {a.state}
                    {snoozesOf(a, snoozes).length > 0 && ' · snoozed'}
                  </span>
                </span>
              </button>
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
