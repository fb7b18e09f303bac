import type Database from 'better-sqlite3';
import type { Anomaly, AnomalyState, EvidenceLine, Severity, Snooze, SnoozeScope } from '../../../shared/types.js';
import { RECORD_FLAGS, SEVERITIES, severityRank } from '../../../shared/types.js';
import { toLogEvent } from '../store/store.js';
import { forView } from '../store/view-budget.js';
import type { SourceDetectionState } from './source-detection.js';
import { BOOK_ENTRIES, type TemplateRow, type TemplateStats } from './template-book.js';

// Every SQL statement detection runs (migration 003). Writes happen on the engine's one
// writer connection, inside the records' transaction (the stage) or their own (user actions,
// the timer).

/** Rows per bulk statement. */
const CHUNK = 100;

export interface AnomalyRow {
  id: number;
  fingerprint: string;
  fingerprints: string;
  detector: string;
  source_id: number | null;
  source: string;
  severity: Severity;
  category: string;
  title: string;
  message: string;
  state: AnomalyState;
  count: number;
  first_ts: number;
  last_ts: number;
  opened_at: number;
  acknowledged_at: number | null;
  resolved_at: number | null;
  resolved_by: 'quiet' | 'user' | null;
  template_id: number | null;
  rule: string | null;
  numbers: string | null;
  details: string | null;
  gap_ms: number | null;
  group_entries: number;
  updated_at: number;
}

export interface ListFilter {
  state: 'open' | 'acknowledged' | 'resolved' | 'active' | 'all';
  source?: string | undefined;
  severity?: Severity | undefined;
  detector?: string | undefined;
  limit: number;
  beforeId?: number | undefined;
}

export class AnomalyRepo {
  private readonly s: Record<string, Database.Statement>;

