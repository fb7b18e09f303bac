import { severityRank, type Anomaly, type Severity, type TrayModel } from '../../../shared/types.js';

const RECENT = 5;

/**
 * What the tray shows for the anomalies that need attention: the worst severity (the icon),
 * how many, a tooltip, and the most recent few (the menu). Pure: the Electron shell renders it.
 */
export function trayModel(openAnomalies: readonly Anomaly[]): TrayModel {
  let worst: Severity | null = null;
  for (const a of openAnomalies) if (!worst || severityRank(a.severity) > severityRank(worst)) worst = a.severity;
  const recent = [...openAnomalies]
    .sort((a, b) => b.lastTs - a.lastTs || b.id - a.id)
    .slice(0, RECENT)
    .map((a) => ({ id: a.id, title: a.title, severity: a.severity }));
  const n = openAnomalies.length;
  const tooltip = n === 0 ? 'Vigil — all quiet' : `Vigil — ${n} open ${n === 1 ? 'anomaly' : 'anomalies'} (worst: ${worst})`;
  return { worstSeverity: worst, count: n, tooltip, recent };
}
