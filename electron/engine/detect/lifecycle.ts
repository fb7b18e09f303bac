import { severityRank, type Anomaly, type AnomalyChange, type Severity } from '../../../shared/types.js';
import type { AnomalyRepo, AnomalyRow } from './anomaly-repo.js';
import { rowToAnomaly } from './anomaly-repo.js';
import type { Settings } from './settings.js';
import { fingerprintOf, type Clear, type Finding } from './types.js';

// The anomaly lifecycle, in the manner of Alertmanager: findings become anomalies.
//  - Dedupe: a finding whose fingerprint (detector + source + template or rule) belongs to
//    an unresolved anomaly attaches to it (count, last seen, evidence); its records are
//    marked duplicates.
//  - Coalescing: a finding with a new fingerprint joins the source's current incident when
//    that incident saw evidence within `gapMs`, began within `maxMs` and has absorbed fewer
//    than `maxEntries` fingerprints: a storm reads as one anomaly, not one per detector.
//    Findings someone named (a user's rule, an upstream alert) keep their own anomaly.
//  - Families: a burst and an error-rate anomaly of the same source are one signal (more
//    errors than usual); while one is unresolved, the other's findings join it.
//  - Resolution: an anomaly resolves itself after a quiet period: resolveAfterMs, stretched
//    to three times its own repeat rhythm (at most maxQuietMs), so an error that recurs
//    every six minutes is not "resolved" after five. A fingerprint that comes back soon after
//    its anomaly resolved brings that gap along as the new anomaly's rhythm. Or the user
//    resolves it.
// Decisions run on each source's stream clock (the latest record time seen, never going
// back), so late or out-of-order records cannot reopen the past; first/last times shown are
// the evidence records' own. User actions are wall clock.

export interface SourceRef {
  id: number;
  name: string;
  settings: Settings;
}

interface Live {
  id: number;
  fingerprint: string;
  fingerprints: string[];
  detector: string;
  sourceId: number;
  source: string;
  severity: Severity;
  state: 'open' | 'acknowledged';
  count: number;
  firstTs: number;
  lastTs: number;
  /** Stream clock when it opened, and at its latest finding: what the lifecycle decides on. */
  openedAt: number;
  lastSeen: number;
  acknowledgedAt: number | null;
  numbers: Record<string, number>;
  details: Record<string, unknown> | null;
  gapMs: number | null;
  groupEntries: number;
  evidenceStored: number;
  lastRecordId: number;
  /** The last 8 evidence record ids (a ring). */
  recentIds: number[];
  recentAt: number;
  settings: Settings;
  title: string;
  message: string;
  /** Pending change for this batch. */
  change: 'opened' | 'repeated' | null;
  dirty: boolean;
}

/** Rules and upstream alerts are named by someone: they dedupe, but never coalesce. */
const NAMED = new Set(['rule', 'alert']);
/** How many of a finding's records (the newest) are looked up for an anomaly holding them. */
const HOLDER_LOOKUP = 200;

/** Fingerprints that tell the same story (see above); null for most. */
export function familyOf(fingerprint: string): string | null {
  if (fingerprint.startsWith('burst/')) return 'errors';
  if (fingerprint.startsWith('error-rate/')) return fingerprint.endsWith('/warn') ? 'warns' : 'errors';
  return null;
}

interface PendingContext {
  anomalyId: number;
  sourceId: number;
  afterId: number;
  remaining: number;
}

export class Lifecycle {
  private readonly byId = new Map<number, Live>();
  private readonly byFingerprint = new Map<string, Live>();
  /** Per source, the anomaly findings may coalesce into. */
  private readonly incident = new Map<number, Live>();
  /** Per source and family (`<sourceId>:<family>`), the unresolved anomaly of that family. */
  private readonly families = new Map<string, Live>();
  private pendingContext: PendingContext[] = [];
  private changes: { kind: AnomalyChange['kind']; id: number }[] = [];
  private resolvedRows = new Map<number, Live & { resolvedAt: number; resolvedBy: 'quiet' | 'user' }>();
  /** Fingerprints whose anomaly resolved by itself lately: when, and its rhythm. */
  private readonly lately = new Map<string, { lastSeen: number; gapMs: number | null }>();
  /** Records attached as repeats in this batch. */
  readonly duplicates: number[] = [];
  /** Evidence rows not written yet, written in bulk: (anomaly, record, ts, detector, duplicate)... */
  private readonly events = new EventBuffer();

