import type { Severity } from '../../../shared/types.js';

/** A record as evidence: enough to store and to order it. */
export interface RecordRef {
  id: number;
  ts: number;
}

/** What a detector reports; the lifecycle turns findings into anomalies. */
export interface Finding {
  /** critical, rule, burst, error-rate, new-template, template-surge, silence, traceback, alert. */
  detector: string;
  /** The fingerprint's last part: template key, rule name, level, ... */
  key: string;
  severity: Severity;
  category: string;
  title: string;
  message: string;
  /** Stream time of the finding (the triggering record's, or the bucket's). */
  ts: number;
  /** The records it covers, oldest first (may be empty: silence). */
  records: RecordRef[];
  templateId?: number | null;
  /** The detector's numbers: rate, band, z-score, ... */
  numbers?: Record<string, number>;
  details?: unknown;
  rule?: string;
  /**
   * A later occurrence of what an anomaly was opened for (a new message seen again): it
   * adds to that anomaly while it is unresolved, keeping it open; it never opens one.
   * Its title and message are empty: it does not rename the anomaly.
   */
  repeatOnly?: boolean;
}

/** A fingerprint clears (silence ended): resolve its anomaly at `ts`. */
export interface Clear {
  detector: string;
  key: string;
  ts: number;
}

/** Where detectors put what they find. */
export interface FindingSink {
  found(f: Finding): void;
  cleared(c: Clear): void;
}

export function fingerprintOf(detector: string, source: string, key: string): string {
  return key ? `${detector}/${source}/${key}` : `${detector}/${source}`;
}
