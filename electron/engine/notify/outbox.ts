// The outbox tables (migration 004) behind one small API. Synchronous: better-sqlite3
// writes take microseconds, and each step is committed before the next request goes out.
import type Database from 'better-sqlite3';
import { preparedOnce } from '../store/prepared.js';
import type { Anomaly, DeadLetter, NotificationHistoryEntry, Severity } from '../../../shared/types.js';
import type { MessageItem } from './types.js';

export type OutboxKind = 'firing' | 'resolved';
export type OutboxStatus = 'grouping' | 'pending' | 'sending' | 'sent' | 'dead';

export interface OutboxRow {
  id: number;
  channel: string;
  rule: string;
  kind: OutboxKind;
  status: OutboxStatus;
  seq: number | null;
  created_at: number;
  seal_at: number;
  sealed_at: number | null;
  next_at: number;
  attempts: number;
  parts_done: number;
  last_error: string | null;
  sent_at: number | null;
  updated_at: number;
}

/**
 * An item's place in its message (0 first: the order items(), and so a sender in parts,
 * takes them), for a query over `notify_items i`. Parts below `parts_done` went out.
 */
const POS = `(SELECT count(*) FROM notify_items j WHERE j.outbox_id = i.outbox_id AND (j.added_at < i.added_at OR (j.added_at = i.added_at AND j.rowid < i.rowid)))`;

interface Snapshot {
  anomaly: Anomaly;
  evidence: string[];
}

export class Outbox {
  /** Prepared once per SQL text: compiling is most of the cost of these small statements. */
  private readonly q: (sql: string) => Database.Statement;
  /** The last place given in the channels' order; the outbox is this connection's alone. */
  private lastSeq: number;