  constructor(private readonly repo: AnomalyRepo) {}

  /** Rebuilds the live set from the database (start, or after a rolled-back batch). */
  load(settingsFor: (sourceId: number | null, source: string) => Settings): void {
    this.byId.clear();
    this.byFingerprint.clear();
    this.incident.clear();
    this.families.clear();
    this.pendingContext = [];
    this.changes = [];
    this.resolvedRows.clear();
    this.duplicates.length = 0;
    this.events.clear();
    for (const r of this.repo.live()) {
      const a = this.fromRow(r, settingsFor(r.source_id, r.source));
      this.byId.set(a.id, a);
      for (const fp of a.fingerprints) this.index(a, fp);
      const cur = this.incident.get(a.sourceId);
      if (!NAMED.has(a.detector) && (!cur || cur.lastTs <= a.lastTs)) this.incident.set(a.sourceId, a);
    }
  }

  private fromRow(r: AnomalyRow, settings: Settings): Live {
    return {
      id: r.id,
      fingerprint: r.fingerprint,
      fingerprints: JSON.parse(r.fingerprints) as string[],
      detector: r.detector,
      sourceId: r.source_id ?? -1,
      source: r.source,
      severity: r.severity,
      state: r.state === 'acknowledged' ? 'acknowledged' : 'open',
      count: r.count,
      firstTs: r.first_ts,
      lastTs: r.last_ts,
      openedAt: r.opened_at,
      lastSeen: Math.max(r.last_ts, r.opened_at),
      acknowledgedAt: r.acknowledged_at,
      numbers: r.numbers ? (JSON.parse(r.numbers) as Record<string, number>) : {},
      details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
      gapMs: r.gap_ms,
      groupEntries: r.group_entries,
      evidenceStored: this.repo.evidenceCount(r.id),
      lastRecordId: this.repo.lastEvidenceId(r.id),
      recentIds: [],
      recentAt: 0,
      settings,
      title: r.title,
      message: r.message,
      change: null,
      dirty: false,
    };
  }

  settingsChanged(settingsFor: (sourceId: number) => Settings): void {
    for (const a of this.byId.values()) a.settings = settingsFor(a.sourceId);
  }

  quietMs(a: { gapMs: number | null; settings: Settings }): number {
    const s = a.settings;
    const rhythm = a.gapMs === null ? 0 : 3 * a.gapMs;
    return Math.min(Math.max(s.resolveAfterMs, rhythm), Math.max(s.maxQuietMs, s.resolveAfterMs));
  }

  apply(f: Finding, src: SourceRef): void {
    const fp = fingerprintOf(f.detector, src.name, f.key);
    let a = this.byFingerprint.get(fp);
    if (a && f.ts - a.lastSeen > this.quietMs(a)) {
      this.resolve(a, a.lastSeen + this.quietMs(a), 'quiet');
      a = undefined;
    }
    if (a) {
      // A rate finding's records are a bucket's errors, whatever problem they belong to: the
      // KeyErrors after an outage kept the outage's anomaly (its rate fingerprint) open 12
      // minutes. Records held by another anomaly go to that one.
      const other = f.detector === 'error-rate' ? this.holderOf(f, src.id, a) : undefined;
      this.attach(other && other !== a ? other : a, f, !other || other === a);
      return;
    }
    if (f.repeatOnly) return;
    // Records already evidence of one of the source's anomalies: the same problem, seen by
    // another detector ("Error rate rising" two minutes after "KeyError in billing", over the
    // KeyError's own records). One anomaly, not two. The fingerprint is listed, not bound:
    // the source's next error-rate finding, over an outage's records, is another problem
    // (bound, a DB outage went into the KeyError and never paged). (A silence's record is
    // the last one before it, not what it is about.)
    const holder = NAMED.has(f.detector) || f.detector === 'silence' ? undefined : this.holderOf(f, src.id);
    if (holder) {
      if (!holder.fingerprints.includes(fp)) {
        holder.fingerprints.push(fp);
        holder.dirty = true;
      }
      this.attach(holder, f, false);
      return;
    }
    const fam = familyOf(fp);
    const kin = fam === null ? undefined : this.families.get(`${src.id}:${fam}`);
    if (kin && this.byId.has(kin.id) && f.ts - kin.lastSeen <= this.quietMs(kin)) {
      kin.fingerprints.push(fp);
      this.index(kin, fp);
      this.attach(kin, f, false);
      return;
    }
    const c = src.settings.coalesce;
    const inc = this.incident.get(src.id);
    if (
      c.enabled && inc && this.byId.has(inc.id) && !NAMED.has(f.detector) &&
      f.ts - inc.lastSeen <= c.gapMs && f.ts - inc.openedAt <= c.maxMs && inc.groupEntries < c.maxEntries &&
      f.ts - inc.lastSeen <= this.quietMs(inc)
    ) {
      inc.fingerprints.push(fp);
      inc.groupEntries++;
      this.index(inc, fp);
      this.attach(inc, f, false);
      return;
    }
    this.open(fp, f, src);
  }

