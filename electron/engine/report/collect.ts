import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import { sourceTarget, type EvidenceLine, type IncidentReport, type NotificationHistoryEntry, type ReportBucket, type ReportTemplate, type SourceConfig } from '../../../shared/types.js';
import { AnomalyRepo, rowToAnomaly } from '../detect/anomaly-repo.js';
import { computeBandSeries } from '../detect/band.js';
import type { Settings } from '../detect/settings.js';
import { historyEntry } from '../notify/outbox.js';
import { truncate } from '../notify/truncate.js';
import { COUNT_GRAIN_MS, RecordCounts } from '../store/record-counts.js';

// Gathers what an incident report says about one anomaly, from the store alone, so the
// engine (`anomalies.report`) and `vigil report` (a read-only connection to the same
// file) give the same report.

export interface CollectOptions {
  /** Evidence records in the report (the newest when there are more). */
  maxEvidence: number;
  /** Detection settings in force for a source: the error band is drawn with them. */
  settingsFor: (source: string) => Settings;
  /** A source as configured, when it still is. */
  sourceFor: (source: string) => SourceConfig | null;
  vigilVersion: string;
  /** "UTC" (the default) or an IANA zone name. */
  timeZone?: string;
  now?: number;
}

/** About this many buckets in the rate table: enough to see the shape, few enough to read. */
const TARGET_BUCKETS = 48;
/** Bucket sizes a person reads easily, all multiples of record_counts' grain. */
const NICE_BUCKETS = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400].map((s) => s * 1000);
const MIN = 60_000;
/** A record longer than this (a store keeps lines up to 1 MiB) is cut in a report, whose 200 records would otherwise make 200 MB; a 150-line stack trace fits. */
export const REPORT_LINE_MAX = 16_000;

function cutLine(s: string): string {
  return s.length <= REPORT_LINE_MAX ? s : `${truncate(s, REPORT_LINE_MAX)} [${s.length - REPORT_LINE_MAX + 1} more characters in the store]`;
}

export function collectReport(db: Database.Database, id: number, opts: CollectOptions): IncidentReport | null {
  const repo = new AnomalyRepo(db);
  const row = repo.get(id);
  if (!row) return null;
  const anomaly = rowToAnomaly(row);
  // A template is as long as its line: cut as the line is (a 56 KB line's template made
  // each evidence line of a JSON report 56 KB over the cut).
  const lines = repo.lines(id, opts.maxEvidence).map((l) => ({ ...l, raw: cutLine(l.raw), message: cutLine(l.message), ...(l.template ? { template: cutLine(l.template) } : {}) }));
  const notifications = (
    db.prepare('SELECT * FROM notification_history WHERE anomaly_id = ? ORDER BY delivery_id').all(id) as Record<string, unknown>[]
  ).map(historyEntry);
  const sourceId = (db.prepare('SELECT id FROM sources WHERE name = ?').pluck().get(anomaly.source) as number | undefined) ?? null;
  const settings = opts.settingsFor(anomaly.source);
  const now = opts.now ?? Date.now();
  const window = reportWindow(anomaly.firstTs, anomaly.lastTs, settings.errorRate.bucketMs, now);
  return {
    generatedAt: now,
    vigilVersion: opts.vigilVersion,
    host: hostname(),
    timeZone: opts.timeZone ?? 'UTC',
    anomaly,
    source: describeSource(anomaly.source, opts.sourceFor(anomaly.source)),
    timeline: timeline(anomaly, notifications),
    rates: { bucketMs: window.bucketMs, points: sourceId === null ? [] : rates(db, sourceId, anomaly.source, window, settings) },
    templates: templates(db, id, lines, window.from),
    lines,
    evidenceStored: repo.evidenceCount(id),
    notifications,
    redacted: false,
  };
}

interface Window {
  from: number;
  to: number;
  bucketMs: number;
}

/**
 * The evidence span with half its length (at least 5 minutes) before and after, in buckets
 * of a readable size; never past the bucket holding `now` (a report made during the
 * incident showed the minutes still to come as "no lines", as if the source went silent).
 */
export function reportWindow(firstTs: number, lastTs: number, detectorBucketMs: number, now = Infinity): Window {
  const span = Math.max(0, lastTs - firstTs);
  const pad = Math.max(5 * MIN, span / 2);
  const want = (span + 2 * pad) / TARGET_BUCKETS;
  const floor = Math.max(COUNT_GRAIN_MS, Math.ceil(detectorBucketMs / COUNT_GRAIN_MS) * COUNT_GRAIN_MS);
  const bucketMs = Math.max(floor, NICE_BUCKETS.find((b) => b >= want) ?? NICE_BUCKETS[NICE_BUCKETS.length - 1]!);
  const from = Math.floor((firstTs - pad) / bucketMs) * bucketMs;
  const to = Math.min(Math.ceil((lastTs + pad) / bucketMs) * bucketMs, (Math.floor(Math.max(now, lastTs) / bucketMs) + 1) * bucketMs);
  return { from, to, bucketMs };
}

