import type { Migration } from './index.js';

// What retention removed (store/retention.ts), so the records that are gone are accounted
// for: which ids, how many, when and why ("store.maxSize (4.0 GiB)"). Removals for one
// reason within a minute share a row (started_at: the first, at: the last).
export const m008: Migration = {
  version: 8,
  name: 'retention log',
  up: `
    CREATE TABLE retention_log (
      id INTEGER PRIMARY KEY,
      started_at INTEGER NOT NULL,
      at INTEGER NOT NULL,
      reason TEXT NOT NULL,
      removed INTEGER NOT NULL,
      first_id INTEGER NOT NULL,
      last_id INTEGER NOT NULL,
      oldest_ts INTEGER,
      newest_ts INTEGER
    );
  `,
};
