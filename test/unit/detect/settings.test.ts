import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, resolveSettings } from '../../../electron/engine/detect/settings.js';

describe('detection settings', () => {
  it('has sane defaults: everything on but silence; burst 5 in 10 s; dedupe 5 min; coalescing 10 s / 60 s / 50', () => {
    const s = resolveSettings();
    expect(s).toEqual(DEFAULT_SETTINGS);
    expect(s.silence.enabled).toBe(false);
    expect([s.critical, s.burst, s.errorRate, s.newTemplate, s.templateSurge, s.traceback, s.alerts].every((d) => d.enabled)).toBe(true);
    expect(s.burst).toMatchObject({ count: 5, windowMs: 10_000 });
    expect(s.dedupeWindowMs).toBe(300_000);
    expect(s.coalesce).toMatchObject({ gapMs: 10_000, maxMs: 60_000, maxEntries: 50 });
  });

  it('lays top-level detection, then the source, over the defaults: false turns off, an object tunes and turns on', () => {
    const s = resolveSettings({ burst: { count: 20 }, silence: { minMs: 60_000 }, dedupeWindowMs: 60_000 }, { burst: false, errorRate: { k: 6, drift: false } });
    expect(s.burst.enabled).toBe(false);
    expect(s.burst.count).toBe(20);
    expect(s.silence).toMatchObject({ enabled: true, minMs: 60_000 });
    expect(s.errorRate).toMatchObject({ enabled: true, k: 6, bucketMs: 10_000 });
    expect(s.errorRate.drift.enabled).toBe(false);
    // The quiet period follows the dedupe window unless set.
    expect(s.resolveAfterMs).toBe(60_000);
    expect(resolveSettings({ dedupeWindowMs: 60_000, resolveAfterMs: 120_000 }).resolveAfterMs).toBe(120_000);
  });
});
