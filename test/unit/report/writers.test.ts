import { describe, expect, it } from 'vitest';
import { reportWindow, writeReport } from '../../../electron/engine/report/index.js';
import { timeline } from '../../../electron/engine/report/collect.js';
import type { IncidentReport } from '../../../shared/types.js';

const T = Date.parse('2026-11-22T10:00:00Z');

function report(raw: string, template = raw): IncidentReport {
  return {
    generatedAt: T + 3_600_000,
    vigilVersion: '9.9.9',
    host: 'box',
    timeZone: 'UTC',
    anomaly: {
      id: 7, fingerprint: 'rule/app/x', detector: 'rule', source: 'app', severity: 'high', category: 'rule', title: 'Payment | failed',
      message: 'payment failed', state: 'open', count: 1, firstTs: T, lastTs: T, openedAt: T,
    },
    source: { name: 'app', type: 'file', where: '/var/log/app.log' },
    timeline: [{ ts: T, what: 'first evidence record' }],
    rates: {
      bucketMs: 10_000,
      points: [
        { t: T - 20_000, total: 0, errors: 0, warnings: 0, upper: null, anomalous: false },
        { t: T - 10_000, total: 0, errors: 0, warnings: 0, upper: null, anomalous: false },
        { t: T, total: 3, errors: 1, warnings: 0, upper: 0.5, anomalous: true },
      ],
    },
    templates: [{ id: 1, template, count: 1, total: 1, firstSeen: T, newInIncident: true }],
    lines: [{ id: 1, source: 'app', path: '/var/log/app.log', ts: T, level: 'error', message: raw, raw, role: 'evidence', duplicate: false }],
    evidenceStored: 1,
    notifications: [],
    redacted: false,
  };
}

