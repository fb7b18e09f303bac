import type Database from 'better-sqlite3';
import type { Anomaly } from '../../../shared/types.js';

/** Open anomalies from detection's table (migration 003), newest first, for the tray at start. */
export function readOpenAnomalies(db: Database.Database, limit = 1000): Anomaly[] {
  try {
    const rows = db
      .prepare(
        `SELECT id, fingerprint, detector, source, severity, category, title, message, state, count,
                first_ts, last_ts, opened_at FROM anomalies WHERE state = 'open' ORDER BY id DESC LIMIT ?`,
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
      state: 'open',
      count: r.count as number,
      firstTs: r.first_ts as number,
      lastTs: r.last_ts as number,
      openedAt: r.opened_at as number,
    }));
  } catch {
    return []; // no anomalies table (yet): the tray starts empty
  }
}
