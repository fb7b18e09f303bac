import Database from 'better-sqlite3';
import { existsSync, rmSync } from 'node:fs';

/** What recoverStore copied: per table, the rows and the row ids it could not read. */
export interface RecoveredTable {
  name: string;
  rows: number;
  /** Row ids lost to damage (`5–80`, `5`, `5 and after`), or 'some rows' of a table read in one go (WITHOUT ROWID). */
  lost: string[];
}

export interface RecoverResult {
  tables: RecoveredTable[];
  /** Rows left out because what they point at was lost (evidence of a lost anomaly, ...): new rows take the lost ids. */
  unlinked: number;
  /** What the losses mean for Vigil (the sources' read positions lost, ...). */
  notes: string[];
  /** Indexes, views and triggers that could not be made again (rows the damage garbled break a unique index). */
  failed: string[];
  schemaVersion: number;
  /** SQLite's integrity check of the new store: 'ok' when sound. */
  integrity: string;
}

const BATCH = 1000;

/** Rows whose parent row may be lost, and how to leave them out (see recoverStore). */
const UNLINKED = [
  'DELETE FROM anomaly_events WHERE anomaly_id NOT IN (SELECT id FROM anomalies) OR record_id NOT IN (SELECT id FROM records)',
  'DELETE FROM notify_items WHERE outbox_id NOT IN (SELECT id FROM notify_outbox) OR anomaly_id NOT IN (SELECT id FROM anomalies)',
  'DELETE FROM notify_attempts WHERE outbox_id NOT IN (SELECT id FROM notify_outbox)',
  'DELETE FROM notify_anomaly_state WHERE anomaly_id NOT IN (SELECT id FROM anomalies)',
  'UPDATE records SET template_id = NULL WHERE template_id IS NOT NULL AND template_id NOT IN (SELECT id FROM template_state)',
];

/**
 * Copies what can be read of a damaged store into a new one, table by table, row ids kept:
 * a page SQLite finds damaged loses the rows on it, the rest is read on the other side of it.
 * The sqlite3 shell's `.recover` does this too, but not in the shell Debian and Ubuntu ship
 * (built without the page reader it needs: it wrote an empty file), and `.dump` leaves the
 * schema version behind, which Vigil needs. The new store is what Vigil opens as the old
 * one, checkpoints and all: the sources go on where the damaged store says they were.
 */