  constructor(readonly db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      insert: p(`INSERT INTO anomalies (fingerprint, fingerprints, detector, source_id, source, severity, category, title, message, state,
                   count, first_ts, last_ts, opened_at, template_id, rule, numbers, details, gap_ms, group_entries, updated_at)
                 VALUES (@fingerprint, @fingerprints, @detector, @source_id, @source, @severity, @category, @title, @message, @state,
                   @count, @first_ts, @last_ts, @opened_at, @template_id, @rule, @numbers, @details, @gap_ms, @group_entries, @updated_at)`),
      update: p(`UPDATE anomalies SET fingerprints = @fingerprints, severity = @severity, state = @state, count = @count,
                   first_ts = @first_ts, last_ts = @last_ts, acknowledged_at = @acknowledged_at, resolved_at = @resolved_at,
                   resolved_by = @resolved_by, numbers = @numbers, details = @details, gap_ms = @gap_ms,
                   group_entries = @group_entries, title = @title, message = @message, updated_at = @updated_at WHERE id = @id`),
      event: p(`INSERT OR IGNORE INTO anomaly_events (anomaly_id, role, record_id, ts, detector, is_duplicate) VALUES (?, ?, ?, ?, ?, ?)`),
      markDuplicate: p(`UPDATE records SET flags = flags | ${RECORD_FLAGS.duplicate} WHERE id = ?`),
      markDuplicates: p(`UPDATE records SET flags = flags | ${RECORD_FLAGS.duplicate} WHERE id IN (${Array(CHUNK).fill('?').join(', ')})`),
      evidence: p(`INSERT OR IGNORE INTO anomaly_events (anomaly_id, role, record_id, ts, detector, is_duplicate) VALUES (?, 'evidence', ?, ?, ?, ?)`),
      evidenceMany: p(
        `INSERT OR IGNORE INTO anomaly_events (anomaly_id, role, record_id, ts, detector, is_duplicate) VALUES ${Array(CHUNK).fill("(?, 'evidence', ?, ?, ?, ?)").join(', ')}`,
      ),
      hasEvent: p(`SELECT 1 FROM anomaly_events WHERE anomaly_id = ? AND role = 'evidence' AND record_id = ?`),
      holding: p(`SELECT anomaly_id, count(*) AS n FROM anomaly_events WHERE role = 'evidence' AND record_id IN (SELECT value FROM json_each(?)) GROUP BY anomaly_id`),
      lastEvidence: p(`SELECT max(record_id) FROM anomaly_events WHERE anomaly_id = ? AND role = 'evidence'`),
      live: p(`SELECT * FROM anomalies WHERE state IN ('open', 'acknowledged') ORDER BY id`),
      get: p(`SELECT * FROM anomalies WHERE id = ?`),
      before: p(`SELECT id, ts FROM records WHERE source_id = ? AND id < ? ORDER BY id DESC LIMIT ?`),
      after: p(`SELECT id, ts FROM records WHERE source_id = ? AND id > ? ORDER BY id LIMIT ?`),
      evidenceCount: p(`SELECT count(*) FROM anomaly_events WHERE anomaly_id = ? AND role = 'evidence'`),
      stateUpsert: p(`INSERT INTO detector_state (source_id, state, updated_at) VALUES (?, ?, ?)
                      ON CONFLICT(source_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`),
      stateGet: p(`SELECT state FROM detector_state WHERE source_id = ?`),
      stateSavedAt: p(`SELECT updated_at FROM detector_state WHERE source_id = ?`),
      templatesGet: p(`SELECT template_key, first_ts, last_ts, count, max_level, baseline FROM detector_templates WHERE source_id = ? ORDER BY last_ts DESC LIMIT ?`),
      templateGet: p(`SELECT template_key, first_ts, last_ts, count, max_level, baseline FROM detector_templates WHERE source_id = ? AND template_key = ?`),
      templateUpsert: p(`INSERT INTO detector_templates (source_id, template_key, first_ts, last_ts, count, max_level, baseline)
                         VALUES (?, ?, ?, ?, ?, ?, ?)
                         ON CONFLICT(source_id, template_key) DO UPDATE SET last_ts = excluded.last_ts, count = excluded.count,
                           max_level = excluded.max_level, baseline = excluded.baseline`),
      snoozeInsert: p(`INSERT INTO anomaly_snoozes (scope, value, until, created_at, note) VALUES (?, ?, ?, ?, ?)`),
      snoozeDelete: p(`DELETE FROM anomaly_snoozes WHERE id = ?`),
      snoozesActive: p(`SELECT * FROM anomaly_snoozes WHERE until > ? ORDER BY id`),
      snoozeGet: p(`SELECT * FROM anomaly_snoozes WHERE id = ?`),
    };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  insert(row: Omit<AnomalyRow, 'id' | 'acknowledged_at' | 'resolved_at' | 'resolved_by'>): number {
    return Number(this.s.insert!.run(row).lastInsertRowid);
  }

  update(
    row: Pick<
      AnomalyRow,
      'id' | 'fingerprints' | 'severity' | 'state' | 'count' | 'first_ts' | 'last_ts' | 'acknowledged_at' | 'resolved_at' | 'resolved_by' | 'numbers' | 'details' | 'gap_ms' | 'group_entries' | 'title' | 'message' | 'updated_at'
    >,
  ): void {
    this.s.update!.run(row);
  }

  /** Adds a record to an anomaly; false when it was there already. */
  addEvent(anomalyId: number, role: 'evidence' | 'context', recordId: number, ts: number, detector: string | null, duplicate: boolean): boolean {
    return this.s.event!.run(anomalyId, role, recordId, ts, detector, duplicate ? 1 : 0).changes > 0;
  }

  /** Flags records as duplicates (attached to an already open anomaly), in bulk. */
  markDuplicates(ids: readonly number[]): void {
    let i = 0;
    for (; i + CHUNK <= ids.length; i += CHUNK) this.s.markDuplicates!.run(ids.slice(i, i + CHUNK));
    for (; i < ids.length; i++) this.s.markDuplicate!.run(ids[i]);
  }

  /** Evidence rows, five values each (anomaly, record, ts, detector, duplicate), in bulk. */
  addEvidence(values: readonly (number | string | null)[]): void {
    const w = 5;
    let i = 0;
    for (; i + CHUNK * w <= values.length; i += CHUNK * w) this.s.evidenceMany!.run(values.slice(i, i + CHUNK * w));
    for (; i < values.length; i += w) this.s.evidence!.run(values.slice(i, i + w));
  }

