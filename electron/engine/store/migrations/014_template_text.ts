import type { Migration } from './index.js';

// Finds a stored template by its text (see TemplateStore's revive): a template the miner set
// aside (free text crowding its bucket) came back under a new id when its message returned,
// and detection called that message new to its source. On the text's first 64 characters:
// the whole text again would double the table for logs of free text.
export const m014: Migration = {
  version: 14,
  name: 'template text index',
  up: `
    CREATE INDEX template_state_text ON template_state(substr(text, 1, 64));
  `,
};