  /** The live anomaly of this source (not a rule's or an alert's) that holds at least half of the finding's records; `prefer` when it does. */
  private holderOf(f: Finding, sourceId: number, prefer?: Live): Live | undefined {
    if (!f.records.length) return undefined;
    this.flushEvents();
    const ids = f.records.slice(-HOLDER_LOOKUP).map((r) => r.id);
    let found: Live | undefined;
    for (const { anomaly_id, n } of this.repo.holding(ids)) {
      const a = this.byId.get(anomaly_id);
      if (!a || a.sourceId !== sourceId || NAMED.has(a.detector) || 2 * n < ids.length) continue;
      if (a === prefer) return a;
      found ??= a;
    }
    return found;
  }

  private index(a: Live, fp: string): void {
    this.byFingerprint.set(fp, a);
    const fam = familyOf(fp);
    if (fam !== null) this.families.set(`${a.sourceId}:${fam}`, a);
  }

  /** Silence ended (or any clearing condition): resolve its anomaly now. */
  clear(c: Clear, src: SourceRef): void {
    const a = this.byFingerprint.get(fingerprintOf(c.detector, src.name, c.key));
    if (a) this.resolve(a, Math.max(c.ts, a.lastSeen), 'quiet');
  }

  /** Resolves a source's anomalies that have been quiet long enough by stream time `now`. */
  sweep(sourceId: number, now: number, gone = false): void {
    for (const a of [...this.byId.values()]) {
      // A silence is over when the source writes again (clear()), not when it has been quiet:
      // its quiet is the silence itself ("resolved" went out with the source still down).
      // Unless the source is gone from the config: it will not write again.
      if (a.sourceId === sourceId && (a.detector !== 'silence' || gone) && now - a.lastSeen > this.quietMs(a)) this.resolve(a, a.lastSeen + this.quietMs(a), 'quiet');
    }
  }

  /** The sources with unresolved anomalies: id -> name. */
  liveSources(): Map<number, string> {
    return new Map([...this.byId.values()].map((a) => [a.sourceId, a.source]));
  }

  private open(fp: string, f: Finding, src: SourceRef): void {
    const ts = f.records.length ? Math.min(...f.records.map((r) => r.ts)) : f.ts;
    const now = Date.now();
    const details = f.details === undefined ? null : { [f.detector]: f.details };
    // Back soon after going quiet: the gap is this problem's rhythm.
    const prev = this.lately.get(fp);
    let gapMs: number | null = null;
    if (prev && f.ts - prev.lastSeen <= src.settings.maxQuietMs) {
      const gap = f.ts - prev.lastSeen;
      gapMs = prev.gapMs === null ? gap : 0.7 * prev.gapMs + 0.3 * gap;
    }
    this.lately.delete(fp);
    const id = this.repo.insert({
      fingerprint: fp,
      fingerprints: JSON.stringify([fp]),
      detector: f.detector,
      source_id: src.id,
      source: src.name,
      severity: f.severity,
      category: f.category,
      title: f.title,
      message: f.message,
      state: 'open',
      count: 0,
      first_ts: ts,
      last_ts: ts,
      opened_at: f.ts,
      template_id: f.templateId ?? null,
      rule: f.rule ?? null,
      numbers: f.numbers ? JSON.stringify(f.numbers) : null,
      details: details ? JSON.stringify(details) : null,
      gap_ms: gapMs,
      group_entries: 1,
      updated_at: now,
    });
    const a: Live = {
      id,
      fingerprint: fp,
      fingerprints: [fp],
      detector: f.detector,
      sourceId: src.id,
      source: src.name,
      severity: f.severity,
      state: 'open',
      count: 0,
      firstTs: ts,
      lastTs: ts,
      openedAt: f.ts,
      lastSeen: f.ts,
      acknowledgedAt: null,
      numbers: { ...f.numbers },
      details,
      gapMs,
      groupEntries: 1,
      evidenceStored: 0,
      lastRecordId: 0,
      recentIds: [],
      recentAt: 0,
      settings: src.settings,
      title: f.title,
      message: f.message,
      change: 'opened',
      dirty: true,
    };
    this.byId.set(id, a);
    this.index(a, fp);
    if (!NAMED.has(f.detector)) this.incident.set(src.id, a);
    this.changes.push({ kind: 'opened', id });
    const first = f.records[0];
    const k = src.settings.contextLines;
    if (first && k > 0) {
      for (const r of this.repo.recordsBefore(src.id, first.id, k)) this.repo.addEvent(id, 'context', r.id, r.ts, null, false);
      this.pendingContext.push({ anomalyId: id, sourceId: src.id, afterId: f.records[f.records.length - 1]!.id, remaining: k });
    }
    this.attach(a, f, false);
  }

