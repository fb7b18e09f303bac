import type Database from 'better-sqlite3';
import type { Anomaly } from '../../../shared/types.js';

/** Anomalies not resolved (open or acknowledged) from detection's table (migration 003), newest first: the tray, and what mutes others (notify.inhibit), at start. */
export function readOpenAnomalies(db: Database.Database, limit = 10_000): Anomaly[] {
  try {
    const rows = db
      .prepare(
        `SELECT id, fingerprint, detector, source, severity, category, title, message, state, count,
                first_ts, last_ts, opened_at FROM anomalies WHERE state IN ('open', 'acknowledged') ORDER BY id DESC LIMIT ?`,
      )
      .all(limit) as Record<string, unknown>[];
    return rows.map((r) => ({
      id: r.id as number,
      fingerprint: r.fingerprint as string,
      detector: r.detector as string,
      source: r.source as string,
      severity: r.severity as Anomaly['severity'],
      category: r.category as string,
      title: r.title as string,
      message: r.message as string,
      state: r.state as Anomaly['state'],
      count: r.count as number,
      firstTs: r.first_ts as number,
      lastTs: r.last_ts as number,
      openedAt: r.opened_at as number,
    }));
  } catch {
    return []; // no anomalies table (yet): the tray starts empty
  }
}
