// NotificationService: anomaly changes in, messages out, never lost. Composes the grouper
// (routing, grouping, holds), the persistent outbox and the per-channel dispatcher, and
// keeps the tray model. Built by Engine.start; close() stops timers and lets requests out
// finish.
import type Database from 'better-sqlite3';
import { durationMs } from '../../../shared/duration.js';
import type {
  AnomalyChange,
  Anomaly,
  AnyChannelConfig,
  ChannelTestResult,
  ChannelView,
  DeadLetter,
  NotificationHistoryEntry,
  RecipientsView,
  TrayModel,
  VigilConfig,
} from '../../../shared/types.js';
import type { EngineEvents } from '../engine.js';
import type { Emitter } from '../util/emitter.js';
import { retryPolicy } from './backoff.js';
import { keepMaskedSecrets, resolveSecrets } from './channel-secrets.js';
import { channelSenders } from './channels/registry.js';
import { Dispatcher } from './dispatcher.js';
import { storeEvidenceReader } from './evidence.js';
import { Grouper } from './grouper.js';
import { maskChannel, redact, secretValues } from './mask.js';
import { testMessage } from './message.js';
import { Outbox } from './outbox.js';
import { effectiveRules, inhibitions, mutedBy, type EffectiveRule, type Inhibition } from './routing.js';
import { SECRET_PREFIX, type SecretStore } from './secret-store.js';
import { trayModel } from './tray-model.js';
import { DeliveryError, type ChannelSender, type EvidenceReader, type SendContext, type Toaster } from './types.js';

export const DEFAULT_TIMEOUT_MS = 15_000;
/** Sent messages are kept this long for the history, then forgotten. */
export const KEEP_SENT_MS = 30 * 86_400_000;

export interface NotificationServiceOptions {
  db: Database.Database;
  config: VigilConfig;
  events: Emitter<EngineEvents>;
  secrets: SecretStore;
  toaster: Toaster;
  evidence?: EvidenceReader;
  /** Anomalies open when the engine starts (for the tray). */
  openAnomalies?: Anomaly[];
  now?: () => number;
  random?: () => number;
  log?: (msg: string) => void;
  /** Incident reports (the engine's anomalies.report), for channels that attach them. */
  reports?: SendContext['report'];
  /** Until when an anomaly is snoozed (detection's snoozes): a message waiting to go leaves it out. */
  snoozedUntil?: (a: Anomaly, now: number) => number | null;
}

export class NotificationService {
  readonly outbox: Outbox;
  private config: VigilConfig;
  private rules: EffectiveRule[];
  private inhibit: Inhibition[];
  private readonly grouper: Grouper;
  private readonly dispatcher: Dispatcher;
  private readonly senders: Record<AnyChannelConfig['type'], ChannelSender>;
  private readonly open = new Map<number, Anomaly>();
  /** Not resolved: open or acknowledged (an acknowledged incident still mutes, notify.inhibit). */
  private readonly going = new Map<number, Anomaly>();
  private lastTray = '';
  private readonly now: () => number;
  private readonly log: (msg: string) => void;
  private readonly unsubscribe: (() => void)[] = [];
  private sealTimer: NodeJS.Timeout | null = null;
  private changedTimer: NodeJS.Timeout | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(private readonly opts: NotificationServiceOptions) {
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? ((m) => console.error(`vigil: ${m}`));
    this.config = opts.config;
    this.rules = effectiveRules(opts.config.notify);
    this.inhibit = inhibitions(opts.config.notify);
    this.outbox = new Outbox(opts.db);
    this.senders = channelSenders(opts.toaster, (anomalyId) => opts.events.emit('notify.toastClicked', { anomalyId }));
    this.grouper = new Grouper(this.outbox, {
      now: this.now,
      evidence: opts.evidence ?? storeEvidenceReader(opts.db),
      rules: () => this.rules,
      channels: () => this.channels(),
      sendsResolved: (c) => c.sendResolved ?? this.senders[c.type].resolvedByDefault,
      inhibitions: () => this.inhibit,
      going: () => this.going.values(),
    });
    this.dispatcher = new Dispatcher(this.outbox, {
      now: this.now,
      random: opts.random ?? Math.random,
      senders: this.senders,
      channel: (name) => this.channels().find((c) => c.name === name),
      resolve: (c) => resolveSecrets(c, opts.secrets),
      recipients: (name) => this.outbox.recipients(name),
      ...(opts.reports ? { report: opts.reports } : {}),
      policy: () => retryPolicy(this.config.notify),
      breaker: () => ({
        failureThreshold: this.config.notify?.breaker?.failureThreshold ?? 5,
        cooldownMs: durationMs(this.config.notify?.breaker?.cooldown, 60_000),
      }),
      timeoutMs: (c) => this.timeoutMs(c),
      log: this.log,
      changed: () => this.changed(),
      ...(opts.snoozedUntil ? { snoozedUntil: opts.snoozedUntil } : {}),
      muted: (a) => mutedBy(a, this.inhibit, this.going.values()) !== null,
    });
    for (const a of opts.openAnomalies ?? []) {
      if (a.state === 'open') this.open.set(a.id, a);
      if (a.state !== 'resolved') this.going.set(a.id, a);
    }
  }

