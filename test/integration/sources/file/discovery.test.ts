// Which files a source reads, and from where.
import { appendFileSync, copyFileSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../../../support/tmp.js';
import { Rig, Writer } from './rig.js';

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

  it('a file that appears together with its folder (missing when the source started) is read from its beginning, start: end or not: file, glob and folder sources', async () => {
    const dir = dirFixture();
    const rigs = await Promise.all(
      [['file', join(dir, 'f1', 'app.log')], ['glob', join(dir, 'f2', '*.log')], ['folder', join(dir, 'f3')]].map(([name, path]) =>
        Rig.start({ dir, source: { name: name!, path: path! }, dbPath: join(dir, `${name}.db`) }),
      ),
    );
    for (const r of rigs) cleanups.push(() => r.close());
    await new Promise((res) => setTimeout(res, 150));
    expect(rigs.map((r) => r.status().message)).toEqual(rigs.map(() => expect.stringMatching(/path missing/)));
    // The folder and the file at once, as a program that makes its log folder does.
    for (const f of ['f1', 'f2', 'f3']) {
      mkdirSync(join(dir, f));
      writeFileSync(join(dir, f, 'app.log'), 'L1\nL2\n');
    }
    for (const r of rigs) expect(await r.expectCount(2, `${r.name}: the first lines`)).toEqual(['L1', 'L2']);
    for (const f of ['f1', 'f2', 'f3']) appendFileSync(join(dir, f, 'app.log'), 'L3\n');
    for (const r of rigs) expect(await r.expectCount(3, `${r.name}: the next line`)).toEqual(['L1', 'L2', 'L3']);
  });

  it('a source that found nothing at its path reads, after a restart, what appeared there while Vigil was stopped (start: end)', async () => {
    const dir = dirFixture();
    mkdirSync(join(dir, 'logs'));
    const file = await rig(dir, { name: 'file', path: join(dir, 'logs', 'later.log') });
    const folder = await Rig.start({ dir, source: { name: 'folder', path: join(dir, 'nothing-yet') }, dbPath: join(dir, 'folder.db') });
    cleanups.push(() => folder.close());
    await new Promise((res) => setTimeout(res, 150));
    await file.close();
    await folder.close();
    writeFileSync(join(dir, 'logs', 'later.log'), 's1\ns2\n');
    mkdirSync(join(dir, 'nothing-yet'));
    writeFileSync(join(dir, 'nothing-yet', 'a.log'), 'd1\n');
    await file.open();
    await folder.open();
    expect(await file.expectCount(2)).toEqual(['s1', 's2']);
    expect(await folder.expectCount(1)).toEqual(['d1']);
    // And a restart with nothing new repeats nothing.
    await file.restart();
    appendFileSync(join(dir, 'logs', 'later.log'), 's3\n');
    expect(await file.expectCount(3)).toEqual(['s1', 's2', 's3']);
  });

  it('upgraded from a Vigil that kept no note of having begun (before 2026-11-22): what appeared while stopped at a path where the source found nothing is read from its beginning', async () => {
    const dir = dirFixture();
    mkdirSync(join(dir, 'logs'));
    const file = await rig(dir, { name: 'file', path: join(dir, 'logs', 'later.log') });
    const folder = await Rig.start({ dir, source: { name: 'folder', path: join(dir, 'nothing-yet') }, dbPath: join(dir, 'folder.db') });
    cleanups.push(() => folder.close());
    await new Promise((res) => setTimeout(res, 150));
    // The store as the older Vigil left it: the source known, no note that it began.
    for (const r of [file, folder]) {
      expect(r.store.db.prepare("DELETE FROM files WHERE state = 'begun'").run().changes).toBe(1);
      await r.close();
    }
    writeFileSync(join(dir, 'logs', 'later.log'), 's1\ns2\n');
    mkdirSync(join(dir, 'nothing-yet'));
    writeFileSync(join(dir, 'nothing-yet', 'a.log'), 'd1\n');
    await file.open();
    await folder.open();
    expect(await file.expectCount(2)).toEqual(['s1', 's2']);
    expect(await folder.expectCount(1)).toEqual(['d1']);
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
    // The engine's lock beside it (store-lock.ts): a SQLite file and who holds it.
    mkdirSync(join(dir, 'db'));
    writeFileSync(join(dir, 'db', 'vigil.db.lock'), 'SQLite format 3\0');
    writeFileSync(join(dir, 'db', 'vigil.db.lock.json'), '{"pid":1,"host":"server","since":0}\n');
    const r = await rig(dir, { path: dir, recursive: true, start: 'beginning' });
    appendFileSync(join(dir, 'app.log'), 'one line\n');
    await waitFor(() => /not read: .*vigil\.db.*own database/.test(r.status().message ?? ''), { what: 'status naming the database' });
    expect(await r.expectCount(1)).toEqual(['one line']);
    await new Promise((res) => setTimeout(res, 1000));
    expect(r.count()).toBe(1);
  });
});

