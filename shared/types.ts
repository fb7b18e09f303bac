// Plain JSON data types that cross the UI <-> engine boundary. No behaviour here
// beyond tiny pure helpers; both TypeScript projects include this folder.

export const LEVELS = ['trace', 'debug', 'info', 'notice', 'warn', 'error', 'critical', 'fatal'] as const;
export type Level = (typeof LEVELS)[number];
/** Numeric rank used in the store and for comparisons (trace=1 .. fatal=8; 0 = unknown). */
export function levelRank(level: Level | null | undefined): number {
  return level ? LEVELS.indexOf(level) + 1 : 0;
}
export function levelFromRank(rank: number | null | undefined): Level | null {
  return rank && rank >= 1 && rank <= LEVELS.length ? LEVELS[rank - 1]! : null;
}

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s) + 1;
}

/** One stored log record, as the UI and the contract see it. */
export interface LogEvent {
  id: number;
  source: string;
  path: string | null;
  /** UTC epoch milliseconds (the record's own time, or the time it was read when it has none). */
  ts: number;
  level: Level | null;
  message: string;
  raw: string;
  stream?: 'stdout' | 'stderr' | null;
  format?: string | null;
  templateId?: number | null;
  template?: string | null;
  /** Bit flags, see RECORD_FLAGS. */
  flags?: number;
}

export const RECORD_FLAGS = {
  truncated: 1, // the line was longer than the source's maxLineBytes and was cut
  invalidUtf8: 2, // the bytes were not valid UTF-8; raw_bytes keeps the original
  parseError: 4, // a structured format (e.g. alert-jsonl) did not parse; stored raw
  duplicate: 8, // attached to an already open anomaly (detection)
  noTimestamp: 16, // ts is the read time, not the record's own
  partialFlushed: 32, // a line without its newline, flushed because the file went away
} as const;

export type StartPosition = 'end' | 'beginning';

export interface FileSourceConfig {
  name: string;
  type: 'file';
  /** A file, a glob (`*`, `**`) or a directory. */
  path: string;
  start?: StartPosition;
  enabled?: boolean;
  /** Force a format by name instead of detecting it. */
  format?: string;
  /** For directories: descend into subfolders. */
  recursive?: boolean;
  /** For directories: only files whose name matches this glob (default `*`). */
  include?: string;
  /** Lines longer than this are stored truncated and flagged (default 1 MiB). */
  maxLineBytes?: number;
  /** Use polling instead of inotify/FSEvents. */
  poll?: boolean;
  multiline?: MultilineConfig;
}

export interface DockerSourceConfig {
  name: string;
  type: 'docker';
  /** Container names, or /regex/ patterns; omit for all containers. */
  containers?: string[];
  /** Label filters, `key` or `key=value`. */
  labels?: string[];
  /** unix:///path, tcp://host:port or https://host:port; default DOCKER_HOST, then the local socket. */
  host?: string;
  tls?: { ca?: string; cert?: string; key?: string };
  start?: StartPosition;
  enabled?: boolean;
  format?: string;
  multiline?: MultilineConfig;
}

export type SourceConfig = FileSourceConfig | DockerSourceConfig;

export interface MultilineConfig {
  /** A record starts at a line matching this regex; other lines continue the previous record. */
  start?: string;
  /** Flush a pending record after this many ms without a new line (default 1000). */
  timeoutMs?: number;
}

export type SourceState = 'watching' | 'catching-up' | 'paused' | 'error' | 'disabled' | 'starting';

export interface SourceStatus {
  state: SourceState;
  /** Bytes written to the watched files that are not stored yet. */
  bytesBehind?: number;
  /** Human-readable reason for error/paused, or a note such as "polling: inotify watch limit reached". */
  message?: string;
  files?: number;
  polling?: boolean;
}

export interface SourceView {
  config: SourceConfig;
  status: SourceStatus;
}

export interface ChannelConfig {
  name: string;
  type: 'toast' | 'n8n' | 'slack' | 'discord' | 'webhook' | 'email';
  enabled?: boolean;
  url?: string;
  [extra: string]: unknown;
}

export interface RuleConfig {
  name: string;
  [extra: string]: unknown;
}

export interface VigilConfig {
  sources: SourceConfig[];
  channels: ChannelConfig[];
  rules: RuleConfig[];
  /** User format definitions (see resources/formats). */
  formats?: unknown[];
  [extra: string]: unknown;
}

export interface ConfigError {
  /** Dotted path of the offending key, e.g. `sources.0.path`. */
  key: string;
  reason: string;
}

export interface AppInfo {
  version: string;
  host: 'electron' | 'server' | 'cli';
  dataDir: string;
  dbPath: string;
  configPath: string;
}

export interface RatePoint {
  /** Bucket start, epoch ms. */
  t: number;
  total: number;
  errors: number;
  warnings: number;
}

export interface RateSeries {
  bucketMs: number;
  points: RatePoint[];
}

export interface QueryResult {
  columns: string[];
  rows: Record<string, unknown>[];
  truncated: boolean;
}

export type AnomalyState = 'open' | 'acknowledged' | 'resolved';

/** One anomaly: an incident a person should look at, with its evidence. */
export interface Anomaly {
  id: number;
  /** detector + source + template or rule: repeats attach to the open anomaly with this fingerprint. */
  fingerprint: string;
  detector: string;
  source: string;
  severity: Severity;
  category: string;
  title: string;
  message: string;
  state: AnomalyState;
  count: number;
  /** First and last evidence record time (records' own timestamps), epoch ms. */
  firstTs: number;
  lastTs: number;
  openedAt: number;
  acknowledgedAt?: number | null;
  resolvedAt?: number | null;
  templateId?: number | null;
  /** The detector's numbers: rate, band, z-score, ... */
  numbers?: Record<string, number>;
  details?: unknown;
}

/** What happened to an anomaly: detection emits these; notification routes them. */
export interface AnomalyChange {
  kind: 'opened' | 'repeated' | 'resolved' | 'acknowledged';
  anomaly: Anomaly;
}
