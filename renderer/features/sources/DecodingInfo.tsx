import { useEffect, useState } from 'react';
import type { SourceDecoding } from '../../../shared/types.js';
import { api } from '../../stores/api-context.js';

/**
 * How one source's files (or containers) are decoded now: each format in use, how many files
 * it reads, and why it was chosen for one of them. A file read by `generic` is one no
 * format read: forcing one with `format:` in vigil.yml is the fix.
 */
export function DecodingInfo({ source }: { source: string }) {
  const [rows, setRows] = useState<SourceDecoding[] | null>(null);
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
  }, [source]);

  if (!rows) return <div className="muted small">…</div>;
  if (!rows.length) return <div className="muted small">nothing read yet</div>;
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
