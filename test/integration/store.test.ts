import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { matchesSearch, parseSearch } from '../../shared/search.js';
import { runQueryInWorker } from '../../electron/engine/store/query-worker.js';
import { Store, type RecordRow } from '../../electron/engine/store/store.js';
import { VIEW_FIELD_LIMIT, VIEW_PAGE_BUDGET } from '../../electron/engine/store/view-budget.js';
import { RECORD_FLAGS } from '../../shared/types.js';
import { migrate } from '../../electron/engine/store/migrate.js';
import { MIGRATIONS } from '../../electron/engine/store/migrations/index.js';
import { tempDir } from '../support/tmp.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).reverse().forEach((c) => c()));

function row(sourceId: number, ts: number, level: number, raw: string): RecordRow {
  return { sourceId, fileId: null, firstLine: null, lastLine: null, ts, tsText: null, levelRank: level, levelText: null, stream: null, format: 'generic', templateId: null, flags: 0, message: raw, raw, rawBytes: null };
}

function store() {
  const { dir, cleanup } = tempDir();
  const s = new Store(join(dir, 'v.db'));
  cleanups.push(() => {
    s.close();
    cleanup();
  });
  return { s, dir };
}

describe('store', () => {
  it('migrates a new database to the latest version and is idempotent', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const db = new Database(join(dir, 'm.db'));
    expect(migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(migrate(db)).toEqual([]);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const cols = (db.prepare('PRAGMA table_info(events)').all() as { name: string }[]).map((c) => c.name);
    expect(cols).toEqual(expect.arrayContaining(['id', 'source', 'path', 'ts', 'level', 'message', 'raw']));
    db.close();
  });

  it('applies only new migrations to an old database, and refuses a newer one', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const db = new Database(join(dir, 'm.db'));
    migrate(db, MIGRATIONS.slice(0, 1));
    db.prepare("INSERT INTO sources (name, type, created_at) VALUES ('kept', 'file', 1)").run();
    expect(migrate(db)).toEqual(MIGRATIONS.slice(1).map((m) => m.version));
    expect(db.prepare('SELECT name FROM sources').pluck().get()).toBe('kept');
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    expect(() => migrate(db)).toThrow(/made by a newer Vigil \(schema version \d+; this one knows up to \d+\)/);
    db.close();
  });

  it('rolls back a failing migration entirely', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const db = new Database(join(dir, 'm.db'));
    const broken = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'broken', up: 'CREATE TABLE half (x); SELECT nope FROM nothing;' }];
    expect(() => migrate(db, broken)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half'").pluck().get()).toBe(0);
    db.close();
  });

  it('writes records and checkpoints atomically: a failing write leaves neither', () => {
    const { s } = store();
    const src = s.sourceId('app', 'file');
    const fileId = s.addFile({ source_id: src, path: '/x', dev: 1, ino: 2, fingerprint: null, offset: 0, line_no: 0, size: 0, state: 'active', cursor: null });
    s.append([row(src, 1000, 3, 'a')], [{ fileId, offset: 2, lineNo: 1 }]);
    expect(() => s.append([row(src, 2000, 3, 'b')], [{ fileId, offset: 4, lineNo: 2 }], () => {
      throw new Error('boom');
    })).toThrow('boom');
    expect(s.db.prepare('SELECT raw FROM events').pluck().all()).toEqual(['a']);
    expect(s.files(src)[0]).toMatchObject({ offset: 2, line_no: 1 });
  });

  it('counts errors and warnings per time bucket for the chart', () => {
    const { s } = store();
    const src = s.sourceId('app', 'file');
    const t0 = 1_700_000_000_000;
    s.append([row(src, t0 + 1000, 6, 'e1'), row(src, t0 + 2000, 5, 'w'), row(src, t0 + 12_000, 8, 'f'), row(src, t0 + 13_000, 3, 'i')], []);
    const r = s.rates({ spanMs: 30_000, bucketMs: 10_000 }, t0 + 20_000);
    const nonEmpty = r.points.filter((p) => p.total > 0);
    expect(nonEmpty).toEqual([
      { t: t0, total: 2, errors: 1, warnings: 1 },
      { t: t0 + 10_000, total: 2, errors: 1, warnings: 0 },
    ]);
  });

  it('reads each message as written, whether stored as the end of raw, as its own text or as raw itself', () => {
    const { s } = store();
    const src = s.sourceId('app', 'file');
    const cases: [raw: string, message: string][] = [];
    // 32 rows whose messages all end raw (one statement without the message column), 32
    // mixing kinds, then a few one at a time.
    for (let i = 0; i < 32; i++) cases.push([`2026-11-21T10:00:00Z INFO request ${i} done`, `request ${i} done`]);
    const mixed: [string, string][] = [
      ['{"msg":"hello","level":"info"}', 'hello'],
      ['same as raw', 'same as raw'],
      ['😀 emoji before: after', 'after'],
      ['é😀\ud800 lone surrogate before: x', 'x'],
      ['a😀', '\ude00'],
      ['nul\0 before: x', 'x'],
      ['nul inside: a\0b', 'a\0b'],
      ['INFO ', ''],
      ['header only', 'header'],
    ];
    for (let i = 0; i < 32; i++) cases.push(mixed[i % mixed.length]!);
    cases.push(...mixed);
    const rows = cases.map(([raw, message], i) => ({ ...row(src, 1000 + i, 3, raw), message }));
    rows.push({ ...row(src, 5000, 3, 'bytes \ufffd kept: m'), message: 'm', rawBytes: Buffer.from([0x62, 0xff]) });
    const first = s.append(rows, []);
    // SQLite stores a lone surrogate as U+FFFD, whichever way the message is stored.
    const want = rows.map((r) => r.message.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
    expect(s.db.prepare('SELECT message FROM events ORDER BY id').pluck().all()).toEqual(want);
    expect(s.eventsByIdRange(first, first + rows.length - 1).map((e) => e.message)).toEqual(want);
    const stored = s.db.prepare('SELECT message, msg_off FROM records ORDER BY id').all() as { message: string | null; msg_off: number | null }[];
    expect(stored[0]).toEqual({ message: null, msg_off: 26 });
    expect(stored.filter((r) => r.msg_off !== null).length).toBeGreaterThan(40);
    // Search looks at the message only, as before: "INFO" is in raw, not in those messages.
    expect(s.tail({ limit: 100, search: '"request 7 "' }).events.map((e) => e.message)).toEqual(['request 7 done']);
    expect(s.tail({ limit: 100, search: 'INFO' }).events).toEqual([]);
  });

  it('search: every word in the message, "a phrase" whole, -word and -"a phrase" not; case ignored (as the Live view matches new lines)', () => {
    const { s } = store();
    const src = s.sourceId('app', 'file');
    const messages = [
      'Payment timeout for order 1',
      'payment ok for order 2',
      'timeout talking to payments-db',
      'Timeout: cache warm',
      'order 3 timeout after retry',
      'connection reset by peer',
      'ОШИБКА платежа one',
      'ошибка платежа two',
      'ÉCHEC du paiement',
    ];
    s.append(messages.map((m, i) => ({ ...row(src, 1000 + i, 3, m), message: m })), []);
    const found = (search: string) => s.tail({ limit: 100, search }).events.map((e) => e.message);
    const live = (search: string) => messages.filter((m) => matchesSearch(m, parseSearch(search)));
    const cases: [string, string[]][] = [
      ['timeout payment', ['Payment timeout for order 1', 'timeout talking to payments-db']],
      ['timeout -payment', ['Timeout: cache warm', 'order 3 timeout after retry']],
      ['"timeout for"', ['Payment timeout for order 1']],
      ['order -"order 2" -retry', ['Payment timeout for order 1']],
      ['-timeout -payment -платежа -paiement', ['connection reset by peer']],
      ['TIMEOUT: "cache', ['Timeout: cache warm']],
      // A lone - is a word to find, not an exclusion.
      ['db -', ['timeout talking to payments-db']],
      // Case is ignored beyond ASCII too (SQLite's lower() alone folds ASCII only).
      ['ошибка', ['ОШИБКА платежа one', 'ошибка платежа two']],
      ['Ошибка -ONE', ['ошибка платежа two']],
      ['échec', ['ÉCHEC du paiement']],
    ];
    for (const [q, want] of cases) {
      expect(found(q), q).toEqual(want);
      expect(live(q), q).toEqual(want);
    }
  });

  it('tail pages back through the store, and a filter looks at a bounded number of records per page: each match once, in order', () => {
    const { s } = store();
    const app = s.sourceId('app', 'file');
    const other = s.sourceId('other', 'file');
    const N = 30_000;
    const rows: RecordRow[] = [];
    for (let i = 1; i <= N; i++) {
      const err = i % 2_500 === 7;
      rows.push(row(i % 10 === 0 ? other : app, i, err ? 6 : 3, `request ${i} served${err ? ' with NEEDLE' : ''}`));
    }
    s.append(rows, []);
    const ids = (s.db.prepare('SELECT id FROM records ORDER BY id').pluck().all() as number[]);
    const firstId = ids[0]!;
    const wanted = rows.map((r, k) => ({ id: firstId + k, r })).filter((x) => x.r.levelRank === 6).map((x) => x.id);
    expect(wanted).toHaveLength(12);

    // Unfiltered: pages of `limit`, newest last, until the oldest record.
    const seen: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = s.tail({ limit: 7_000, ...(before ? { beforeId: before } : {}) });
      seen.unshift(...page.events.map((e) => e.id));
      if (page.before === null) break;
      expect(page.events).toHaveLength(7_000);
      before = page.before;
    }
    expect(seen).toEqual(ids);

    // Filtered, 4,000 records looked at per page: pages hold 0, 1 or 2 matches, and `before`
    // walks down to the oldest record. Every match is found once.
    for (const req of [{ minLevel: 'error' }, { search: 'needle' }, { search: 'needle', source: 'app' }]) {
      const found: number[] = [];
      let pages = 0;
      before = undefined;
      for (;;) {
        const page = s.tail({ limit: 100, scanRows: 4_000, ...req, ...(before ? { beforeId: before } : {}) });
        pages++;
        expect(page.events.length).toBeLessThanOrEqual(2);
        found.unshift(...page.events.map((e) => e.id));
        if (page.before === null) break;
        expect(page.before).toBeLessThan(before ?? Infinity);
        before = page.before;
      }
      expect(found, JSON.stringify(req)).toEqual(wanted);
      expect(pages).toBe(Math.ceil(N / 4_000));
    }
    // A source filter alone: every tenth record, the newest page.
    const others = s.tail({ limit: 5, source: 'other' });
    expect(others.events.map((e) => e.message)).toEqual([29_960, 29_970, 29_980, 29_990, 30_000].map((i) => `request ${i} served`));
    expect(others.before).toBe(firstId + 29_960 - 1);
  });

  it('tail: a page of long lines holds what fits a view (the newest; 40 lines of 1 MB made a 40 MB page the UI could never load), each cut and flagged, and pages on to every line once', () => {
    const { s } = store();
    const app = s.sourceId('app', 'file');
    const big = (i: number) => `${String(i).padStart(4, '0')} ${'x'.repeat(1_100_000)}`;
    s.append(Array.from({ length: 40 }, (_, i) => row(app, i + 1, 3, big(i + 1))), []);
    const seen: number[] = [];
    let before: number | undefined;
    let pages = 0;
    for (;;) {
      const page = s.tail({ limit: 200, ...(before ? { beforeId: before } : {}) });
      pages++;
      const text = page.events.reduce((n, e) => n + e.message.length + (e.raw === e.message ? 0 : e.raw.length), 0);
      expect(text).toBeLessThanOrEqual(VIEW_PAGE_BUDGET);
      for (const e of page.events) {
        expect(e.message.length).toBe(VIEW_FIELD_LIMIT);
        expect(e.flags! & RECORD_FLAGS.cutForView).toBe(RECORD_FLAGS.cutForView);
      }
      seen.unshift(...page.events.map((e) => Number(e.message.slice(0, 4))));
      if (page.before === null) break;
      before = page.before;
    }
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(pages).toBeGreaterThan(1);
    // The store keeps them whole.
    expect((s.db.prepare('SELECT length(message) FROM events ORDER BY id LIMIT 1').pluck().get() as number)).toBe(1_100_005);
  });

  it('an older database keeps reading its messages after the message-span migration', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const db = new Database(join(dir, 'old.db'));
    migrate(db, MIGRATIONS.slice(0, 4));
    db.prepare("INSERT INTO sources (id, name, type, created_at) VALUES (1, 'old', 'file', 1)").run();
    const ins = db.prepare('INSERT INTO records (source_id, ts, level, message, raw, ingested_at) VALUES (1, 1, 3, ?, ?, 1)');
    ins.run(null, 'raw is the message');
    ins.run('own text', 'INFO own text');
    db.prepare("INSERT INTO anomaly_events (anomaly_id, role, record_id, ts) VALUES (1, 'evidence', 2, 1)").run();
    migrate(db);
    expect(db.prepare('SELECT message FROM events ORDER BY id').pluck().all()).toEqual(['raw is the message', 'own text']);
    expect(db.prepare('SELECT message FROM anomaly_evidence').pluck().all()).toEqual(['own text']);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'records_template'").pluck().get()).toBe(0);
    db.close();
  });

  it('runs read-only queries and refuses writes', async () => {
    const { s } = store();
    const src = s.sourceId('app', 'file');
    s.append([row(src, 1, 6, 'x')], []);
    expect((await runQueryInWorker(s.path, 'SELECT source, raw FROM events', 1000)).rows).toEqual([{ source: 'app', raw: 'x' }]);
    await expect(runQueryInWorker(s.path, 'DELETE FROM records', 1000)).rejects.toThrow();
    expect(s.db.prepare('SELECT count(*) FROM records').pluck().get()).toBe(1);
  });
});
