// The one contract between the UI and the engine: every call and every event, declared
// once. The Electron router, the preload, the HTTP/WebSocket server and renderer/api are
// all typed from these maps; the engine validates each request with `requestSchemas`.
import type { z } from 'zod';
import * as S from './schema.js';
import { CALL_NAME_LIST, EVENT_NAME_LIST } from './contract-names.js';
import type {
  AppInfo,
  ConfigError,
  LogEvent,
  TailPage,
  SourceDecoding,
  QueryResult,
  RateSeries,
  SourceConfig,
  SourceView,
  VigilConfig,
  ChannelTestResult,
  ChannelView,
  DeadLetter,
  NotificationHistoryEntry,
  RecipientsView,
  TrayModel,
  Anomaly,
  AnomalyChange,
  AnomalyDetail,
  BandSeries,
  DetectionSettingsView,
  ReportFile,
  Snooze,
  StoreUsage,
} from './types.js';

export type ConfigSetResult = { ok: true; config: VigilConfig } | { ok: false; errors: ConfigError[] };

/** Every call: request -> response. Adding a call: declare it here, give it a validator in
 *  `requestSchemas`, list its name in contract-names.ts, implement it in engine.ts. */
export interface Calls {
  'app.info': (req: {}) => AppInfo;
  /** `text`: the file as it is; `fileErrors`: why it is not in force when it was edited into something invalid (`config` is the last good one). */
  'config.get': (req: {}) => { text: string; config: VigilConfig; path: string; fileErrors: ConfigError[] };
  'config.set': (req: { text: string; base?: string }) => ConfigSetResult;
  'sources.list': (req: {}) => SourceView[];
  'sources.add': (req: SourceConfig) => ConfigSetResult;
  'sources.remove': (req: { name: string }) => ConfigSetResult;
  'sources.setEnabled': (req: { name: string; enabled: boolean }) => ConfigSetResult;
  /** The formats a running source decodes its files with, and why each was chosen. */
  'sources.decoding': (req: { name: string }) => SourceDecoding[];
  /** Forces a format on a source (`format:` in vigil.yml), or null to detect again; an unknown name is refused. */
  'sources.setFormat': (req: { name: string; format: string | null }) => ConfigSetResult;
  /** The names of the formats loaded (built in, then the config's), and `generic`. */
  'formats.list': (req: {}) => string[];
  /** Stored records, newest last; filtered by source, level and a word in the message, a bounded scan per page (see TailPage). */
  'events.tail': (req: z.input<typeof S.TailRequest>) => TailPage;
  'stats.rates': (req: z.input<typeof S.RatesRequest>) => RateSeries;
  'query.run': (req: z.input<typeof S.QueryRequest>) => QueryResult;
  /** How full the store is, its bound and why, what retention removed. */
  'store.usage': (req: {}) => StoreUsage;
  /** Notification channels, secrets masked (docs/notifications.md). */
  'channels.list': (req: {}) => ChannelView[];
  'channels.upsert': (req: z.input<typeof S.ChannelUpsert>) => ConfigSetResult;
  'channels.remove': (req: { name: string }) => ConfigSetResult;
  /** Sends a test message now, outside the outbox. */
  'channels.test': (req: z.input<typeof S.ChannelTest>) => ChannelTestResult;
  'notifications.history': (req: z.input<typeof S.HistoryRequest>) => NotificationHistoryEntry[];
  'notifications.deadLetters': (req: z.input<typeof S.DeadLettersRequest>) => DeadLetter[];
  'notifications.retry': (req: z.input<typeof S.RetryRequest>) => { retried: number };
  'recipients.get': (req: { channel: string }) => RecipientsView;
  'recipients.set': (req: z.input<typeof S.RecipientsSet>) => RecipientsView;
  /** Anomalies, newest first (default: open and acknowledged). */
  'anomalies.list': (req: z.input<typeof S.AnomalyListRequest>) => Anomaly[];
  /** One anomaly with its evidence records and the lines around them. */
  'anomalies.get': (req: z.input<typeof S.AnomalyGetRequest>) => AnomalyDetail | null;
  /** An incident report on one anomaly (Markdown, HTML or JSON), to save or hand on; null when there is no such anomaly. */
  'anomalies.report': (req: z.input<typeof S.ReportRequest>) => ReportFile | null;
  'anomalies.ack': (req: z.input<typeof S.AnomalyIdRequest>) => Anomaly | null;
  'anomalies.resolve': (req: z.input<typeof S.AnomalyIdRequest>) => Anomaly | null;
  /** Holds notifications for a fingerprint, source, rule or detector until the snooze expires. */
  'anomalies.snooze': (req: z.input<typeof S.SnoozeRequest>) => Snooze;
  'anomalies.snoozes': (req: {}) => Snooze[];
  'anomalies.unsnooze': (req: z.input<typeof S.SnoozeIdRequest>) => { ok: boolean };
  /** A source's error (or warning) counts per bucket with the detector's band, for the chart. */
  'detect.band': (req: z.input<typeof S.BandRequest>) => BandSeries;
  /** Detection settings in force for a source (or the defaults). */
  'detect.settings': (req: z.input<typeof S.DetectSettingsRequest>) => DetectionSettingsView;
  /** Writes a source's `detectors:` (or the top-level `detection:`) into vigil.yml. */
  'detect.configure': (req: z.input<typeof S.DetectConfigureRequest>) => ConfigSetResult;
  /** Replaces the detection rules (`rules:`) in vigil.yml. */
  'rules.set': (req: z.input<typeof S.RulesSetRequest>) => ConfigSetResult;
}

