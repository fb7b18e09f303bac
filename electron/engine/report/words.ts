import type { IncidentReport } from '../../../shared/types.js';
import type { RedactionCounts } from './redact.js';
import { ZoneTime } from './zone-time.js';

// What the Markdown and the HTML report both say, in the same words. Times are in the
// zone asked for (UTC by default), each full one with its offset.

export type WrittenReport = IncidentReport & { redactions?: RedactionCounts };

/** The report's times, in the zone it was asked for. */
export function timeOf(r: IncidentReport): ZoneTime {
  return new ZoneTime(r.timeZone);
}

/** 4 min 29 s, 2 h 5 min, 3 d 2 h. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

export function bucketWords(ms: number): string {
  return `per ${duration(ms)}`;
}

export function stateWords(r: IncidentReport): string {
  const a = r.anomaly;
  if (a.state === 'resolved') return `resolved ${a.resolvedBy === 'quiet' ? '(quiet since its last evidence) ' : a.resolvedBy === 'user' ? 'by hand ' : ''}at ${timeOf(r).full(a.resolvedAt)}`;
  if (a.state === 'acknowledged') return `acknowledged at ${timeOf(r).full(a.acknowledgedAt)}, still open`;
  return 'open';
}

export function sourceWords(r: IncidentReport): string {
  const s = r.source;
  if (!s.type) return `${s.name} (not in the config)`;
  return `${s.name} (${s.type}: ${s.where})`;
}

export function recordWords(r: IncidentReport): string {
  const shown = r.lines.filter((l) => l.role === 'evidence').length;
  const a = r.anomaly;
  const parts = [`${a.count} record${a.count === 1 ? '' : 's'}`];
  if (r.evidenceStored < a.count) parts.push(`${r.evidenceStored} kept as evidence`);
  if (shown < r.evidenceStored) parts.push(`the newest ${shown} shown`);
  return parts.join('; ');
}

export function numberWords(r: IncidentReport): string | null {
  const n = r.anomaly.numbers;
  if (!n || !Object.keys(n).length) return null;
  return Object.entries(n)
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(2)}`)
    .join(', ');
}

export function redactionWords(r: WrittenReport): string | null {
  if (!r.redacted) return null;
  const c = r.redactions ?? { ip: 0, email: 0, secret: 0 };
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  return `Redacted: ${n(c.ip, 'IP address', 'IP addresses')}, ${n(c.email, 'e-mail address', 'e-mail addresses')} and ${n(c.secret, 'secret', 'secrets')} replaced by placeholders (the same address is the same placeholder throughout).`;
}

/** Whether the zone's offset changes within the report's times (daylight saving), so clock times need their offset. */
export function crossesOffsets(r: IncidentReport): boolean {
  const zt = timeOf(r);
  if (zt.zone === 'UTC') return false;
  const ts = [r.anomaly.firstTs, r.anomaly.lastTs, ...r.timeline.map((e) => e.ts), ...r.rates.points.map((p) => p.t)];
  return new Set(ts.map((t) => zt.offset(t))).size > 1;
}

/** Whether the report's times cross a day, so clock times need their date. */
export function crossesDays(r: IncidentReport): boolean {
  const ts = [r.anomaly.firstTs, r.anomaly.lastTs, ...r.timeline.map((e) => e.ts), ...r.rates.points.map((p) => p.t)];
  const zt = timeOf(r);
  const days = new Set(ts.map((t) => zt.day(t)));
  return days.size > 1;
}

export function templateSeenWords(r: IncidentReport, t: IncidentReport['templates'][number]): string {
  if (t.newInIncident) return 'new: first seen in this incident';
  return t.firstSeen === null ? '—' : `since ${timeOf(r).full(t.firstSeen)}`;
}