function rates(db: Database.Database, sourceId: number, source: string, w: Window, settings: Settings): ReportBucket[] {
  const counts = new RecordCounts(db);
  // The band as the error-rate detector draws it, over buckets of the report's size.
  const band = computeBandSeries(counts, { sourceId, source, level: 'error', spanMs: w.to - w.from, bucketMs: w.bucketMs, end: w.to - 1 }, settings);
  const upper = new Map(band.points.map((p) => [p.t, p]));
  const byT = counts.byBucket({ from: w.from, to: w.to, bucketMs: w.bucketMs, sourceId });
  const out: ReportBucket[] = [];
  for (let t = w.from; t < w.to; t += w.bucketMs) {
    const c = byT.get(t);
    const b = upper.get(t);
    out.push({ t, total: c?.total ?? 0, errors: c?.errors ?? 0, warnings: c?.warnings ?? 0, upper: b?.upper ?? null, anomalous: b?.anomalous ?? false });
  }
  return out;
}

/**
 * The templates of all the anomaly's evidence records in the store (not only of the lines
 * the report shows: a 100,000-record anomaly shows 200), each with its count there.
 */
function templates(db: Database.Database, anomalyId: number, lines: EvidenceLine[], windowFrom: number): ReportTemplate[] {
  const byId = new Map<number, ReportTemplate>();
  const counts = db
    .prepare(
      `SELECT r.template_id AS id, count(*) AS n FROM anomaly_events e JOIN records r ON r.id = e.record_id
       WHERE e.anomaly_id = ? AND e.role = 'evidence' AND r.template_id IS NOT NULL GROUP BY r.template_id`,
    )
    .all(anomalyId) as { id: number; n: number }[];
  const shown = new Map<number, EvidenceLine>();
  for (const l of lines) if (l.role === 'evidence' && l.templateId != null && !shown.has(l.templateId)) shown.set(l.templateId, l);
  for (const c of counts) {
    const l = shown.get(c.id);
    byId.set(c.id, { id: c.id, template: cutLine(l?.template ?? l?.message ?? ''), count: c.n, total: null, firstSeen: null, newInIncident: false });
  }
  const stored = db.prepare('SELECT text, count, first_seen FROM templates WHERE id = ?');
  // The miner's first_seen is when it first saw the template; a replay (`vigil scan`) mines
  // at the wall clock's time, so the oldest record kept with it counts too.
  const firstRecord = db.prepare('SELECT ts FROM records WHERE template_id = ? ORDER BY id LIMIT 1').pluck();
  for (const t of byId.values()) {
    const s = stored.get(t.id) as { text: string; count: number; first_seen: number } | undefined;
    const first = firstRecord.get(t.id) as number | undefined;
    if (s) {
      t.template = cutLine(s.text);
      t.total = s.count;
    }
    const seen = [s?.first_seen, first].filter((x): x is number => typeof x === 'number');
    t.firstSeen = seen.length ? Math.min(...seen) : null;
    t.newInIncident = t.firstSeen !== null && t.firstSeen >= windowFrom;
  }
  return [...byId.values()].sort((a, b) => b.count - a.count || a.id - b.id);
}

export function timeline(a: IncidentReport['anomaly'], notes: NotificationHistoryEntry[]): IncidentReport['timeline'] {
  const out: IncidentReport['timeline'] = [{ ts: a.firstTs, what: 'first evidence record' }];
  out.push({ ts: a.openedAt, what: `opened by ${a.detector}${a.rule ? ` (rule "${a.rule}")` : ''}, ${a.severity}` });
  for (const n of notes) {
    const what = n.kind === 'resolved' ? 'resolution notice' : 'notice';
    // Sent after failures (a receiver that was down, a retry from the dead letters): says so.
    if (n.status === 'sent') out.push({ ts: n.sentAt ?? n.updatedAt, what: `${what} sent to ${n.channel}${n.attempts > 1 ? ` at attempt ${n.attempts}` : ''}` });
    else if (n.status === 'failed') out.push({ ts: n.updatedAt, what: `${what} to ${n.channel} failed after ${n.attempts} attempt(s)${n.error ? `: ${n.error}` : ''}` });
    // Still being retried: how often it failed, and why (it read "queued" after eight failures).
    else if (n.error)
      out.push({ ts: n.updatedAt, what: `${what} to ${n.channel} not delivered yet: ${n.attempts} attempt(s) so far, still retrying (last error: ${n.error})` });
    else out.push({ ts: n.createdAt, what: `${what} to ${n.channel} queued, not sent yet` });
  }
  if (a.lastTs !== a.firstTs) out.push({ ts: a.lastTs, what: `last seen (${a.count} records in all)` });
  if (a.acknowledgedAt) out.push({ ts: a.acknowledgedAt, what: 'acknowledged' });
  if (a.resolvedAt) out.push({ ts: a.resolvedAt, what: a.resolvedBy === 'quiet' ? 'resolved: quiet since its last evidence' : 'resolved by hand' });
  // Stable: at equal times, the order above (cause before effect).
  return out.map((e, i) => ({ e, i })).sort((x, y) => x.e.ts - y.e.ts || x.i - y.i).map((x) => x.e);
}

function describeSource(name: string, cfg: SourceConfig | null): IncidentReport['source'] {
  return cfg ? { name, type: cfg.type, where: sourceTarget(cfg) } : { name, type: null, where: null };
}
