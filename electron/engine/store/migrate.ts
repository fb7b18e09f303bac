import type Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/** Applies every migration newer than the database's user_version. Returns the versions applied. */
export function migrate(db: Database.Database, migrations: Migration[] = MIGRATIONS): number[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 1..n without gaps; found ${m.version} at position ${i + 1}`);
  });
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = sorted.length;
  if (current > latest) throw new StoreTooNewError(db.name, current, latest);
  const applied: number[] = [];
  for (const m of sorted) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.up);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied.push(m.version);
  }
  return applied;
}

/** The store was made (or last opened) by a newer Vigil: refused, and left as it is. */
export class StoreTooNewError extends Error {
  constructor(path: string, version: number, known: number) {
    super(`the store ${path} was made by a newer Vigil (schema version ${version}; this one knows up to ${known}): update Vigil to open it, or use another store (it is left as it is)`);
    this.name = 'StoreTooNewError';
  }
}
