// Runtime validators for everything that crosses a door: the config file and every
// contract request. The engine side validates with these before any handler runs.
import { z } from 'zod';
import type { ConfigError } from './types.js';

const name = z
  .string()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[\w.-][\w .-]*$/, 'may contain only letters, digits, spaces, dot, dash and underscore');

const regexString = z.string().refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a valid regular expression' },
);

export const MultilineConfig = z.strictObject({
  start: regexString.optional(),
  timeoutMs: z.number().int().min(1).max(600_000).optional(),
});

const sourceCommon = {
  name,
  enabled: z.boolean().optional(),
  start: z.enum(['end', 'beginning']).optional(),
  format: z.string().min(1).optional(),
  multiline: MultilineConfig.optional(),
  // Detector settings per source are owned by the detect/ module; kept open here.
  detectors: z.record(z.string(), z.unknown()).optional(),
};

export const FileSourceConfig = z.strictObject({
  ...sourceCommon,
  type: z.literal('file'),
  path: z.string().min(1, 'must name a file, a glob or a directory'),
  recursive: z.boolean().optional(),
  include: z.string().min(1).optional(),
  maxLineBytes: z
    .number()
    .int()
    .min(256, 'must be at least 256 bytes')
    .max(256 * 1024 * 1024, 'must be at most 256 MiB')
    .optional(),
  poll: z.boolean().optional(),
});

export const DockerSourceConfig = z.strictObject({
  ...sourceCommon,
  type: z.literal('docker'),
  containers: z.array(z.string().min(1)).optional(),
  labels: z.array(z.string().min(1)).optional(),
  host: z.string().min(1).optional(),
  tls: z.strictObject({ ca: z.string().optional(), cert: z.string().optional(), key: z.string().optional() }).optional(),
});

export const SourceConfig = z.discriminatedUnion('type', [FileSourceConfig, DockerSourceConfig], {
  error: (iss) => (iss.code === 'invalid_union' ? 'type must be one of: file, docker' : undefined),
});

export const ChannelConfig = z.looseObject({
  name,
  type: z.enum(['toast', 'n8n', 'slack', 'discord', 'webhook', 'email']),
  enabled: z.boolean().optional(),
  url: z.string().url('must be a URL').optional(),
});

export const RuleConfig = z.looseObject({ name });

export const VigilConfig = z
  .looseObject({
    sources: z.array(SourceConfig).default([]),
    channels: z.array(ChannelConfig).default([]),
    rules: z.array(RuleConfig).default([]),
    formats: z.array(z.unknown()).optional(),
  })
  .superRefine((cfg, ctx) => {
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
  });

/** Turns a zod error into the user-facing list of `key: reason`. */
export function configErrors(error: z.ZodError): ConfigError[] {
  return error.issues.map((i) => ({ key: i.path.map(String).join('.') || '(root)', reason: i.message }));
}

// ---- contract requests ------------------------------------------------------------

export const Empty = z.union([z.undefined(), z.null(), z.strictObject({})]).transform(() => ({}));
export const ByName = z.strictObject({ name });
export const SetEnabled = z.strictObject({ name, enabled: z.boolean() });
export const ConfigText = z.strictObject({ text: z.string().max(4 * 1024 * 1024, 'is larger than 4 MiB') });
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
  sql: z.string().min(1).max(100_000),
  limit: z.number().int().min(1).max(10_000).default(1000),
});
