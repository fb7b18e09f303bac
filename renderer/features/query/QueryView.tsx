import { useQuery } from '../../stores/query.js';
import { unavailable } from '../layout/focus.js';

/** Longest text a cell shows (a cell of a 1 MiB line held the page for a minute). */
const MAX_CELL = 2000;

/** A value as a cell shows it: a BLOB as SQLite writes one (x'00ff'), a long text cut, saying how much. */
export function cellText(v: unknown): string {
  let bytes: Uint8Array | null = null;
  if (v instanceof Uint8Array) bytes = v;
  // A Buffer that came as JSON (vigil serve's WebSocket).
  else if (v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) bytes = Uint8Array.from((v as { data: number[] }).data);
  if (bytes) {
    const shown = Array.from(bytes.subarray(0, MAX_CELL / 2), (b) => b.toString(16).padStart(2, '0')).join('');
    return `x'${shown}'${bytes.length > MAX_CELL / 2 ? `… (${bytes.length} bytes)` : ''}`;
  }
  const text = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL)}… (${text.length - MAX_CELL} more characters)` : text;
}

/** SQL over the logs (read-only), as lnav offers: the `events`, `templates` and `anomalies` views, and a view per format with its fields. */
export function QueryView() {
  const { sql, result, ran, error, running, setSql, run } = useQuery();
  // The box was changed since (or a Ctrl+Enter came while a query ran): the rows are not its.
  const earlier = ran !== null && ran !== sql;
  return (
    <section className="panel query">
      <header>
        <h2>SQL</h2>
        <span className="muted small">
          read-only · views: events, templates, anomalies, anomaly_events, notification_history, docker_event · one per format with its fields (access_combined, syslog, …) · lnav's all_logs, access_log, syslog_log, … · field(raw, format, 'name'), fields(raw, format)
        </span>
        <div className="spacer" />
        <button className="primary" {...unavailable(running)} onClick={() => !running && void run()}>
          Run
        </button>
      </header>
      <textarea
        className="sql"
        value={sql}
        spellCheck={false}
        aria-label="SQL"
        onChange={(e) => setSql(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !running) void run();
        }}
      />
      {(error || result) && earlier && (
        <div className="note warn small" data-testid="query-earlier">
          Below: the rows of the query run before the text was changed.{' '}
          {running ? 'One query runs at a time: press Ctrl+Enter or Run again when the one running ends.' : 'Press Ctrl+Enter or Run to run this one.'}
        </div>
      )}
      <div role="alert">{error && <div className="error">{error}</div>}</div>
      {result && (
        <div className="result">
          <div className="muted small">
            {result.rows.length} row(s)
            {result.truncatedBy === 'bytes' ? ` (the first ${result.rows.length}: more would not fit in one answer; select fewer columns or narrow it)` : result.truncated ? ` (first ${result.rows.length})` : ''}
          </div>
          <table className="grid mono" data-testid="query-result">
            <thead>
              <tr>
                {result.columns.map((c) => (
                  <th key={c}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {result.rows.map((r, i) => (
                <tr key={i}>
                  {result.columns.map((c) => (
                    <td key={c}>{r[c] === null || r[c] === undefined ? <span className="muted">null</span> : cellText(r[c])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