// A folder source over /var/log meets systemd's journal files, wtmp, sysstat data: binary.
describe('file source: binary files', () => {
  it('a folder source skips binary files (a journal, an executable, utmp records, a sparse lastlog), names them in its status, and reads the logs beside them', async () => {
    const dir = dirFixture();
    const logs = join(dir, 'var-log');
    mkdirSync(join(logs, 'journal', 'm1'), { recursive: true });
    writeFileSync(join(logs, 'syslog'), '');
    writeFileSync(join(logs, 'journal', 'm1', 'system.journal'), Buffer.concat([Buffer.from('LPKSHHRH'), Buffer.alloc(64, 1), Buffer.from('\nnot a line\n'.repeat(50))]));
    const rec = Buffer.alloc(384);
    rec.write('pts/0', 8);
    rec.write('root\n', 44);
    writeFileSync(join(logs, 'wtmp'), Buffer.concat([rec, rec, rec]));
    copyFileSync(process.execPath, join(logs, 'a-binary'));
    // lastlog: sparse, NULs where it starts (here 8 GB of them), which no first bytes judge.
    writeFileSync(join(logs, 'lastlog'), '');
    truncateSync(join(logs, 'lastlog'), 8 * 1024 ** 3);
    const r = await rig(dir, { path: logs, recursive: true, start: 'beginning' });
    appendFileSync(join(logs, 'syslog'), 'May  1 10:00:00 host prog: one\n');
    expect(await r.expectCount(1)).toEqual(['May  1 10:00:00 host prog: one']);
    await waitFor(() => /not read: .*(system\.journal|wtmp|a-binary|lastlog).*not a text log \(and 3 more\)/.test(r.status().message ?? ''), { what: 'status naming the binary files' });
    expect(r.status().files).toBe(1);
  });
});