  private attach(a: Live, f: Finding, repeat: boolean): void {
    const max = a.settings.maxEvidence;
    const prevSeen = a.lastSeen;
    let added = 0;
    for (const r of f.records) {
      // Record ids only grow within a source: a record past the last one is new evidence;
      // an older one (a burst's window, a rate bucket) is looked up.
      if (r.id <= a.lastRecordId) {
        // Most often the record a moment ago (two detectors, one record): no query for it.
        if (a.recentIds.includes(r.id)) continue;
        this.flushEvents();
        if (this.repo.hasEvent(a.id, r.id)) continue;
      }
      a.recentIds[a.recentAt++ & 7] = r.id;
      if (a.evidenceStored < max) {
        this.events.push(a.id, r.id, r.ts, f.detector, repeat);
        a.evidenceStored++;
      }
      added++;
      if (r.id > a.lastRecordId) a.lastRecordId = r.id;
      if (r.ts < a.firstTs) a.firstTs = r.ts;
      if (r.ts > a.lastTs) a.lastTs = r.ts;
      if (repeat) this.duplicates.push(r.id);
    }
    if (f.records.length === 0) {
      added = 1;
      if (f.ts > a.lastTs) a.lastTs = f.ts;
    }
    // A burst that grows says its peak: "8 records ... within 10 s" stayed the message of an
    // outage running at 140 errors per 10 s (its numbers and message are the window's at the
    // peak). Its records are mostly attached already, by the rate and surge findings.
    const peak = f.detector === 'burst' && a.detector === 'burst' && f.title === a.title && typeof f.numbers?.count === 'number';
    if (peak && f.numbers!.count! > (typeof a.numbers.count === 'number' ? a.numbers.count : 0)) {
      Object.assign(a.numbers, f.numbers);
      a.message = f.message;
      a.dirty = true;
    }
    if (added === 0) return;
    a.count += added;
    if (f.ts > a.lastSeen) a.lastSeen = f.ts;
    // The rhythm is of occurrences, not of the lines of one: a retry loop's three traces
    // within a second, every 6 minutes, brought it down to 300 ms, and each cluster paged
    // anew after 5 quiet minutes. Gaps shorter than coalescing's are one occurrence.
    if (repeat && a.lastSeen - prevSeen > a.settings.coalesce.gapMs) {
      const gap = a.lastSeen - prevSeen;
      a.gapMs = a.gapMs === null ? gap : 0.7 * a.gapMs + 0.3 * gap;
    }
    if (f.numbers && !peak) {
      const prefix = f.detector === a.detector ? '' : `${f.detector}.`;
      for (const [k, v] of Object.entries(f.numbers)) a.numbers[prefix + k] = v;
    }
    if (f.details !== undefined) a.details = { ...(a.details ?? {}), [f.detector]: f.details };
    if (severityRank(f.severity) > severityRank(a.severity) && !f.repeatOnly) {
      // The most severe finding names the incident.
      a.severity = f.severity;
      a.title = f.title;
      a.message = f.message;
    }
    a.dirty = true;
    if (a.change === null) {
      a.change = 'repeated';
      this.changes.push({ kind: 'repeated', id: a.id });
    }
  }