export function recoverStore(from: string, to: string): RecoverResult {
  if (existsSync(to)) throw Object.assign(new Error(`${to} exists: give another --out, or move it away`), { code: 'EEXIST' });
  const src = new Database(from, { readonly: true, fileMustExist: true });
  let dst: Database.Database | null = null;
  try {
    const schemaVersion = src.pragma('user_version', { simple: true }) as number;
    let schema: { type: string; name: string; sql: string }[];
    try {
      schema = src.prepare("SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid").all() as never;
    } catch (err) {
      throw Object.assign(new Error(`its list of tables is on a damaged page, so nothing can be read (${(err as Error).message})`), { code: 'SQLITE_CORRUPT' });
    }
    dst = new Database(to);
    dst.pragma(`page_size = ${src.pragma('page_size', { simple: true }) as number}`);
    dst.pragma(`auto_vacuum = ${src.pragma('auto_vacuum', { simple: true }) as number}`);
    const tables = schema.filter((s) => s.type === 'table');
    for (const t of tables) dst.exec(t.sql);
    const out: RecoveredTable[] = tables.map((t) => copyTable(src, dst!, t.name, /WITHOUT\s+ROWID/i.test(t.sql)));
    if (tables.some((t) => /AUTOINCREMENT/i.test(t.sql))) {
      try {
        const seq = src.prepare('SELECT name, seq FROM sqlite_sequence').all() as { name: string; seq: number }[];
        const put = dst.prepare('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)');
        dst.transaction(() => seq.forEach((r) => put.run(r.name, r.seq)))();
      } catch {
        // Ids then go on from the largest one kept.
      }
    }
    // Rows that point at rows the damage took are left out: Vigil gives the lost ids to new
    // rows, and an old anomaly's evidence would be a new, unrelated line.
    let unlinked = 0;
    for (const sql of UNLINKED) {
      try {
        unlinked += dst.prepare(sql).run().changes;
      } catch {
        // A table this store's version does not have.
      }
    }
    const notes: string[] = [];
    const files = out.find((t) => t.name === 'files');
    if (files?.lost.length) {
      notes.push(
        'the sources\' read positions (table files) were damaged: at its next start Vigil reads those files again from their `start:`, and lines stored already are stored again',
      );
    }
    for (const t of out) {
      if (t.rows === 0 && t.lost.some((l) => l.startsWith('1 and after') || l === 'some rows')) {
        notes.push(`${t.name}: no row could be read: the page at the top of its tree is damaged, so its other pages cannot be reached (they may be intact)`);
      }
    }
    const failed: string[] = [];
    for (const s of schema.filter((x) => x.type !== 'table')) {
      try {
        dst.exec(s.sql);
      } catch (err) {
        failed.push(`${s.type} ${s.name}: ${(err as Error).message}`);
      }
    }
    dst.pragma(`user_version = ${schemaVersion}`);
    const integrity = (dst.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
    return { tables: out, unlinked, notes, failed, schemaVersion, integrity };
  } catch (err) {
    // No half-made store left behind to be taken for a recovered one (and to refuse the next try).
    dst?.close();
    dst = null;
    rmSync(to, { force: true });
    throw err;
  } finally {
    src.close();
    dst?.close();
  }
}

function copyTable(src: Database.Database, dst: Database.Database, name: string, withoutRowid: boolean): RecoveredTable {
  const q = `"${name.replace(/"/g, '""')}"`;
  const cols = src.pragma(`table_info(${q})`) as { name: string; type: string; pk: number }[];
  const names = cols.map((c) => `"${c.name.replace(/"/g, '""')}"`);
  const result: RecoveredTable = { name, rows: 0, lost: [] };
  const insertRow = (values: unknown[], insert: Database.Statement) => {
    try {
      insert.run(values);
      result.rows++;
    } catch {
      // A row the damage garbled into breaking the table's own rules: left out.
    }
  };
  if (withoutRowid) {
    const insert = dst.prepare(`INSERT OR IGNORE INTO ${q} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`);
    try {
      dst.transaction(() => {
        for (const row of src.prepare(`SELECT ${names.join(', ')} FROM ${q}`).raw(true).iterate() as Iterable<unknown[]>) insertRow(row, insert);
      })();
    } catch {
      result.lost.push('some rows');
    }
    return result;
  }
  // The row id is the INTEGER PRIMARY KEY where the table has one; else copied as itself.
  const pk = cols.filter((c) => c.pk > 0);
  const aliased = pk.length === 1 && pk[0]!.type.toUpperCase() === 'INTEGER';
  const target = aliased ? names : ['rowid', ...names];
  const insert = dst.prepare(`INSERT OR IGNORE INTO ${q} (${target.join(', ')}) VALUES (${target.map(() => '?').join(', ')})`);
  const page = src.prepare(`SELECT rowid, ${names.join(', ')} FROM ${q} WHERE rowid > ? ORDER BY rowid LIMIT ?`).raw(true).safeIntegers(true);
  const probe = src.prepare(`SELECT rowid FROM ${q} WHERE rowid >= ? ORDER BY rowid LIMIT 1`).pluck().safeIntegers(true);
  /** Row id ranges lost, `[from, to]`; `to` null: to the end. */
  const lost: [bigint, bigint | null][] = [];
  // Vigil's row ids start at 1 (none is written by hand): a damaged first page is looked past from there.
  let after = 0n;
  // Rows a page at a time; near damage one at a time, so every row before it is kept.
  let size = BATCH;
  for (;;) {
    let rows: unknown[][];
    try {
      rows = page.all(after, size) as unknown[][];
    } catch {
      if (size > 1) {
        size = 1;
        continue;
      }
      // Damaged past `after`: look for where rows can be read again, ever further on.
      const from = after + 1n;
      /** The first row id at or after `at`, null past the last, or 'damaged'. */
      const at = (x: bigint): bigint | null | 'damaged' => {
        try {
          return (probe.get(x) as bigint | undefined) ?? null;
        } catch {
          return 'damaged';
        }
      };
      let bad = from;
      let good: bigint | null = null;
      for (let step = 1n; step < 2n ** 62n; step *= 2n) {
        // Past the last row (null) counts as read again: the rows before it are looked for below.
        if (at(from + step) !== 'damaged') {
          good = from + step;
          break;
        }
        bad = from + step;
      }
      // Then back to where it can be read again, so no readable row is skipped.
      while (good !== null && good - bad > 1n) {
        const mid = (bad + good) / 2n;
        if (at(mid) === 'damaged') bad = mid;
        else good = mid;
      }
      const found = good === null ? null : at(good);
      const next = typeof found === 'bigint' ? found : null;
      if (next === null) {
        // No readable row after the damage: lost up to where reading works again (the end).
        lost.push([from, good === null ? null : good - 1n]);
        break;
      }
      // Next to the range before it: one range.
      const last = lost.at(-1);
      if (last && last[1] === from - 1n) last[1] = next - 1n;
      else lost.push([from, next - 1n]);
      after = next - 1n;
      size = 1;
      continue;
    }
    if (!rows.length) break;
    dst.transaction(() => {
      for (const r of rows) insertRow(aliased ? r.slice(1) : r, insert);
    })();
    after = rows[rows.length - 1]![0] as bigint;
    size = Math.min(BATCH, size * 2);
  }
  result.lost = lost.map(([a, b]) => (b === null ? `${a} and after` : b > a ? `${a}–${b}` : `${a}`));
  return result;
}
