import type { Migration } from './index.js';

// notification_history's `attempts`: every attempt the message had (notify_attempts), not the
// outbox's count, which a retry from the dead letters starts again (it bounds the retries
// left): after four failures and a retry that went through, the history and the incident
// report said "1 attempt", and the outage was gone from them. Same columns, same order.
export const m013: Migration = {
  version: 13,
  name: 'history attempts',
  up: `
    DROP VIEW notification_history;
    CREATE VIEW notification_history AS
      SELECT o.id AS delivery_id, i.anomaly_id, o.channel, o.rule, o.kind, i.change,
             CASE o.status WHEN 'sent' THEN 'sent' WHEN 'dead' THEN 'failed' ELSE 'pending' END AS status,
             o.status AS outbox_status,
             max(o.attempts, (SELECT count(*) FROM notify_attempts a WHERE a.outbox_id = o.id)) AS attempts,
             o.last_error AS error, o.created_at, o.sent_at, o.updated_at
      FROM notify_outbox o JOIN notify_items i ON i.outbox_id = o.id;
  `,
};
