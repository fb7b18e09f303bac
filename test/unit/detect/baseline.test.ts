import { describe, expect, it } from 'vitest';
import { computeBand, DriftTracker, judgeBucket, RateSeries, recordBucket, ShareWindow } from '../../../electron/engine/detect/baseline.js';

describe('bands', () => {
  it('median/MAD is not widened by one storm in the window; mean/stddev is', () => {
    const window = [3, 4, 2, 3, 5, 3, 4, 200, 3, 2];
    const robust = computeBand(window, 'mad', 4);
    const classic = computeBand(window, 'stddev', 4);
    expect(robust.center).toBe(3);
    expect(robust.upper).toBeLessThan(12);
    expect(classic.upper).toBeGreaterThan(200);
  });

  it('never narrower than Poisson noise: a source with no errors does not alert on its first', () => {
    const b = computeBand([0, 0, 0, 0], 'mad', 4);
    expect(b.upper).toBe(4);
  });
});

describe('rate series', () => {
  const opts = { baselineBuckets: 10, warmupBuckets: 5, method: 'mad' as const, k: 4, minCount: 5 };
  const feed = (s: RateSeries, sh: ShareWindow, count: number, total: number) => {
    const v = judgeBucket(s, sh, count, total, 4);
    recordBucket(s, sh, v);
    return v;
  };

  it('gives no verdict during warm-up, then flags a bucket above the band', () => {
    const s = new RateSeries(opts);
    const sh = new ShareWindow(10);
    for (let i = 0; i < 5; i++) expect(feed(s, sh, i === 2 ? 100 : 2, 1000)).toMatchObject({ band: null, anomalous: false });
    expect(feed(s, sh, 2, 1000).anomalous).toBe(false);
    expect(feed(s, sh, 60, 1000).anomalous).toBe(true);
  });

  it('a traffic surge with the usual share of errors is not a spike; the same errors without the traffic are', () => {
    const s = new RateSeries(opts);
    const sh = new ShareWindow(10);
    for (let i = 0; i < 10; i++) feed(s, sh, 10, 1000);
    expect(judgeBucket(s, sh, 30, 3000, 4).anomalous).toBe(false);
    expect(judgeBucket(s, sh, 30, 1000, 4).anomalous).toBe(true);
  });

  it('a storm enters the baseline clipped, so the next storm is still a storm', () => {
    const s = new RateSeries(opts);
    const sh = new ShareWindow(10);
    for (let i = 0; i < 10; i++) feed(s, sh, 2, 1000);
    for (let i = 0; i < 4; i++) expect(feed(s, sh, 300, 1000).anomalous).toBe(true);
    expect(s.band()!.upper).toBeLessThan(40);
  });

  it('fast-forwards long quiet stretches without walking every bucket', () => {
    const s = new RateSeries(opts);
    s.closeEmpty(1e9);
    expect(s.snapshot().window).toHaveLength(10);
  });
});

describe('drift', () => {
  const opts = { windowBuckets: 10, halfLifeBuckets: 200, ratio: 2, k: 4, minCount: 5, warmupBuckets: 10 };

  it('fires when the share of errors has doubled, not when traffic has', () => {
    const d = new DriftTracker(opts);
    for (let i = 0; i < 100; i++) expect(d.close(5, 500)).toBeNull();
    let traffic = null;
    for (let i = 0; i < 20; i++) traffic = traffic ?? d.close(15, 1500);
    expect(traffic).toBeNull();
    let share = null;
    for (let i = 0; i < 20; i++) share = share ?? d.close(20, 500);
    expect(share).not.toBeNull();
    expect(share!.recentShare!).toBeGreaterThan(2 * share!.usualShare!);
  });
});
