import type { Migration } from './index.js';

// Core tables: sources, the files read for them (with checkpoints), and the records.
// `message` is NULL when it equals `raw` (the common case), which halves the bytes stored.
export const m001: Migration = {
  version: 1,
  name: 'core',
  up: `
    CREATE TABLE sources (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      type TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE files (
      id INTEGER PRIMARY KEY,
      source_id INTEGER NOT NULL REFERENCES sources(id),
      path TEXT NOT NULL,
      dev INTEGER,
      ino INTEGER,
      fingerprint TEXT,
      offset INTEGER NOT NULL DEFAULT 0,
      line_no INTEGER NOT NULL DEFAULT 0,
      size INTEGER NOT NULL DEFAULT 0,
      state TEXT NOT NULL DEFAULT 'active',
      cursor TEXT,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX files_source ON files(source_id);
    CREATE INDEX files_fp ON files(source_id, fingerprint);
    CREATE TABLE records (
      id INTEGER PRIMARY KEY,
      source_id INTEGER NOT NULL,
      file_id INTEGER,
      line_no INTEGER,
      line_end INTEGER,
      ts INTEGER NOT NULL,
      ts_text TEXT,
      level INTEGER NOT NULL DEFAULT 0,
      level_text TEXT,
      stream TEXT,
      format TEXT,
      template_id INTEGER,
      flags INTEGER NOT NULL DEFAULT 0,
      message TEXT,
      raw TEXT NOT NULL,
      raw_bytes BLOB,
      ingested_at INTEGER NOT NULL
    );
    CREATE INDEX records_ts ON records(ts);
    CREATE INDEX records_source_id ON records(source_id, id);
    CREATE VIEW events AS
      SELECT r.id, s.name AS source, f.path AS path, r.ts,
             strftime('%Y-%m-%dT%H:%M:%fZ', r.ts / 1000.0, 'unixepoch') AS time,
             CASE r.level WHEN 1 THEN 'trace' WHEN 2 THEN 'debug' WHEN 3 THEN 'info' WHEN 4 THEN 'notice'
               WHEN 5 THEN 'warn' WHEN 6 THEN 'error' WHEN 7 THEN 'critical' WHEN 8 THEN 'fatal' END AS level,
             r.level_text, coalesce(r.message, r.raw) AS message, r.raw, r.raw_bytes, r.stream, r.format,
             r.line_no, r.line_end, r.flags, r.template_id, r.ingested_at
      FROM records r JOIN sources s ON s.id = r.source_id LEFT JOIN files f ON f.id = r.file_id;
  `,
};
