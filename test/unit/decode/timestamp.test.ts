import { describe, expect, it } from 'vitest';
import { compilePattern, parseAuto, parseIso } from '../../../electron/engine/decode/time/timestamp.js';

const ctx = { refMs: Date.UTC(2025, 0, 2, 12, 0, 0) };

describe('timestamps', () => {
  it.each([
    ['2024-05-01T10:00:00Z', '2024-05-01T10:00:00.000Z'],
    ['2024-05-01T10:00:00.123456789Z', '2024-05-01T10:00:00.123Z'],
    ['2024-05-01T10:00:00+02:00', '2024-05-01T08:00:00.000Z'],
    ['2024-05-01T10:00:00.5-0130', '2024-05-01T11:30:00.500Z'],
    ['2024-05-01 10:00:00,250 UTC', '2024-05-01T10:00:00.250Z'],
  ])('ISO 8601 %s', (text, want) => {
    const r = parseIso(text)!;
    expect(new Date(r.ms).toISOString()).toBe(want);
    expect(r.assumed).toBeNull();
  });

  it('ISO 8601 without a zone is local time, and says so', () => {
    const r = parseIso('2024-05-01 10:00:00.123')!;
    expect(r.ms).toBe(new Date(2024, 4, 1, 10, 0, 0, 123).getTime());
    expect(r.assumed).toBe('zone');
  });

  it.each([
    [1714557600, '2024-05-01T10:00:00.000Z'],
    [1714557600.25, '2024-05-01T10:00:00.250Z'],
    [1714557600123, '2024-05-01T10:00:00.123Z'],
    [1714557600123456, '2024-05-01T10:00:00.123Z'],
    ['1714557600123456789', '2024-05-01T10:00:00.123Z'],
  ])('epoch %s by magnitude', (v, want) => {
    expect(new Date(parseAuto(v)!.ms).toISOString()).toBe(want);
  });

  it('no year: the reference (file mtime) year, one year back when that would be in the future', () => {
    const p = compilePattern('%b %e %H:%M:%S');
    const dec = p('Dec 31 23:59:59', ctx)!;
    expect(dec.ms).toBe(new Date(2024, 11, 31, 23, 59, 59).getTime());
    expect(dec.assumed).toBe('year+zone');
    const jan = p('Jan  2 08:00:00', ctx)!;
    expect(jan.ms).toBe(new Date(2025, 0, 2, 8, 0, 0).getTime());
  });

  it('patterns with a zone are exact', () => {
    const p = compilePattern('%d/%b/%Y:%H:%M:%S %z');
    const r = p('10/Oct/2000:13:55:36 -0700', ctx)!;
    expect(new Date(r.ms).toISOString()).toBe('2000-10-10T20:55:36.000Z');
    expect(r.assumed).toBeNull();
  });

  it('two-digit years, packed digits, unpadded millis', () => {
    expect(compilePattern('%y%m%d %H%M%S')('081109 203615', ctx)!.ms).toBe(new Date(2008, 10, 9, 20, 36, 15).getTime());
    expect(compilePattern('%Y%m%d-%H:%M:%S:%L')('20171224-1:2:3:7', ctx)!.ms).toBe(new Date(2017, 11, 24, 1, 2, 3, 7).getTime());
  });

  it('text that is not the pattern does not parse', () => {
    expect(compilePattern('%Y-%m-%d')('2024/05/01', ctx)).toBeNull();
    expect(parseIso('hello world')).toBeNull();
    expect(parseAuto('12')).toBeNull();
  });
});
