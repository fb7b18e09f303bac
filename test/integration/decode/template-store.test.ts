import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, type RecordRow } from '../../../electron/engine/store/store.js';
import { TemplateStore } from '../../../electron/engine/decode/index.js';

// Template state lives in SQLite beside the records, is saved in the same transaction as
// the records that use it, and survives a restart with the same ids.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function row(sourceId: number, message: string, templateId: number, ts: number): RecordRow {
  return { sourceId, fileId: null, firstLine: null, lastLine: null, ts, tsText: null, levelRank: 3, levelText: null, stream: null, format: 'test', templateId, flags: 0, message, raw: message, rawBytes: null };
}

describe('TemplateStore', () => {
  it('persists templates inside the record transaction; ids survive a restart; views show them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-tpl-'));
    dirs.push(dir);
    const path = join(dir, 'vigil.db');

    let store = new Store(path);
    let templates = new TemplateStore(store);
    const src = store.sourceId('app', 'file');
    const msgs = ['Connection from 10.0.0.1 closed', 'Connection from 10.0.0.2 closed', 'Disk 91% full on /dev/sda1'];
    const rows = msgs.map((m, i) => {
      const { id } = templates.miner.match(m, 1000 + i);
      return row(src, m, id, 1000 + i);
    });
    store.append(rows, [], () => {
      expect(templates.persist()).toBe(2);
    });
    const conn = rows[0]!.templateId!;
    const disk = rows[2]!.templateId!;
    expect(conn).not.toBe(disk);
    const ev = store.db.prepare('SELECT message, template_id, template FROM events ORDER BY id').all() as { message: string; template_id: number; template: string }[];
    expect(ev.map((e) => [e.template_id, e.template])).toEqual([
      [conn, 'Connection from <*> closed'],
      [conn, 'Connection from <*> closed'],
      [disk, 'Disk <*> full on <*>'],
    ]);
    const listed = store.db.prepare('SELECT id, template, count, first_seen, last_seen FROM templates ORDER BY id').all();
    expect(listed).toEqual([
      { id: conn, template: 'Connection from <*> closed', count: 2, first_seen: 1000, last_seen: 1001 },
      { id: disk, template: 'Disk <*> full on <*>', count: 1, first_seen: 1002, last_seen: 1002 },
    ]);
    store.close();

    // Restart: the same messages get the same ids, new ones get new ids.
    store = new Store(path);
    templates = new TemplateStore(store);
    expect(templates.miner.match('Connection from 192.168.1.9 closed', 2000).id).toBe(conn);
    const fresh = templates.miner.match('User alice logged in', 2001).id;
    expect(fresh).toBeGreaterThan(Math.max(conn, disk));
    expect(templates.save()).toBe(2);
    const c = store.db.prepare('SELECT count, last_seen FROM templates WHERE id = ?').get(conn);
    expect(c).toEqual({ count: 3, last_seen: 2000 });
    store.close();
  });

  it('a rolled-back transaction does not lose template changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-tpl-'));
    dirs.push(dir);
    const store = new Store(join(dir, 'vigil.db'));
    const templates = new TemplateStore(store);
    const src = store.sourceId('app', 'file');
    const { id } = templates.miner.match('Job 7 started', 1);
    expect(() =>
      store.append([row(src, 'Job 7 started', id, 1)], [], () => {
        templates.persist();
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    templates.rollback();
    expect(store.db.prepare('SELECT count(*) AS n FROM template_state').get()).toEqual({ n: 0 });
    store.append([row(src, 'Job 7 started', id, 1)], [], () => templates.persist());
    expect(store.db.prepare('SELECT id, text FROM templates').all()).toEqual([{ id, text: 'Job <*> started' }]);
    store.close();
  });

  it('records carrying a merged template id resolve to the surviving template in events', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-tpl-'));
    dirs.push(dir);
    const store = new Store(join(dir, 'vigil.db'));
    const templates = new TemplateStore(store, { siblings: 3 });
    const src = store.sourceId('app', 'file');
    const rows = ['alice', 'bob', 'carol'].map((u, i) => {
      const m = `Invalid user ${u} from 10.0.0.1`;
      return row(src, m, templates.miner.match(m, i).id, i);
    });
    store.append(rows, [], () => templates.persist());
    const ev = store.db.prepare('SELECT template_id, template FROM events ORDER BY id').all() as { template_id: number; template: string }[];
    expect(new Set(ev.map((e) => e.template_id)).size).toBe(1);
    expect(ev[0]!.template).toBe('Invalid user <*> from <*>');
    expect(store.db.prepare('SELECT count(*) AS n FROM templates').get()).toEqual({ n: 1 });
    store.close();
  });

  it('loads the most recently seen templates up to its bound; new ids never reuse stored ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-tpl-'));
    dirs.push(dir);
    const path = join(dir, 'vigil.db');
    let store = new Store(path);
    let templates = new TemplateStore(store);
    // 200 templates, one message each (each its own length), seen at times 1..200.
    const words = (i: number) => `started the job${' again'.repeat(i)}`;
    const ids: number[] = [];
    for (let i = 0; i < 200; i++) ids.push(templates.miner.match(words(i), i + 1).id);
    // The oldest fifty are seen again last: the ones kept in memory have the lowest ids.
    for (let i = 0; i < 50; i++) templates.miner.match(words(i), 1000 + i);
    templates.save();
    expect(store.db.prepare('SELECT count(*) FROM template_state').pluck().get()).toBe(200);
    store.close();

    store = new Store(path);
    templates = new TemplateStore(store, { maxTemplates: 50 });
    expect(templates.miner.liveTemplates).toBe(50);
    // The most recently seen keep their ids; one seen longer ago is taken back from the
    // store with its id; a new id is past every stored one.
    expect(templates.miner.match(words(0), 2000).id).toBe(ids[0]);
    expect(templates.miner.match(words(199), 2001).id).toBe(ids[199]);
    const back = templates.miner.match('an entirely new message', 2002).id;
    expect(back).toBe(Math.max(...ids) + 1);
    templates.save();
    expect(store.db.prepare('SELECT text FROM template_state WHERE id = ?').pluck().get(ids[199])).toBe(words(199));
    store.close();
  });

  it('a template set aside by free text in its bucket keeps its id when its message returns, saved or not, and after a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-tpl-'));
    dirs.push(dir);
    const path = join(dir, 'vigil.db');
    let store = new Store(path);
    let templates = new TemplateStore(store, { maxPerBucket: 20 });
    let a = 2;
    const rnd = () => ((a = (Math.imul(a, 1664525) + 1013904223) >>> 0) / 4294967296);
    const w = () => Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(rnd() * 26))).join('');
    const warn = 'User quota exceeded for tenant acme';
    const id = templates.miner.match(warn, 0).id;
    templates.save();
    for (let i = 1; i < 300; i++) {
      templates.miner.match(`User said "${w()} ${w()}"`, i);
      if (i % 50 === 0) templates.save();
    }
    expect(templates.miner.get(id)).toBeUndefined(); // set aside
    expect(templates.miner.match(warn, 300).id).toBe(id);
    templates.save();
    expect(store.db.prepare('SELECT count FROM template_state WHERE id = ?').pluck().get(id)).toBe(2);
    store.close();
    store = new Store(path);
    templates = new TemplateStore(store, { maxPerBucket: 20 });
    for (let i = 0; i < 100; i++) templates.miner.match(`User said "${w()} ${w()}"`, 400 + i);
    templates.save();
    expect(templates.miner.match(warn, 600).id).toBe(id);
    templates.save();
    expect(store.db.prepare('SELECT count FROM template_state WHERE id = ?').pluck().get(id)).toBe(3);
    store.close();
  });
});