  hasEvent(anomalyId: number, recordId: number): boolean {
    return this.s.hasEvent!.get(anomalyId, recordId) !== undefined;
  }

  /** The anomalies that hold any of these records as evidence, with how many of them each holds. */
  holding(recordIds: number[]): { anomaly_id: number; n: number }[] {
    return this.s.holding!.all(JSON.stringify(recordIds)) as { anomaly_id: number; n: number }[];
  }

  lastEvidenceId(anomalyId: number): number {
    return (this.s.lastEvidence!.pluck().get(anomalyId) as number | null) ?? 0;
  }

  live(): AnomalyRow[] {
    return this.s.live!.all() as AnomalyRow[];
  }

  get(id: number): AnomalyRow | undefined {
    return this.s.get!.get(id) as AnomalyRow | undefined;
  }

  recordsBefore(sourceId: number, id: number, n: number): { id: number; ts: number }[] {
    return (this.s.before!.all(sourceId, id, n) as { id: number; ts: number }[]).reverse();
  }

  recordsAfter(sourceId: number, id: number, n: number): { id: number; ts: number }[] {
    return this.s.after!.all(sourceId, id, n) as { id: number; ts: number }[];
  }

  evidenceCount(id: number): number {
    return this.s.evidenceCount!.pluck().get(id) as number;
  }

  list(f: ListFilter): AnomalyRow[] {
    const where: string[] = [];
    const args: Record<string, unknown> = { limit: f.limit };
    if (f.state === 'active') where.push(`state IN ('open', 'acknowledged')`);
    else if (f.state !== 'all') {
      where.push('state = @state');
      args.state = f.state;
    }
    if (f.source) {
      where.push('source = @source');
      args.source = f.source;
    }
    if (f.detector) {
      where.push('(detector = @detector OR fingerprints LIKE @detectorLike)');
      args.detector = f.detector;
      args.detectorLike = `%"${f.detector}/%`;
    }
    if (f.severity) {
      const allowed = SEVERITIES.filter((s) => severityRank(s) >= severityRank(f.severity!));
      where.push(`severity IN (${allowed.map((s) => `'${s}'`).join(', ')})`);
    }
    if (f.beforeId) {
      where.push('id < @beforeId');
      args.beforeId = f.beforeId;
    }
    return this.db
      .prepare(`SELECT * FROM anomalies ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`)
      .all(args) as AnomalyRow[];
  }

