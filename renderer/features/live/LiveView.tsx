import { useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties } from 'react';
import type { LogEvent } from '../../../shared/types.js';
import { useEvents, type LineFilter } from '../../stores/events.js';
import { useSources } from '../../stores/sources.js';
import { fmtClock } from '../format.js';
import { unavailable } from '../layout/focus.js';

import { copyLines, LineText, timeColumn } from './LineText.js';

function Line({ e }: { e: LogEvent }) {
  // The row shows the decoded message; its time opens the line as written (logger, thread, fields).
  const [raw, setRaw] = useState(false);
  return (
    <div className={`line lvl-${e.level ?? 'none'}`} data-testid="log-line" data-id={e.id} title={e.path ?? e.source}>
      {/* Not a Tab stop each (2,000 lines put "Newer lines" out of reach): the arrow keys move between them. */}
      <button className="ts link" tabIndex={-1} aria-expanded={raw} title="show the line as written" onClick={() => setRaw(!raw)}>
        {fmtClock(e.ts, true)}
      </button>
      {/* A container's lines say which container (a Docker source follows several). */}
      <span className="src">{e.stream !== null && e.path ? `${e.source}/${e.path}` : e.source}</span>
      <span className="lvl">{e.level ?? e.levelText ?? ''}</span>
      <span className="msg">
        <LineText text={e.message} flags={e.flags} />
      </span>
      {raw && (
        <div className="raw" data-testid="raw-line">
          <LineText text={e.raw} flags={e.flags} />
        </div>
      )}
    </div>
  );
}

const LEVEL_CHOICES: { value: LineFilter['minLevel']; label: string }[] = [
  { value: '', label: 'All levels' },
  { value: 'warn', label: 'Warnings and up' },
  { value: 'error', label: 'Errors and up' },
];

/**
 * Live lines of all sources; follows the tail unless the user scrolls up or pauses. A word
 * or a level searches the whole store (newest first), and "Older" pages back through it.
 */
export function LiveView() {
  const { lines, paused, missed, missedMore, after, filter, before, loading, error, load, older, setFilter, setPaused } = useEvents();
  const sources = useSources((s) => s.sources);
  const [text, setText] = useState(filter.search);
  const box = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  /**
   * Set before older lines are put on top: the first line then and where it was in view, to
   * keep it there. (The height added was not enough: past MAX_SHOWN as many lines go at the
   * bottom as come on top, and the view jumped a page.)
   */
  const anchor = useRef<{ id: number; top: number } | null>(null);

  useEffect(() => {
    void load();
  }, [load]);

  // The store is searched once typing pauses.
  useEffect(() => {
    if (text === filter.search) return;
    const t = setTimeout(() => void setFilter({ ...filter, search: text }), 300);
    return () => clearTimeout(t);
  }, [text, filter, setFilter]);

  const shown = lines;

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (anchor.current !== null) {
      const at = el.querySelector<HTMLElement>(`[data-id="${anchor.current.id}"]`);
      if (at) el.scrollTop = at.offsetTop - anchor.current.top;
      anchor.current = null;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [shown]);

  // Lines not from today carry their date: the time column widens for them, not wraps.
  const tsWidth = useMemo(() => timeColumn(shown.map((e) => fmtClock(e.ts, true))), [shown]);
  const filtered = filter.search.trim() !== '' || filter.minLevel !== '' || filter.source !== '';
  return (
    <section className="panel live">
      <header>
        <h2>Live</h2>
        <input className="filter" placeholder='Search messages: words, "a phrase", -not' value={text} onChange={(e) => setText(e.target.value)} aria-label="search messages" />
        <select aria-label="source" value={filter.source} onChange={(e) => void setFilter({ ...filter, search: text, source: e.target.value })}>
          <option value="">All sources</option>
          {sources.map((s) => (
            <option key={s.config.name} value={s.config.name}>
              {s.config.name}
            </option>
          ))}
        </select>
        <select
          aria-label="minimum level"
          value={filter.minLevel}
          onChange={(e) => void setFilter({ ...filter, search: text, minLevel: e.target.value as LineFilter['minLevel'] })}
        >
          {LEVEL_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
        <div className="spacer" />
        {paused && (missed > 0 || missedMore) && (
          <span className="muted" data-testid="missed">
            {missed}
            {missedMore ? '+' : ''} new line{missed === 1 && !missedMore ? '' : 's'}
          </span>
        )}
        <button className="chip" onClick={() => setPaused(!paused)}>
          {paused ? 'Resume' : 'Pause'}
        </button>
      </header>
      <div
        className="lines"
        ref={box}
        style={{ '--ts-w': tsWidth } as CSSProperties}
        onCopy={copyLines}
        data-testid="live-lines"
        tabIndex={0}
        role="group"
        aria-label="log lines: arrow keys move between lines, Enter shows a line as written"
        onKeyDown={(e) => {
          if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
          const times = [...e.currentTarget.querySelectorAll<HTMLElement>('button.ts')];
          if (!times.length) return;
          e.preventDefault();
          const at = times.indexOf(document.activeElement as HTMLElement);
          const to = at === -1 ? (e.key === 'ArrowDown' ? 0 : times.length - 1) : Math.max(0, Math.min(times.length - 1, at + (e.key === 'ArrowDown' ? 1 : -1)));
          times[to]!.focus();
        }}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {before !== null && shown.length > 0 && (
          <button
            className="chip older"
            {...unavailable(loading)}
            onClick={() => {
              if (loading) return;
              const el = box.current;
              const first = el?.querySelector<HTMLElement>('[data-id]');
              anchor.current = el && first ? { id: Number(first.dataset.id), top: first.offsetTop - el.scrollTop } : null;
              void older();
            }}
          >
            {loading ? 'Looking…' : 'Older lines'}
          </button>
        )}
        {error && (
          <div className="error" role="alert" data-testid="lines-error">
            The lines could not be read: {error}
          </div>
        )}
        {shown.length === 0 && error ? null : shown.length === 0 ? (
          <div className="empty">
            {loading
              ? 'Searching…'
              : filtered
                ? before !== null
                  ? 'No line matches in the newest records.'
                  : 'No stored line matches.'
                : 'No lines yet. Add a source on the left, or wait for the demo log.'}
            {!loading && filtered && before !== null && (
              <button className="chip" onClick={() => void older()}>
                Search older lines
              </button>
            )}
          </div>
        ) : (
          shown.map((e) => <Line key={e.id} e={e} />)
        )}
        {after !== null && (
          <button className="chip newer" data-testid="newer-lines" onClick={() => void load()}>
            Newer lines{missed > 0 || missedMore ? ` (${missed}${missedMore ? '+' : ''} new)` : ''}: back to the newest
          </button>
        )}
      </div>
    </section>
  );
}
