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
    title: `${r.levelText ?? r.level ?? 'Critical'} in ${r.sourceName}: ${firstLine(r.message, 100)}`,
    message: firstLine(r.message, 500),
    ts: t,
    records: [{ id: r.id, ts: r.ts }],
    templateId: r.templateId,
  });
}
