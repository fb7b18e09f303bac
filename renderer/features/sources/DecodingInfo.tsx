import { useEffect, useState } from 'react';
import type { SourceConfig, SourceDecoding } from '../../../shared/types.js';
import { api } from '../../stores/api-context.js';

/**
 * How one source's files (or containers) are decoded now: each format in use, how many files
 * it reads, and why it was chosen for one of them. A file read by `generic` is one no
 * format read: the picker forces a format (`format:` in vigil.yml), or detects again.
 */
export function DecodingInfo({ config }: { config: SourceConfig }) {
  const source = config.name;
  const [rows, setRows] = useState<SourceDecoding[] | null>(null);
  const [formats, setFormats] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    void api().call('formats.list', {}).then(setFormats);
  }, []);
  useEffect(() => {
    let live = true;
    const load = () => void api().call('sources.decoding', { name: source }).then((r) => live && setRows(r));
    load();
    // Formats are chosen on a file's first lines, which may still be arriving.
    const t = setInterval(load, 5000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [source, tick]);

  const force = async (format: string) => {
    const r = await api().call('sources.setFormat', { name: source, format: format || null });
    setError(r.ok ? null : r.errors.map((e) => `${e.key}: ${e.reason}`).join('; '));
    // The source restarts with it: ask again once it has read a little.
    setTimeout(() => setTick((n) => n + 1), 500);
  };

  return (
    <div className="decoding-info">
      <label className="small">
        Read as{' '}
        <select aria-label={`format of ${source}`} value={config.format ?? ''} onChange={(e) => void force(e.target.value)}>
          <option value="">detected per file</option>
          {formats.map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
        </select>
      </label>
      {error && <div className="error small">{error}</div>}
      {!rows ? <div className="muted small">…</div> : !rows.length ? <div className="muted small">nothing read yet</div> : <Rows rows={rows} />}
    </div>
  );
}

function Rows({ rows }: { rows: SourceDecoding[] }) {
  return (
    <ul className="decoding" data-testid="decoding">
      {rows.map((r) => (
        <li key={`${r.format}|${r.forced}`} className="small" title={`${r.example}: ${r.explanation}`}>
          <strong>{r.format}</strong>
          <span className="muted">
            {' '}
            {r.streams} {r.streams === 1 ? 'stream' : 'streams'}
            {r.forced ? ', forced' : ''}
          </span>
          <div className="muted why">
            {r.example}: {r.explanation}
          </div>
        </li>
      ))}
    </ul>
  );
}
