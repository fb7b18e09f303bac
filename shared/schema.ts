// Runtime validators for everything that crosses a door: the config file and every
// contract request. The engine side validates with these before any handler runs.
import { z } from 'zod';
import { INHIBIT_EQUAL_FIELDS, JOURNAL_PRIORITIES, REPORT_FORMATS, type ConfigError } from './types.js';
import { parseDuration } from './duration.js';
import { parseSize } from './size.js';
import { DetectorSettings, checkRule, ruleFields } from './detection-schema.js';
import { checkRegexSafety } from './regex-safety.js';

export * from './detection-schema.js';

const name = z
  .string()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  // Letters of any script (a source named «журнал» or «données» is as good as «app»).
  .regex(/^[\p{L}\p{N}_.-][\p{L}\p{M}\p{N}_ .-]*$/u, 'may contain only letters, digits, spaces, dot, dash and underscore');

/** A regex run on every line (a multi-line start): it must compile and must not backtrack exponentially. */
const lineRegex = z.string().superRefine((s, ctx) => {
  const r = checkRegexSafety(s, '', { adjacent: false });
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.reason ?? 'is refused' });
});

export const MultilineConfig = z.strictObject({
  start: lineRegex.optional(),
  timeoutMs: z.number().int().min(1).max(600_000).optional(),
});

const sourceCommon = {
  name,
  enabled: z.boolean().optional(),
  start: z.enum(['end', 'beginning']).optional(),
  format: z.string().min(1).optional(),
  multiline: MultilineConfig.optional(),
  // Detector settings per source (shared/detection-schema.ts; detect/ owns their meaning).
  detectors: DetectorSettings.optional(),
};

export const FileSourceConfig = z.strictObject({
  ...sourceCommon,
  type: z.literal('file'),
  path: z.string().min(1, 'must name a file, a glob or a directory'),
  recursive: z.boolean().optional(),
  include: z.string().min(1).optional(),
  // Bytes, or a size: "2MiB", "512KiB".
  maxLineBytes: z
    .union([z.number(), z.string()])
    .superRefine((v, ctx) => {
      const p = parseSize(v);
      if (p === null || !('bytes' in p)) ctx.addIssue({ code: 'custom', message: 'must be a whole number of bytes or a size like 512KiB or 2MiB' });
      else if (p.bytes < 256) ctx.addIssue({ code: 'custom', message: 'must be at least 256 bytes' });
      else if (p.bytes > 256 * 1024 * 1024) ctx.addIssue({ code: 'custom', message: 'must be at most 256 MiB' });
    })
    .optional(),
  poll: z.boolean().optional(),
});

/**
 * A container name, or `/regex/flags`: the pattern must compile, and must not backtrack
 * catastrophically (`/^(a+)+$/` on a container named aaaa…a-x stalled the engine, at every
 * start). Null when valid, else why.
 */
