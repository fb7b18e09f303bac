import { SEVERITIES, type Severity } from '../../../../shared/types.js';
import type { StoredRecord } from '../../pipeline/types.js';
import type { FindingSink } from '../types.js';
import { firstLine } from '../text.js';

// alert-jsonl entries with type "anomaly" were judged by someone else (another detector, a
// monitor): they are anomalies as given, with their severity.

const ALIASES: Record<string, Severity> = {
  fatal: 'critical', crit: 'critical', emergency: 'critical', error: 'high', err: 'high', major: 'high',
  warning: 'medium', warn: 'medium', minor: 'low', info: 'low', notice: 'low',
};

/** syslog severities 0-7, as some monitors write them: emergency .. debug. */
const SYSLOG: Severity[] = ['critical', 'critical', 'critical', 'high', 'medium', 'low', 'low', 'low'];

/** An alert's severity as Vigil's; none given, or one not known: medium. */
export function alertSeverity(s: string | null | undefined): Severity {
  const v = (s ?? '').toLowerCase();
  if (/^[0-7]$/.test(v)) return SYSLOG[Number(v)]!;
  return (SEVERITIES as readonly string[]).includes(v) ? (v as Severity) : ALIASES[v] ?? 'medium';
}

export function alertFinding(r: StoredRecord, fallbackKey: string, t: number, sink: FindingSink): void {
  const a = r.alert!;
  const d = (a.details && typeof a.details === 'object' ? a.details : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.length ? v : typeof v === 'number' ? String(v) : null);
  // Without a name of its own, an alert is what it says: "disk full on db4" is not the
  // incident "disk full on db1" (their template, "disk full on <*>", made them one).
  const key = str(d.fingerprint) ?? str(d.name) ?? str(d.rule) ?? str(d.alertname) ?? (firstLine(r.message, 200) || fallbackKey);
  const title = str(d.title) ?? str(d.summary) ?? str(d.name) ?? firstLine(r.message, 100);
  sink.found({
    detector: 'alert',
    key: key.length > 200 ? key.slice(0, 200) : key,
    severity: alertSeverity(a.severity),
    category: str(d.category) ?? 'alert',
    title,
    message: str(d.message) ?? str(d.description) ?? firstLine(r.message, 500),
    ts: t,
    records: [{ id: r.id, ts: r.ts }],
    templateId: r.templateId,
    details: a.details,
  });
}
