import type { StoredRecord } from '../../pipeline/types.js';
import type { FindingSink } from '../types.js';
import { firstLine } from '../text.js';

// A message shape this source never wrote before, at warn or above (configurable), once the
// source's learning period is over: a new exception type, a new failure path.

export function newTemplateFinding(r: StoredRecord, key: string, t: number, sink: FindingSink): void {
  sink.found({
    detector: 'new-template',
    key,
    severity: severityOf(r),
    category: 'novelty',
    title: `New ${r.level ?? 'message'} in ${r.sourceName}: ${firstLine(r.message, 100)}`,
    message: r.template ? `first time this source writes: ${firstLine(r.template, 400)}` : `first time this source writes: ${firstLine(r.message, 400)}`,
    ts: t,
    records: [{ id: r.id, ts: r.ts }],
    templateId: r.templateId,
  });
}

/**
 * The same message again: while the anomaly its first time opened is unresolved, it adds
 * to it. An error that recurs every few seconds is still happening, not "resolved" once
 * the quiet period after its first line is over.
 */
export function newTemplateRepeat(r: StoredRecord, key: string, t: number, sink: FindingSink): void {
  sink.found({
    detector: 'new-template', key, severity: severityOf(r), category: 'novelty', title: '', message: '', ts: t,
    records: [{ id: r.id, ts: r.ts }], templateId: r.templateId, repeatOnly: true,
  });
}

function severityOf(r: StoredRecord) {
  return r.levelRank >= 6 ? 'high' : r.levelRank === 5 ? 'medium' : 'low';
}