  /** Evidence (newest `maxEvidence`) and context of an anomaly, as lines, oldest first; with only the newest evidence, the context after the oldest shown. */
  lines(anomalyId: number, maxEvidence: number): EvidenceLine[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM (
           SELECT e.role, e.is_duplicate, e.detector AS found_by, ev.* FROM anomaly_events e JOIN events ev ON ev.id = e.record_id
           WHERE e.anomaly_id = @id AND e.role = 'evidence' ORDER BY e.record_id DESC LIMIT @max)
         UNION ALL
         SELECT e.role, e.is_duplicate, e.detector AS found_by, ev.* FROM anomaly_events e JOIN events ev ON ev.id = e.record_id
         WHERE e.anomaly_id = @id AND e.role = 'context'
           AND NOT EXISTS (SELECT 1 FROM anomaly_events x WHERE x.anomaly_id = @id AND x.role = 'evidence' AND x.record_id = e.record_id)
         ORDER BY id`,
      )
      .all({ id: anomalyId, max: maxEvidence }) as Record<string, unknown>[];
    // Only the newest evidence shown: the context of the first (older than all shown) read as
    // the lines just before the newest, 92 minutes later in the case that showed it.
    let oldestShown = -Infinity;
    if (this.evidenceCount(anomalyId) > maxEvidence) {
      oldestShown = Infinity;
      for (const r of rows) if (r.role === 'evidence' && (r.id as number) < oldestShown) oldestShown = r.id as number;
    }
    return rows.filter((r) => r.role === 'evidence' || (r.id as number) > oldestShown).map((r) => ({
      ...forView(toLogEvent(r)),
      role: r.role as 'evidence' | 'context',
      duplicate: r.is_duplicate === 1,
      foundBy: (r.found_by as string | null) ?? null,
    }));
  }

  /** Line numbers (first..last line of each record) of an anomaly's evidence, for `vigil scan`. */
  evidenceLines(anomalyId: number): { line_no: number | null; line_end: number | null; path: string | null }[] {
    return this.db
      .prepare(
        `SELECT r.line_no, r.line_end, f.path FROM anomaly_events e JOIN records r ON r.id = e.record_id LEFT JOIN files f ON f.id = r.file_id
         WHERE e.anomaly_id = ? AND e.role = 'evidence' ORDER BY r.id`,
      )
      .all(anomalyId) as { line_no: number | null; line_end: number | null; path: string | null }[];
  }

  // ---- detector state ------------------------------------------------------------------

  saveState(sourceId: number, state: SourceDetectionState, now: number): void {
    this.s.stateUpsert!.run(sourceId, JSON.stringify(state, (_k, v) => (v === Number.NEGATIVE_INFINITY ? null : v)), now);
  }

  /** When a source's detector state was last saved (wall time), or null. */
  stateSavedAt(sourceId: number): number | null {
    return (this.s.stateSavedAt!.pluck().get(sourceId) as number | undefined) ?? null;
  }

  loadState(sourceId: number): SourceDetectionState | undefined {
    const text = this.s.stateGet!.pluck().get(sourceId) as string | undefined;
    if (!text) return undefined;
    const st = JSON.parse(text) as SourceDetectionState;
    if (st.clock === null) st.clock = Number.NEGATIVE_INFINITY;
    return st;
  }

  /** A source's most recently seen templates (a book keeps BOOK_ENTRIES in memory). */
  loadTemplates(sourceId: number, limit = BOOK_ENTRIES): TemplateRow[] {
    return this.s.templatesGet!.all(sourceId, limit) as TemplateRow[];
  }

  loadTemplate(sourceId: number, key: string): TemplateRow | undefined {
    return this.s.templateGet!.get(sourceId, key) as TemplateRow | undefined;
  }

  saveTemplate(sourceId: number, key: string, t: TemplateStats): void {
    this.s.templateUpsert!.run(sourceId, key, t.firstTs, t.lastTs, t.count, t.maxLevel, t.surge ? JSON.stringify(t.surge) : null);
  }

  // ---- snoozes -------------------------------------------------------------------------

  addSnooze(scope: SnoozeScope, value: string, until: number, now: number, note: string | null): Snooze {
    const id = Number(this.s.snoozeInsert!.run(scope, value, until, now, note).lastInsertRowid);
    return { id, scope, value, until, createdAt: now, note };
  }

  removeSnooze(id: number): boolean {
    return this.s.snoozeDelete!.run(id).changes > 0;
  }

  activeSnoozes(now: number): Snooze[] {
    return (this.s.snoozesActive!.all(now) as { id: number; scope: SnoozeScope; value: string; until: number; created_at: number; note: string | null }[]).map(
      (r) => ({ id: r.id, scope: r.scope, value: r.value, until: r.until, createdAt: r.created_at, note: r.note }),
    );
  }
}

export function rowToAnomaly(r: AnomalyRow, snoozedUntil: number | null = null): Anomaly {
  return {
    id: r.id,
    fingerprint: r.fingerprint,
    fingerprints: JSON.parse(r.fingerprints) as string[],
    detector: r.detector,
    source: r.source,
    severity: r.severity,
    category: r.category,
    title: r.title,
    message: r.message,
    state: r.state,
    count: r.count,
    firstTs: r.first_ts,
    lastTs: r.last_ts,
    openedAt: r.opened_at,
    acknowledgedAt: r.acknowledged_at,
    resolvedAt: r.resolved_at,
    resolvedBy: r.resolved_by,
    templateId: r.template_id,
    rule: r.rule,
    numbers: r.numbers ? (JSON.parse(r.numbers) as Record<string, number>) : {},
    details: r.details ? (JSON.parse(r.details) as unknown) : null,
    snoozedUntil,
  };
}
