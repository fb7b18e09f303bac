import type { Migration } from './index.js';

// The format a file's lines were read as, kept with its checkpoint: Vigil started again
// goes on reading it so, instead of deciding again from the few lines written meanwhile
// (one line read as another format gave its errors another template, so a second anomaly
// and a second alert for the same line).
export const m010: Migration = {
  version: 10,
  name: 'file format',
  up: `
    ALTER TABLE files ADD COLUMN format TEXT;
  `,
};