  /** Resumes what a previous run left (interrupted sends, pending and grouping messages) and subscribes. */
  static start(opts: NotificationServiceOptions): NotificationService {
    const s = new NotificationService(opts);
    const interrupted = s.outbox.recoverInterrupted(s.now());
    if (interrupted) s.log(`notify: ${interrupted} message(s) were being sent when Vigil stopped; sending them again`);
    s.unsubscribe.push(
      opts.events.on('anomaly.changed', (changes) => s.accept(changes)),
      // Every change (snoozed ones too) keeps the tray right; the notify subset routes.
      opts.events.on('anomalies.changed', (changes) => s.updateTray(changes)),
      opts.events.on('config.changed', (config) => s.applyConfig(config)),
    );
    s.applyConfig(opts.config);
    s.prune();
    s.lastTray = JSON.stringify(s.tray());
    opts.events.emit('tray.changed', s.tray());
    return s;
  }

  /** Anomaly changes from detection (after they are committed). */
  accept(changes: AnomalyChange[]): void {
    if (this.closed || !changes.length) return;
    this.updateTray(changes);
    try {
      this.grouper.accept(changes);
    } catch (err) {
      // The store refused the write: say so loudly; detection keeps the anomalies themselves.
      this.log(`notify: could not queue notifications for ${changes.length} change(s): ${(err as Error).message}`);
      return;
    }
    this.sealAndSchedule();
    this.changed();
  }

  applyConfig(config: VigilConfig): void {
    if (this.closed) return;
    this.config = config;
    this.rules = effectiveRules(config.notify);
    this.inhibit = inhibitions(config.notify);
    const active = new Set(this.channels().filter((c) => c.enabled !== false).map((c) => c.name));
    const now = this.now();
    for (const name of this.outbox.channelsWithWork()) {
      if (active.has(name)) continue;
      const exists = this.channels().some((c) => c.name === name);
      const n = this.outbox.killChannel(name, `the channel "${name}" is ${exists ? 'disabled' : 'no longer configured'}`, now);
      if (n) this.log(`notify: ${n} message(s) for "${name}" moved to the dead letters (channel ${exists ? 'disabled' : 'removed'}); retry them from the list`);
    }
    this.dispatcher.prune(active);
    this.sealAndSchedule();
    this.dispatcher.kick();
    this.changed();
  }

  /** The tray: open anomalies that are not snoozed. */
  tray(): TrayModel {
    const now = this.now();
    return trayModel([...this.open.values()].filter((a) => !(a.snoozedUntil && a.snoozedUntil > now)));
  }

  channelViews(): ChannelView[] {
    return this.channels().map((c) => ({
      config: maskChannel(c),
      status: this.dispatcher.status(c, this.outbox.testedOkAt(c.name)),
      secretFields: secretValues(c).filter(([, v]) => v.startsWith(SECRET_PREFIX)).map(([p]) => p),
    }));
  }

  /** "Send test": now, outside the outbox, ignoring `enabled` and the breaker. */
  async test(req: { name: string } | { channel: AnyChannelConfig }): Promise<ChannelTestResult> {
    const existing = this.channels().find((c) => c.name === ('name' in req ? req.name : req.channel.name));
    const config = 'name' in req ? existing : keepMaskedSecrets(req.channel, existing, this.opts.secrets);
    if (!config) return { ok: false, error: `no channel named "${'name' in req ? req.name : ''}"` };
    let secrets: string[] = [];
    try {
      const resolved = resolveSecrets(config, this.opts.secrets);
      secrets = secretValues(resolved).map(([, v]) => v);
      const timeoutMs = this.timeoutMs(config);
      const now = this.now();
      const res = await this.senders[config.type].send(testMessage(config.name, now), {
        config: resolved,
        signal: AbortSignal.timeout(timeoutMs),
        timeoutMs,
        deliveryKey: `test-${now.toString(36)}`,
        partsDone: 0,
        partSent: () => undefined,
        recipients: this.outbox.recipients(config.name) ?? undefined,
      });
      // A test of the channel in force that went out after messages were dead-lettered: it was fixed.
      if ('name' in req) this.outbox.setTestedOk(config.name, this.now());
      return { ok: true, ...(res.statusCode ? { statusCode: res.statusCode } : {}) };
    } catch (err) {
      const e = err as Error;
      return { ok: false, error: redact(e.message, secrets), ...(err instanceof DeliveryError && err.statusCode ? { statusCode: err.statusCode } : {}) };
    }
  }

