import { useEffect, useMemo, useRef, useState } from 'react';
import type { LogEvent } from '../../../shared/types.js';
import { useEvents } from '../../stores/events.js';

function time(ts: number): string {
  const d = new Date(ts);
  return d.toLocaleTimeString([], { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
}

function Line({ e }: { e: LogEvent }) {
  return (
    <div className={`line lvl-${e.level ?? 'none'}`} data-testid="log-line" title={e.path ?? e.source}>
      <span className="ts">{time(e.ts)}</span>
      <span className="src">{e.source}</span>
      <span className="lvl">{e.level ?? ''}</span>
      <span className="msg">{e.message}</span>
    </div>
  );
}

/** Live lines of all sources; follows the tail unless the user scrolls up or pauses. */
export function LiveView() {
  const { lines, paused, missed, load, setPaused } = useEvents();
  const [filter, setFilter] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  useEffect(() => {
    void load();
  }, [load]);

  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const list = f ? lines.filter((l) => l.raw.toLowerCase().includes(f) || l.source.toLowerCase().includes(f)) : lines;
    return list.slice(-1000);
  }, [lines, filter]);

  useEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [shown]);

  return (
    <section className="panel live">
      <header>
        <h2>Live</h2>
        <input
          className="filter"
          placeholder="Filter lines…"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-label="filter lines"
        />
        <div className="spacer" />
        {paused && missed > 0 && <span className="muted">{missed} new lines</span>}
        <button className="chip" onClick={() => setPaused(!paused)}>
          {paused ? 'Resume' : 'Pause'}
        </button>
      </header>
      <div
        className="lines"
        ref={box}
        data-testid="live-lines"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {shown.length === 0 ? (
          <div className="empty">No lines yet. Add a source on the left, or wait for the demo log.</div>
        ) : (
          shown.map((e) => <Line key={e.id} e={e} />)
        )}
      </div>
    </section>
  );
}
