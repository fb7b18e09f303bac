// Which files a source reads, and from where.
import { appendFileSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../../../support/tmp.js';
import { Rig } from './rig.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function dirFixture() {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return dir;
}

async function rig(dir: string, source: Rig['opts']['source']) {
  const r = await Rig.start({ dir, source, dbPath: join(dir, 'db', 'vigil.db') });
  cleanups.push(() => r.close());
  return r;
}

/** inotify watches this process holds (Linux), from /proc/self/fdinfo. */
function inotifyWatches(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    let target = '';
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue;
    }
    if (!target.includes('inotify')) continue;
    try {
      n += readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\n').filter((l) => l.startsWith('inotify wd:')).length;
    } catch {
      /* closed meanwhile */
    }
  }
  return n;
}

describe('file source: which files, from where', () => {
  it('start: end (default) skips what a new source finds; start: beginning reads it; both read what comes after', async () => {
    const dir = dirFixture();
    const a = join(dir, 'a.log');
    const b = join(dir, 'b.log');
    writeFileSync(a, 'old a\n');
    writeFileSync(b, 'old b\n');
    const ra = await Rig.start({ dir, source: { name: 'a', path: a }, dbPath: join(dir, 'a.db') });
    cleanups.push(() => ra.close());
    const rb = await Rig.start({ dir, source: { name: 'b', path: b, start: 'beginning' }, dbPath: join(dir, 'b.db') });
    cleanups.push(() => rb.close());
    appendFileSync(a, 'new a\n');
    appendFileSync(b, 'new b\n');
    expect(await ra.expectCount(1)).toEqual(['new a']);
    expect(await rb.expectCount(2)).toEqual(['old b', 'new b']);
  });

  it('an existing source pointed at another existing file starts it as a new source would (start: end)', async () => {
    const dir = dirFixture();
    const a = join(dir, 'a.log');
    const b = join(dir, 'b.log');
    writeFileSync(a, '');
    writeFileSync(b, 'old b, years of it\n');
    const r = await rig(dir, { path: a, start: 'beginning' });
    appendFileSync(a, 'a1\n');
    await r.expectCount(1);
    await r.manager.apply([{ ...r.config, path: b, start: 'end' }]);
    appendFileSync(b, 'b1\n');
    expect(await r.expectCount(2)).toEqual(['a1', 'b1']);
  });

  it('a glob picks up files that appear later, from their beginning, and ignores the rest', async () => {
    const dir = dirFixture();
    writeFileSync(join(dir, 'one.log'), 'before start\n');
    const r = await rig(dir, { path: join(dir, '*.log') });
    appendFileSync(join(dir, 'one.log'), 'one 1\n');
    await r.expectCount(1);
    writeFileSync(join(dir, 'two.log'), 'two 1\ntwo 2\n');
    writeFileSync(join(dir, 'three.txt'), 'not matched\n');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'deep.log'), 'too deep for *\n');
    const lines = await r.expectCount(3);
    expect(lines).toEqual(['one 1', 'two 1', 'two 2']);
  });

  it('`**` descends into folders, including ones created later', async () => {
    const dir = dirFixture();
    const r = await rig(dir, { path: join(dir, 'logs', '**', '*.log') });
    mkdirSync(join(dir, 'logs', 'a', 'b'), { recursive: true });
    await new Promise((res) => setTimeout(res, 100));
    writeFileSync(join(dir, 'logs', 'a', 'b', 'x.log'), 'deep\n');
    writeFileSync(join(dir, 'logs', 'top.log'), 'top\n');
    expect((await r.expectCount(2)).sort()).toEqual(['deep', 'top']);
  });

  it('a folder with include, recursive or not', async () => {
    const dir = dirFixture();
    const logs = join(dir, 'logs');
    mkdirSync(join(logs, 'sub'), { recursive: true });
    const flat = await Rig.start({ dir, source: { name: 'flat', path: logs, include: '*.log' }, dbPath: join(dir, 'flat.db') });
    cleanups.push(() => flat.close());
    const deep = await Rig.start({ dir, source: { name: 'deep', path: logs, recursive: true, include: '*.log' }, dbPath: join(dir, 'deep.db') });
    cleanups.push(() => deep.close());
    writeFileSync(join(logs, 'a.log'), 'a\n');
    writeFileSync(join(logs, 'a.txt'), 'txt\n');
    writeFileSync(join(logs, 'sub', 'b.log'), 'b\n');
    expect(await flat.expectCount(1)).toEqual(['a']);
    expect((await deep.expectCount(2)).sort()).toEqual(['a', 'b']);
  });

  it('500 files in one folder: one watch for the folder, not one per file, and every line of every file', async () => {
    const dir = dirFixture();
    const logs = join(dir, 'many');
    mkdirSync(logs);
    const before = inotifyWatches();
    for (let i = 0; i < 500; i++) writeFileSync(join(logs, `f${i}.log`), `f${i} 1\n`);
    const r = await rig(dir, { path: join(logs, '*.log'), start: 'beginning' });
    await r.expectCount(500);
    for (let i = 0; i < 500; i++) appendFileSync(join(logs, `f${i}.log`), `f${i} 2\nf${i} 3\n`);
    const lines = await r.expectCount(1500, '1500 lines from 500 files', 60_000);
    expect(lines.length).toBe(1500);
    for (let i = 0; i < 500; i++) expect(lines.filter((l) => l.startsWith(`f${i} `))).toEqual([`f${i} 1`, `f${i} 2`, `f${i} 3`]);
    expect(r.status()).toMatchObject({ state: 'watching', files: 500, polling: false });
    const held = inotifyWatches() - before;
    expect(held).toBeGreaterThanOrEqual(1);
    expect(held).toBeLessThanOrEqual(3);
  });

  it("a folder source over Vigil's own data folder does not read its database (each write would be read again, without end)", async () => {
    const dir = dirFixture();
    const r = await rig(dir, { path: dir, recursive: true, start: 'beginning' });
    appendFileSync(join(dir, 'app.log'), 'one line\n');
    await waitFor(() => /not read: .*vigil\.db.*own database/.test(r.status().message ?? ''), { what: 'status naming the database' });
    expect(await r.expectCount(1)).toEqual(['one line']);
    await new Promise((res) => setTimeout(res, 1000));
    expect(r.count()).toBe(1);
  });
});
