// The notify module's inner vocabulary: what a channel sender gets and how it fails.
import type { AnyChannelConfig, Anomaly, ReportFile, ReportFormat, Severity } from '../../../shared/types.js';

/** One anomaly in a message, as it was when added, with its evidence lines. */
export interface MessageItem {
  change: 'opened' | 'repeated' | 'resolved';
  anomaly: Anomaly;
  evidence: string[];
  /** Not to be sent (acknowledged or snoozed while its message waited): a part sender skips it, keeping the others' numbers. */
  skip?: boolean;
}

/** One message to one channel: a group of anomalies that a rule sends together. */
export interface NotificationMessage {
  /** The outbox row id (stable across retries and restarts). */
  id: number;
  kind: 'firing' | 'resolved';
  rule: string;
  channel: string;
  /** When the message was first written (stable across retries). */
  createdAt: number;
  /** Oldest first; at least one. */
  items: MessageItem[];
  /** True for a "send test" from the UI. */
  test?: boolean;
}

export interface SendContext {
  /** The channel's config with every `secret:NAME` replaced by its value. */
  config: AnyChannelConfig;
  signal: AbortSignal;
  /** The per-request time limit `signal` enforces (for clients that take their own). */
  timeoutMs: number;
  /** Identifies this message to the receiver, the same on every retry (for de-duplication). */
  deliveryKey: string;
  /** Requests of a multi-request message (n8n: one per anomaly) already delivered. */
  partsDone: number;
  /** Records that part `index` is delivered, before the next one starts. */
  partSent(index: number): void;
  /** E-mail: the recipients in force. */
  recipients?: string[];
  /** An incident report on one anomaly, when the host can write them (null: no such anomaly). */
  report?: (req: { id: number; format: ReportFormat; redact: boolean }) => ReportFile | null;
}

export interface SendResult {
  statusCode?: number;
  /** Sent, but not all of it went as asked (recipients refused for good): kept with the attempt and logged. */
  note?: string;
}

/** How one channel type turns a message into requests. */
export interface ChannelSender {
  readonly type: AnyChannelConfig['type'];
  /** Whether "resolved" messages go out unless the channel sets sendResolved. */
  readonly resolvedByDefault: boolean;
  send(msg: NotificationMessage, ctx: SendContext): Promise<SendResult>;
}

/** A failed delivery attempt. `retryable: false` goes straight to the dead letters. */
export class DeliveryError extends Error {
  readonly retryable: boolean;
  readonly statusCode: number | undefined;
  /** The receiver asked to wait this long (Retry-After). */
  readonly retryAfterMs: number | undefined;
  /** Whether this counts as the channel failing (a 429 is the receiver alive and pacing us). */
  readonly channelFault: boolean;
  constructor(message: string, opts: { retryable: boolean; statusCode?: number; retryAfterMs?: number; channelFault?: boolean }) {
    super(message);
    this.name = 'DeliveryError';
    this.retryable = opts.retryable;
    this.statusCode = opts.statusCode;
    this.retryAfterMs = opts.retryAfterMs;
    this.channelFault = opts.channelFault ?? true;
  }
}

/** An OS notification. */
export interface Toast {
  title: string;
  body: string;
  severity: Severity;
  /** The anomaly a click opens. */
  anomalyId: number;
}

/** Shows OS notifications. Resolves once the OS accepted (or the user answered) the toast. */
export interface Toaster {
  readonly kind: string;
  show(toast: Toast, onClick: () => void): Promise<void>;
}

/** Evidence lines for an anomaly (logDetails, the code blocks in chat messages). */
export type EvidenceReader = (anomaly: Anomaly) => string[];