function containerEntryProblem(entry: string): string | null {
  const m = /^\/(.+)\/([a-z]*)$/.exec(entry);
  // "/web" is Docker's own spelling of the name web; "/^web-\d{1" is half a pattern.
  if (!m) return !entry.startsWith('/') || /^\/[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(entry) ? null : 'is a /pattern/ that is missing its closing /';
  const r = checkRegexSafety(m[1]!, m[2]!.replace(/[gy]/g, ''));
  return r.ok ? null : `is a /pattern/ that ${r.reason}`;
}

export const DockerSourceConfig = z.strictObject({
  ...sourceCommon,
  type: z.literal('docker'),
  containers: z
    .array(
      z
        .string()
        .min(1)
        .superRefine((e, ctx) => {
          const why = containerEntryProblem(e);
          if (why) ctx.addIssue({ code: 'custom', message: why });
        }),
    )
    .optional(),
  labels: z.array(z.string().min(1)).optional(),
  host: z.string().min(1).optional(),
  tls: z.strictObject({ ca: z.string().optional(), cert: z.string().optional(), key: z.string().optional() }).optional(),
});

/** A journal match value: journalctl reads `FIELD=value` and `+` as its own syntax. */
const journalValue = z
  .string()
  .min(1)
  .refine((v) => v !== '+' && !/[\s=]/.test(v), { message: 'must be a name without blanks or "="' });

export const JournaldSourceConfig = z.strictObject({
  ...sourceCommon,
  type: z.literal('journald'),
  units: z.array(journalValue).optional(),
  identifiers: z.array(journalValue).optional(),
  priority: z.enum(JOURNAL_PRIORITIES).optional(),
  directory: z.string().min(1).optional(),
  journalctl: z.string().min(1).optional(),
});

export const SourceConfig = z.discriminatedUnion('type', [FileSourceConfig, DockerSourceConfig, JournaldSourceConfig], {
  error: (iss) => (iss.code === 'invalid_union' ? 'type must be one of: file, docker, journald' : undefined),
});

// ---- notification channels and routing (docs/notifications.md) -----------------------

const duration = z.union([
  z.number().int('must be whole milliseconds').min(0, 'must not be negative'),
  z.string().refine((s) => parseDuration(s) !== null, { message: 'is not a duration like 500ms, 30s, 5m, 4h or 1d' }),
]);
/** How long a request may take: a real bound (0 timed out at once; past 24 days, setTimeout's range, too). */
const requestTimeout = duration.refine(
  (v) => {
    const ms = typeof v === 'number' ? v : parseDuration(v);
    return ms === null || (ms >= 100 && ms <= 600_000);
  },
  { message: 'must be between 100ms and 10m' },
);
/** `secret:NAME` refers to the secret store (names: letters, digits, space, dot, dash, underscore). */
const SECRET_REF = /^secret:[\p{L}\p{M}\p{N}_ .-]{1,200}$/u;
const isSecretRef = (s: string) => s.startsWith('secret:');
const urlOrSecret = z.string().refine(
  (s) => {
    if (isSecretRef(s)) return SECRET_REF.test(s);
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  },
  { message: 'must be an http(s) URL or secret:NAME' },
);
const oneLine = z.string().regex(/^[^\r\n]*$/, 'must be a single line');
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'is not a valid HTTP header name');
// HTTP carries header values as bytes of Latin-1: a value with other characters (X-Team: 東京)
// failed every delivery. A secret's value is checked when it is sent.
const headerValue = oneLine.refine((s) => isSecretRef(s) || /^[\x00-\xff]*$/.test(s), {
  message: 'has a character HTTP headers cannot carry (only Latin-1 text; put other text in the body)',
});
const headers = z.record(headerName, headerValue);
const jsonTemplate = z.string().refine(
  (s) => {
    try {
      JSON.parse(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be JSON text (placeholders go inside strings: "{{title}}")' },
);
const channelCommon = {
  name,
  enabled: z.boolean().optional(),
  sendResolved: z.boolean().optional(),
  timeout: requestTimeout.optional(),
};
export const ToastChannelConfig = z.strictObject({ ...channelCommon, type: z.literal('toast') });
export const N8nChannelConfig = z.strictObject({ ...channelCommon, type: z.literal('n8n'), url: urlOrSecret, headers: headers.optional() });
export const SlackChannelConfig = z.strictObject({ ...channelCommon, type: z.literal('slack'), url: urlOrSecret });
export const DiscordChannelConfig = z.strictObject({
  ...channelCommon,
  type: z.literal('discord'),
  url: urlOrSecret,
  username: z.string().min(1).max(80).optional(),
});
export const WebhookChannelConfig = z.strictObject({
  ...channelCommon,
  type: z.literal('webhook'),
  url: urlOrSecret,
  method: z.enum(['POST', 'PUT', 'PATCH']).optional(),
  headers: headers.optional(),
  template: jsonTemplate.optional(),
  signing: z.strictObject({ secret: z.string().min(1, 'must not be empty'), header: headerName.optional() }).optional(),
});
export const EmailChannelConfig = z.strictObject({
  ...channelCommon,
  type: z.literal('email'),
  host: z.string().min(1, 'must name the SMTP server'),
  port: z.number().int().min(1).max(65535).optional(),
  secure: z.boolean().optional(),
  starttls: z.enum(['required', 'opportunistic', 'off']).optional(),
  tls: z
    .strictObject({
      rejectUnauthorized: z.boolean().optional(),
      servername: z.string().min(1).optional(),
      minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).optional(),
      caFile: z.string().min(1).optional(),
    })
    .optional(),
  user: oneLine.optional(),
  password: z.string().optional(),
  from: oneLine.min(3, 'must be an address such as Vigil <vigil@example.com>'),
  to: z.array(z.email('must be an e-mail address')).optional(),
  subjectPrefix: oneLine.max(100).optional(),
  attachReport: z.enum(REPORT_FORMATS).optional(),
  redactReport: z.boolean().optional(),
});

export const ChannelConfig = z.discriminatedUnion(
  'type',
  [ToastChannelConfig, N8nChannelConfig, SlackChannelConfig, DiscordChannelConfig, WebhookChannelConfig, EmailChannelConfig],
  { error: (iss) => (iss.code === 'invalid_union' ? 'type must be one of: toast, n8n, slack, discord, webhook, email' : undefined) },
);

const severity = z.enum(['low', 'medium', 'high', 'critical']);
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:MM (24 h)');
export const QuietHours = z.strictObject({ start: clockTime, end: clockTime, hold: z.array(z.string().min(1)).optional() });
const matcherFields = {
  minSeverity: severity.optional(),
  maxSeverity: severity.optional(),
  sources: z.array(z.string().min(1)).optional(),
  categories: z.array(z.string().min(1)).optional(),
  detectors: z.array(z.string().min(1)).optional(),
};
export const NotifyRule = z.strictObject({
  name,
  enabled: z.boolean().optional(),
  ...matcherFields,
  channels: z.array(name).optional(),
  quietHours: z.union([QuietHours, z.literal(false)]).optional(),
  rateLimit: z.strictObject({ max: z.number().int().min(1), per: duration }).optional(),
  groupWindow: duration.optional(),
  repeatInterval: duration.optional(),
});
export const NotifyConfig = z.strictObject({
  groupWindow: duration.optional(),
  repeatInterval: duration.optional(),
  quietHours: QuietHours.optional(),
  timeout: requestTimeout.optional(),
  retry: z
    .strictObject({
      maxAttempts: z.number().int().min(1).max(1000).optional(),
      initialDelay: duration.optional(),
      maxDelay: duration.optional(),
      maxRetryAfter: duration.optional(),
    })
    .optional(),
  breaker: z.strictObject({ failureThreshold: z.number().int().min(1).max(1000).optional(), cooldown: duration.optional() }).optional(),
  rules: z.array(NotifyRule).optional(),
  inhibit: z
    .array(
      z.strictObject({
        when: z.strictObject(matcherFields),
        mute: z.strictObject(matcherFields),
        equal: z.array(z.enum(INHIBIT_EQUAL_FIELDS, { error: `must be one of: ${INHIBIT_EQUAL_FIELDS.join(', ')}` })).optional(),
      }),
    )
    .optional(),
});

// ---- the store's size (docs in README: "How much Vigil keeps") -----------------------

const size = z.union([
  z.number().int('must be whole bytes').min(0, 'must not be negative'),
  z.string().refine((s) => parseSize(s) !== null, { message: 'is not a size like 500MiB, 4GiB or 10% (of the disk holding the store)' }),
]);
/** A bound under 1 MiB (or 0%) would remove every line as it comes. */
const storeBound = size.refine(
  (v) => {
    const p = parseSize(v);
    return p === null || ('bytes' in p ? p.bytes >= 1024 * 1024 : p.share > 0);
  },
  { message: 'must be at least 1MiB (or a share above 0%)' },
);
export const StoreConfig = z.strictObject({
  /** The most the store may hold; default 10% of its disk, at most 4 GiB. */
  maxSize: storeBound.optional(),
  /** Disk space the store never takes; default 5% of its disk, at most 4 GiB. */
  keepFree: size.optional(),
  /** Records stored longer ago than this are removed; default: none (size alone decides). */
  maxAge: duration.optional(),
});

// Detection rules (detect/rules.ts): conditions on the record, with a severity and a category.
// Strict: a misspelt key (`sevrity:`) was dropped, and the rule fired as medium on every source.
export const RuleConfig = z.strictObject({ name, ...ruleFields }).superRefine(checkRule);

/** The top-level keys; `x-` keys are free (YAML anchors to reuse, as docker compose allows). */
const TOP_KEYS = ['sources', 'channels', 'rules', 'notify', 'detection', 'formats', 'store'] as const;

/** A list key: absent, or left empty in YAML (`sources:` with every entry removed or commented out, which reads as null), is no entries. */
function list<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => (v === null ? undefined : v), z.array(item).default([]));
}

