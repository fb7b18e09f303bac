import { useQuery } from '../../stores/query.js';

/** SQL over the logs (read-only), as lnav offers: the `events`, `templates` and `anomalies` views, and a view per format with its fields. */
export function QueryView() {
  const { sql, result, error, running, setSql, run } = useQuery();
  return (
    <section className="panel query">
      <header>
        <h2>SQL</h2>
        <span className="muted small">
          read-only · views: events, templates, anomalies, anomaly_events, notification_history · one per format with its fields (access_combined, syslog, …) · field(raw, format, 'name'), fields(raw, format)
        </span>
        <div className="spacer" />
        <button className="primary" disabled={running} onClick={() => void run()}>
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
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void run();
        }}
      />
      {error && <div className="error">{error}</div>}
      {result && (
        <div className="result">
          <div className="muted small">
            {result.rows.length} row(s){result.truncated ? ' (first 1000)' : ''}
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
                    <td key={c}>{r[c] === null ? <span className="muted">null</span> : String(r[c])}</td>
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
