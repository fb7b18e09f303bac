import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../support/tmp.js';
import { scanJson, writeLog } from './scan-helper.js';
import { knownError, render, rng, steady, stormError, T0, type Line } from './synthetic.js';

// Synthetic logs with known answers, run through `vigil scan` (decoder, miner, store,
// detection stage) on their own timestamps. Each source first runs past the default
// learning period (10 min), as a watched service would.

const tmp = tempDir('vigil-detect-scenarios-');
afterAll(() => tmp.cleanup());

const MIN = 60_000;
const lineOf = (lines: Line[], ts: number) => lines.findIndex((l) => l.ts >= ts) + 1;

describe('detection scenarios (stream time)', () => {
  it('a steady 50 lines/s service with a 30 s error storm: exactly one anomaly, opened within 2 s of the storm', async () => {
    const r = rng(1);
    const calm = (ts: number) => (r() < 0.002 ? knownError(r, ts) : null);
    const stormAt = T0 + 11 * MIN;
    const lines = [
      ...steady(r, T0, 11 * 60, 50, calm),
      ...steady(r, stormAt, 30, 50, (ts) => (r() < 0.4 ? stormError(r, ts) : null)),
      ...steady(r, stormAt + 30_000, 120, 50, calm),
    ];
    const anomalies = await scanJson(writeLog(tmp.dir, 'storm.log', render(lines)));
    expect(anomalies).toHaveLength(1);
    const a = anomalies[0]!;
    const opened = Date.parse(a.opened_ts);
    expect(opened).toBeGreaterThanOrEqual(stormAt);
    expect(opened - stormAt).toBeLessThanOrEqual(2000);
    // It covers the storm: (almost) every storm error line is evidence, and it names them.
    const stormLines = lines.map((l, i) => ({ l, n: i + 1 })).filter(({ l }) => l.ts >= stormAt && l.ts < stormAt + 30_000 && l.level === 'ERROR').map(({ n }) => n);
    const ev = new Set(a.evidence_lines);
    expect(stormLines.filter((n) => ev.has(n)).length / stormLines.length).toBeGreaterThan(0.95);
    expect(a.count).toBeGreaterThanOrEqual(stormLines.length * 0.95);
    expect(a.severity).toBe('high');
    // Burst, rate spike and the storm's new messages were coalesced into it.
    expect(a.fingerprints.some((f) => f.startsWith('burst/'))).toBe(true);
    expect(a.fingerprints.some((f) => f.startsWith('error-rate/'))).toBe(true);
  });

  it('a new exception type appearing once: one new-template anomaly with that line as evidence', async () => {
    const r = rng(2);
    const at = T0 + 12 * MIN;
    const lines = steady(r, T0, 15 * 60, 20, (ts) => (r() < 0.005 ? knownError(r, ts) : null));
    const n = lineOf(lines, at);
    lines.splice(n - 1, 0, { ts: lines[n - 1]!.ts, level: 'ERROR', message: 'java.lang.IllegalStateException: cursor already closed (offset 42)' });
    const anomalies = await scanJson(writeLog(tmp.dir, 'new-exception.log', render(lines)));
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]).toMatchObject({ detector: 'new-template', evidence_lines: [n], count: 1 });
    expect(anomalies[0]!.message).toContain('IllegalStateException');
  });

  it('a slow rise in error rate (0.5% to 10% over 20 min): one error-rate anomaly, raised during the rise, none before', async () => {
    const r = rng(3);
    const rampAt = T0 + 15 * MIN;
    const ramp = 20 * MIN;
    const lines = [
      ...steady(r, T0, 15 * 60, 50, (ts) => (r() < 0.005 ? knownError(r, ts) : null)),
      ...steady(r, rampAt, ramp / 1000, 50, (ts) => (r() < 0.005 + (0.095 * (ts - rampAt)) / ramp ? knownError(r, ts) : null)),
      ...steady(r, rampAt + ramp, 300, 50, (ts) => (r() < 0.1 ? knownError(r, ts) : null)),
    ];
    const anomalies = await scanJson(writeLog(tmp.dir, 'ramp.log', render(lines)));
    // One anomaly about the error volume (a burst may open it; the rate detector joins).
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]!.fingerprints).toContain('error-rate/ramp.log/error');
    const opened = Date.parse(anomalies[0]!.opened_ts);
    expect(opened).toBeGreaterThan(rampAt);
    expect(opened).toBeLessThan(rampAt + ramp);
  });

  it('a noisy but normal source (volume swings, traffic surges, steady 1% errors, 3% warnings): no anomaly', async () => {
    const r = rng(4);
    const lines: Line[] = [];
    for (let m = 0; m < 40; m++) {
      const perSecond = 20 + Math.round(60 * r());
      const surge = r() < 0.2; // a minute of triple traffic, errors in proportion
      lines.push(
        ...steady(r, T0 + m * MIN, 60, surge ? perSecond * 3 : perSecond, (ts) => {
          const x = r();
          if (x < 0.01) return knownError(r, ts);
          if (x < 0.04) return { ts, level: 'WARN', message: `retrying call to inventory service (attempt ${1 + Math.floor(r() * 3)})` };
          return null;
        }),
      );
    }
    const anomalies = await scanJson(writeLog(tmp.dir, 'noisy.log', render(lines)));
    expect(anomalies).toEqual([]);
  });
});
