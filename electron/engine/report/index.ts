// Incident reports: one anomaly, its timeline, the lines around it, its messages, its
// evidence and the notices sent, written to hand on (Markdown, HTML or JSON).
import type Database from 'better-sqlite3';
import type { IncidentReport, ReportFile, ReportFormat } from '../../../shared/types.js';
import { collectReport, type CollectOptions } from './collect.js';
import { htmlReport } from './html.js';
import { markdownReport } from './markdown.js';
import { redactReport } from './redact.js';
import type { WrittenReport } from './words.js';
import { ZoneTime } from './zone-time.js';

export { collectReport, reportWindow } from './collect.js';
export { Redactor, redactReport } from './redact.js';

const KINDS: Record<ReportFormat, { ext: string; mimeType: string; write: (r: WrittenReport) => string }> = {
  markdown: { ext: 'md', mimeType: 'text/markdown; charset=utf-8', write: markdownReport },
  html: { ext: 'html', mimeType: 'text/html; charset=utf-8', write: htmlReport },
  json: { ext: 'json', mimeType: 'application/json', write: (r) => JSON.stringify(r, null, 2) + '\n' },
};

export function writeReport(report: IncidentReport, format: ReportFormat, redact: boolean): ReportFile {
  const r: WrittenReport = redact ? redactReport(report) : report;
  const k = KINDS[format];
  const day = new ZoneTime(report.timeZone).compact(report.anomaly.firstTs);
  return { filename: `vigil-incident-${report.anomaly.id}-${day}.${k.ext}`, mimeType: k.mimeType, text: k.write(r) };
}

/** collectReport then writeReport (Markdown, 200 evidence records, unredacted unless asked): null when there is no such anomaly. */
export function makeReport(
  db: Database.Database,
  req: { id: number; format?: ReportFormat; redact?: boolean; maxEvidence?: number; timeZone?: string },
  opts: Omit<CollectOptions, 'maxEvidence' | 'timeZone'>,
): ReportFile | null {
  const report = collectReport(db, req.id, { ...opts, maxEvidence: req.maxEvidence ?? 200, timeZone: req.timeZone ?? 'UTC' });
  return report && writeReport(report, req.format ?? 'markdown', req.redact ?? false);
}
