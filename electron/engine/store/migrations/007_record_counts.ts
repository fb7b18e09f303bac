import type { Migration } from './index.js';

// Record counts per 5-second bucket and source (see store/record-counts.ts): what the
// chart and the error band read instead of scanning records. Kept by every insert in the
// same transaction; an existing database counts what it already holds, once, here.
// The 5000 is COUNT_GRAIN_MS; ts - ((ts % 5000) + 5000) % 5000 is the bucket's start for
// negative times too (SQLite's % keeps the dividend's sign).
export const m007: Migration = {
  version: 7,
  name: 'record counts per 5 s bucket',
  up: `
    CREATE TABLE record_counts (
      t INTEGER NOT NULL,
      source_id INTEGER NOT NULL,
      total INTEGER NOT NULL,
      errors INTEGER NOT NULL,
      warnings INTEGER NOT NULL,
      PRIMARY KEY (t, source_id)
    ) WITHOUT ROWID;
    CREATE INDEX record_counts_source ON record_counts(source_id, t);
    INSERT INTO record_counts (t, source_id, total, errors, warnings)
      SELECT ts - ((ts % 5000) + 5000) % 5000 AS b, source_id, count(*), sum(level >= 6), sum(level = 5)
      FROM records GROUP BY b, source_id;
  `,
};
