import type { Migration } from './index.js';

// `time` in SQLite's own form (UTC, `YYYY-MM-DD HH:MM:SS.SSS`, as lnav's log_time), not ISO
// 8601's `...T...Z`: text comparisons are how SQL compares times, and SQLite's datetime()
// writes a blank. `time >= datetime('now', '-1 hour')` counted the whole day ('T' sorts
// after ' '), `time >= '2026-11-22 12:00:00'` every record of that date. And `level_rank`
// (1 trace ... 5 warn, 6 error, 7 critical, 8 fatal): `level >= 'warn'` compares words
// alphabetically (only warn passed). Same columns otherwise, in the same order.
export const m012: Migration = {
  version: 12,
  name: 'sql time and level rank',
  up: `
    DROP VIEW events;
    CREATE VIEW events AS
      SELECT r.id, s.name AS source, f.path AS path, r.ts,
             strftime('%Y-%m-%d %H:%M:%f', r.ts / 1000.0, 'unixepoch') AS time,
             CASE r.level WHEN 1 THEN 'trace' WHEN 2 THEN 'debug' WHEN 3 THEN 'info' WHEN 4 THEN 'notice'
               WHEN 5 THEN 'warn' WHEN 6 THEN 'error' WHEN 7 THEN 'critical' WHEN 8 THEN 'fatal' END AS level,
             r.level_text,
             CASE WHEN r.msg_off IS NOT NULL THEN substr(r.raw, r.msg_off + 1) ELSE coalesce(r.message, r.raw) END AS message,
             r.raw, r.raw_bytes, r.stream, r.format,
             r.line_no, r.line_end, r.flags, coalesce(t.merged_into, r.template_id) AS template_id, r.ingested_at,
             coalesce(c.text, t.text) AS template, r.level AS level_rank
      FROM records r JOIN sources s ON s.id = r.source_id LEFT JOIN files f ON f.id = r.file_id
           LEFT JOIN template_state t ON t.id = r.template_id
           LEFT JOIN template_state c ON c.id = t.merged_into;
    DROP VIEW templates;
    CREATE VIEW templates AS
      SELECT id, text, text AS template, count, first_seen, last_seen,
             strftime('%Y-%m-%d %H:%M:%f', first_seen / 1000.0, 'unixepoch') AS first_seen_time,
             strftime('%Y-%m-%d %H:%M:%f', last_seen / 1000.0, 'unixepoch') AS last_seen_time
      FROM template_state WHERE merged_into IS NULL;
  `,
};
