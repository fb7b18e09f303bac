import type { Migration } from './index.js';

// Mined message templates. `template_state` is the miner's persisted state (tokens and
// spacing rebuild its search tree on start); `templates` is the view people query.
// A template merged into another keeps its row with `merged_into` set, so records that
// already carry the old id still resolve to the surviving template.
// The events view is recreated with every 001 column plus template_id (resolved through
// merges) and the template text.
export const m002: Migration = {
  version: 2,
  name: 'templates',
  up: `
    CREATE TABLE template_state (
      id INTEGER PRIMARY KEY,
      text TEXT NOT NULL,
      tokens TEXT NOT NULL,
      count INTEGER NOT NULL DEFAULT 0,
      first_seen INTEGER NOT NULL,
      last_seen INTEGER NOT NULL,
      merged_into INTEGER
    );
    CREATE INDEX records_template ON records(template_id);
    CREATE VIEW templates AS
      SELECT id, text, text AS template, count, first_seen, last_seen,
             strftime('%Y-%m-%dT%H:%M:%fZ', first_seen / 1000.0, 'unixepoch') AS first_seen_time,
             strftime('%Y-%m-%dT%H:%M:%fZ', last_seen / 1000.0, 'unixepoch') AS last_seen_time
      FROM template_state WHERE merged_into IS NULL;
    DROP VIEW events;
    CREATE VIEW events AS
      SELECT r.id, s.name AS source, f.path AS path, r.ts,
             strftime('%Y-%m-%dT%H:%M:%fZ', r.ts / 1000.0, 'unixepoch') AS time,
             CASE r.level WHEN 1 THEN 'trace' WHEN 2 THEN 'debug' WHEN 3 THEN 'info' WHEN 4 THEN 'notice'
               WHEN 5 THEN 'warn' WHEN 6 THEN 'error' WHEN 7 THEN 'critical' WHEN 8 THEN 'fatal' END AS level,
             r.level_text, coalesce(r.message, r.raw) AS message, r.raw, r.raw_bytes, r.stream, r.format,
             r.line_no, r.line_end, r.flags, coalesce(t.merged_into, r.template_id) AS template_id, r.ingested_at,
             coalesce(c.text, t.text) AS template
      FROM records r JOIN sources s ON s.id = r.source_id LEFT JOIN files f ON f.id = r.file_id
           LEFT JOIN template_state t ON t.id = r.template_id
           LEFT JOIN template_state c ON c.id = t.merged_into;
  `,
};
