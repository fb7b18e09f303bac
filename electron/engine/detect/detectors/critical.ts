import type { Severity } from '../../../../shared/types.js';
import type { StoredRecord } from '../../pipeline/types.js';
import type { FindingSink } from '../types.js';
import { firstLine } from '../text.js';

// A record its own program calls critical or fatal is a finding by itself: no baseline is
// needed to know that a process died. Repeats of the same template attach to one anomaly.

export function criticalFinding(r: StoredRecord, key: string, t: number, sink: FindingSink): void {
  const severity: Severity = r.level === 'fatal' ? 'critical' : 'high';
  sink.found({
    detector: 'critical',
    key,
    severity,
    category: 'level',
    title: `${levelWord(r)} in ${r.sourceName}: ${firstLine(r.message, 100)}`,
    message: firstLine(r.message, 500),
    ts: t,
    records: [{ id: r.id, ts: r.ts }],
    templateId: r.templateId,
  });
}

/** The program's own word (SEVERE, CRIT, PANIC), or the level's name where its word is a number (pino's 60, syslog's <2>): "60 in api" told the person paged nothing. */
function levelWord(r: StoredRecord): string {
  if (r.levelText && /^[A-Za-z][A-Za-z _-]*$/.test(r.levelText)) return r.levelText;
  return (r.level ?? 'critical').toUpperCase();
}
