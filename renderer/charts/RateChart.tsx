import { useEffect, useRef } from 'react';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import type { RateSeries } from '../../shared/types.js';
import { fmtClock } from '../features/format.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

/** A bucket's time; its date too when not today (a span reaching back to yesterday). */
const label = (t: number): string => fmtClock(t);

/** Stacked bars per time bucket: errors, warnings, the rest. Updated in place, no animation. */
export function RateChart({ series }: { series: RateSeries | null }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'bar'> | null>(null);

  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels: [],
        datasets: [
          { label: 'errors', data: [], backgroundColor: '#e5484d', stack: 's' },
          { label: 'warnings', data: [], backgroundColor: '#f5a524', stack: 's' },
          { label: 'other', data: [], backgroundColor: '#3b4a5f', stack: 's' },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: true, ticks: { color: '#8b98a9', maxTicksLimit: 8 }, grid: { display: false } },
          y: { stacked: true, beginAtZero: true, ticks: { color: '#8b98a9', precision: 0 }, grid: { color: '#1f2937' } },
        },
        plugins: { legend: { labels: { color: '#c9d4e3', boxWidth: 12 } } },
      },
    });
    return () => chart.current?.destroy();
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!c || !series) return;
    c.data.labels = series.points.map((p) => label(p.t));
    c.data.datasets[0]!.data = series.points.map((p) => p.errors);
    c.data.datasets[1]!.data = series.points.map((p) => p.warnings);
    c.data.datasets[2]!.data = series.points.map((p) => p.total - p.errors - p.warnings);
    c.update('none');
  }, [series]);

  return (
    <div className="chart-box">
      <canvas ref={canvas} aria-label="error rate chart" role="img" />
    </div>
  );
}
