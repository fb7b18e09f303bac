// Sends the outbox, channel by channel: one request at a time per channel, in order (a
// message waits for the one before it, retries included), channels in parallel.
import type { Anomaly, AnyChannelConfig, ChannelStatus, ChannelType } from '../../../shared/types.js';
import { backoffDelay, type RetryPolicy } from './backoff.js';
import { CircuitBreaker } from './breaker.js';
import { redact, secretValues } from './mask.js';
import type { Outbox, OutboxRow } from './outbox.js';
import { DeliveryError, type ChannelSender, type MessageItem, type NotificationMessage, type SendContext } from './types.js';

export interface DispatcherDeps {
  now: () => number;
  random: () => number;
  senders: Record<ChannelType, ChannelSender>;
  channel: (name: string) => AnyChannelConfig | undefined;
  /** The channel's config with secrets filled in (throws when one is missing). */
  resolve: (config: AnyChannelConfig) => AnyChannelConfig;
  recipients: (channel: string) => string[] | null;
  /** Incident reports, for channels that attach them. */
  report?: SendContext['report'];
  policy: () => RetryPolicy;
  breaker: () => { failureThreshold: number; cooldownMs: number };
  timeoutMs: (config: AnyChannelConfig) => number;
  log: (msg: string) => void;
  /** Something in the outbox changed (for the UI). */
  changed: () => void;
  /** Until when the anomaly is snoozed, now (null: it is not). */
  snoozedUntil?: (a: Anomaly, now: number) => number | null;
  /** Muted by an incident still going (notify.inhibit). */
  muted?: (a: Anomaly) => boolean;
}

/** A timer longer than this is re-armed (setTimeout overflows past 2^31-1 ms). */
const MAX_TIMER = 2 ** 31 - 1;
/** How long a stop waits for requests out before cutting them off (they are sent again at the next start). */
export const CLOSE_GRACE_MS = 5000;

class ChannelWorker {
  timer: NodeJS.Timeout | null = null;
  inFlight: Promise<void> | null = null;
  constructor(
    readonly name: string,
    readonly breaker: CircuitBreaker,
  ) {}
}

export class Dispatcher {
  private readonly workers = new Map<string, ChannelWorker>();
  private closed = false;
  /** Aborts the requests still out when close() stops waiting for them. */
  private readonly stopping = new AbortController();
  /** close() has returned: the store may be closed, nothing more is written. */
  private gone = false;

  constructor(
    private readonly outbox: Outbox,
    private readonly deps: DispatcherDeps,
  ) {}

  /** Look at a channel's queue now (or every channel's). */
  kick(channels?: Iterable<string>): void {
    for (const name of channels ?? [...this.workers.keys(), ...this.outbox.channelsWithWork()]) this.pump(this.worker(name));
  }

  /** `testedOkAt`: when a test message last went out on this channel (it fails no more, as far as anyone knows). */
  status(config: AnyChannelConfig, testedOkAt = 0): ChannelStatus {
    const counts = this.outbox.channelCounts(config.name);
    if (config.enabled === false) return { health: 'disabled', ...counts };
    const w = this.workers.get(config.name);
    const now = this.deps.now();
    const head = this.outbox.head(config.name);
    // Retrying while its head has failed before: waiting for the next try, or in it (a
    // 'sending' row counts the attempt under way).
    const failedBefore = head !== null && head !== undefined && head.attempts > (head.status === 'sending' ? 1 : 0);
    // Failing: its last message was dead-lettered (a wrong URL answering 404 every time),
    // and nothing has gone out since, a test included. Green "ok" beside "HTTP 404: no such hook" misled.
    const last = this.outbox.lastOutcome(config.name);
    const failing = last !== null && last.status === 'dead' && last.at > testedOkAt;
    const health = w?.breaker.state(now) === 'open' ? 'open' : failedBefore ? 'retrying' : failing ? 'failing' : 'ok';
    return { health, ...counts };
  }

