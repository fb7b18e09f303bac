import type { Migration } from './index.js';

// records_template (records by template_id) is dropped: nothing reads it (the events
// view resolves template_id through merges, so a query on events.template_id cannot use
// it), and it was the dearest part of an insert: consecutive records of different
// templates land on different pages of it, so each transaction rewrote about one page
// per template in use. Measured: 300 templates in use halved the rows/s of inserts, 30
// cost a quarter. A query on records.template_id now scans the table.
export const m006: Migration = {
  version: 6,
  name: 'records template index dropped',
  up: `
    DROP INDEX records_template;
  `,
};
