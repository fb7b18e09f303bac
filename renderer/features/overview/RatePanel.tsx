import { useEffect } from 'react';
import { RateChart } from '../../charts/RateChart.js';
import { useRates } from '../../stores/rates.js';

const SPANS = [
  { label: '5 min', ms: 5 * 60_000 },
  { label: '1 h', ms: 3_600_000 },
  { label: '24 h', ms: 86_400_000 },
];

export function RatePanel() {
  const { series, spanMs, refresh, setSpan } = useRates();
  useEffect(() => {
    void refresh();
    const t = setInterval(() => void refresh(), 2000);
    return () => clearInterval(t);
  }, [refresh]);
  const totals = series?.points.reduce((a, p) => ({ total: a.total + p.total, errors: a.errors + p.errors }), { total: 0, errors: 0 });
  return (
    <section className="panel rate-panel">
      <header>
        <h2>Error rate</h2>
        <span className="muted" data-testid="rate-totals">
          {totals ? `${totals.errors} errors in ${totals.total} lines` : '…'}
        </span>
        <div className="spacer" />
        {SPANS.map((s) => (
          <button key={s.ms} className={s.ms === spanMs ? 'chip active' : 'chip'} onClick={() => setSpan(s.ms)}>
            {s.label}
          </button>
        ))}
      </header>
      <RateChart series={series} />
    </section>
  );
}
