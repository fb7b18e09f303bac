import { useState } from 'react';
import type { ReportFile, ReportFormat } from '../../../shared/types.js';
import { api } from '../../stores/api-context.js';

/** Saves or copies an incident report on one anomaly (electron/engine/report/). */
export function ReportActions({ id }: { id: number }) {
  const [redact, setRedact] = useState(false);
  const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const [timeZone, setTimeZone] = useState<string>(local);
  const [status, setStatus] = useState<string | null>(null);
  const fetchReport = async (format: ReportFormat): Promise<ReportFile | null> => {
    try {
      const file = await api().call('anomalies.report', { id, format, redact, timeZone });
      if (!file) setStatus('This anomaly is no longer in the store.');
      return file;
    } catch (err) {
      setStatus(`Could not write the report: ${(err as Error).message}`);
      return null;
    }
  };
  const save = async (format: ReportFormat) => {
    const file = await fetchReport(format);
    if (!file) return;
    const url = URL.createObjectURL(new Blob([file.text], { type: file.mimeType }));
    const a = document.createElement('a');
    a.href = url;
    a.download = file.filename;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    setStatus(`Saved ${file.filename}`);
  };
  const copy = async () => {
    const file = await fetchReport('markdown');
    if (!file) return;
    try {
      await navigator.clipboard.writeText(file.text);
      setStatus('Copied the report as Markdown.');
    } catch (err) {
      setStatus(`Could not copy: ${(err as Error).message}`);
    }
  };
  return (
    <div className="report-actions" data-testid="report-actions">
      <span className="muted">Incident report</span>
      <button onClick={() => void save('markdown')}>Save Markdown</button>
      <button onClick={() => void save('html')}>Save HTML</button>
      <button onClick={() => void save('json')}>Save JSON</button>
      <button onClick={() => void copy()}>Copy as Markdown</button>
      <label>
        Times in
        <select aria-label="report times" value={timeZone} onChange={(e) => setTimeZone(e.target.value)}>
          <option value={local}>{local === 'UTC' ? 'UTC' : `${local} (this computer)`}</option>
          {local !== 'UTC' && <option value="UTC">UTC</option>}
        </select>
      </label>
      <label title="Replace IP and e-mail addresses, tokens and passwords with placeholders">
        <input type="checkbox" checked={redact} onChange={(e) => setRedact(e.target.checked)} /> Redact addresses and secrets
      </label>
      {/* There before it has text: a status region added with its text is not read out. */}
      <span className="muted" role="status">
        {status}
      </span>
    </div>
  );
}
