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

/** A page of stored records (events.tail): newest last. */
export interface TailPage {
  events: LogEvent[];
  /**
   * Where older records go on: the `beforeId` for the next page, or null when the store's
   * oldest record was reached. With a filter, a page looks at a bounded number of records
   * and may hold fewer than asked (none, even) while older ones remain.
   */
  before: number | null;
}

/** One stored log record, as the UI and the contract see it. */
export interface LogEvent {
  id: number;
  source: string;
  path: string | null;
  /** UTC epoch milliseconds (the record's own time, or the time it was read when it has none). */
  ts: number;
  level: Level | null;
  /** The source's own word for the level (shown where it maps to none: postgres's STATEMENT, DETAIL). */
  levelText?: string | null;
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
  noTimestamp: 16, // no time of its own: ts is the record's before it (a backlog) or the read time
  partialFlushed: 32, // a line without its newline, flushed because the file went away
  nulSkipped: 64, // NUL bytes before the line were skipped (a hole left by a writer without O_APPEND after a truncation)
  ansiStripped: 128, // terminal colour/control sequences were removed from the text (decode/ansi.ts)
  yearAssumed: 256, // the time had no year: the file's (see docs/formats.md)
  zoneAssumed: 512, // the time had no zone: the local one
  dateAssumed: 1024, // the time had no date (a time of day alone)
  cutForView: 2048, // not stored: the line was sent to a view cut (store/view-budget.ts); the store has it whole
} as const;

const ASSUMED: Record<string, number> = {
  year: RECORD_FLAGS.yearAssumed,
  zone: RECORD_FLAGS.zoneAssumed,
  'year+zone': RECORD_FLAGS.yearAssumed | RECORD_FLAGS.zoneAssumed,
  date: RECORD_FLAGS.dateAssumed,
  'date+zone': RECORD_FLAGS.dateAssumed | RECORD_FLAGS.zoneAssumed,
};

/** The flags that say what a time without its year, zone or date was taken to be (one lookup: it runs per record). */
export function assumedFlags(a: string | null | undefined): number {
  return a ? (ASSUMED[a] ?? 0) : 0;
}

/** Lines longer than this are stored cut, flagged `truncated` (a source's `maxLineBytes`, `vigil parse`). */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

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
  /** Lines longer than this are stored truncated and flagged (default 1 MiB): bytes, or a size ("2MiB"). */
  maxLineBytes?: number | string;
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
  /** For tcp:// and https:// hosts: file paths (or PEM text) of the CA, client certificate and key. */
  tls?: { ca?: string; cert?: string; key?: string };
  start?: StartPosition;
  enabled?: boolean;
  format?: string;
  multiline?: MultilineConfig;
}

/** syslog's priorities, most urgent first, as journalctl names them. */
export const JOURNAL_PRIORITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;
export type JournalPriority = (typeof JOURNAL_PRIORITIES)[number];

/** The systemd journal, read through journalctl (docs/sources.md). */
export interface JournaldSourceConfig {
  name: string;
  type: 'journald';
  /** Only these units' own entries (`_SYSTEMD_UNIT`, e.g. `nginx.service`); with `identifiers`, either matches. */
  units?: string[];
  /** Only entries of these syslog identifiers (`SYSLOG_IDENTIFIER`, e.g. `sshd`, `kernel`). */
  identifiers?: string[];
  /** Only entries of this priority and more urgent (journalctl --priority): emerg, alert, crit, err, warning, notice, info, debug. */
  priority?: JournalPriority;
  /** A journal folder to read instead of the system's (journalctl --directory). */
  directory?: string;
  /** The journalctl program (default: journalctl on the PATH). */
  journalctl?: string;
  start?: StartPosition;
  enabled?: boolean;
  format?: string;
  multiline?: MultilineConfig;
}

export type SourceConfig = FileSourceConfig | DockerSourceConfig | JournaldSourceConfig;

/** What a source reads, in a few words (the sources panel, incident reports). */
export function sourceTarget(config: SourceConfig): string {
  if (config.type === 'file') return config.path;
  if (config.type === 'docker') {
    const labels = config.labels?.length ? `labelled ${config.labels.join(', ')}` : '';
    if (config.containers?.length) return config.containers.join(', ') + (labels ? ` (${labels})` : '');
    return labels ? `containers ${labels}` : 'all containers';
  }
  const what = [...(config.units ?? []), ...(config.identifiers ?? [])];
  return `${config.directory ?? 'the system journal'}${what.length ? ': ' + what.join(', ') : ''}`;
}

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

