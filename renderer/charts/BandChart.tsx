import { useEffect, useRef } from 'react';
import { BarController, BarElement, CategoryScale, Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import type { BandSeries } from '../../shared/types.js';
import { fmtClock } from '../features/format.js';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, Filler, CategoryScale, LinearScale, Tooltip, Legend);

/** One source's error counts with the detector's baseline band (upper/center); red bars are outside it. */
export function BandChart({ series }: { series: BandSeries | null }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);

  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, {
      data: {
        labels: [],
        datasets: [
          { type: 'line', label: 'band (upper)', data: [], borderColor: '#f5a524', borderDash: [4, 3], pointRadius: 0, borderWidth: 1.5, spanGaps: false },
          { type: 'line', label: 'baseline', data: [], borderColor: '#8b98a9', pointRadius: 0, borderWidth: 1, spanGaps: false },
          { type: 'bar', label: 'count', data: [], backgroundColor: [] },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { ticks: { color: '#8b98a9', maxTicksLimit: 8 }, grid: { display: false } },
          y: { beginAtZero: true, ticks: { color: '#8b98a9', precision: 0 }, grid: { color: '#1f2937' } },
        },
        plugins: { legend: { labels: { color: '#c9d4e3', boxWidth: 12 } } },
      },
    });
    return () => chart.current?.destroy();
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!c || !series) return;
    c.data.labels = series.points.map((p) => fmtClock(p.t));
    c.data.datasets[0]!.data = series.points.map((p) => p.upper);
    c.data.datasets[1]!.data = series.points.map((p) => p.center);
    c.data.datasets[2]!.data = series.points.map((p) => p.count);
    (c.data.datasets[2] as unknown as { backgroundColor: string[] }).backgroundColor = series.points.map((p) => (p.anomalous ? '#e5484d' : '#3b4a5f'));
    c.update('none');
  }, [series]);

  return (
    <div className="chart-box">
      <canvas ref={canvas} aria-label="error rate band chart" role="img" />
    </div>
  );
}
