import type Database from 'better-sqlite3';
import type { Anomaly } from '../../../shared/types.js';
import { clean, truncate } from './truncate.js';
import type { EvidenceReader } from './types.js';

const MAX_LINES = 10;
const MAX_LINE = 2000;

/**
 * Evidence lines for an anomaly, newest last: the lines detection linked to it (table
 * anomaly_events with anomaly_id + record_id, when present), else `details.evidence` /
 * `details.lines`, else the anomaly's message. Read once, when the anomaly is added to a
 * message, and stored with it: a retry sends the same text.
 */
export function storeEvidenceReader(db: Database.Database): EvidenceReader {
  let query: Database.Statement | null | undefined;
  const linked = (id: number): string[] => {
    if (query === undefined) {
      const cols = (db.prepare("SELECT name FROM pragma_table_info('anomaly_events')").pluck().all() as string[]) ?? [];
      // Only the evidence itself, not the context lines detection keeps around it.
      const role = cols.includes('role') ? "AND e.role = 'evidence'" : '';
      query =
        cols.includes('anomaly_id') && cols.includes('record_id')
          ? db.prepare(
              `SELECT r.raw FROM anomaly_events e JOIN records r ON r.id = e.record_id
               WHERE e.anomaly_id = ? ${role} ORDER BY r.id DESC LIMIT ${MAX_LINES}`,
            )
          : null;
    }
    return query ? (query.pluck().all(id) as string[]).reverse() : [];
  };
  return (a: Anomaly) => {
    let lines: string[] = [];
    try {
      lines = linked(a.id);
    } catch {
      lines = [];
    }
    if (!lines.length) lines = fromDetails(a);
    if (!lines.length && a.message) lines = [a.message];
    return lines.slice(-MAX_LINES).map((l) => truncate(clean(l), MAX_LINE));
  };
}

function fromDetails(a: Anomaly): string[] {
  const v = detail(a, 'evidence') ?? detail(a, 'lines');
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * A value an anomaly's details carry under `key` (an alert line's `details.logType`, its
 * `evidence`): detection keeps each detector's details under the detector's name
 * (`{ alert: { logType } }`), so it is looked for there too, the top level first.
 */
export function detail(a: Anomaly, key: string): unknown {
  const d = a.details;
  if (!d || typeof d !== 'object' || Array.isArray(d)) return undefined;
  const top = (d as Record<string, unknown>)[key];
  if (top !== undefined) return top;
  for (const sub of Object.values(d as Record<string, unknown>)) {
    if (sub && typeof sub === 'object' && !Array.isArray(sub) && (sub as Record<string, unknown>)[key] !== undefined) return (sub as Record<string, unknown>)[key];
  }
  return undefined;
}