/** How a source's files (or containers) are decoded: one row per format in use (sources.decoding). */
export interface SourceDecoding {
  format: string;
  /** Files, container streams or journals decoded with it now. */
  streams: number;
  /** Forced by the source's `format:` rather than detected. */
  forced: boolean;
  /** One of them, and why its format was chosen (which formats read how many sample lines). */
  example: string;
  explanation: string;
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
  /** Notification routing, grouping and delivery settings (docs/notifications.md). */
  notify?: NotifyConfig;
  /** User format definitions (see resources/formats). */
  formats?: unknown[];
  /** How much the store keeps (README: "How much Vigil keeps"). */
  store?: StoreConfig;
  [extra: string]: unknown;
}

export interface StoreConfig {
  /** Bytes, "4GiB", or a share of the disk ("10%"). */
  maxSize?: number | string;
  keepFree?: number | string;
  /** A duration: "30d". */
  maxAge?: number | string;
}

/** How full the store is, and what retention removed (store.usage). */
export interface StoreUsage {
  /** Bytes the store's data takes (its file less the pages free for reuse). */
  usedBytes: number;
  /** Size of the database file. */
  fileBytes: number;
  /** What the store may hold now, and why that much. */
  limitBytes: number;
  limitReason: string;
  diskBytes: number;
  diskFreeBytes: number;
  /** When the oldest record kept was stored (epoch ms); null when there is none. */
  oldestStoredAt: number | null;
  /** Records removed by retention since the store was created (each removal is a row of `retention_log`), and when last. */
  removedRecords: number;
  lastRemovedAt: number | null;
  lastRemovedWhy: string | null;
  /** Why older lines cannot be removed now (a full disk, a damaged store): the bounds do not hold meanwhile. Null when they can. */
  failing: string | null;
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
  /** More rows than these: past the limit, or (`truncatedBy: 'bytes'`) past what one answer may hold. */
  truncated: boolean;
  truncatedBy?: 'bytes';
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
  /** Every fingerprint coalesced into this anomaly (the first is `fingerprint`). */
  fingerprints?: string[];
  /** The rule that found it, for rule findings. */
  rule?: string | null;
  /** 'quiet' (resolved itself after a quiet period) or 'user'. */
  resolvedBy?: 'quiet' | 'user' | null;
  /** Set while a snooze covers it: changes still reach the UI, not notifications. */
  snoozedUntil?: number | null;
}

/** What happened to an anomaly: detection emits these; notification routes them. */
export interface AnomalyChange {
  kind: 'opened' | 'repeated' | 'resolved' | 'acknowledged';
  anomaly: Anomaly;
}

// ---- notifications (issue 5; docs/notifications.md) ----------------------------------