export const VigilConfig = z
  .looseObject({
    sources: list(SourceConfig),
    channels: list(ChannelConfig),
    rules: list(RuleConfig),
    notify: NotifyConfig.optional(),
    detection: DetectorSettings.optional(),
    formats: z.array(z.unknown()).optional(),
    store: StoreConfig.optional(),
  })
  .superRefine((cfg, ctx) => {
    // A misspelt top-level key (`detecton:`, `format:`) was dropped silently: its settings did nothing.
    for (const k of Object.keys(cfg)) {
      if (!(TOP_KEYS as readonly string[]).includes(k) && !k.startsWith('x-')) {
        ctx.addIssue({ code: 'custom', path: [k], params: { unknownKey: true }, message: `is not a key of vigil.yml (the keys are ${TOP_KEYS.join(', ')}; x- keys are free, for YAML anchors)` });
      }
    }
    const seen = new Set<string>();
    cfg.sources.forEach((s, i) => {
      if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: ['sources', i, 'name'], message: `duplicates the source name "${s.name}"` });
      seen.add(s.name);
    });
    const ch = new Set<string>();
    cfg.channels.forEach((c, i) => {
      if (ch.has(c.name)) ctx.addIssue({ code: 'custom', path: ['channels', i, 'name'], message: `duplicates the channel name "${c.name}"` });
      ch.add(c.name);
    });
    // quietHours.hold names channel types or channels: a typo would hold nothing, silently.
    const types = new Set(['toast', 'n8n', 'slack', 'discord', 'webhook', 'email']);
    const checkHold = (q: { hold?: string[] | undefined } | false | undefined, path: (string | number)[]) => {
      if (!q) return;
      q.hold?.forEach((h, j) => {
        if (!types.has(h) && !ch.has(h)) ctx.addIssue({ code: 'custom', path: [...path, 'hold', j], message: `names no channel and no channel type ("${h}")` });
      });
    };
    checkHold(cfg.notify?.quietHours, ['notify', 'quietHours']);
    const ruleNames = new Set<string>();
    cfg.notify?.rules?.forEach((r, i) => {
      checkHold(r.quietHours, ['notify', 'rules', i, 'quietHours']);
      if (ruleNames.has(r.name)) ctx.addIssue({ code: 'custom', path: ['notify', 'rules', i, 'name'], message: `duplicates the rule name "${r.name}"` });
      ruleNames.add(r.name);
      r.channels?.forEach((c, j) => {
        if (!ch.has(c)) ctx.addIssue({ code: 'custom', path: ['notify', 'rules', i, 'channels', j], message: `names no channel ("${c}")` });
      });
    });
  });

