import type Database from 'better-sqlite3';
import type { Store } from '../../store/store.js';
import { DrainMiner, type MinedTemplate, type MinerOptions } from './miner.js';

// Persists the miner's templates in SQLite (table template_state, migration 002) so ids
// survive restarts. Saving is cheap and incremental: only templates that changed since the
// last save are written, and `persist()` is meant to run inside the transaction that
// stores the records carrying the ids (Store.append's `also` callback), so a record never
// points at a template that is not stored.

interface Row {
  id: number;
  text: string;
  tokens: string;
  count: number;
  first_seen: number;
  last_seen: number;
  merged_into: number | null;
}

export class TemplateStore {
  readonly miner: DrainMiner;
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private lastSaved: MinedTemplate[] = [];

  constructor(store: Store | { db: Database.Database }, opts: MinerOptions = {}) {
    this.db = store.db;
    this.miner = new DrainMiner(opts);
    this.upsert = this.db.prepare(
      `INSERT INTO template_state (id, text, tokens, count, first_seen, last_seen, merged_into)
       VALUES (@id, @text, @tokens, @count, @first_seen, @last_seen, @merged_into)
       ON CONFLICT(id) DO UPDATE SET text = excluded.text, tokens = excluded.tokens, count = excluded.count,
         first_seen = excluded.first_seen, last_seen = excluded.last_seen, merged_into = excluded.merged_into`,
    );
    this.miner.load(this.readAll());
  }

  private readAll(): MinedTemplate[] {
    const rows = this.db.prepare('SELECT * FROM template_state ORDER BY id').all() as Row[];
    return rows.map((r) => {
      const { t, s } = JSON.parse(r.tokens) as { t: string[]; s: boolean[] };
      return { id: r.id, tokens: t, space: s, text: r.text, count: r.count, firstSeen: r.first_seen, lastSeen: r.last_seen, mergedInto: r.merged_into };
    });
  }

  /**
   * Writes the templates changed since the last call. Call it inside the transaction that
   * writes the records (e.g. `store.append(rows, checkpoints, () => templates.persist())`).
   * Returns how many rows were written.
   */
  persist(): number {
    const dirty = this.miner.takeDirty();
    this.lastSaved = dirty;
    for (const t of dirty) {
      this.upsert.run({
        id: t.id,
        text: t.text,
        tokens: JSON.stringify({ t: t.tokens, s: t.space }),
        count: t.count,
        first_seen: t.firstSeen,
        last_seen: t.lastSeen,
        merged_into: t.mergedInto,
      });
    }
    return dirty.length;
  }

  /** The transaction that ran the last `persist()` rolled back: save those templates next time. */
  rollback(): void {
    this.miner.restoreDirty(this.lastSaved);
    this.lastSaved = [];
  }

  /** Convenience for callers without a record transaction of their own (CLI, tests). */
  save(): number {
    return this.db.transaction(() => this.persist())();
  }
}