export const CHANNEL_TYPES = ['toast', 'n8n', 'slack', 'discord', 'webhook', 'email'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** A duration in vigil.yml: milliseconds, or text like "30s", "5m", "4h" (shared/duration.ts). */
export type DurationValue = number | string;

/** Options every channel type accepts. A string `secret:NAME` in a secret-bearing field
 *  (url, password, signing.secret, header values) refers to the secret store. */
export interface ChannelCommon {
  name: string;
  enabled?: boolean;
  /** Send a "resolved" message when an anomaly it was told about resolves. */
  sendResolved?: boolean;
  /** Per request (default 15s). */
  timeout?: DurationValue;
}
export interface ToastChannelConfig extends ChannelCommon {
  type: 'toast';
}
export interface N8nChannelConfig extends ChannelCommon {
  type: 'n8n';
  url: string;
  headers?: Record<string, string>;
}
export interface SlackChannelConfig extends ChannelCommon {
  type: 'slack';
  url: string;
}
export interface DiscordChannelConfig extends ChannelCommon {
  type: 'discord';
  url: string;
  username?: string;
}
export interface WebhookChannelConfig extends ChannelCommon {
  type: 'webhook';
  url: string;
  method?: 'POST' | 'PUT' | 'PATCH';
  headers?: Record<string, string>;
  /** JSON text with {{placeholders}}; see docs/notifications.md. */
  template?: string;
  /** HMAC-SHA256 of the exact body, sent as `sha256=<hex>` in `header` (default X-Vigil-Signature). */
  signing?: { secret: string; header?: string };
}
export interface EmailChannelConfig extends ChannelCommon {
  type: 'email';
  host: string;
  port?: number;
  /** Implicit TLS from the first byte (usually port 465). */
  secure?: boolean;
  /** STARTTLS on a plain port: required (default when a password is set), opportunistic, off. */
  starttls?: 'required' | 'opportunistic' | 'off';
  tls?: { rejectUnauthorized?: boolean; servername?: string; minVersion?: 'TLSv1.2' | 'TLSv1.3'; caFile?: string };
  user?: string;
  password?: string;
  from: string;
  /** Default recipients; recipients set in the app (recipients.set) override them. */
  to?: string[];
  subjectPrefix?: string;
  /** Attach an incident report on each anomaly of the message (electron/engine/report/). */
  attachReport?: ReportFormat;
  /** Redact the attached reports (addresses and secrets, see docs/reports.md). */
  redactReport?: boolean;
}
export type AnyChannelConfig =
  | ToastChannelConfig
  | N8nChannelConfig
  | SlackChannelConfig
  | DiscordChannelConfig
  | WebhookChannelConfig
  | EmailChannelConfig;

export interface QuietHoursConfig {
  /** Local time "HH:MM"; a window may cross midnight (22:00-07:00). */
  start: string;
  end: string;
  /** Channel types or names held until the window ends (default ["toast"]); others still send. */
  hold?: string[];
}

/** One routing rule under `notify.rules` (the top-level `rules:` key is detection's). */
/** Which anomalies: every condition set must hold (severities inclusive). */
export interface AnomalyMatcher {
  minSeverity?: Severity;
  maxSeverity?: Severity;
  sources?: string[];
  categories?: string[];
  detectors?: string[];
}

export interface NotifyRuleConfig extends AnomalyMatcher {
  name: string;
  enabled?: boolean;
  /** Channel names; omitted = every enabled channel. */
  channels?: string[];
  quietHours?: QuietHoursConfig | false;
  /** At most `max` messages per channel per `per`; the rest wait and are merged. */
  rateLimit?: { max: number; per: DurationValue };
  groupWindow?: DurationValue;
  repeatInterval?: DurationValue;
}

/** The top-level `notify:` section. */
export interface NotifyConfig {
  groupWindow?: DurationValue;
  repeatInterval?: DurationValue;
  quietHours?: QuietHoursConfig;
  timeout?: DurationValue;
  retry?: { maxAttempts?: number; initialDelay?: DurationValue; maxDelay?: DurationValue; maxRetryAfter?: DurationValue };
  breaker?: { failureThreshold?: number; cooldown?: DurationValue };
  rules?: NotifyRuleConfig[];
  inhibit?: InhibitRuleConfig[];
}

/**
 * Alertmanager's inhibit_rules: while an anomaly matching `when` is open (or acknowledged),
 * anomalies matching `mute` that share its `equal` fields notify nobody. An anomaly
 * matching both sides is never muted by another that does.
 */
export interface InhibitRuleConfig {
  when: AnomalyMatcher;
  mute: AnomalyMatcher;
  equal?: InhibitEqualField[];
}
export const INHIBIT_EQUAL_FIELDS = ['source', 'category', 'detector'] as const;
export type InhibitEqualField = (typeof INHIBIT_EQUAL_FIELDS)[number];

/** What the tray shows (computed by the engine's trayModel, rendered by the shell). */
export interface TrayModel {
  worstSeverity: Severity | null;
  count: number;
  tooltip: string;
  recent: { id: number; title: string; severity: Severity }[];
}

export interface ChannelStatus {
  /**
   * ok; retrying (the head delivery failed and waits); open (circuit breaker open); failing
   * (its last message was dead-lettered, none delivered since); disabled.
   */
  health: 'ok' | 'retrying' | 'open' | 'failing' | 'disabled';
  pending: number;
  dead: number;
  lastSentAt: number | null;
  lastError: string | null;
}

/** A channel as the UI sees it: secrets masked. */
export interface ChannelView {
  config: AnyChannelConfig;
  status: ChannelStatus;
  /** Fields that refer to the secret store (`secret:NAME`), by field path. */
  secretFields: string[];
}

export interface ChannelTestResult {
  ok: boolean;
  error?: string;
  statusCode?: number;
}

/** One row of notification_history: one anomaly in one message to one channel. */
export interface NotificationHistoryEntry {
  /** The outbox row (one message to one channel). */
  deliveryId: number;
  anomalyId: number | null;
  channel: string;
  rule: string;
  kind: 'firing' | 'resolved';
  change: 'opened' | 'repeated' | 'resolved' | null;
  status: 'sent' | 'failed' | 'pending';
  attempts: number;
  error: string | null;
  createdAt: number;
  sentAt: number | null;
  updatedAt: number;
}

export interface DeadLetter {
  deliveryId: number;
  channel: string;
  rule: string;
  kind: 'firing' | 'resolved';
  anomalyIds: number[];
  title: string;
  attempts: number;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface RecipientsView {
  channel: string;
  /** The recipients in force. */
  recipients: string[];
  /** app: set through recipients.set; config: vigil.yml's `to`. */
  from: 'app' | 'config';
  configDefault: string[];
}

// ---- detection (issue 6) ---------------------------------------------------------------

/** One line of an anomaly's evidence view: a covered record, or a line of context around it. */
export interface EvidenceLine extends LogEvent {
  role: 'evidence' | 'context';
  /** Attached as a repeat of an already open anomaly (also RECORD_FLAGS.duplicate). */
  duplicate: boolean;
  /** The detector that found this record (evidence only). */
  foundBy?: string | null;
}

export interface AnomalyDetail {
  anomaly: Anomaly;
  /** Evidence and context, oldest first. */
  lines: EvidenceLine[];
  /** Evidence records stored for this anomaly (count may be higher: beyond maxEvidence they are counted only). */
  evidenceStored: number;
}

// ---- incident reports (electron/engine/report/) ----------------------------------------

export const REPORT_FORMATS = ['markdown', 'html', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** One bucket of the source's counts around an incident; `upper` is the error band's top (null in warm-up). */
export interface ReportBucket {
  t: number;
  total: number;
  errors: number;
  warnings: number;
  upper: number | null;
  anomalous: boolean;
}

/** A message template the incident's evidence holds. */
export interface ReportTemplate {
  id: number;
  template: string;
  /** The anomaly's evidence records in the store with this template. */
  count: number;
  /** Records of this template stored in all (the templates view's count). */
  total: number | null;
  /** When the template was first seen; null when it is not stored. */
  firstSeen: number | null;
  /** First seen within the incident (from a little before its first evidence). */
  newInIncident: boolean;
}

/** Everything an incident report says, before it is written as Markdown, HTML or JSON. */
export interface IncidentReport {
  generatedAt: number;
  vigilVersion: string;
  host: string;
  /** The zone the report's times are written in: "UTC" or an IANA name. */
  timeZone: string;
  anomaly: Anomaly;
  /** The source as configured now (null when it is no longer in the config). */
  source: { name: string; type: string | null; where: string | null };
  /** What happened, oldest first: first and last evidence, opened, notices sent, acknowledged, resolved. */
  timeline: { ts: number; what: string }[];
  /** Counts per bucket around the incident (the evidence span, with some time before and after). */
  rates: { bucketMs: number; points: ReportBucket[] };
  templates: ReportTemplate[];
  /** Evidence and context lines, oldest first (the newest evidence when there were more). */
  lines: EvidenceLine[];
  evidenceStored: number;
  notifications: NotificationHistoryEntry[];
  /** Addresses, e-mail addresses and secrets in the text replaced by placeholders. */
  redacted: boolean;
}

/** An incident report written out: what a save dialog or `vigil report --out` needs. */
export interface ReportFile {
  filename: string;
  mimeType: string;
  text: string;
}

export type SnoozeScope = 'fingerprint' | 'source' | 'rule' | 'detector';

/** A snooze: matching anomalies still update, but notifications hold until `until` (wall clock). */
export interface Snooze {
  id: number;
  scope: SnoozeScope;
  value: string;
  until: number;
  createdAt: number;
  note?: string | null;
}

/** One bucket of a source's error (or warning) rate with the detector's band around it. */
export interface BandPoint {
  /** Bucket start, epoch ms (stream time). */
  t: number;
  count: number;
  /** Baseline centre and band; null during warm-up. */
  center: number | null;
  lower: number | null;
  upper: number | null;
  anomalous: boolean;
}

export interface BandSeries {
  source: string;
  level: 'error' | 'warn';
  method: 'mad' | 'stddev';
  bucketMs: number;
  points: BandPoint[];
}

/** Detection settings in force for a source (defaults merged with `detection:` and the source's `detectors:`). */
export interface DetectionSettingsView {
  source: string | null;
  settings: Record<string, unknown>;
  rules: RuleConfig[];
}