/** Turns a zod error into the user-facing list of `key: reason`. */
export function configErrors(error: z.ZodError): ConfigError[] {
  return error.issues.map((i) => ({ key: i.path.map(String).join('.') || '(root)', reason: i.message }));
}

// ---- contract requests ------------------------------------------------------------

export const Empty = z.union([z.undefined(), z.null(), z.strictObject({})]).transform(() => ({}));
export const ByName = z.strictObject({ name });
export const SetEnabled = z.strictObject({ name, enabled: z.boolean() });
export const SetFormat = z.strictObject({ name, format: z.string().min(1).nullable() });
export const ConfigText = z.strictObject({
  text: z.string().max(4 * 1024 * 1024, 'is larger than 4 MiB'),
  /** The text the edit started from: refused when the file no longer holds it (another window saved meanwhile). */
  base: z.string().max(4 * 1024 * 1024).optional(),
});
export const TailRequest = z.strictObject({
  limit: z.number().int().min(1).max(5000).default(200),
  source: z.string().optional(),
  beforeId: z.number().int().positive().optional(),
  search: z.string().max(1000).optional(),
  minLevel: z.enum(['trace', 'debug', 'info', 'notice', 'warn', 'error', 'critical', 'fatal']).optional(),
});
export const RatesRequest = z.strictObject({
  /** How far back, in ms (default 10 minutes, at most 7 days). */
  spanMs: z.number().int().min(1000).max(7 * 86_400_000).default(600_000),
  bucketMs: z.number().int().min(1000).max(86_400_000).default(10_000),
  source: z.string().optional(),
});
export const QueryRequest = z.strictObject({
  sql: z.string().trim().min(1, 'write a query to run').max(100_000),
  limit: z.number().int().min(1).max(10_000).default(1000),
});
export const RulesSetRequest = z.strictObject({ rules: z.array(RuleConfig).max(1000) });

// ---- notification requests (docs/notifications.md) -----------------------------------

/** channels.upsert: a channel as the UI edits it. A secret field left masked (as
 *  channels.list gave it) keeps its stored value; `storeSecrets` (default true) moves clear
 *  secrets into the secret store and writes `secret:NAME` to vigil.yml. */
export const ChannelUpsert = z.strictObject({ channel: ChannelConfig, storeSecrets: z.boolean().default(true) });
/** channels.test: a configured channel by name, or an unsaved config (secrets in clear or secret:NAME). */
export const ChannelTest = z.union([z.strictObject({ name }), z.strictObject({ channel: ChannelConfig })]);
export const HistoryRequest = z.strictObject({
  anomalyId: z.number().int().optional(),
  channel: name.optional(),
  status: z.enum(['sent', 'failed', 'pending']).optional(),
  beforeId: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
export const DeadLettersRequest = z.strictObject({ channel: name.optional(), limit: z.number().int().min(1).max(1000).default(100) });
/** notifications.retry: the given dead letters, or every dead letter (of one channel). */
export const RetryRequest = z.union([
  z.strictObject({ ids: z.array(z.number().int().positive()).min(1).max(10_000) }),
  z.strictObject({ all: z.literal(true), channel: name.optional() }),
]);
export const RecipientsGet = z.strictObject({ channel: name });
/** recipients.set: null returns to the config's `to`. */
export const RecipientsSet = z.strictObject({
  channel: name,
  recipients: z.array(z.email('must be an e-mail address')).min(1, 'must list at least one address (null returns to the config default)').max(500).nullable(),
});
