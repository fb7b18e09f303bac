import type { Migration } from './index.js';

// The severity a (rule, channel) was last told of an anomaly: an anomaly that gets worse
// (high to critical) is told again at once, whatever the repeat interval (notify/grouper.ts).
export const m009: Migration = {
  version: 9,
  name: 'notified severity',
  up: `
    ALTER TABLE notify_anomaly_state ADD COLUMN severity TEXT;
  `,
};