describe('file source: the config changed and changed back', () => {
  it('a path pointed elsewhere and back goes on from its checkpoint: nothing read twice, no history that start: end skipped', async () => {
    const dir = dirFixture();
    const a = join(dir, 'a.log');
    const b = join(dir, 'b.log');
    const lines = (tag: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${tag} ${from + i}\n`).join('');
    writeFileSync(a, lines('a', 1, 50));
    writeFileSync(b, lines('b', 1, 50));
    const r = await rig(dir, { path: a, start: 'end' });
    await waitFor(() => r.status().state === 'watching', { what: 'watching a' });
    appendFileSync(a, lines('a', 51, 60));
    await r.expectCount(10);
    await r.manager.apply([{ name: r.name, type: 'file', path: b, start: 'end' }]);
    await waitFor(() => r.manager.views()[0]!.status.state === 'watching', { what: 'watching b' });
    appendFileSync(b, lines('b', 51, 60));
    await r.expectCount(20);
    await r.manager.apply([{ name: r.name, type: 'file', path: a, start: 'end' }]);
    await waitFor(() => r.manager.views()[0]!.status.state === 'watching', { what: 'watching a again' });
    appendFileSync(a, lines('a', 71, 80));
    const got = await r.expectCount(30);
    await new Promise((res) => setTimeout(res, 500));
    expect(r.count()).toBe(30);
    expect(got.filter((l) => l.startsWith('a ')).map((l) => Number(l.slice(2)))).toEqual([...range(51, 60), ...range(71, 80)]);
  });
});

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('file source: a file not read, by name', () => {
  it('a source naming a binary file says it is not read and why (not "path missing"); a folder of only such files too', async () => {
    const dir = dirFixture();
    const rec = Buffer.alloc(384);
    rec.write('pts/0', 8);
    writeFileSync(join(dir, 'wtmp.dat'), Buffer.concat([Buffer.from([7, 0, 0, 0]), rec, rec, rec]));
    const one = await rig(dir, { path: join(dir, 'wtmp.dat'), start: 'beginning' });
    await waitFor(() => /^not read: .*wtmp\.dat: binary content/.test(one.status().message ?? ''), { what: 'the reason in the status' });
    expect(one.status().state).toBe('error');
    const folder = join(dir, 'only-binary');
    mkdirSync(folder);
    copyFileSync(join(dir, 'wtmp.dat'), join(folder, 'wtmp.dat'));
    const all = await rig(dir, { path: folder, start: 'beginning' });
    await waitFor(() => /^not read: .*wtmp\.dat: binary content/.test(all.status().message ?? ''), { what: 'the reason, not "no file yet"' });
  });

  it('a log with a hole of NULs after its first lines (a crash, a preallocating writer) is read: the lines before and after it', async () => {
    const dir = dirFixture();
    const path = join(dir, 'app.log');
    writeFileSync(path, Buffer.concat([Buffer.from('one\ntwo\nthree\n'), Buffer.alloc(4096), Buffer.from('four\nfive\n')]));
    const r = await rig(dir, { path, start: 'beginning' });
    expect(await r.expectCount(5)).toEqual(['one', 'two', 'three', 'four', 'five']);
  });
});

// kubelet's /var/log/containers/*.log are symlinks into /var/log/pods; distributions link
// log names too. A link is read as the file it points to, and followed when re-pointed.
describe('file source: symlinks', () => {
  it('a source naming a symlink reads the file it points to, and what is appended to it', async () => {
    const dir = dirFixture();
    writeFileSync(join(dir, 'real.log'), 'r 1\n');
    symlinkSync(join(dir, 'real.log'), join(dir, 'link.log'));
    const r = await rig(dir, { path: join(dir, 'link.log'), start: 'beginning' });
    expect(await r.expectCount(1)).toEqual(['r 1']);
    appendFileSync(join(dir, 'real.log'), 'r 2\n');
    expect(await r.expectCount(2)).toEqual(['r 1', 'r 2']);
  });

  it('a glob over links (kubelet layout): each line once; a link re-pointed to a new file (container restart) reads the old one to its end, then the new one', async () => {
    const dir = dirFixture();
    mkdirSync(join(dir, 'pods'));
    mkdirSync(join(dir, 'containers'));
    const link = join(dir, 'containers', 'web.log');
    writeFileSync(join(dir, 'pods', '0.log'), '');
    symlinkSync(join(dir, 'pods', '0.log'), link);
    const r = await rig(dir, { path: join(dir, 'containers', '*.log'), start: 'beginning' });
    const w0 = new Writer(join(dir, 'pods', '0.log'), 'run0');
    w0.write(20);
    await r.expectCount(20);
    w0.write(5); // the old container's last lines, most likely not read yet
    writeFileSync(join(dir, 'pods', '1.log'), '');
    const w1 = new Writer(join(dir, 'pods', '1.log'), 'run1');
    w1.write(3);
    symlinkSync(join(dir, 'pods', '1.log'), `${link}.tmp`);
    renameSync(`${link}.tmp`, link); // ln -sfn, atomically
    w1.write(10);
    expect(await r.expectCount(38)).toEqual([...w0.written, ...w1.written]);
    w0.close();
    w1.close();
  });

  it('a link and its target both matched by one source: each line stored once', async () => {
    const dir = dirFixture();
    mkdirSync(join(dir, 'logs', 'pods'), { recursive: true });
    mkdirSync(join(dir, 'logs', 'containers'));
    writeFileSync(join(dir, 'logs', 'pods', '0.log'), '');
    symlinkSync(join(dir, 'logs', 'pods', '0.log'), join(dir, 'logs', 'containers', 'web.log'));
    const r = await rig(dir, { path: join(dir, 'logs', '**', '*.log'), start: 'beginning' });
    const w = new Writer(join(dir, 'logs', 'pods', '0.log'));
    for (let i = 0; i < 10; i++) {
      w.write(5);
      await new Promise((res) => setTimeout(res, 30));
    }
    expect(await r.expectCount(50)).toEqual(w.written);
    w.close();
  });

  it('a folder source named through a symlinked folder (macOS /var/log is one) reads the files in it, old and new', async () => {
    const dir = dirFixture();
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real', 'x.log'), 'x 1\n');
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    const r = await rig(dir, { path: join(dir, 'link'), start: 'beginning' });
    await r.expectCount(1);
    appendFileSync(join(dir, 'real', 'x.log'), 'x 2\n');
    writeFileSync(join(dir, 'real', 'y.log'), 'y 1\n');
    expect((await r.expectCount(3)).sort()).toEqual(['x 1', 'x 2', 'y 1']);
  });
});