/** The bucket with the most errors, in words: null when there were none. */
export function peakWords(r: IncidentReport): string | null {
  let peak: IncidentReport['rates']['points'][number] | null = null;
  for (const p of r.rates.points) if (p.errors > (peak?.errors ?? 0)) peak = p;
  if (!peak) return null;
  const usual = peak.upper === null ? '' : ` (usually at most ${peak.upper})`;
  return `Most errors: ${peak.errors} in the ${duration(r.rates.bucketMs)} from ${timeOf(r).clock(peak.t, crossesDays(r))}${usual}.`;
}

/** The rate table's rows: a bucket each, except that a run of two or more buckets without a line is one row. */
export type RateRow = { kind: 'bucket'; p: IncidentReport['rates']['points'][number] } | { kind: 'empty'; from: number; to: number };

export function rateRows(r: IncidentReport): RateRow[] {
  const out: RateRow[] = [];
  const pts = r.rates.points;
  for (let i = 0; i < pts.length; ) {
    let j = i;
    while (j < pts.length && pts[j]!.total === 0 && !pts[j]!.anomalous) j++;
    if (j - i >= 2) {
      out.push({ kind: 'empty', from: pts[i]!.t, to: pts[j - 1]!.t + r.rates.bucketMs });
      i = j;
    } else {
      out.push({ kind: 'bucket', p: pts[i]! });
      i++;
    }
  }
  return out;
}

/** Whether a bucket overlaps the incident's span. */
export function during(r: IncidentReport, t: number): boolean {
  return t + r.rates.bucketMs > r.anomaly.firstTs && t <= r.anomaly.lastTs;
}

export function bucketMark(r: IncidentReport, p: IncidentReport['rates']['points'][number]): string {
  return [during(r, p.t) ? 'incident' : '', p.anomalous ? 'above usual' : ''].filter(Boolean).join(', ');
}

/** The SQL that lists every evidence record of the anomaly in Vigil (the report shows the newest 200). */
export function evidenceSql(r: IncidentReport): string {
  return `SELECT time, level, raw FROM anomaly_evidence WHERE anomaly_id = ${r.anomaly.id} AND role = 'evidence' ORDER BY id`;
}

/** The facts table, label and text, rows without a value left out. */
export function facts(r: IncidentReport): [string, string][] {
  const a = r.anomaly;
  const rows: [string, string | null][] = [
    ['Source', sourceWords(r)],
    ['Detector', a.detector],
    ['Rule', a.rule ?? null],
    ['Category', a.category],
    ['First seen', timeOf(r).full(a.firstTs)],
    ['Last seen', `${timeOf(r).full(a.lastTs)} (${duration(a.lastTs - a.firstTs)} after the first)`],
    ['State', stateWords(r)],
    ['Records', recordWords(r)],
    ['Numbers', numberWords(r)],
    ['Fingerprint', (a.fingerprints ?? [a.fingerprint]).join(', ')],
  ];
  return rows.filter((f): f is [string, string] => !!f[1]);
}

/** The anomaly's details (an upstream alert's `details`, a detector's notes) as indented JSON; null when there are none. */
export function detailsJson(r: IncidentReport): string | null {
  const d = r.anomaly.details;
  if (d === null || d === undefined) return null;
  if (typeof d === 'object' && !Array.isArray(d) && !Object.keys(d).length) return null;
  return JSON.stringify(d, null, 2);
}

/** "12 evidence records", or "the newest 200 of 100,000 evidence records" when the report shows only those. */
export function evidenceWords(r: IncidentReport, shown: number): string {
  const all = `${shown} evidence record${shown === 1 ? '' : 's'}`;
  return r.evidenceStored > shown ? `the newest ${shown} of ${r.evidenceStored.toLocaleString('en-US')} evidence records` : all;
}

/** ", with the lines around them" when the report has any (not with only the newest evidence of a long incident, whose first record's context is left out). */
export function aroundWords(r: IncidentReport): string {
  return r.lines.some((l) => l.role === 'context') ? ', with the lines around them' : '';
}