  history(q: { anomalyId?: number; channel?: string; status?: string; beforeId?: number; limit?: number }): NotificationHistoryEntry[] {
    return this.outbox.history({ ...q, limit: q.limit ?? 100 });
  }

  deadLetters(q: { channel?: string; limit?: number }): DeadLetter[] {
    return this.outbox.deadLetters({ ...q, limit: q.limit ?? 100 });
  }

  retry(sel: { ids: number[] } | { all: true; channel?: string }): { retried: number } {
    const r = this.outbox.retry(sel, this.now());
    this.dispatcher.kick(r.channels);
    this.changed();
    return { retried: r.count };
  }

  recipients(channel: string): RecipientsView {
    const c = this.channels().find((x) => x.name === channel);
    if (!c) throw new Error(`no channel named "${channel}"`);
    if (c.type !== 'email') throw new Error(`"${channel}" is a ${c.type} channel; recipients belong to e-mail channels`);
    const app = this.outbox.recipients(channel);
    const configDefault = c.to ?? [];
    return { channel, recipients: app ?? configDefault, from: app ? 'app' : 'config', configDefault };
  }

  setRecipients(channel: string, list: string[] | null): RecipientsView {
    this.recipients(channel); // refuses unknown and non-e-mail channels
    this.outbox.setRecipients(channel, list ? [...new Set(list)] : null);
    return this.recipients(channel);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const u of this.unsubscribe.splice(0)) u();
    if (this.sealTimer) clearTimeout(this.sealTimer);
    if (this.changedTimer) clearTimeout(this.changedTimer);
    if (this.pruneTimer) clearTimeout(this.pruneTimer);
    await this.dispatcher.close();
  }

  private channels(): AnyChannelConfig[] {
    return this.config.channels as AnyChannelConfig[];
  }

  private timeoutMs(c: AnyChannelConfig): number {
    return durationMs(c.timeout ?? this.config.notify?.timeout, DEFAULT_TIMEOUT_MS);
  }

  private sealAndSchedule(): void {
    if (this.closed) return;
    if (this.sealTimer) {
      clearTimeout(this.sealTimer);
      this.sealTimer = null;
    }
    try {
      const ready = this.grouper.sealDue();
      if (ready.length) {
        this.dispatcher.kick(ready);
        this.changed();
      }
    } catch (err) {
      this.log(`notify: sealing messages failed, will try again: ${(err as Error).message}`);
    }
    const next = this.grouper.nextSealAt();
    if (next === null) return;
    // At least 50 ms, so a failing store is not retried in a tight loop.
    this.sealTimer = setTimeout(() => this.sealAndSchedule(), Math.min(Math.max(50, next - this.now()), 2 ** 31 - 1));
    this.sealTimer.unref();
  }

  /** Daily: the outbox keeps what is unsent forever and what was sent for 30 days. */
  private prune(): void {
    try {
      const n = this.outbox.pruneSent(this.now() - KEEP_SENT_MS);
      if (n) this.log(`notify: forgot ${n} message(s) sent more than 30 days ago`);
    } catch (err) {
      this.log(`notify: pruning old messages failed: ${(err as Error).message}`);
    }
    this.pruneTimer = setTimeout(() => this.prune(), 86_400_000);
    this.pruneTimer.unref();
  }

  private updateTray(changes: AnomalyChange[]): void {
    if (this.closed) return;
    for (const { anomaly: a } of changes) {
      if (a.state === 'open') this.open.set(a.id, a);
      else this.open.delete(a.id);
      if (a.state !== 'resolved') this.going.set(a.id, a);
      else this.going.delete(a.id);
    }
    // Both event streams carry most changes: tell the shell only when the tray differs.
    const model = this.tray();
    const key = JSON.stringify(model);
    if (key === this.lastTray) return;
    this.lastTray = key;
    this.opts.events.emit('tray.changed', model);
  }

  /** Outbox totals for the UI, at most every 200 ms. */
  private changed(): void {
    if (this.closed || this.changedTimer) return;
    this.changedTimer = setTimeout(() => {
      this.changedTimer = null;
      if (!this.closed) this.opts.events.emit('notifications.changed', this.outbox.totals());
    }, 200);
    this.changedTimer.unref();
  }
}
