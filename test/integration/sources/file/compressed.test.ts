// Rotated files that the rotator compresses (logrotate's `compress`, `delaycompress`), and
// archives dropped into a watched folder, with the real gzip, zstd and xz tools: the stored
// sequence must hold every written line once, never the compressed bytes.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../../../support/tmp.js';
import { FAST, Rig, settle, Writer } from './rig.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The logs in a folder of their own (the rig's database is beside it). */
function logsDir(): { root: string; dir: string } {
  const { dir: root, cleanup } = tempDir();
  cleanups.push(cleanup);
  const dir = join(root, 'logs');
  mkdirSync(dir);
  return { root, dir };
}

async function setup(pathOf: (dir: string) => string, start: 'beginning' | 'end' = 'beginning') {
  const { root, dir } = logsDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  const rig = await Rig.start({ dir: root, source: { path: pathOf(dir), start } });
  cleanups.push(() => rig.close());
  return { dir, log, rig };
}

/** Long enough for a compressed file to be decided (it waits rotateWaitMs past its last write). */
const decided = () => settle(null as never, FAST.rotateWaitMs! * 3 + FAST.tickMs! * 10);

function fileRow(rig: Rig, path: string): { state: string; offset: number } | undefined {
  return rig.store.db.prepare('SELECT state, offset FROM files WHERE path = ? ORDER BY id DESC').get(path) as never;
}

