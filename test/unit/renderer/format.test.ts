import { describe, expect, it } from 'vitest';
import { fmtAgo, fmtClock } from '../../../renderer/features/format.js';

describe('times as the screens show them', () => {
  it('"ago" for the past; "in" for a time ahead of this clock (an alert stamped ahead), never "-592s ago"', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(fmtAgo(now - 30_000, now)).toBe('30s ago');
    expect(fmtAgo(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(fmtAgo(now - 3 * 86_400_000, now)).toBe('3 d ago');
    expect(fmtAgo(now + 592_000, now)).toBe('in 10 min');
    expect(fmtAgo(now + 3_547_000, now)).toBe('in 59 min');
    // A second or two of skew between two clocks is "now", not the future.
    expect(fmtAgo(now + 2000, now)).toBe('0s ago');
  });

  it("a record's time carries its date when it is not today's (a three-week-old line is not this morning's), its year when not this year's", () => {
    const now = new Date(2026, 10, 22, 10, 0, 0);
    const today = new Date(2026, 10, 22, 8, 58, 20, 5).getTime();
    const weeksAgo = new Date(2026, 10, 1, 3, 0, 0, 0).getTime();
    const lastYear = new Date(2025, 11, 31, 23, 59, 59).getTime();
    expect(fmtClock(today, true, now)).toBe(`${new Date(today).toLocaleTimeString([], { hour12: false })}.005`);
    expect(fmtClock(weeksAgo, false, now)).toBe(`${new Date(weeksAgo).toLocaleDateString([], { month: 'short', day: 'numeric' })} ${new Date(weeksAgo).toLocaleTimeString([], { hour12: false })}`);
    expect(fmtClock(weeksAgo, false, now)).not.toBe(fmtClock(weeksAgo + 21 * 86_400_000, false, now));
    expect(fmtClock(lastYear, false, now)).toContain('2025');
  });
});