  private resolve(a: Live, at: number, by: 'quiet' | 'user'): void {
    this.byId.delete(a.id);
    for (const fp of a.fingerprints) {
      if (this.byFingerprint.get(fp) === a) this.byFingerprint.delete(fp);
      const fam = familyOf(fp);
      if (fam !== null && this.families.get(`${a.sourceId}:${fam}`) === a) this.families.delete(`${a.sourceId}:${fam}`);
    }
    if (this.incident.get(a.sourceId) === a) this.incident.delete(a.sourceId);
    this.resolvedRows.set(a.id, { ...a, resolvedAt: at, resolvedBy: by });
    if (by === 'quiet') {
      for (const fp of a.fingerprints) this.lately.set(fp, { lastSeen: a.lastSeen, gapMs: a.gapMs });
      if (this.lately.size > 10_000) this.lately.delete(this.lately.keys().next().value!);
    }
    this.changes.push({ kind: 'resolved', id: a.id });
  }

  /** User action: acknowledge. Returns false when the anomaly is not open. */
  acknowledge(id: number, now: number): boolean {
    const a = this.byId.get(id);
    if (!a || a.state !== 'open') return false;
    a.state = 'acknowledged';
    a.acknowledgedAt = now;
    a.dirty = true;
    this.changes.push({ kind: 'acknowledged', id });
    return true;
  }

  /** User action: resolve. Returns false when the anomaly is not live. */
  resolveByUser(id: number, now: number): boolean {
    const a = this.byId.get(id);
    if (!a) return false;
    this.resolve(a, now, 'user');
    return true;
  }

  private flushEvents(): void {
    this.events.drain((rows) => this.repo.addEvidence(rows));
  }

  /**
   * Writes what changed since the last flush and returns the changes, in order, each with
   * the anomaly as it now stands. Also completes context lines after new anomalies.
   */
  flush(now: number, snoozedUntil: (a: Anomaly) => number | null): AnomalyChange[] {
    this.flushEvents();
    if (this.pendingContext.length) {
      this.pendingContext = this.pendingContext.filter((p) => {
        const rows = this.repo.recordsAfter(p.sourceId, p.afterId, p.remaining);
        for (const r of rows) this.repo.addEvent(p.anomalyId, 'context', r.id, r.ts, null, false);
        p.remaining -= rows.length;
        if (rows.length) p.afterId = rows[rows.length - 1]!.id;
        return p.remaining > 0 && (this.byId.has(p.anomalyId) || rows.length > 0);
      });
    }
    this.repo.markDuplicates(this.duplicates);
    this.duplicates.length = 0;
    for (const a of this.byId.values()) if (a.dirty) this.write(a, null, null, now);
    for (const a of this.resolvedRows.values()) this.write(a, a.resolvedAt, a.resolvedBy, now);
    const out: AnomalyChange[] = [];
    const seen = new Set<string>();
    for (const c of this.changes) {
      const key = `${c.kind}:${c.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const row = this.repo.get(c.id);
      if (!row) continue;
      const anomaly = rowToAnomaly(row);
      anomaly.snoozedUntil = snoozedUntil(anomaly);
      out.push({ kind: c.kind, anomaly });
    }
    for (const a of this.byId.values()) a.change = null;
    this.changes = [];
    this.resolvedRows.clear();
    return out;
  }

  private write(a: Live, resolvedAt: number | null, resolvedBy: 'quiet' | 'user' | null, now: number): void {
    this.repo.update({
      id: a.id,
      fingerprints: JSON.stringify(a.fingerprints),
      severity: a.severity,
      state: resolvedAt !== null ? 'resolved' : a.state,
      count: a.count,
      first_ts: a.firstTs,
      last_ts: a.lastTs,
      acknowledged_at: a.acknowledgedAt,
      resolved_at: resolvedAt,
      resolved_by: resolvedBy,
      numbers: JSON.stringify(a.numbers),
      details: a.details ? JSON.stringify(a.details) : null,
      gap_ms: a.gapMs,
      group_entries: a.groupEntries,
      updated_at: now,
      title: a.title,
      message: a.message,
    });
    a.dirty = false;
  }
}

/** Evidence rows waiting to be written, flat: five values a row. */
class EventBuffer {
  private values: (number | string | null)[] = [];

  push(anomalyId: number, recordId: number, ts: number, detector: string, duplicate: boolean): void {
    this.values.push(anomalyId, recordId, ts, detector, duplicate ? 1 : 0);
  }

  drain(write: (values: (number | string | null)[]) => void): void {
    if (!this.values.length) return;
    const v = this.values;
    this.values = [];
    write(v);
  }

  clear(): void {
    this.values = [];
  }
}
