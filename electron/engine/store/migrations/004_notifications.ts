import type { Migration } from './index.js';

// Notifications: a persistent outbox. A row is one message to one channel. It is written
// before anything is sent, first while it still collects anomalies (status 'grouping'
// until seal_at), then 'pending' with its place in the channel's order (seq), 'sending'
// while a request is out (a row found 'sending' at start was interrupted), and finally
// 'sent' or 'dead' (the dead-letter list, retried by the user). Every attempt and its
// outcome is kept in notify_attempts.
export const m004: Migration = {
  version: 4,
  name: 'notifications',
  up: `
    CREATE TABLE notify_outbox (
      id INTEGER PRIMARY KEY,
      channel TEXT NOT NULL,
      rule TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('firing', 'resolved')),
      status TEXT NOT NULL CHECK (status IN ('grouping', 'pending', 'sending', 'sent', 'dead')),
      seq INTEGER,
      created_at INTEGER NOT NULL,
      seal_at INTEGER NOT NULL,
      sealed_at INTEGER,
      next_at INTEGER NOT NULL DEFAULT 0,
      attempts INTEGER NOT NULL DEFAULT 0,
      parts_done INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      sent_at INTEGER,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX notify_outbox_channel ON notify_outbox(channel, status, seq);
    CREATE INDEX notify_outbox_grouping ON notify_outbox(status, seal_at);
    CREATE INDEX notify_outbox_rule ON notify_outbox(rule, channel, sealed_at);

    -- The anomalies in a message, as they were when added (updated while it is grouping).
    CREATE TABLE notify_items (
      outbox_id INTEGER NOT NULL REFERENCES notify_outbox(id) ON DELETE CASCADE,
      anomaly_id INTEGER NOT NULL,
      change TEXT NOT NULL CHECK (change IN ('opened', 'repeated', 'resolved')),
      snapshot TEXT NOT NULL,
      added_at INTEGER NOT NULL,
      PRIMARY KEY (outbox_id, anomaly_id)
    );
    CREATE INDEX notify_items_anomaly ON notify_items(anomaly_id);

    CREATE TABLE notify_attempts (
      id INTEGER PRIMARY KEY,
      outbox_id INTEGER NOT NULL REFERENCES notify_outbox(id) ON DELETE CASCADE,
      started_at INTEGER NOT NULL,
      finished_at INTEGER,
      -- NULL while the request is out; 'interrupted' when Vigil stopped before an answer.
      outcome TEXT CHECK (outcome IN ('sent', 'failed', 'interrupted')),
      status_code INTEGER,
      error TEXT
    );
    CREATE INDEX notify_attempts_outbox ON notify_attempts(outbox_id);

    -- Which (rule, channel) was told about which open anomaly, and when last: drives the
    -- repeat interval and where a "resolved" message goes.
    CREATE TABLE notify_anomaly_state (
      rule TEXT NOT NULL,
      channel TEXT NOT NULL,
      anomaly_id INTEGER NOT NULL,
      last_at INTEGER NOT NULL,
      PRIMARY KEY (rule, channel, anomaly_id)
    );
    CREATE INDEX notify_anomaly_state_anomaly ON notify_anomaly_state(anomaly_id);

    -- E-mail recipients set in the app; when a channel has rows here they replace the
    -- config's \`to\`.
    CREATE TABLE notify_recipients (
      channel TEXT NOT NULL,
      position INTEGER NOT NULL,
      address TEXT NOT NULL,
      PRIMARY KEY (channel, position)
    );

    -- One row per anomaly per message: what was sent, failed or is pending, per anomaly
    -- and per channel. Messages without anomalies do not occur (a message is created with
    -- its first anomaly).
    CREATE VIEW notification_history AS
      SELECT o.id AS delivery_id, i.anomaly_id, o.channel, o.rule, o.kind, i.change,
             CASE o.status WHEN 'sent' THEN 'sent' WHEN 'dead' THEN 'failed' ELSE 'pending' END AS status,
             o.status AS outbox_status, o.attempts, o.last_error AS error,
             o.created_at, o.sent_at, o.updated_at
      FROM notify_outbox o JOIN notify_items i ON i.outbox_id = o.id;
  `,
};