function numbered(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix} ${i + 1} ${'y'.repeat(i % 30)}`);
}

describe('file source: compressed files', () => {
  it('logrotate compress: the rotated file, gzipped right after the rename (late lines too), adds nothing', async () => {
    const { dir, log, rig } = await setup((d) => d); // the folder: the .gz is matched too
    const w = new Writer(log);
    w.write(50);
    await rig.expectCount(50);
    renameSync(log, `${log}.1`);
    writeFileSync(log, '');
    w.write(7); // not reopened yet: into app.log.1
    execFileSync('gzip', [`${log}.1`]); // app.log.1 -> app.log.1.gz; we still hold app.log.1 open
    w.reopen();
    w.write(30);
    await rig.expectCount(87);
    await decided();
    expect(rig.lines()).toEqual(w.written);
    expect(fileRow(rig, join(dir, 'app.log.1.gz'))?.state).toBe('compressed');
    expect(rig.status().state).toBe('watching');
    w.close();
  });

  it('delaycompress: app.log.1 gzipped to app.log.2.gz at the next rotation is not read again', async () => {
    const { dir, log, rig } = await setup((d) => join(d, 'app.log*'));
    const w = new Writer(log);
    for (let round = 0; round < 3; round++) {
      w.write(40);
      await rig.expectCount(w.written.length);
      // logrotate's order: shift the archives, app.log.1 -> app.log.2 compressed, app.log -> app.log.1.
      if (existsSync(`${log}.2.gz`)) renameSync(`${log}.2.gz`, `${log}.3.gz`);
      if (existsSync(`${log}.1`)) {
        renameSync(`${log}.1`, `${log}.2`);
        execFileSync('gzip', [`${log}.2`]);
      }
      renameSync(log, `${log}.1`);
      writeFileSync(log, '');
      w.reopen();
      w.write(5);
      await rig.expectCount(w.written.length);
    }
    await decided();
    expect(rig.lines()).toEqual(w.written);
    expect(fileRow(rig, join(dir, 'app.log.2.gz'))?.state).toBe('compressed');
    expect(fileRow(rig, join(dir, 'app.log.3.gz'))?.state).toBe('compressed');
    w.close();
  });

  it('rotated and compressed while Vigil was stopped: the lines after our checkpoint come from the archive, once', async () => {
    const { log, rig } = await setup((d) => d);
    const first = numbered('before', 50);
    appendFileSync(log, first.map((l) => l + '\n').join(''));
    await rig.expectCount(50);
    await rig.close();
    const missed = numbered('while-stopped', 20);
    appendFileSync(log, missed.map((l) => l + '\n').join(''));
    renameSync(log, `${log}.1`);
    execFileSync('gzip', [`${log}.1`]);
    const fresh = numbered('new-file', 10);
    writeFileSync(log, fresh.map((l) => l + '\n').join(''));
    await rig.open();
    await rig.expectCount(80);
    await decided();
    const rows = rig.rows();
    expect(rows.map((r) => r.raw).sort()).toEqual([...first, ...missed, ...fresh].sort());
    expect(rows.filter((r) => r.path === `${log}.1.gz`).map((r) => r.raw)).toEqual(missed);
    // The first lines keep the name they were read under; the new file's follow them there.
    expect(rows.filter((r) => r.path === log).map((r) => r.raw)).toEqual([...first, ...fresh]);
    // Line numbers go on from the checkpoint: the archive's lines are lines 51-70 of the file.
    expect(rows.filter((r) => r.path === `${log}.1.gz`).map((r) => r.line_no)).toEqual(missed.map((_, i) => 51 + i));
  });

  it('archives dropped into the folder (gzip, zstd) are read decompressed, once, also across a restart', async () => {
    const { dir, rig } = await setup((d) => d);
    const a = numbered('gz-archive', 3000);
    const b = numbered('zstd-archive', 500);
    writeFileSync(join(dir, 'old.log.gz'), execFileSync('gzip', ['-c'], { input: a.map((l) => l + '\n').join('') }));
    writeFileSync(join(dir, 'other.log.zst'), execFileSync('zstd', ['-q', '-c'], { input: b.map((l) => l + '\n').join('') }));
    await rig.expectCount(3500);
    const rows = rig.rows();
    expect(rows.filter((r) => r.path === join(dir, 'old.log.gz')).map((r) => r.raw)).toEqual(a);
    expect(rows.filter((r) => r.path === join(dir, 'other.log.zst')).map((r) => r.raw)).toEqual(b);
    await rig.restart();
    await decided();
    expect(rig.count()).toBe(3500);
  });

  it('a source naming one .gz file reads it whole, whatever `start` says', async () => {
    const { root, dir } = logsDir();
    const lines = numbered('single', 200);
    const path = join(dir, 'app.log.3.gz');
    writeFileSync(path, execFileSync('gzip', ['-c'], { input: lines.map((l) => l + '\n').join('') }));
    const rig = await Rig.start({ dir: root, source: { path, start: 'end' } });
    cleanups.push(() => rig.close());
    expect(await rig.expectCount(200)).toEqual(lines);
    await waitFor(() => rig.status().state === 'watching', { what: 'watching' });
    expect(rig.status().message).toMatch(/compressed/);
  });

  it('a new source with start: end leaves the archives already in its folder as history', async () => {
    const { root, dir } = logsDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, numbered('history', 30).map((l) => l + '\n').join(''));
    writeFileSync(join(dir, 'app.log.2.gz'), execFileSync('gzip', ['-c'], { input: numbered('older', 30).map((l) => l + '\n').join('') }));
    const rig = await Rig.start({ dir: root, source: { path: dir, start: 'end' } });
    cleanups.push(() => rig.close());
    await decided();
    appendFileSync(log, 'after start\n');
    expect(await rig.expectCount(1)).toEqual(['after start']);
  });

  it('a new source with start: end stopped before an archive in its folder was decided (its compressor still at it): at the next start the archive is still history', async () => {
    const { root, dir } = logsDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, numbered('history', 30).map((l) => l + '\n').join(''));
    const archive = join(dir, 'app.log.2.gz');
    writeFileSync(archive, execFileSync('gzip', ['-c'], { input: numbered('older', 30).map((l) => l + '\n').join('') }));
    // Its time says the compressor wrote it just now, and is at it for 2 s more.
    const later = new Date(Date.now() + 2000);
    utimesSync(archive, later, later);
    const rig = await Rig.start({ dir: root, source: { path: dir, start: 'end' } });
    cleanups.push(() => rig.close());
    await settle(null as never, FAST.tickMs! * 5);
    await rig.close();
    await new Promise((r) => setTimeout(r, 2500));
    await rig.open();
    await decided();
    appendFileSync(log, 'after start\n');
    expect(await rig.expectCount(1)).toEqual(['after start']);
    await decided();
    expect(rig.lines()).toEqual(['after start']);
    expect(fileRow(rig, archive)?.state).toBe('compressed');
  });

  it('xz and bzip2 archives are not read (no compressed bytes stored), and the status says why', async () => {
    const { dir, log, rig } = await setup((d) => d);
    writeFileSync(join(dir, 'app.log.3.xz'), execFileSync('xz', ['-c'], { input: numbered('xz', 100).join('\n') + '\n' }));
    writeFileSync(join(dir, 'app.log.4.bz2'), execFileSync('bzip2', ['-c'], { input: numbered('bz', 100).join('\n') + '\n' }));
    appendFileSync(log, 'plain line\n');
    await waitFor(() => /not read: .*(xz|bzip2) is not supported/.test(rig.status().message ?? ''), { what: 'status naming the unread archive' });
    expect(await rig.expectCount(1)).toEqual(['plain line']);
  });

  it('a cut-off gzip file: the lines before the cut are stored, none twice, and the status says so', async () => {
    const { dir, rig } = await setup((d) => d);
    const lines = numbered('cut', 20_000);
    const gz = execFileSync('gzip', ['-c'], { input: lines.map((l) => l + '\n').join(''), maxBuffer: 64 << 20 });
    const path = join(dir, 'app.log.5.gz');
    writeFileSync(path, gz.subarray(0, Math.floor(gz.length / 2)));
    await waitFor(() => /not read: .*damaged or cut off/.test(rig.status().message ?? ''), { what: 'status naming the damage' });
    // The damage is reported once the lines before it are queued: let the store take them.
    await rig.ingestor.drain();
    const got = rig.lines();
    expect(got.length).toBeGreaterThan(1000);
    expect(got.length).toBeLessThan(lines.length);
    // A prefix of the file, the last (cut) line possibly partial.
    expect(got.slice(0, -1)).toEqual(lines.slice(0, got.length - 1));
    expect(lines[got.length - 1]!.startsWith(got.at(-1)!)).toBe(true);
  });

  it('stopped in the middle of an archive: the next start reads on from the checkpoint, every line once', async () => {
    const { dir, rig } = await setup((d) => d);
    const lines = numbered('big', 300_000);
    const path = join(dir, 'big.log.gz');
    writeFileSync(path, execFileSync('gzip', ['-c'], { input: lines.map((l) => l + '\n').join(''), maxBuffer: 256 << 20 }));
    await waitFor(() => rig.count() > 0, { what: 'the archive being read', timeoutMs: 15_000 });
    await rig.close();
    await rig.open();
    const got = await rig.expectCount(lines.length, 'the whole archive', 60_000);
    expect(got).toEqual(lines);
  });

  it('a gzip file cut short and then completed (a compressor still writing) is read once, whole', async () => {
    const { dir, rig } = await setup((d) => d);
    const lines = numbered('growing', 5000);
    const gz = execFileSync('gzip', ['-c'], { input: lines.map((l) => l + '\n').join('') });
    const path = join(dir, 'app.log.1.gz');
    writeFileSync(path, gz.subarray(0, 100));
    await settle(rig, FAST.tickMs! * 3);
    appendFileSync(path, gz.subarray(100));
    expect(await rig.expectCount(5000)).toEqual(lines);
  });

  it('a folder of many archives read from the beginning: each once, a few at a time (descriptors do not grow with their number)', async () => {
    const { root, dir } = logsDir();
    const n = 60;
    const body = numbered('archived', 3000).map((l) => l + '\n').join('');
    for (let k = 0; k < n; k++) writeFileSync(join(dir, `app.log.${k + 2}.gz`), execFileSync('gzip', ['-c'], { input: `archive ${k}\n${body}` }));
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    // Sampled from when the first look is done (it opens every matched file once, briefly).
    // A small queue: readers wait for the store, as they do when it is behind, and hold what they hold.
    const rig = await Rig.start({ dir: root, source: { path: dir, start: 'beginning' }, ingestor: { maxQueued: 2000 } });
    cleanups.push(() => rig.close());
    let most = fds();
    const sample = setInterval(() => (most = Math.max(most, fds())), 10);
    try {
      await rig.expectCount(n * 3001, 'every archive', 60_000);
    } finally {
      clearInterval(sample);
    }
    const lines = rig.lines();
    expect(lines.filter((l) => l.startsWith('archive ')).sort()).toEqual(Array.from({ length: n }, (_, k) => `archive ${k}`).sort());
    expect(lines.filter((l) => l === 'archived 3000 ' + 'y'.repeat(2999 % 30))).toHaveLength(n);
    // One reader per archive at once would hold 60 descriptors (and a decompressor each).
    expect(most - before).toBeLessThan(20);
  });
});
