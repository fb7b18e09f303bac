import type Database from 'better-sqlite3';
import type { RecordRow } from './store.js';

/** Rows per multi-row INSERT. Measured here: 32 is past the knee, and keeps statements small. */
const ROWS_PER_INSERT = 32;
const COLS = `(source_id, file_id, line_no, line_end, ts, ts_text, level, level_text, stream, format,
               template_id, flags, message, raw, raw_bytes, ingested_at)`;
/** Per row: what varies. Named: what a run of rows from one file shares (bound once per statement). */
const ROW = '(@s, @f, ?, ?, ?, ?, ?, ?, @st, @fmt, ?, ?, ?, ?, NULL, @now)';
const PER_ROW = 10;

/**
 * Inserts records fast. Binding values is what costs in better-sqlite3 (about 0.1 µs a
 * value), so consecutive rows of the same file share their constant columns through
 * named parameters and go 32 to a statement: about 1.6x the rows/s of one INSERT per row.
 * Rows keep their order and get consecutive ids. Call inside a transaction.
 */
export class RecordInserter {
  private readonly many: Database.Statement;
  private readonly one: Database.Statement;
  private readonly full: Database.Statement;
  private readonly args: unknown[] = new Array(ROWS_PER_INSERT * PER_ROW);

  constructor(db: Database.Database) {
    this.many = db.prepare(`INSERT INTO records ${COLS} VALUES ${Array(ROWS_PER_INSERT).fill(ROW).join(', ')}`);
    this.one = db.prepare(`INSERT INTO records ${COLS} VALUES ${ROW}`);
    this.full = db.prepare(`INSERT INTO records ${COLS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  }

  /** Returns the id of the first row (0 when there are none). */
  insert(rows: RecordRow[], now: number): number {
    let firstId = 0;
    const n = rows.length;
    let i = 0;
    while (i < n) {
      const r = rows[i]!;
      if (r.rawBytes !== null) {
        const res = this.full.run(
          r.sourceId, r.fileId, r.lineNo, r.lineEnd, r.ts, r.tsText, r.level, r.levelText, r.stream, r.format,
          r.templateId, r.flags, r.message === r.raw ? null : r.message, r.raw, r.rawBytes, now,
        );
        if (i === 0) firstId = Number(res.lastInsertRowid);
        i++;
        continue;
      }
      let j = i + 1;
      while (j < n && j - i < ROWS_PER_INSERT && sameRun(rows[j]!, r)) j++;
      const named = { s: r.sourceId, f: r.fileId, st: r.stream, fmt: r.format, now };
      if (j - i === ROWS_PER_INSERT) {
        const a = this.args;
        let k = 0;
        for (let x = i; x < j; x++) {
          const q = rows[x]!;
          a[k++] = q.lineNo;
          a[k++] = q.lineEnd;
          a[k++] = q.ts;
          a[k++] = q.tsText;
          a[k++] = q.level;
          a[k++] = q.levelText;
          a[k++] = q.templateId;
          a[k++] = q.flags;
          a[k++] = q.message === q.raw ? null : q.message;
          a[k++] = q.raw;
        }
        const res = this.many.run(named, a);
        if (i === 0) firstId = Number(res.lastInsertRowid) - ROWS_PER_INSERT + 1;
      } else {
        for (let x = i; x < j; x++) {
          const q = rows[x]!;
          const res = this.one.run(named, q.lineNo, q.lineEnd, q.ts, q.tsText, q.level, q.levelText, q.templateId, q.flags,
            q.message === q.raw ? null : q.message, q.raw);
          if (x === 0) firstId = Number(res.lastInsertRowid);
        }
      }
      i = j;
    }
    return firstId;
  }
}

function sameRun(a: RecordRow, b: RecordRow): boolean {
  return a.rawBytes === null && a.sourceId === b.sourceId && a.fileId === b.fileId && a.stream === b.stream && a.format === b.format;
}
