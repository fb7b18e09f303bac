import type Database from 'better-sqlite3';
import type { Store } from '../../store/store.js';
import { DrainMiner, MAX_TEMPLATE_CHARS, MAX_TEMPLATES, type MinedTemplate, type MinerOptions } from './miner.js';

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
    const byText = this.db.prepare('SELECT * FROM template_state WHERE substr(text, 1, 64) = substr(@t, 1, 64) AND text = @t AND merged_into IS NULL ORDER BY id DESC LIMIT 1');
    this.miner = new DrainMiner({ revive: (text) => fromRow(byText.get({ t: text }) as Row | undefined), ...opts });
    this.upsert = this.db.prepare(
      `INSERT INTO template_state (id, text, tokens, count, first_seen, last_seen, merged_into)
       VALUES (@id, @text, @tokens, @count, @first_seen, @last_seen, @merged_into)
       ON CONFLICT(id) DO UPDATE SET text = excluded.text, tokens = excluded.tokens, count = excluded.count,
         first_seen = excluded.first_seen, last_seen = excluded.last_seen, merged_into = excluded.merged_into`,
    );
    const maxId = this.db.prepare('SELECT max(id) FROM template_state').pluck().get() as number | null;
    this.miner.load(this.readRecent(opts.maxTemplates ?? MAX_TEMPLATES, opts.maxTemplateChars ?? MAX_TEMPLATE_CHARS), (maxId ?? 0) + 1);
  }

  /**
   * The `limit` most recently seen templates, `chars` characters of text at most (what the
   * miner keeps in memory; the others stay stored, their records keep their ids) and those
   * merged into them, in id order.
   */
  private readRecent(limit: number, chars: number): MinedTemplate[] {
    const live = this.db
      .prepare(
        `SELECT * FROM (SELECT *, sum(length(text)) OVER (ORDER BY last_seen DESC, id DESC) AS chars
                        FROM template_state WHERE merged_into IS NULL ORDER BY last_seen DESC, id DESC LIMIT ?)
         WHERE chars <= ? ORDER BY id`,
      )
      .all(limit, chars) as Row[];
    const loaded = new Set(live.map((r) => r.id));
    const merged = (this.db.prepare('SELECT * FROM template_state WHERE merged_into IS NOT NULL ORDER BY id').all() as Row[]).filter((r) => loaded.has(r.merged_into!));
    return [...live, ...merged].map((r) => fromRow(r)!);
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

function fromRow(r: Row | undefined): MinedTemplate | undefined {
  if (!r) return undefined;
  const { t, s } = JSON.parse(r.tokens) as { t: string[]; s: boolean[] };
  return { id: r.id, tokens: t, space: s, text: r.text, count: r.count, firstSeen: r.first_seen, lastSeen: r.last_seen, mergedInto: r.merged_into };
}
