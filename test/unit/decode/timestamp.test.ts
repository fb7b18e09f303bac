import { describe, expect, it } from 'vitest';
import { compilePattern, parseAuto, parseIso, resetTimeCache } from '../../../electron/engine/decode/time/timestamp.js';
import { leadingTimestamp } from '../../../electron/engine/decode/formats/generic-line.js';

const ctx = { refMs: Date.UTC(2025, 0, 2, 12, 0, 0) };

describe('timestamps', () => {
  it.each([
    ['2024-05-01T10:00:00Z', '2024-05-01T10:00:00.000Z'],
    ['2024-05-01T10:00:00.123456789Z', '2024-05-01T10:00:00.123Z'],
    ['2024-05-01T10:00:00+02:00', '2024-05-01T08:00:00.000Z'],
    ['2024-05-01T10:00:00.5-0130', '2024-05-01T11:30:00.500Z'],
    ['2024-05-01 10:00:00,250 UTC', '2024-05-01T10:00:00.250Z'],
    ['2024-05-01 10:00:00 +0530', '2024-05-01T04:30:00.000Z'],
    ['2024-05-01 10:00:00.123 +0000 UTC', '2024-05-01T10:00:00.123Z'],
    ['2024-05-01 10:00:00 -0500 EST', '2024-05-01T15:00:00.000Z'],
    // Java's ZonedDateTime.toString(); Go's time.Now().String() with its monotonic reading.
    ['2024-05-01T10:00:00+05:30[Asia/Kolkata]', '2024-05-01T04:30:00.000Z'],
    ['2024-05-01T10:00:00.5Z[UTC]', '2024-05-01T10:00:00.500Z'],
    ['2024-05-01 10:00:00.123456789 +0530 IST m=+0.001234567', '2024-05-01T04:30:00.123Z'],
  ])('ISO 8601 %s', (text, want) => {
    const r = parseIso(text)!;
    expect(new Date(r.ms).toISOString()).toBe(want);
    expect(r.assumed).toBeNull();
  });

  it('a leading time with its zone after a space (Ruby, Go, +0530) is read with that zone; a level word after it stays', () => {
    const lead = (t: string) => {
      const r = leadingTimestamp(t, ctx)!;
      return { at: new Date(r.ms).toISOString(), rest: t.slice(r.end), assumed: r.assumed };
    };
    expect(lead('2026-11-21 10:00:00 +0530 ERROR x')).toEqual({ at: '2026-11-21T04:30:00.000Z', rest: 'ERROR x', assumed: null });
    expect(lead('2026-11-21 10:00:00 UTC ERROR x')).toEqual({ at: '2026-11-21T10:00:00.000Z', rest: 'ERROR x', assumed: null });
    expect(lead('2026-11-21 10:00:00.5 +0000 UTC INFO go')).toEqual({ at: '2026-11-21T10:00:00.500Z', rest: 'INFO go', assumed: null });
    expect(lead('2026-11-21 10:00:00 +0000 INFO keeps')).toEqual({ at: '2026-11-21T10:00:00.000Z', rest: 'INFO keeps', assumed: null });
    expect(lead('2026-11-21 10:00:00 ERROR local').assumed).toBe('zone');
    expect(lead('2026-11-22T10:00:00+05:30[Asia/Kolkata] ERROR zdt')).toEqual({ at: '2026-11-22T04:30:00.000Z', rest: 'ERROR zdt', assumed: null });
  });

  it("slash dates (Go's log, nginx's error log) take a zone after them as ISO does; an offset no zone has is not a zone", () => {
    const lead = (t: string) => {
      const r = leadingTimestamp(t, ctx);
      return r && { at: new Date(r.ms).toISOString(), rest: t.slice(r.end), assumed: r.assumed };
    };
    expect(lead('2026/11/21 10:00:00.250 +0100 INFO x')).toEqual({ at: '2026-11-21T09:00:00.250Z', rest: 'INFO x', assumed: null });
    expect(lead('2026/11/21 10:00:00 UTC [error] 12#0: y')).toEqual({ at: '2026-11-21T10:00:00.000Z', rest: '[error] 12#0: y', assumed: null });
    expect(lead('2026/11/21 10:00:00 [error] local')).toMatchObject({ rest: '[error] local', assumed: 'zone' });
    // +2500 is no zone's offset: the time is local, the number stays in the message.
    expect(lead('2026-11-21 10:00:00 +2500 INFO spaced')).toMatchObject({ rest: '+2500 INFO spaced', assumed: 'zone' });
    // Attached to the time, the text is no time at all (it was read as 25 hours east).
    expect(lead('2026-11-21T10:00:02+25:00 INFO attached')).toBeNull();
    expect(parseIso('2026-11-21T10:00:02+25:00')).toBeNull();
    expect(parseIso('2026-11-21T10:00:02+05:75')).toBeNull();
    expect(new Date(parseIso('2026-11-21T10:00:02+14:00')!.ms).toISOString()).toBe('2026-11-20T20:00:02.000Z');
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

  it('no year, in a zone ahead of UTC: New Year\'s morning there is the new year, though UTC is still in December', () => {
    const p = compilePattern('%b %e %H:%M:%S %z');
    // Written at 05:00 on January 1 2027 in UTC+10: 19:00 on December 31 2026 in UTC.
    const written = Date.UTC(2026, 11, 31, 19, 0, 0);
    const jan = p('Jan  1 05:00:00 +1000', { refMs: written })!;
    expect(new Date(jan.ms).toISOString()).toBe('2026-12-31T19:00:00.000Z');
    // A line of the evening before, in UTC, stays in 2026.
    const dec = p('Dec 31 18:59:00 +0000', { refMs: written })!;
    expect(new Date(dec.ms).toISOString()).toBe('2026-12-31T18:59:00.000Z');
  });

  it('a time of day alone takes the latest day that does not put it after the reference (two hours of slack)', () => {
    const p = compilePattern('%H:%M:%S.%L');
    const ref = { refMs: new Date(2025, 2, 1, 0, 30, 0).getTime() };
    // 00:10 is earlier today; 23:50 is yesterday (February 28, across the month); 02:00 is
    // within the slack, so today.
    expect(p('00:10:00.000', ref)).toEqual({ ms: new Date(2025, 2, 1, 0, 10, 0).getTime(), assumed: 'date+zone' });
    expect(p('23:50:00.250', ref)!.ms).toBe(new Date(2025, 1, 28, 23, 50, 0, 250).getTime());
    expect(p('02:00:00.000', ref)!.ms).toBe(new Date(2025, 2, 1, 2, 0, 0).getTime());
    // With a zone, the day is the reference's in that zone.
    const z = compilePattern('%H:%M:%S %z');
    const r = z('23:30:00 +0200', { refMs: Date.UTC(2025, 2, 1, 21, 45) })!;
    expect(new Date(r.ms).toISOString()).toBe('2025-03-01T21:30:00.000Z');
    expect(r.assumed).toBe('date');
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

  it('a run of lines in one second reads like lines read one by one, year assumption included', () => {
    // The file was written at 12:00:00.500 on Jan 1: a time after 12:00:00.500 on Jan 3 is from last year.
    const near = { refMs: new Date(2025, 0, 1, 12, 0, 0, 500).getTime() };
    const run = ['0103 12:00:00.400', '0103 12:00:00.499', '0103 12:00:00.501', '0103 12:00:00.9', '0103 12:00:00.400', '0103 12:00:01.000', '0103 12:00:01.x', '0103 12:00:01.'];
    const one = compilePattern('%m%d %H:%M:%S.%f');
    const got = run.map((t) => one(t, near));
    const want = run.map((t) => compilePattern('%m%d %H:%M:%S.%f')(t, near));
    expect(got).toEqual(want);
    expect(got[1]!.ms).toBe(new Date(2025, 0, 3, 12, 0, 0, 499).getTime());
    expect(got[2]!.ms).toBe(new Date(2024, 0, 3, 12, 0, 0, 501).getTime());
    expect(got[6]).toBeNull();
    expect(got[7]).toBeNull();
    const millis = compilePattern('%Y-%m-%d %H:%M:%S,%L');
    expect(['2024-05-01 10:00:00,1', '2024-05-01 10:00:00,12', '2024-05-01 10:00:00,1234'].map((t) => millis(t, ctx)?.ms ?? null)).toEqual([
      new Date(2024, 4, 1, 10, 0, 0, 1).getTime(),
      new Date(2024, 4, 1, 10, 0, 0, 12).getTime(),
      null,
    ]);
  });

  it('epoch patterns take 9-19 digits (1-8 without a sign) and an optional fraction', () => {
    const p = compilePattern('epoch-us');
    const ok = ['1714557600123456', '-1714557600123', '12345678', '1714557600.5', '0000000001'];
    const bad = ['', '-', '-12345678', '12345678901234567890', '1714557600.', '1e15', ' 1714557600', '17145576001a'];
    expect(ok.map((t) => p(t, ctx)?.ms)).toEqual([1714557600123, -1714557600, 12346, 1714558, 0]);
    expect(bad.map((t) => p(t, ctx))).toEqual(bad.map(() => null));
  });

  it('local times where the offset changes inside an hour (Chatham at :45, Lord Howe at :30); the hour the clocks go back reads as its first pass', () => {
    const tz = process.env.TZ;
    const at = (t: string) => new Date(parseIso(t)!.ms).toISOString();
    try {
      process.env.TZ = 'Pacific/Chatham';
      resetTimeCache();
      // 02:45 +12:45 became 03:45 +13:45 on 2026-09-27; back on 2027-04-04 at 03:45 +13:45.
      expect(at('2026-09-27 02:30:00')).toBe('2026-09-26T13:45:00.000Z');
      expect(at('2026-09-27 03:50:00')).toBe('2026-09-26T14:05:00.000Z');
      expect(at('2027-04-04 03:50:00')).toBe('2027-04-03T15:05:00.000Z');
      process.env.TZ = 'Australia/Lord_Howe';
      resetTimeCache();
      expect(at('2026-10-04 02:45:00')).toBe('2026-10-03T15:45:00.000Z');
      process.env.TZ = 'America/New_York';
      resetTimeCache();
      // 2026-11-01: 01:00-01:59 comes twice (EDT, then EST). Without a zone the text cannot
      // tell which: its first pass (documented), however the lines around it went.
      expect(at('2026-11-01 01:59:00')).toBe('2026-11-01T05:59:00.000Z');
      expect(at('2026-11-01 01:30:00')).toBe('2026-11-01T05:30:00.000Z');
      expect(at('2026-11-01 02:00:00')).toBe('2026-11-01T07:00:00.000Z');
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
      resetTimeCache();
    }
  });

  it('resetTimeCache() makes parsers forget what they read (the zone changed)', () => {
    const tz = process.env.TZ;
    try {
      const p = compilePattern('%Y-%m-%d %H:%M:%S,%L');
      process.env.TZ = 'UTC';
      resetTimeCache();
      const utc = p('2024-05-01 10:00:00,250', ctx)!.ms;
      process.env.TZ = 'Asia/Tokyo';
      resetTimeCache();
      expect(p('2024-05-01 10:00:00,250', ctx)!.ms).toBe(utc - 9 * 3_600_000);
      expect(p('2024-05-01 10:00:00,750', ctx)!.ms).toBe(utc - 9 * 3_600_000 + 500);
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
      resetTimeCache();
    }
  });

  // PostgreSQL writes its log_timezone's abbreviation, PHP its date.timezone's IANA name.
  it.each([
    ['%Y-%m-%d %H:%M:%S.%L %Z', '2026-11-21 10:00:00.123 CET', '2026-11-21T09:00:00.123Z'],
    ['%Y-%m-%d %H:%M:%S.%L %Z', '2026-07-01 10:00:00.123 CEST', '2026-07-01T08:00:00.123Z'],
    ['%Y-%m-%d %H:%M:%S.%L %Z', '2026-07-01 10:00:00.000 PDT', '2026-07-01T17:00:00.000Z'],
    ['%Y-%m-%d %H:%M:%S.%L %Z', '2026-11-21 10:00:00.000 UTC', '2026-11-21T10:00:00.000Z'],
    ['%Y-%m-%d %H:%M:%S %Z', '2026-11-21 10:00:00 ACST', '2026-11-21T00:30:00.000Z'],
    // IANA names, with their daylight saving time.
    ['%d-%b-%Y %H:%M:%S %Z', '21-Nov-2026 10:00:00 Europe/Berlin', '2026-11-21T09:00:00.000Z'],
    ['%d-%b-%Y %H:%M:%S %Z', '01-Jul-2026 10:00:00 Europe/Berlin', '2026-07-01T08:00:00.000Z'],
    ['%d-%b-%Y %H:%M:%S %Z', '21-Nov-2026 10:00:00 America/New_York', '2026-11-21T15:00:00.000Z'],
    ['%d-%b-%Y %H:%M:%S %Z', '21-Nov-2026 10:00:00 America/Argentina/Buenos_Aires', '2026-11-21T13:00:00.000Z'],
    ['%d-%b-%Y %H:%M:%S %Z', '21-Nov-2026 10:00:00 Asia/Kolkata', '2026-11-21T04:30:00.000Z'],
    ['%d-%b-%Y %H:%M:%S %Z', '21-Nov-2026 10:00:00 Etc/GMT+5', '2026-11-21T15:00:00.000Z'],
  ])('%s: a zone name is the offset it names (%s)', (pattern, text, want) => {
    const r = compilePattern(pattern)(text, ctx)!;
    expect(new Date(r.ms).toISOString()).toBe(want);
    expect(r.assumed).toBeNull();
  });

  it('an ambiguous or unknown zone name is read as local time, and says so', () => {
    const p = compilePattern('%d-%b-%Y %H:%M:%S %Z');
    for (const text of ['21-Nov-2026 10:00:00 CST', '21-Nov-2026 10:00:00 IST', '21-Nov-2026 10:00:00 Mars/Olympus_Mons']) {
      const r = p(text, ctx)!;
      expect(r.ms, text).toBe(new Date(2026, 10, 21, 10, 0, 0).getTime());
      expect(r.assumed, text).toBe('zone');
    }
  });
});
