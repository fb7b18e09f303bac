import type Database from 'better-sqlite3';
import type { RecordRow } from './store.js';

/** Rows per multi-row INSERT. Measured here: 32 is past the knee, and keeps statements small. */
const ROWS_PER_INSERT = 32;
const COLS = `source_id, file_id, line_no, line_end, ts, ts_text, level, level_text, stream, format, template_id, flags`;
/** Per row: what varies. Named: what a run of rows from one file shares (bound once per statement). */
const ROW = '@s, @f, ?, ?, ?, ?, ?, ?, @st, @fmt, ?, ?';
const PER_ROW_SPAN = 10;
const PER_ROW_TEXT = 11;

/** locate(): the message is raw itself (message and msg_off stay NULL). */
const WHOLE = -1;
/** locate(): the message is not the end of raw; its text is stored. */
const TEXT = -2;

/**
 * Inserts records fast. Binding values is what costs in better-sqlite3 (about 0.1 µs a
 * value), so consecutive rows of the same file share their constant columns through
 * named parameters and go 32 to a statement: about 1.6x the rows/s of one INSERT per row.
 * A message that ends raw is stored as where it starts (migration 005); 32 rows whose
 * messages all do go through a statement without the message column (one value fewer each).
 * Rows keep their order and get consecutive ids. Call inside a transaction.
 *
 * INSERT OR FAIL: a statement that fails keeps the rows it wrote before failing, so SQLite
 * keeps no statement journal for it (with the default, ABORT, it copies every page a
 * statement touches a second time; a quarter of the insert time when catching up on many
 * files). What a failed statement left is undone with the whole transaction, which the
 * error rolls back.
 */
export class RecordInserter {
  private readonly manySpan: Database.Statement;
  private readonly manyText: Database.Statement;
  private readonly one: Database.Statement;
  private readonly full: Database.Statement;
  private readonly argsSpan: unknown[] = new Array(ROWS_PER_INSERT * PER_ROW_SPAN);
  private readonly argsText: unknown[] = new Array(ROWS_PER_INSERT * PER_ROW_TEXT);
  private readonly offs = new Int32Array(ROWS_PER_INSERT);

  constructor(db: Database.Database) {
    const span = `(${ROW}, ?, ?, @now)`;
    const text = `(${ROW}, ?, ?, ?, @now)`;
    this.manySpan = db.prepare(`INSERT OR FAIL INTO records (${COLS}, msg_off, raw, ingested_at) VALUES ${Array(ROWS_PER_INSERT).fill(span).join(', ')}`);
    this.manyText = db.prepare(`INSERT OR FAIL INTO records (${COLS}, message, msg_off, raw, ingested_at) VALUES ${Array(ROWS_PER_INSERT).fill(text).join(', ')}`);
    this.one = db.prepare(`INSERT OR FAIL INTO records (${COLS}, message, msg_off, raw, ingested_at) VALUES ${text}`);
    this.full = db.prepare(
      `INSERT OR FAIL INTO records (${COLS}, message, msg_off, raw, raw_bytes, ingested_at) VALUES (${Array(17).fill('?').join(', ')})`,
    );
  }

  /** Returns the id of the first row (0 when there are none). */
  insert(rows: RecordRow[], now: number): number {
    let firstId = 0;
    const n = rows.length;
    let i = 0;
    while (i < n) {
      const r = rows[i]!;
      if (r.rawBytes !== null) {
        const off = locate(r.raw, r.message);
        const res = this.full.run(
          r.sourceId, r.fileId, r.firstLine, r.lastLine, r.ts, r.tsText, r.levelRank, r.levelText, r.stream ?? null, r.format,
          r.templateId, r.flags, off === TEXT ? r.message : null, off >= 0 ? off : null, r.raw, r.rawBytes, now,
        );
        if (i === 0) firstId = Number(res.lastInsertRowid);
        i++;
        continue;
      }
      let j = i + 1;
      while (j < n && j - i < ROWS_PER_INSERT && sameRun(rows[j]!, r)) j++;
      const named = { s: r.sourceId, f: r.fileId, st: r.stream ?? null, fmt: r.format, now };
      if (j - i === ROWS_PER_INSERT) {
        const offs = this.offs;
        let texts = false;
        for (let x = i; x < j; x++) {
          const q = rows[x]!;
          if ((offs[x - i] = locate(q.raw, q.message)) === TEXT) texts = true;
        }
        const a = texts ? this.argsText : this.argsSpan;
        let k = 0;
        for (let x = i; x < j; x++) {
          const q = rows[x]!;
          const off = offs[x - i]!;
          a[k++] = q.firstLine;
          a[k++] = q.lastLine;
          a[k++] = q.ts;
          a[k++] = q.tsText;
          a[k++] = q.levelRank;
          a[k++] = q.levelText;
          a[k++] = q.templateId;
          a[k++] = q.flags;
          if (texts) a[k++] = off === TEXT ? q.message : null;
          a[k++] = off >= 0 ? off : null;
          a[k++] = q.raw;
        }
        const res = (texts ? this.manyText : this.manySpan).run(named, a);
        if (i === 0) firstId = Number(res.lastInsertRowid) - ROWS_PER_INSERT + 1;
      } else {
        for (let x = i; x < j; x++) {
          const q = rows[x]!;
          const off = locate(q.raw, q.message);
          const res = this.one.run(named, q.firstLine, q.lastLine, q.ts, q.tsText, q.levelRank, q.levelText, q.templateId, q.flags,
            off === TEXT ? q.message : null, off >= 0 ? off : null, q.raw);
          if (x === 0) firstId = Number(res.lastInsertRowid);
        }
      }
      i = j;
    }
    return firstId;
  }
}

function sameRun(a: RecordRow, b: RecordRow): boolean {
  return a.rawBytes === null && a.sourceId === b.sourceId && a.fileId === b.fileId && (a.stream ?? null) === (b.stream ?? null) && a.format === b.format;
}

/**
 * How `message` is stored given `raw` (migration 005): WHOLE when it is raw, TEXT when it
 * is not the end of raw, else the character it starts at in raw, counted as SQLite's
 * substr() counts (code points, not UTF-16 units). substr() stops at a NUL, so text with
 * one is stored whole, as is a message starting inside a surrogate pair.
 */
export function locate(raw: string, message: string): number {
  if (message === raw) return WHOLE;
  const at = raw.length - message.length;
  // indexOf at the one place it can match: several times faster than endsWith in V8.
  if (at < 0 || raw.indexOf(message, at) !== at) return TEXT;
  let pairs = 0;
  for (let i = 0; i < at; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0) return TEXT;
    if ((c & 0xfc00) === 0xd800 && (raw.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      if (i + 1 === at) return TEXT;
      pairs++;
      i++;
    }
  }
  if (message.indexOf('\0') !== -1) return TEXT;
  return at - pairs;
}

/** What locate() answers, for tests. */
export const LOCATED = { WHOLE, TEXT } as const;
