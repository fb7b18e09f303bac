import type { Migration } from './index.js';

// The message stored as where it starts in `raw` when it is the end of raw (most formats:
// the text after the time and level) instead of a second copy: a third fewer bytes per
// record. `msg_off` counts characters as SQLite's substr() does (code points).
//   message NOT NULL  -> that text (not the end of raw)
//   msg_off = k       -> substr(raw, k + 1): raw from character k on
//   both NULL         -> raw itself (as before 005)
// A span anywhere (offset and length) was measured too: the second column costs more to
// bind than the bytes it saves. The events view is recreated with every 002 column and
// meaning; `message` reads as before.
export const m005: Migration = {
  version: 5,
  name: 'message span',
  up: `
    ALTER TABLE records ADD COLUMN msg_off INTEGER;
    DROP VIEW events;
    CREATE VIEW events AS
      SELECT r.id, s.name AS source, f.path AS path, r.ts,
             strftime('%Y-%m-%dT%H:%M:%fZ', r.ts / 1000.0, 'unixepoch') AS time,
             CASE r.level WHEN 1 THEN 'trace' WHEN 2 THEN 'debug' WHEN 3 THEN 'info' WHEN 4 THEN 'notice'
               WHEN 5 THEN 'warn' WHEN 6 THEN 'error' WHEN 7 THEN 'critical' WHEN 8 THEN 'fatal' END AS level,
             r.level_text,
             CASE WHEN r.msg_off IS NOT NULL THEN substr(r.raw, r.msg_off + 1) ELSE coalesce(r.message, r.raw) END AS message,
             r.raw, r.raw_bytes, r.stream, r.format,
             r.line_no, r.line_end, r.flags, coalesce(t.merged_into, r.template_id) AS template_id, r.ingested_at,
             coalesce(c.text, t.text) AS template
      FROM records r JOIN sources s ON s.id = r.source_id LEFT JOIN files f ON f.id = r.file_id
           LEFT JOIN template_state t ON t.id = r.template_id
           LEFT JOIN template_state c ON c.id = t.merged_into;
  `,
};
