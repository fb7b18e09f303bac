import type { Migration } from './index.js';

// Migration 010 kept the format a file is read as with its checkpoint, but left it empty for
// the files of a store made before: Vigil upgraded decided a followed file's format again
// from the few lines written while it was stopped (one FATAL line read as log4j gave it
// another message and another template). The format of the file's last record stands in for
// it, for the files followed now; a generic read is decided again, as a new file's is.
export const m015: Migration = {
  version: 15,
  name: 'file format backfill',
  up: `
    UPDATE files SET format = nullif((
      SELECT r.format FROM records r WHERE r.source_id = files.source_id AND r.file_id = files.id ORDER BY r.id DESC LIMIT 1
    ), 'generic')
    WHERE format IS NULL AND state = 'active' AND offset > 0;
  `,
};
