import { useEffect, useState } from 'react';
import type { BandSeries } from '../../../shared/types.js';
import { BandChart } from '../../charts/BandChart.js';
import { RateChart } from '../../charts/RateChart.js';
import { api } from '../../stores/api-context.js';
import { useRates } from '../../stores/rates.js';
import { useSources } from '../../stores/sources.js';

const SPANS = [
  { label: '5 min', ms: 5 * 60_000 },
  { label: '1 h', ms: 3_600_000 },
  { label: '24 h', ms: 86_400_000 },
];

/** All sources: stacked error/warning/other rates. One source: its errors against the detector's band. */
export function RatePanel() {
  const { series, spanMs, refresh, setSpan } = useRates();
  const sources = useSources((s) => s.sources);
  const [source, setSource] = useState('');
  const [band, setBand] = useState<BandSeries | null>(null);
  // The source chosen was removed: back to all sources (the select would show "All sources" over a band of none).
  useEffect(() => {
    if (source && !sources.some((s) => s.config.name === source)) setSource('');
  }, [source, sources]);

  useEffect(() => {
    // A day at the detector's 10 s buckets was 8,640 points, redrawn every 2 s (0.9 s of a
    // frozen page each time): past an hour, about 360 buckets, and a slower refresh.
    const long = spanMs > 3_600_000;
    const bucketMs = long ? Math.ceil(spanMs / 360 / 10_000) * 10_000 : undefined;
    // A band asked for before the source or span changed is not drawn under the new one.
    let current = true;
    // One refresh out at a time: while the link is down, a poll every 2 s piled up calls
    // that all went out on reconnect.
    let out = false;
    const tick = () => {
      if (out) return;
      out = true;
      const done = () => void (out = false);
      if (source)
        void api()
          .call('detect.band', { source, level: 'error', spanMs: Math.max(spanMs, 60_000), ...(bucketMs ? { bucketMs } : {}) })
          .then(
            (b) => current && setBand(b),
            () => current && setBand(null),
          )
          .finally(done);
      else void refresh().then(done, done);
    };
    tick();
    const t = setInterval(tick, long ? 10_000 : 2000);
    return () => {
      current = false;
      clearInterval(t);
    };
  }, [refresh, source, spanMs]);

  const totals = series?.points.reduce((a, p) => ({ total: a.total + p.total, errors: a.errors + p.errors }), { total: 0, errors: 0 });
  return (
    <section className="panel rate-panel">
      <header>
        <h2>Error rate</h2>
        {!source && (
          <span className="muted" data-testid="rate-totals">
            {totals ? `${totals.errors} errors in ${totals.total} lines` : '…'}
          </span>
        )}
        {/* What the band chart shows in red, said in words too (colour alone told it). */}
        {source && band && (
          <span className="muted" data-testid="band-summary">
            {(() => {
              const out = band.points.filter((p) => p.anomalous).length;
              return out ? `${out} bucket${out === 1 ? '' : 's'} outside the expected band` : 'within the expected band';
            })()}
          </span>
        )}
        <select aria-label="chart source" value={source} onChange={(e) => setSource(e.target.value)}>
          <option value="">All sources</option>
          {sources.map((s) => (
            <option key={s.config.name} value={s.config.name}>
              {s.config.name} (with band)
            </option>
          ))}
        </select>
        <div className="spacer" />
        {SPANS.map((s) => (
          <button key={s.ms} className={s.ms === spanMs ? 'chip active' : 'chip'} aria-pressed={s.ms === spanMs} onClick={() => setSpan(s.ms)}>
            {s.label}
          </button>
        ))}
      </header>
      {source ? <BandChart series={band} /> : <RateChart series={series} />}
    </section>
  );
}
