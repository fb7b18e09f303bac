import type { Migration } from './index.js';

// When a test message last went out on a channel. A channel whose last message was
// dead-lettered reads "failing" until a message goes out again, a test included; kept in
// memory only, a restart put a channel fixed and tested back to "failing".
export const m011: Migration = {
  version: 11,
  name: 'channel tested',
  up: `
    CREATE TABLE notify_channel_tests (
      channel TEXT PRIMARY KEY,
      ok_at INTEGER NOT NULL
    );
  `,
};
