import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../support/tmp.js';
import { corpusAvailable, logPath } from '../decode/corpus.js';
import { scanJson } from './scan-helper.js';

// Detection quality on real logs: Loghub's BGL 2k sample (Blue Gene/L RAS log, LLNL), whose
// lines carry an alert label. The label (first field) is dropped before scanning, so the
// default configuration judges blind: no rules, nothing written for BGL's messages or tags.
// Measured on evidence lines (every record an anomaly covers): recall = labeled alert lines
// covered; precision = covered lines that are labeled alerts. Per category too.
// The format is detected as for any file (the built-in `bgl` format reads lines with or
// without the label column).

const RECALL_BAR = 0.9;
const PRECISION_BAR = 0.45;

const tmp = tempDir('vigil-bgl-');
afterAll(() => tmp.cleanup());

describe.skipIf(!corpusAvailable())('detection quality on BGL (Loghub 2k, labels hidden)', () => {
  it(`covers the labeled alerts with recall >= ${RECALL_BAR} at precision >= ${PRECISION_BAR}`, async () => {
    const raw = readFileSync(logPath('BGL'), 'utf8').split('\n').map((l) => l.replace(/\r$/, ''));
    if (raw[raw.length - 1] === '') raw.pop();
    const labels = raw.map((l) => l.slice(0, l.indexOf(' ')));
    const blind = join(tmp.dir, 'bgl.log');
    writeFileSync(blind, raw.map((l) => l.slice(l.indexOf(' ') + 1)).join('\n') + '\n');
    const config = join(tmp.dir, 'vigil.yml');
    writeFileSync(
      config,
      `sources:
  - name: bgl
    type: file
    path: ${JSON.stringify(blind)}
rules: []
`,
    );
    const anomalies = await scanJson(blind, ['--config', config]);
    const evidence = new Set(anomalies.flatMap((a) => a.evidence_lines));

    const cats = new Map<string, { total: number; covered: number }>();
    let alerts = 0;
    let covered = 0;
    labels.forEach((label, i) => {
      if (label === '-') return;
      alerts++;
      const c = cats.get(label) ?? { total: 0, covered: 0 };
      c.total++;
      if (evidence.has(i + 1)) {
        c.covered++;
        covered++;
      }
      cats.set(label, c);
    });
    let truePositive = 0;
    for (const n of evidence) if (labels[n - 1] !== '-') truePositive++;
    const recall = covered / alerts;
    const precision = evidence.size ? truePositive / evidence.size : 0;

    const rows = [...cats].sort((a, b) => b[1].total - a[1].total);
    // Per category, precision of the anomalies that cover it: of their evidence lines, the
    // share labeled with that category (1.00: its anomalies hold nothing else).
    const categoryPrecision = (c: string) => {
      const lines = new Set(anomalies.filter((a) => a.evidence_lines.some((n) => labels[n - 1] === c)).flatMap((a) => a.evidence_lines));
      return lines.size ? [...lines].filter((n) => labels[n - 1] === c).length / lines.size : 0;
    };
    const table = [
      'BGL 2k, default detection, labels hidden',
      `${'category'.padEnd(10)} ${'alerts'.padStart(6)} ${'covered'.padStart(8)} ${'recall'.padStart(7)} ${'precision'.padStart(9)}`,
      ...rows.map(([c, v]) => `${c.padEnd(10)} ${String(v.total).padStart(6)} ${String(v.covered).padStart(8)} ${(v.covered / v.total).toFixed(2).padStart(7)} ${categoryPrecision(c).toFixed(2).padStart(9)}`),
      `${'all'.padEnd(10)} ${String(alerts).padStart(6)} ${String(covered).padStart(8)} ${recall.toFixed(3).padStart(7)}`,
      `evidence lines ${evidence.size}, of which alerts ${truePositive}: precision ${precision.toFixed(3)}`,
      `anomalies ${anomalies.length}: ${[...count(anomalies.map((a) => a.detector))].map(([d, n]) => `${d} ${n}`).join(', ')}`,
      '',
      `${'found by'.padEnd(14)} ${'evidence'.padStart(8)} ${'alerts'.padStart(7)} ${'precision'.padStart(9)}`,
      ...byDetector(anomalies, labels).map(([d, v]) => `${d.padEnd(14)} ${String(v.lines).padStart(8)} ${String(v.alerts).padStart(7)} ${(v.alerts / v.lines).toFixed(2).padStart(9)}`),
    ].join('\n');
    console.log(table);

    expect(alerts).toBe(143);
    expect(recall).toBeGreaterThanOrEqual(RECALL_BAR);
    expect(precision).toBeGreaterThanOrEqual(PRECISION_BAR);
  });
});

function count(xs: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

/** Evidence lines and alert lines per detector that opened the anomaly (an incident's coalesced findings count for its opener). */
function byDetector(anomalies: { detector: string; evidence_lines: number[] }[], labels: string[]): [string, { lines: number; alerts: number }][] {
  const m = new Map<string, Set<number>>();
  for (const a of anomalies) {
    const set = m.get(a.detector) ?? new Set<number>();
    for (const n of a.evidence_lines) set.add(n);
    m.set(a.detector, set);
  }
  return [...m].map(([d, set]) => [d, { lines: set.size, alerts: [...set].filter((n) => labels[n - 1] !== '-').length }]);
}