  constructor(readonly db: Database.Database) {
    this.q = preparedOnce(db);
    this.lastSeq = db.prepare('SELECT coalesce(max(seq), 0) FROM notify_outbox').pluck().get() as number;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // ---- grouping --------------------------------------------------------------------

  groupingRow(rule: string, channel: string, kind: OutboxKind): OutboxRow | undefined {
    return this.q("SELECT * FROM notify_outbox WHERE status = 'grouping' AND rule = ? AND channel = ? AND kind = ? ORDER BY id LIMIT 1")
      .get(rule, channel, kind) as OutboxRow | undefined;
  }

  createGroup(rule: string, channel: string, kind: OutboxKind, now: number, sealAt: number): number {
    const r = this.q("INSERT INTO notify_outbox (channel, rule, kind, status, created_at, seal_at, updated_at) VALUES (?, ?, ?, 'grouping', ?, ?, ?)")
      .run(channel, rule, kind, now, sealAt, now);
    return Number(r.lastInsertRowid);
  }

  /** Adds an anomaly to a message; if it is there already, refreshes its snapshot and keeps its first change. */
  upsertItem(outboxId: number, change: MessageItem['change'], anomaly: Anomaly, evidence: string[], now: number): void {
    this.q(
        `INSERT INTO notify_items (outbox_id, anomaly_id, change, snapshot, added_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (outbox_id, anomaly_id) DO UPDATE SET snapshot = excluded.snapshot`,
      )
      .run(outboxId, anomaly.id, change, JSON.stringify({ anomaly, evidence } satisfies Snapshot), now);
  }

  /**
   * Refreshes an anomaly's snapshot (its count, state, ...) in messages not sent yet:
   * grouping, waiting for a retry, being sent (for the retry, if this attempt fails: an
   * anomaly acknowledged meanwhile was sent again), or in the dead letters (retried by
   * hand later, they show how it stands then, not a stale "open").
   */
  refreshUnsent(anomaly: Anomaly, evidence?: () => string[]): void {
    // Not in a part of a message sent in parts (n8n) that went out already: that is what was sent.
    const rows = this.q(
        `SELECT i.outbox_id, i.snapshot FROM notify_items i JOIN notify_outbox o ON o.id = i.outbox_id
         WHERE i.anomaly_id = ? AND o.status IN ('grouping', 'pending', 'sending', 'dead')
           AND (o.parts_done = 0 OR ${POS} >= o.parts_done)`,
      )
      .all(anomaly.id) as { outbox_id: number; snapshot: string }[];
    if (!rows.length) return;
    const update = this.q('UPDATE notify_items SET snapshot = ? WHERE outbox_id = ? AND anomaly_id = ?');
    // Its newest evidence too: a message showing "×2 · last 18:50:31" showed only the first line.
    const fresh = evidence?.();
    for (const r of rows) {
      const snap = JSON.parse(r.snapshot) as Snapshot;
      update.run(JSON.stringify({ anomaly, evidence: fresh?.length ? fresh : snap.evidence } satisfies Snapshot), r.outbox_id, anomaly.id);
    }
  }

  /**
   * Whether the channel needs no separate "resolved" for this anomaly on this rule: a firing
   * message holding it has not gone out yet (grouping, waiting for a retry: it goes out
   * showing the anomaly as it stands), or every one that holds it is in the dead letters
   * (the channel was never told). One sent (or being sent) means it was told.
   */
  firingUnsent(rule: string, channel: string, anomalyId: number): boolean {
    // A message sent in parts (n8n: a request per anomaly) told the anomalies of the parts it
    // sent (`pos` below parts_done), though the rest waits for a retry.
    const r = this.q(
        `SELECT coalesce(sum(status IN ('grouping', 'pending') AND pos >= parts_done), 0) AS waiting,
                coalesce(sum(status IN ('sent', 'sending') OR pos < parts_done), 0) AS told,
                coalesce(sum(status = 'dead' AND pos >= parts_done), 0) AS dead
         FROM (SELECT o.status, o.parts_done,
                      ${POS} AS pos
               FROM notify_items i JOIN notify_outbox o ON o.id = i.outbox_id
               WHERE i.anomaly_id = ? AND o.kind = 'firing' AND o.rule = ? AND o.channel = ?)`,
      )
      .get(anomalyId, rule, channel) as { waiting: number; told: number; dead: number };
    return r.waiting > 0 || (r.dead > 0 && r.told === 0);
  }

  /**
   * Whether (rule, channel) was told of the anomaly while it was not resolved: a firing
   * message holding it went out showing it open (its snapshot is what was sent, see
   * finishSent), or a part of one sent in parts did. A "resolved" for an anomaly the channel
   * never heard of (its firing message is in the dead letters), or heard of resolved (that
   * message failed while the anomaly resolved, and its retry showed it so), is not sent.
   */
  toldUnresolved(rule: string, channel: string, anomalyId: number): boolean {
    return (
      this.q(
        `SELECT 1 FROM notify_items i JOIN notify_outbox o ON o.id = i.outbox_id
         WHERE i.anomaly_id = ? AND o.kind = 'firing' AND o.rule = ? AND o.channel = ?
           AND (o.status = 'sent' OR ${POS} < o.parts_done)
           AND json_extract(i.snapshot, '$.anomaly.state') != 'resolved'
         LIMIT 1`,
      ).get(anomalyId, rule, channel) !== undefined
    );
  }

  /** When (rule, channel) was last told of the anomaly, and of which severity (null: before that was kept). */
  lastNotified(rule: string, channel: string, anomalyId: number): { at: number; severity: Severity | null } | null {
    const r = this.q('SELECT last_at, severity FROM notify_anomaly_state WHERE rule = ? AND channel = ? AND anomaly_id = ?').get(rule, channel, anomalyId) as
      | { last_at: number; severity: Severity | null }
      | undefined;
    return r ? { at: r.last_at, severity: r.severity } : null;
  }

  setNotified(rule: string, channel: string, anomalyId: number, now: number, severity: Severity): void {
    this.q(
        `INSERT INTO notify_anomaly_state (rule, channel, anomaly_id, last_at, severity) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (rule, channel, anomaly_id) DO UPDATE SET last_at = excluded.last_at, severity = excluded.severity`,
      )
      .run(rule, channel, anomalyId, now, severity);
  }

  /**
   * A firing message with the anomaly is still to go to (rule, channel): grouping, pending a
   * retry, or out now (a request to a receiver that is down fails, and it is pending again:
   * a repeat queued meanwhile went as a second copy when the receiver came back).
   */
  firingWaiting(rule: string, channel: string, anomalyId: number): boolean {
    return (
      this.q(
        `SELECT 1 FROM notify_items i JOIN notify_outbox o ON o.id = i.outbox_id
         WHERE i.anomaly_id = ? AND o.kind = 'firing' AND o.rule = ? AND o.channel = ? AND o.status IN ('grouping', 'pending', 'sending') LIMIT 1`,
      ).get(anomalyId, rule, channel) !== undefined
    );
  }

  notifiedRoutes(anomalyId: number): { rule: string; channel: string }[] {
    return this.q('SELECT rule, channel FROM notify_anomaly_state WHERE anomaly_id = ? ORDER BY rowid').all(anomalyId) as { rule: string; channel: string }[];
  }

  forget(anomalyId: number): void {
    this.q('DELETE FROM notify_anomaly_state WHERE anomaly_id = ?').run(anomalyId);
  }

  // ---- sealing ---------------------------------------------------------------------

  dueGroups(now: number): OutboxRow[] {
    return this.q("SELECT * FROM notify_outbox WHERE status = 'grouping' AND seal_at <= ? ORDER BY seal_at, id").all(now) as OutboxRow[];
  }

  nextSealAt(): number | null {
    return (this.q("SELECT min(seal_at) FROM notify_outbox WHERE status = 'grouping'").pluck().get() as number | null) ?? null;
  }

  postpone(id: number, sealAt: number, now: number): void {
    this.q('UPDATE notify_outbox SET seal_at = ?, updated_at = ? WHERE id = ?').run(sealAt, now, id);
  }

  /** The message is complete: it takes the next place in its channel's order. */
  seal(id: number, now: number): void {
    this.q("UPDATE notify_outbox SET status = 'pending', sealed_at = ?, next_at = ?, updated_at = ?, seq = ? WHERE id = ?").run(now, now, now, ++this.lastSeq, id);
  }

  /** Sealed-at times of (rule, channel) messages since `since`, oldest first (rate limits). */
  sealedSince(rule: string, channel: string, since: number): number[] {
    return this.q('SELECT sealed_at FROM notify_outbox WHERE rule = ? AND channel = ? AND sealed_at >= ? ORDER BY sealed_at')
      .pluck()
      .all(rule, channel, since) as number[];
  }

  // ---- delivery --------------------------------------------------------------------

  /** The next message of a channel, in order; a 'sending' row is one being sent right now. */
  head(channel: string): OutboxRow | undefined {
    return this.q("SELECT * FROM notify_outbox WHERE channel = ? AND status IN ('pending', 'sending') ORDER BY seq LIMIT 1")
      .get(channel) as OutboxRow | undefined;
  }

  items(outboxId: number): MessageItem[] {
    const rows = this.q('SELECT change, snapshot FROM notify_items WHERE outbox_id = ? ORDER BY added_at, rowid')
      .all(outboxId) as { change: MessageItem['change']; snapshot: string }[];
    return rows.map((r) => {
      const s = JSON.parse(r.snapshot) as Snapshot;
      return { change: r.change, anomaly: s.anomaly, evidence: s.evidence };
    });
  }

  /** Committed before the request goes out: a crash leaves the row 'sending' with an open attempt. */
  beginAttempt(id: number, now: number): number {
    return this.transaction(() => {
      this.q("UPDATE notify_outbox SET status = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ?").run(now, id);
      return Number(this.q('INSERT INTO notify_attempts (outbox_id, started_at) VALUES (?, ?)').run(id, now).lastInsertRowid);
    });
  }

  partDone(id: number, partsDone: number): void {
    this.q('UPDATE notify_outbox SET parts_done = ? WHERE id = ?').run(partsDone, id);
  }

  /**
   * `note`: what did not go as asked (some recipients refused), kept as the message's and the
   * attempt's error text. `sent`: the anomalies as the request showed them; an anomaly that
   * changed while the request was out (refreshUnsent, for a retry) keeps what was sent.
   */
  finishSent(id: number, attemptId: number, now: number, statusCode: number | null, note: string | null = null, sent: MessageItem[] = []): void {
    this.transaction(() => {
      const update = this.q('UPDATE notify_items SET snapshot = ? WHERE outbox_id = ? AND anomaly_id = ?');
      for (const i of sent) update.run(JSON.stringify({ anomaly: i.anomaly, evidence: i.evidence } satisfies Snapshot), id, i.anomaly.id);
      this.q("UPDATE notify_outbox SET status = 'sent', sent_at = ?, last_error = ?, updated_at = ? WHERE id = ?").run(now, note, now, id);
      this.q("UPDATE notify_attempts SET finished_at = ?, outcome = 'sent', status_code = ?, error = ? WHERE id = ?").run(now, statusCode, note, attemptId);
    });
  }

  finishFailed(id: number, attemptId: number, now: number, error: string, statusCode: number | null, dead: boolean, nextAt: number): void {
    this.transaction(() => {
      this.q('UPDATE notify_outbox SET status = ?, next_at = ?, last_error = ?, updated_at = ? WHERE id = ?')
        .run(dead ? 'dead' : 'pending', nextAt, error, now, id);
      this.q("UPDATE notify_attempts SET finished_at = ?, outcome = 'failed', status_code = ?, error = ? WHERE id = ?").run(now, statusCode, error, attemptId);
    });
  }

  /**
   * At start: a row left 'sending' was cut off mid-request. Whether the receiver got it is
   * unknown; it goes back to pending (sent again: at-least-once for that one message).
   */
  recoverInterrupted(now: number): number {
    return this.transaction(() => {
      this.q(
          `UPDATE notify_attempts SET finished_at = ?, outcome = 'interrupted', error = 'Vigil stopped before the receiver answered'
           WHERE outcome IS NULL AND outbox_id IN (SELECT id FROM notify_outbox WHERE status = 'sending')`,
        )
        .run(now);
      return this.q("UPDATE notify_outbox SET status = 'pending', next_at = ?, updated_at = ? WHERE status = 'sending'").run(now, now).changes;
    });
  }

  /** Channels with messages not yet sent (grouping, pending or sending). */
  channelsWithWork(): string[] {
    return this.q("SELECT DISTINCT channel FROM notify_outbox WHERE status IN ('grouping', 'pending', 'sending')").pluck().all() as string[];
  }

  /** Moves a channel's unsent messages to the dead letters (the channel was removed or disabled). */
  killChannel(channel: string, reason: string, now: number): number {
    return this.q("UPDATE notify_outbox SET status = 'dead', last_error = ?, updated_at = ? WHERE channel = ? AND status IN ('grouping', 'pending')")
      .run(reason, now, channel).changes;
  }

  /**
   * Takes anomalies out of a firing message not sent yet (acknowledged or snoozed while it
   * waited), and forgets that its channel was told of them, so no "resolved" follows. A
   * message left with none is removed.
   */
  withdraw(msg: Pick<OutboxRow, 'id' | 'rule' | 'channel'>, anomalyIds: number[], now: number): void {
    this.transaction(() => {
      for (const id of anomalyIds) this.q('DELETE FROM notify_items WHERE outbox_id = ? AND anomaly_id = ?').run(msg.id, id);
      this.forgetTold(msg, anomalyIds);
      if (this.q('SELECT 1 FROM notify_items WHERE outbox_id = ? LIMIT 1').get(msg.id) === undefined) {
        this.q('DELETE FROM notify_attempts WHERE outbox_id = ?').run(msg.id);
        this.q('DELETE FROM notify_outbox WHERE id = ?').run(msg.id);
      } else this.q('UPDATE notify_outbox SET updated_at = ? WHERE id = ?').run(now, msg.id);
    });
  }

  /** The message's channel was not told of these anomalies after all (skipped): no "resolved" goes there for them. */
  forgetTold(msg: Pick<OutboxRow, 'rule' | 'channel'>, anomalyIds: number[]): void {
    for (const id of anomalyIds) this.q('DELETE FROM notify_anomaly_state WHERE rule = ? AND channel = ? AND anomaly_id = ?').run(msg.rule, msg.channel, id);
  }

  kill(id: number, reason: string, now: number): void {
    this.q("UPDATE notify_outbox SET status = 'dead', last_error = ?, updated_at = ? WHERE id = ?").run(reason, now, id);
  }

  // ---- views -----------------------------------------------------------------------

  channelCounts(channel: string): { pending: number; dead: number; lastSentAt: number | null; lastError: string | null } {
    const r = this.q(
        `SELECT sum(status IN ('grouping', 'pending', 'sending')) AS pending, sum(status = 'dead') AS dead,
                max(sent_at) AS lastSentAt FROM notify_outbox WHERE channel = ?`,
      )
      .get(channel) as { pending: number | null; dead: number | null; lastSentAt: number | null };
    const lastError = this.q("SELECT last_error FROM notify_outbox WHERE channel = ? AND last_error IS NOT NULL AND status != 'sent' ORDER BY updated_at DESC LIMIT 1")
      .pluck()
      .get(channel) as string | undefined;
    return { pending: r.pending ?? 0, dead: r.dead ?? 0, lastSentAt: r.lastSentAt, lastError: lastError ?? null };
  }

  /** Did the channel's last finished message go out, or end dead-lettered, and when? null: none finished yet. */
  lastOutcome(channel: string): { status: 'sent' | 'dead'; at: number } | null {
    const r = this.q("SELECT status, updated_at AS at FROM notify_outbox WHERE channel = ? AND status IN ('sent', 'dead') ORDER BY updated_at DESC, id DESC LIMIT 1")
      .get(channel) as { status: 'sent' | 'dead'; at: number } | undefined;
    return r ?? null;
  }

  totals(): { pending: number; dead: number } {
    const r = this.q("SELECT sum(status IN ('grouping', 'pending', 'sending')) AS pending, sum(status = 'dead') AS dead FROM notify_outbox")
      .get() as { pending: number | null; dead: number | null };
    return { pending: r.pending ?? 0, dead: r.dead ?? 0 };
  }

  history(q: { anomalyId?: number; channel?: string; status?: string; beforeId?: number; limit: number }): NotificationHistoryEntry[] {
    const where: string[] = [];
    if (q.anomalyId !== undefined) where.push('anomaly_id = @anomalyId');
    if (q.channel) where.push('channel = @channel');
    if (q.status) where.push('status = @status');
    if (q.beforeId) where.push('delivery_id < @beforeId');
    const rows = this.q(`SELECT * FROM notification_history ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY delivery_id DESC, anomaly_id LIMIT @limit`)
      .all({ anomalyId: q.anomalyId ?? null, channel: q.channel ?? null, status: q.status ?? null, beforeId: q.beforeId ?? null, limit: q.limit }) as Record<string, unknown>[];
    return rows.map(historyEntry);
  }

  deadLetters(q: { channel?: string; limit: number }): DeadLetter[] {
    const rows = this.q(`SELECT * FROM notify_outbox WHERE status = 'dead' ${q.channel ? 'AND channel = @channel' : ''} ORDER BY id DESC LIMIT @limit`)
      .all({ channel: q.channel ?? null, limit: q.limit }) as OutboxRow[];
    return rows.map((r) => {
      const items = this.items(r.id);
      return {
        deliveryId: r.id,
        channel: r.channel,
        rule: r.rule,
        kind: r.kind,
        anomalyIds: items.map((i) => i.anomaly.id),
        title: items.length === 1 ? items[0]!.anomaly.title : `${items.length} anomalies`,
        attempts: r.attempts,
        error: r.last_error,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      };
    });
  }

  /**
   * Dead letters back to pending, with a fresh attempt count. They keep their place (seq)
   * in their channel's order. Returns the channels touched.
   */
  retry(sel: { ids: number[] } | { all: true; channel?: string }, now: number): { count: number; channels: string[] } {
    return this.transaction(() => {
      const rows =
        'ids' in sel
          ? (this.db.prepare(`SELECT id, channel, seq FROM notify_outbox WHERE status = 'dead' AND id IN (${sel.ids.map(() => '?').join(',')})`).all(...sel.ids) as { id: number; channel: string; seq: number | null }[])
          : (this.q(`SELECT id, channel, seq FROM notify_outbox WHERE status = 'dead' ${sel.channel ? 'AND channel = ?' : ''}`).all(...(sel.channel ? [sel.channel] : [])) as { id: number; channel: string; seq: number | null }[]);
      const update = this.q(
        `UPDATE notify_outbox SET status = 'pending', attempts = 0, next_at = ?, updated_at = ?, sealed_at = coalesce(sealed_at, ?),
           seq = ? WHERE id = ?`,
      );
      // A message killed before it was sealed has no place yet: it gets the next one.
      for (const r of rows) update.run(now, now, now, r.seq ?? ++this.lastSeq, r.id);
      return { count: rows.length, channels: [...new Set(rows.map((r) => r.channel))] };
    });
  }

  /** Forgets sent messages older than `before` (dead letters stay until retried). */
  pruneSent(before: number): number {
    return this.transaction(() => {
      const ids = `SELECT id FROM notify_outbox WHERE status = 'sent' AND sent_at < ?`;
      this.q(`DELETE FROM notify_items WHERE outbox_id IN (${ids})`).run(before);
      this.q(`DELETE FROM notify_attempts WHERE outbox_id IN (${ids})`).run(before);
      return this.q("DELETE FROM notify_outbox WHERE status = 'sent' AND sent_at < ?").run(before).changes;
    });
  }

  // ---- recipients ------------------------------------------------------------------

  /** When a test message last went out on the channel (0: never). */
  testedOkAt(channel: string): number {
    return (this.q('SELECT ok_at FROM notify_channel_tests WHERE channel = ?').pluck().get(channel) as number | undefined) ?? 0;
  }

  setTestedOk(channel: string, at: number): void {
    this.q('INSERT INTO notify_channel_tests (channel, ok_at) VALUES (?, ?) ON CONFLICT(channel) DO UPDATE SET ok_at = excluded.ok_at').run(channel, at);
  }

  recipients(channel: string): string[] | null {
    const list = this.q('SELECT address FROM notify_recipients WHERE channel = ? ORDER BY position').pluck().all(channel) as string[];
    return list.length ? list : null;
  }

  setRecipients(channel: string, list: string[] | null): void {
    this.transaction(() => {
      this.q('DELETE FROM notify_recipients WHERE channel = ?').run(channel);
      const insert = this.q('INSERT INTO notify_recipients (channel, position, address) VALUES (?, ?, ?)');
      list?.forEach((a, i) => insert.run(channel, i, a));
    });
  }
}

/** A row of the notification_history view as the contract gives it. */
export function historyEntry(r: Record<string, unknown>): NotificationHistoryEntry {
  return {
    deliveryId: r.delivery_id as number,
    anomalyId: (r.anomaly_id as number | null) ?? null,
    channel: r.channel as string,
    rule: r.rule as string,
    kind: r.kind as OutboxKind,
    change: (r.change as NotificationHistoryEntry['change']) ?? null,
    status: r.status as NotificationHistoryEntry['status'],
    attempts: r.attempts as number,
    error: (r.error as string | null) ?? null,
    createdAt: r.created_at as number,
    sentAt: (r.sent_at as number | null) ?? null,
    updatedAt: r.updated_at as number,
  };
}
