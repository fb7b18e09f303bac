import { describe, expect, it } from 'vitest';
import { ZoneTime } from '../../../electron/engine/report/zone-time.js';

describe('report times in a zone', () => {
  it('UTC by name, with Z and "UTC"', () => {
    const t = new ZoneTime('UTC');
    const ts = Date.parse('2026-11-22T10:00:01.123Z');
    expect(t.full(ts)).toBe('2026-11-22 10:00:01 UTC');
    expect(t.stamp(ts)).toBe('2026-11-22T10:00:01.123Z');
    expect(t.label(ts)).toBe('UTC');
  });

  it('the offset of each moment: New York across the start of daylight saving time', () => {
    const t = new ZoneTime('America/New_York');
    // 2026-03-08 02:00 local, clocks go to 03:00.
    expect(t.stamp(Date.parse('2026-03-08T06:59:59.500Z'))).toBe('2026-03-08T01:59:59.500-05:00');
    expect(t.stamp(Date.parse('2026-03-08T07:00:00.000Z'))).toBe('2026-03-08T03:00:00.000-04:00');
    expect(t.full(Date.parse('2026-03-08T07:00:00.000Z'))).toBe('2026-03-08 03:00:00 -04:00');
    expect(t.clock(Date.parse('2026-03-08T07:00:00.000Z'), true)).toBe('2026-03-08 03:00:00');
  });

  it('half-hour zones, and times before 1970', () => {
    expect(new ZoneTime('Asia/Kolkata').stamp(Date.parse('2026-11-22T10:00:00Z'))).toBe('2026-11-22T15:30:00.000+05:30');
    expect(new ZoneTime('UTC').stamp(-1)).toBe('1969-12-31T23:59:59.999Z');
    expect(new ZoneTime('Asia/Kolkata').stamp(-1)).toBe('1970-01-01T05:29:59.999+05:30');
  });
});