describe('report writers', () => {
  it('Markdown keeps any log text inside its fence and its table cells', () => {
    const raw = 'oops ``` not the end | still the line `x`';
    const md = writeReport(report(raw), 'markdown', false).text;
    // The evidence fence is longer than the longest run of backticks in the text.
    expect(md).toContain('````text\n> 2026-11-22T10:00:00.000Z error    oops ``` not the end | still the line `x`\n````');
    // A template cell: code span with a longer fence (spaced, as the text ends with a backtick), the pipe escaped.
    expect(md).toContain('| 1 | ```` oops ``` not the end \\| still the line `x` ```` | new: first seen in this incident |');
    expect(md).toContain('# Incident: Payment \\| failed');
    // Empty buckets in a run are one row.
    expect(md).toContain('| 09:59:40 to 10:00:00 | 0 | 0 | 0 | | no lines |');
    expect(md).toContain('| 10:00:00 | 3 | 1 | 0 | 0.5 | incident, above usual |');
    expect(md).toContain("`SELECT time, level, raw FROM anomaly_evidence WHERE anomaly_id = 7 AND role = 'evidence' ORDER BY id`");
  });

  it('Markdown: an HTML entity in log text stays that text (R&amp;D is not rendered as R&D)', () => {
    const r = report('x');
    r.anomaly.title = 'LEAK R&amp;D says &lt;b&gt;hi&lt;/b&gt;';
    const md = writeReport(r, 'markdown', false).text;
    expect(md).toContain('# Incident: LEAK R\\&amp;D says \\&lt;b\\&gt;hi\\&lt;/b\\&gt;');
  });

  it('HTML escapes every text it shows', () => {
    const raw = '<img src=x onerror=alert(1)> & "quotes"';
    const html = writeReport(report(raw, raw), 'html', false).text;
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;');
  });

  it("an upstream alert's details are shown as JSON; no section when there are none", () => {
    const r = report('x');
    r.anomaly.details = { lag: 31, host: '<db-1>' };
    expect(writeReport(r, 'markdown', false).text).toContain('## Details\n\n```json\n{\n  "lag": 31,\n  "host": "<db-1>"\n}\n```');
    expect(writeReport(r, 'html', false).text).toContain('<pre class="details">{\n  &quot;lag&quot;: 31,\n  &quot;host&quot;: &quot;&lt;db-1&gt;&quot;\n}</pre>');
    r.anomaly.details = {};
    expect(writeReport(r, 'markdown', false).text).not.toContain('## Details');
    delete r.anomaly.details;
    expect(writeReport(r, 'html', false).text).not.toContain('<h2>Details</h2>');
  });

  it('times in the zone asked for, each full one with its offset', () => {
    const r = { ...report('x'), timeZone: 'Europe/Paris' };
    const md = writeReport(r, 'markdown', false).text;
    expect(md).toContain('## Timeline (Europe/Paris, UTC+01:00)');
    expect(md).toContain('| First seen | 2026-11-22 11:00:00 +01:00 |');
    expect(md).toContain('> 2026-11-22T11:00:00.000+01:00 error    x');
    expect(md).toContain('| 10:59:40 to 11:00:00 | 0 | 0 | 0 | | no lines |');
    expect(writeReport(r, 'html', false).filename).toBe('vigil-incident-7-20261122-1100.html');
    expect(writeReport(report('x'), 'markdown', false).text).toContain('## Timeline (UTC)');
  });

  it('times across a daylight-saving change each give their offset, so the clock going back reads right', () => {
    // Paris goes from +02:00 to +01:00 at 01:00 UTC on 2026-10-25.
    const D = Date.parse('2026-10-25T00:58:00Z');
    const base = report('x');
    const r: IncidentReport = {
      ...base,
      timeZone: 'Europe/Paris',
      anomaly: { ...base.anomaly, firstTs: D, lastTs: D + 240_000, openedAt: D },
      timeline: [{ ts: D, what: 'first evidence record' }, { ts: D + 240_000, what: 'last seen' }],
      rates: { bucketMs: 60_000, points: [0, 1, 2, 3, 4].map((k) => ({ t: D + k * 60_000, total: 1, errors: 1, warnings: 0, upper: null, anomalous: false })) },
    };
    const md = writeReport(r, 'markdown', false).text;
    expect(md).toContain('## Timeline (Europe/Paris, each time with its offset)');
    expect(md).toContain('| 02:58:00 +02:00 | first evidence record |');
    expect(md).toContain('| 02:02:00 +01:00 | last seen |');
    expect(md).toContain('| 02:59:00 +02:00 | 1 |');
    expect(md).toContain('| 02:00:00 +01:00 | 1 |');
    expect(writeReport(r, 'html', false).text).toContain('02:02:00 +01:00');
    // Without a change, no offsets on the rows.
    expect(writeReport({ ...base, timeZone: 'Europe/Paris' }, 'markdown', false).text).not.toMatch(/\| \d\d:\d\d:\d\d \+01:00 \|/);
  });

  it('file names say which anomaly and when it began', () => {
    expect(writeReport(report('x'), 'html', false).filename).toBe('vigil-incident-7-20261122-1000.html');
    expect(writeReport(report('x'), 'json', true).filename).toBe('vigil-incident-7-20261122-1000.json');
  });

  it('the window: the span with half its length (at least 5 minutes) each side, in about 48 readable buckets', () => {
    expect(reportWindow(T, T, 10_000)).toEqual({ from: T - 300_000, to: T + 300_000, bucketMs: 15_000 });
    const hour = reportWindow(T, T + 3_600_000, 10_000);
    expect(hour.bucketMs).toBe(300_000);
    expect(hour.from).toBe(T - 1_800_000);
    expect(hour.to).toBe(T + 5_400_000);
    // Never finer than the detector's buckets.
    expect(reportWindow(T, T, 60_000).bucketMs).toBe(60_000);
  });

  it('a report made during the incident ends with the bucket holding its time: the minutes still to come are not "no lines"', () => {
    // Made 40 s after the last evidence: the window ends with the bucket holding that moment.
    expect(reportWindow(T, T, 10_000, T + 40_000)).toEqual({ from: T - 300_000, to: T + 45_000, bucketMs: 15_000 });
    // Made later than the window's end: the whole window, as before.
    expect(reportWindow(T, T, 10_000, T + 3_600_000).to).toBe(T + 300_000);
    // A last record stamped ahead of this clock is kept in the window.
    expect(reportWindow(T, T + 60_000, 10_000, T).to).toBeGreaterThan(T + 60_000);
  });

  it('the timeline: a notice still being retried says how often it failed and why, not "queued"', () => {
    const base = { deliveryId: 1, anomalyId: 7, rule: 'default', kind: 'firing' as const, change: 'opened' as const, createdAt: T, sentAt: null, updatedAt: T + 60_000 };
    const what = timeline(report('x').anomaly, [
      { ...base, channel: 'bad', status: 'pending', attempts: 8, error: 'HTTP 500: boom' },
      { ...base, channel: 'slow', status: 'pending', attempts: 0, error: null },
      { ...base, channel: 'gone', status: 'failed', attempts: 4, error: 'HTTP 404' },
    ]).map((e) => e.what);
    expect(what).toContain('notice to bad not delivered yet: 8 attempt(s) so far, still retrying (last error: HTTP 500: boom)');
    expect(what).toContain('notice to slow queued, not sent yet');
    expect(what).toContain('notice to gone failed after 4 attempt(s): HTTP 404');
  });

  it('a report showing only the newest evidence says so: "the newest 1 of 100,000"', () => {
    const r = { ...report('payment failed'), evidenceStored: 100_000 };
    // No context lines with it (its first record's were left out): none promised.
    expect(writeReport(r, 'markdown', false).text).toContain('the newest 1 of 100,000 evidence records marked `>`. Times');
    expect(writeReport(r, 'html', false).text).toContain('the newest 1 of 100,000 evidence records, highlighted. Times');
    const around = report('payment failed');
    around.lines.unshift({ ...around.lines[0]!, id: 0, raw: 'just before', message: 'just before', role: 'context' });
    expect(writeReport(around, 'markdown', false).text).toContain('1 evidence record marked `>`, with the lines around them.');
  });
});