  /**
   * Stops starting requests and waits for those out to finish, for `graceMs` at most (a
   * channel's timeout may be minutes: Quit waited that long with a receiver that did not
   * answer). Those still out then are cut off and left as a crash leaves them: sent again at
   * the next start, with the same delivery id.
   */
  async close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    this.closed = true;
    for (const w of this.workers.values()) if (w.timer) clearTimeout(w.timer);
    const out = Promise.all([...this.workers.values()].map((w) => w.inFlight));
    const within = (ms: number) => {
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([out.then(() => true), new Promise<false>((r) => (timer = setTimeout(r, ms, false)))]).finally(() => clearTimeout(timer));
    };
    if (!(await within(graceMs))) {
      this.stopping.abort(new Error('Vigil is stopping'));
      await within(1000);
    }
    this.gone = true;
  }

  /** Channels removed from the config forget their breaker. */
  prune(active: Set<string>): void {
    for (const [name, w] of this.workers) {
      if (active.has(name) || w.inFlight) continue;
      if (w.timer) clearTimeout(w.timer);
      this.workers.delete(name);
    }
  }

  private worker(name: string): ChannelWorker {
    let w = this.workers.get(name);
    if (!w) {
      const b = this.deps.breaker();
      this.workers.set(name, (w = new ChannelWorker(name, new CircuitBreaker(b.failureThreshold, b.cooldownMs))));
    }
    return w;
  }

  private pump(w: ChannelWorker): void {
    if (this.closed || w.inFlight) return;
    if (w.timer) {
      clearTimeout(w.timer);
      w.timer = null;
    }
    const config = this.deps.channel(w.name);
    if (!config || config.enabled === false) {
      // A message that was out when its channel went away came back unsent: dead letter.
      this.outbox.killChannel(w.name, `the channel "${w.name}" is ${config ? 'disabled' : 'no longer configured'}`, this.deps.now());
      return;
    }
    const head = this.outbox.head(w.name);
    if (!head) return;
    const b = this.deps.breaker();
    w.breaker.configure(b.failureThreshold, b.cooldownMs);
    const now = this.deps.now();
    const due = Math.max(head.next_at, w.breaker.allowedAt());
    if (due > now) {
      w.timer = setTimeout(() => this.pump(w), Math.min(due - now, MAX_TIMER));
      w.timer.unref();
      return;
    }
    w.inFlight = this.deliver(w, head, config)
      .catch((err) => this.deps.log(`notify: delivery ${head.id} to "${w.name}" hit a bug: ${(err as Error).stack ?? err}`))
      .finally(() => {
        w.inFlight = null;
        if (this.gone) return;
        this.deps.changed();
        this.pump(w);
      });
  }

  private async deliver(w: ChannelWorker, head: OutboxRow, config: AnyChannelConfig): Promise<void> {
    const startedAt = this.deps.now();
    const attempts = head.attempts + 1;
    let items = this.outbox.items(head.id);
    if (head.kind === 'firing') {
      // Acknowledged, snoozed or muted (notify.inhibit) while its message waited (the group
      // window, a receiver that is down): nobody is to be paged for it, nor told later that
      // it resolved. A muted one is told when what mutes it resolves.
      const isQuiet = (i: MessageItem) =>
        i.anomaly.state === 'acknowledged' || (this.deps.snoozedUntil?.(i.anomaly, startedAt) ?? null) !== null || (this.deps.muted?.(i.anomaly) ?? false);
      if (config.type === 'n8n') {
        // Sent a request per anomaly, each known to the receiver by its number (its delivery
        // id): those not sent yet are skipped, not taken out, so the others keep theirs.
        const quiet = items.filter((i, k) => k >= head.parts_done && isQuiet(i));
        if (quiet.length && head.parts_done === 0 && quiet.length === items.length) {
          this.outbox.withdraw(head, quiet.map((i) => i.anomaly.id), startedAt);
          return;
        }
        if (quiet.length) {
          this.outbox.forgetTold(head, quiet.map((i) => i.anomaly.id));
          items = items.map((i) => (quiet.includes(i) ? { ...i, skip: true } : i));
        }
      } else if (head.parts_done === 0) {
        const quiet = items.filter(isQuiet);
        if (quiet.length) {
          this.outbox.withdraw(head, quiet.map((i) => i.anomaly.id), startedAt);
          if (quiet.length === items.length) return;
          items = items.filter((i) => !quiet.includes(i));
        }
      }
    }
    if (head.kind === 'resolved' && head.parts_done === 0) {
      // Its firing message is sent or dead by now (a channel's messages go in order): no
      // "resolved" where the channel never heard of the anomaly, or heard of it resolved.
      const untold = items.filter((i) => !this.outbox.toldUnresolved(head.rule, head.channel, i.anomaly.id));
      if (untold.length) {
        this.outbox.withdraw(head, untold.map((i) => i.anomaly.id), startedAt);
        if (untold.length === items.length) return;
        items = items.filter((i) => !untold.includes(i));
      }
    }
    const attemptId = this.outbox.beginAttempt(head.id, startedAt);
    // A firing message whose every anomaly resolved before it went out (group window, quiet
    // hours, retries, the dead letters) says so in its title and kind, not only per item.
    // (Of a message sent in parts, the parts still to go: those sent went as they were then.)
    // A channel that takes no "resolved" (n8n's seed: no such event) hears it as it fired.
    const showsResolved = config.sendResolved ?? this.deps.senders[config.type].resolvedByDefault;
    const kind = head.kind === 'firing' && showsResolved && items.slice(head.parts_done).every((i) => i.anomaly.state === 'resolved') ? 'resolved' : head.kind;
    const msg: NotificationMessage = { id: head.id, kind, rule: head.rule, channel: head.channel, createdAt: head.created_at, items };
    let secrets: string[] = [];
    try {
      if (!msg.items.length) throw new DeliveryError('the message has no anomalies', { retryable: false });
      const resolved = this.deps.resolve(config);
      secrets = secretValues(resolved).map(([, v]) => v);
      const timeoutMs = this.deps.timeoutMs(config);
      const res = await this.deps.senders[config.type].send(msg, {
        config: resolved,
        // `timeout` is per request: a message sent in parts (n8n) has that for each.
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs * (config.type === 'n8n' ? Math.max(1, items.length - head.parts_done) : 1)), this.stopping.signal]),
        timeoutMs,
        deliveryKey: `${head.created_at.toString(36)}-${head.id}`,
        partsDone: head.parts_done,
        partSent: (i) => void (this.gone || this.outbox.partDone(head.id, i + 1)),
        recipients: this.deps.recipients(config.name) ?? undefined,
        ...(this.deps.report ? { report: this.deps.report } : {}),
      });
      if (this.gone) return; // answered after the stop: 'sending' is what the next start finds
      const note = res.note ? redact(res.note, secrets) : null;
      this.outbox.finishSent(head.id, attemptId, this.deps.now(), res.statusCode ?? null, note, items.filter((i, k) => k >= head.parts_done && !i.skip));
      if (note) this.deps.log(`notify: "${w.name}" message ${head.id} sent, but ${note}`);
      w.breaker.success();
    } catch (err) {
      // Cut off by close(): not a failure of the channel; left 'sending', sent again at the next start.
      if (this.stopping.signal.aborted || this.gone) return;
      const e = err instanceof DeliveryError ? err : new DeliveryError((err as Error)?.message ?? String(err), { retryable: true });
      const policy = this.deps.policy();
      const now = this.deps.now();
      const error = redact(e.message, secrets);
      const dead = !e.retryable || attempts >= policy.maxAttempts;
      // A receiver's Retry-After is honoured when it asks for longer than our backoff, never
      // shorter: `Retry-After: 0` (or a date past) spent every attempt in 30 ms.
      const backoff = backoffDelay(attempts, policy, this.deps.random);
      const wait = e.retryAfterMs !== undefined ? Math.max(backoff, Math.min(e.retryAfterMs, policy.maxRetryAfterMs)) : backoff;
      this.outbox.finishFailed(head.id, attemptId, now, error, e.statusCode ?? null, dead, now + wait);
      if (e.channelFault) w.breaker.failure(now);
      this.deps.log(
        `notify: "${w.name}" message ${head.id} attempt ${attempts} failed: ${error}; ` +
          (dead ? 'moved to the dead letters' : `next try in ${Math.round(wait / 100) / 10} s`),
      );
    }
  }
}