/** Every event the engine pushes to the UI (also list new names in contract-names.ts). */
export interface Events {
  /** New records, committed to the store (batched; the UI keeps a tail). */
  'events.appended': LogEvent[];
  /** A burst: `count` records stored before `beforeId` were not sent in events.appended (the newest were); they are in the store (events.tail). */
  'events.skipped': { count: number; beforeId: number };
  /** Source list or a source's status changed. */
  'sources.changed': SourceView[];
  /** The config in force changed (from the file, or through the contract). */
  'config.changed': VigilConfig;
  /** vigil.yml was edited into something that does not validate: why (the last good config stays in force); [] once it is put back as in force. */
  'config.invalid': ConfigError[];
  /** What the tray shows changed (open anomalies). */
  'tray.changed': TrayModel;
  /** The user clicked an OS toast: open Vigil at this anomaly. */
  'notify.toastClicked': { anomalyId: number };
  /** Outbox totals changed (a delivery was queued, sent, failed or retried). */
  'notifications.changed': { pending: number; dead: number };
  /** Anomalies opened, repeated, acknowledged or resolved (snoozed ones included); [] when a snooze was made or lifted. */
  'anomalies.changed': AnomalyChange[];
}

export type CallName = keyof Calls;
export type EventName = keyof Events;
export type Req<K extends CallName> = Parameters<Calls[K]>[0];
export type Res<K extends CallName> = ReturnType<Calls[K]>;

/** A validator for every call: adding a call without one is a compile error. */
export const requestSchemas = {
  'app.info': S.Empty,
  'config.get': S.Empty,
  'config.set': S.ConfigText,
  'sources.list': S.Empty,
  'sources.add': S.SourceConfig,
  'sources.remove': S.ByName,
  'sources.setEnabled': S.SetEnabled,
  'sources.decoding': S.ByName,
  'sources.setFormat': S.SetFormat,
  'formats.list': S.Empty,
  'events.tail': S.TailRequest,
  'stats.rates': S.RatesRequest,
  'query.run': S.QueryRequest,
  'store.usage': S.Empty,
  'channels.list': S.Empty,
  'channels.upsert': S.ChannelUpsert,
  'channels.remove': S.ByName,
  'channels.test': S.ChannelTest,
  'notifications.history': S.HistoryRequest,
  'notifications.deadLetters': S.DeadLettersRequest,
  'notifications.retry': S.RetryRequest,
  'recipients.get': S.RecipientsGet,
  'recipients.set': S.RecipientsSet,
  'anomalies.list': S.AnomalyListRequest,
  'anomalies.get': S.AnomalyGetRequest,
  'anomalies.report': S.ReportRequest,
  'anomalies.ack': S.AnomalyIdRequest,
  'anomalies.resolve': S.AnomalyIdRequest,
  'anomalies.snooze': S.SnoozeRequest,
  'anomalies.snoozes': S.Empty,
  'anomalies.unsnooze': S.SnoozeIdRequest,
  'detect.band': S.BandRequest,
  'detect.settings': S.DetectSettingsRequest,
  'detect.configure': S.DetectConfigureRequest,
  'rules.set': S.RulesSetRequest,
} satisfies Record<CallName, z.ZodType>;

export const CALL_NAMES = Object.keys(requestSchemas) as CallName[];
export const EVENT_NAMES: readonly EventName[] = EVENT_NAME_LIST;

// Compile-time checks: contract-names.ts (used by the preload) lists exactly these names.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const namesMatch: [Same<(typeof CALL_NAME_LIST)[number], CallName>, Same<(typeof EVENT_NAME_LIST)[number], EventName>] = [true, true];

/** What the engine implements and every transport forwards to. */
export type Handlers = { [K in CallName]: (req: Req<K>) => Promise<Res<K>> | Res<K> };

/** What renderer/api offers: the same calls, always async, plus typed subscriptions. */
export interface VigilApi {
  call<K extends CallName>(name: K, req: Req<K>): Promise<Res<K>>;
  on<E extends EventName>(event: E, cb: (payload: Events[E]) => void): () => void;
}

/** Error returned for a request that failed validation or whose handler threw. */
export interface CallError {
  code: 'invalid-request' | 'unknown-call' | 'failed' | 'unauthorized';
  message: string;
}

export function isCallName(x: unknown): x is CallName {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(requestSchemas, x);
}

/** Validates a request for `name`; returns the parsed value or a CallError. */
export function validateRequest(name: unknown, req: unknown): { ok: true; name: CallName; value: unknown } | { ok: false; error: CallError } {
  if (!isCallName(name)) return { ok: false, error: { code: 'unknown-call', message: `unknown call ${JSON.stringify(name)}` } };
  const r = (requestSchemas[name] as z.ZodType).safeParse(req);
  if (!r.success) {
    const detail = S.configErrors(r.error).map((e) => `${e.key}: ${e.reason}`).join('; ');
    return { ok: false, error: { code: 'invalid-request', message: `${name}: ${detail}` } };
  }
  return { ok: true, name, value: r.data };
}
