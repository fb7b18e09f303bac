// What happens while Vigil is stopped (or a source restarts) must not lose or repeat a line.
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, truncateSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../../../support/tmp.js';
import { execFileSync } from 'node:child_process';
import { createDecoderFactory, loadFormats } from '../../../../electron/engine/decode/index.js';
import { Rig, Writer } from './rig.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(pattern: (dir: string) => string) {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  const rig = await Rig.start({ dir, source: { path: pattern(dir), start: 'beginning' } });
  cleanups.push(() => rig.close());
  return { dir, log, rig };
}

/** logrotate's default, once: app.log.1 (shifted to app.log.2 first when `shift`), a new app.log, the writer reopened. */
function rotate(log: string, w: Writer, shift = false): void {
  if (shift) renameSync(`${log}.1`, `${log}.2`);
  renameSync(log, `${log}.1`);
  writeFileSync(log, '');
  w.reopen();
}

/** Stops Vigil, then lets the clock pass the stop: what is written next is "after the source last read". */
async function stop(rig: Rig): Promise<void> {
  await rig.close();
  await new Promise((r) => setTimeout(r, 20));
}

/** Lines `tag from` to `tag to`, each with its newline. */
const numbered = (tag: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${tag} ${from + i}\n`).join('');

/** Lines in their writer's order (archives are read once their compressor is done: after the newer files). */
const byNumber = (lines: string[]) => [...lines].sort((a, b) => Number(a.split(' ')[1]) - Number(b.split(' ')[1]));

/** A file of five INFO lines and a FATAL one, read (as iso-level) by a source with the real formats. */
async function readAsIsoLevel(): Promise<{ log: string; rig: Rig }> {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const log = join(dir, 'app.log');
  const head = [1, 2, 3, 4, 5].map((i) => `2026-11-22T10:00:0${i - 1}.000Z INFO started service number ${i}`);
  writeFileSync(log, [...head, '2026-11-22T10:00:05.000Z FATAL flappy: ntp drift exceeded'].join('\n') + '\n');
  const decoders = createDecoderFactory(loadFormats().formats, { sampleLines: 8, sampleTimeoutMs: 50 });
  const rig = await Rig.start({ dir, decoders, source: { path: log, start: 'beginning' } });
  cleanups.push(() => rig.close());
  await rig.expectCount(6);
  return { log, rig };
}

/** The FATAL line appended since was read as the file was: iso-level, the same message. */
async function readOnAsBefore(rig: Rig): Promise<void> {
  await rig.expectCount(7);
  const rows = rig.store.db.prepare('SELECT format, message FROM events ORDER BY id').all() as { format: string; message: string }[];
  expect(new Set(rows.map((r) => r.format))).toEqual(new Set(['iso-level']));
  expect(rows.at(-1)!.message).toBe(rows.at(-2)!.message);
}

describe('file source: across restarts', () => {
  it('lines written while stopped are read once, from the checkpoint', async () => {
    const { log, rig } = await setup((d) => join(d, 'app.log'));
    const w = new Writer(log);
    w.write(10);
    await rig.expectCount(10);
    await rig.close();
    w.write(5);
    w.raw('half a li');
    await rig.open();
    await rig.expectCount(15);
    w.raw('ne\n');
    w.written.push('half a line');
    expect(await rig.expectCount(16)).toEqual(w.written);
  });

  it('a file deleted just before a stop is read to its end at the stop (nobody could later)', async () => {
    const { log, rig } = await setup((d) => join(d, 'app.log'));
    const w = new Writer(log);
    w.write(10);
    await rig.expectCount(10);
    unlinkSync(log);
    w.write(7);
    await rig.close();
    w.close();
    await rig.open();
    expect(rig.lines()).toEqual(w.written);
  });

  it('a file rotated (renamed away) while stopped: its unread lines are found by inode and read before the new file', async () => {
    const { log, rig } = await setup((d) => join(d, 'app.log'));
    const w = new Writer(log);
    w.write(10);
    await rig.expectCount(10);
    await rig.close();
    w.write(6); // unread, then rotated away under a name the source does not match
    renameSync(log, `${log}.1`);
    writeFileSync(log, '');
    w.write(2);
    w.reopen();
    w.write(4);
    await rig.open();
    expect(await rig.expectCount(22)).toEqual(w.written);
  });

  it('rotated twice while stopped, the source naming the file alone: the generation in between (never seen) is read whole, in order', async () => {
    const { log, rig } = await setup((d) => join(d, 'app.log'));
    const w = new Writer(log);
    w.write(10);
    await rig.expectCount(10);
    await stop(rig);
    w.write(6); // unread
    rotate(log, w);
    w.write(5); // the generation in between
    rotate(log, w, true);
    w.write(4);
    await rig.open();
    expect(await rig.expectCount(25)).toEqual(w.written);
    await new Promise((r) => setTimeout(r, 300));
    expect(rig.count()).toBe(25);
    // And once more across a restart: nothing read again.
    await rig.close();
    w.write(2);
    await rig.open();
    expect(await rig.expectCount(27)).toEqual(w.written);
    w.close();
  });

  it('rotated twice while stopped with delaycompress (app.log.2.gz holds our file, app.log.1 the one in between): every line once', async () => {
    const { dir, log, rig } = await setup((d) => join(d, 'app.log'));
    const w = new Writer(log);
    w.write(10);
    await rig.expectCount(10);
    await stop(rig);
    w.write(6);
    rotate(log, w);
    w.write(5);
    rotate(log, w, true);
    w.write(4);
    const archive = join(dir, 'app.log.2.gz');
    writeFileSync(archive, gzipSync(readFileSync(`${log}.2`)));
    unlinkSync(`${log}.2`);
    const ago = new Date(Date.now() - 60_000); // compressed a while ago
    utimesSync(archive, ago, ago);
    await rig.open();
    expect(byNumber(await rig.expectCount(25))).toEqual(w.written);
    await new Promise((r) => setTimeout(r, 300));
    expect(rig.count()).toBe(25);
    w.close();
  });

  it('rotated twice while stopped with compress (logrotate order: the second new file may get the inode the first gzip freed): every line once', async () => {
    const { log, rig } = await setup((d) => join(d, 'app.log'));
    const w = new Writer(log);
    const gzipAway = (from: string, to: string) => {
      writeFileSync(to, gzipSync(readFileSync(from)));
      unlinkSync(from); // frees its inode for the next file made
    };
    w.write(10);
    await rig.expectCount(10);
    await stop(rig);
    w.write(6);
    rotate(log, w);
    gzipAway(`${log}.1`, `${log}.1.gz`);
    w.write(5);
    renameSync(`${log}.1.gz`, `${log}.2.gz`);
    rotate(log, w);
    gzipAway(`${log}.1`, `${log}.1.gz`);
    w.write(4);
    await rig.open();
    expect(byNumber(await rig.expectCount(25, 'every line, the archives read once their compressor is done (rotateWaitMs)', 20_000))).toEqual(w.written);
    await new Promise((r) => setTimeout(r, 300));
    expect(rig.count()).toBe(25);
    w.close();
  });

  it('rotated twice while stopped, generations named by date and time (logrotate dateformat -%Y%m%d-%s, logback %d.%i): every line once', async () => {
    for (const names of [['-20261122-1732262400', '-20261122-1732266000'], ['.2026-11-22.0', '.2026-11-22.1']]) {
      const { log, rig } = await setup((d) => join(d, 'app.log'));
      const w = new Writer(log);
      w.write(5);
      await rig.expectCount(5);
      await stop(rig);
      for (const [i, name] of names.entries()) {
        w.write(3 + i);
        renameSync(log, `${log}${name}`);
        writeFileSync(log, '');
        w.reopen();
      }
      w.write(2);
      await rig.open();
      expect(await rig.expectCount(14, `every line, generations named ${names.join(' ')}`)).toEqual(w.written);
      w.close();
      await rig.close();
    }
  });

  it('rotated three times while stopped with delaycompress (a generation has the inode gzip freed, our checkpoint\'s): every line once', async () => {
    const { log, rig } = await setup((d) => join(d, 'app.log'));
    const w = new Writer(log);
    // logrotate with delaycompress: older .N.gz shift up, app.log.1 becomes app.log.2.gz, app.log app.log.1.
    const rotateDelay = () => {
      for (const g of [5, 4, 3, 2]) if (existsSync(`${log}.${g}.gz`)) renameSync(`${log}.${g}.gz`, `${log}.${g + 1}.gz`);
      if (existsSync(`${log}.1`)) {
        writeFileSync(`${log}.2.gz`, gzipSync(readFileSync(`${log}.1`)));
        unlinkSync(`${log}.1`);
      }
      rotate(log, w);
    };
    w.write(5);
    await rig.expectCount(5);
    await stop(rig);
    w.write(3);
    rotateDelay();
    w.write(4);
    rotateDelay();
    w.write(2);
    rotateDelay();
    w.write(2);
    await rig.open();
    expect(byNumber(await rig.expectCount(16, 'every line, the archives read once their compressor is done (rotateWaitMs)', 20_000))).toEqual(w.written);
    await new Promise((r) => setTimeout(r, 300));
    expect(rig.count()).toBe(16);
    w.close();
  });

  it("files named after the log that are not its generations (app.log-errors, app.log.pos) are not read, whatever their time", async () => {
    const { dir, log, rig } = await setup((d) => join(d, 'app.log'));
    const w = new Writer(log);
    w.write(10);
    await rig.expectCount(10);
    await stop(rig);
    w.write(6);
    rotate(log, w);
    w.write(4);
    writeFileSync(join(dir, 'app.log-errors'), '2026-11-22T10:00:00Z ERROR another program\n');
    writeFileSync(join(dir, 'app.log.pos'), 'state=123\n');
    await rig.open();
    expect(await rig.expectCount(20)).toEqual(w.written);
    await new Promise((r) => setTimeout(r, 400));
    expect(rig.lines()).toEqual(w.written);
    w.close();
  });

  it('a generation read before the stop, rotated on while stopped and touched since: not read again', async () => {
    const { log, rig } = await setup((d) => join(d, 'app.log'));
    const w = new Writer(log);
    w.write(10);
    await rig.expectCount(10);
    rotate(log, w); // while running: read to its end
    w.write(5);
    await rig.expectCount(15);
    await stop(rig);
    w.write(3);
    rotate(log, w, true);
    w.write(2);
    const now = new Date();
    utimesSync(`${log}.2`, now, now); // a backup tool, say: written "after the stop" by its time
    await rig.open();
    expect(await rig.expectCount(20)).toEqual(w.written);
    await new Promise((r) => setTimeout(r, 400));
    expect(rig.count()).toBe(20);
    w.close();
  });

  it("a file read through a link (kubelet's containers/*.log into pods/), rotated while stopped: its unread lines are found beside its target and read first", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    mkdirSync(join(dir, 'pods', 'web'), { recursive: true });
    mkdirSync(join(dir, 'containers'));
    const target = join(dir, 'pods', 'web', '0.log');
    const lines = (from: number, to: number) => numbered('k', from, to);
    writeFileSync(target, lines(1, 10));
    symlinkSync(target, join(dir, 'containers', 'web.log'));
    const rig = await Rig.start({ dir, source: { path: join(dir, 'containers', '*.log'), start: 'beginning' } });
    cleanups.push(() => rig.close());
    await rig.expectCount(10);
    await rig.close();
    appendFileSync(target, lines(11, 20));
    renameSync(target, `${target}.20261122`);
    writeFileSync(target, lines(21, 30));
    await rig.open();
    expect(await rig.expectCount(30)).toEqual(Array.from({ length: 30 }, (_, i) => `k ${i + 1}`));
    // kubelet compresses the older rotations: rotated and compressed while stopped, the
    // unread lines come from the archive beside the link's target.
    await rig.close();
    appendFileSync(target, lines(31, 40));
    writeFileSync(`${target}.20261123.gz`, gzipSync(readFileSync(target)));
    unlinkSync(target);
    writeFileSync(target, lines(41, 50));
    await rig.open();
    const got = await rig.expectCount(50);
    expect([...got].sort((a, b) => Number(a.slice(2)) - Number(b.slice(2)))).toEqual(Array.from({ length: 50 }, (_, i) => `k ${i + 1}`));
  });

  it('a file rotated and compressed while stopped (logrotate compress, no delaycompress), its source naming the file alone: the lines after the checkpoint are read from the archive', async () => {
    const { dir, log, rig } = await setup((d) => join(d, 'app.log'));
    const lines = (from: number, to: number) => numbered('z', from, to);
    appendFileSync(log, lines(1, 100));
    await rig.expectCount(100);
    await rig.close();
    appendFileSync(log, lines(101, 150));
    const archive = join(dir, 'app.log.1.gz');
    writeFileSync(archive, gzipSync(readFileSync(log)));
    // gzip gives the archive its original's time: rotated a while ago.
    const ago = new Date(Date.now() - 60_000);
    utimesSync(archive, ago, ago);
    unlinkSync(log);
    writeFileSync(log, lines(151, 200));
    await rig.open();
    const got = await rig.expectCount(200);
    expect([...got].sort((a, b) => Number(a.slice(2)) - Number(b.slice(2)))).toEqual(Array.from({ length: 200 }, (_, i) => `z ${i + 1}`));
    await new Promise((r) => setTimeout(r, 300));
    expect(rig.count()).toBe(200);
    // Again, Vigil started a moment after the rotation (the archive's time is now): read once
    // the compressor is done with it (rotateWaitMs), not dropped.
    await rig.close();
    appendFileSync(log, lines(201, 230));
    const second = join(dir, 'app.log.2.gz');
    writeFileSync(second, gzipSync(readFileSync(log)));
    unlinkSync(log);
    writeFileSync(log, lines(231, 240));
    await rig.open();
    await rig.expectCount(240);
    await new Promise((r) => setTimeout(r, 500));
    expect(rig.count()).toBe(240);
  });

  it('stopped while an archive found at start waits for its compressor: the next start still reads it (the file it holds was marked truncated, and never looked for again)', async () => {
    const { dir, log, rig } = await setup((d) => join(d, 'app.log'));
    const lines = (from: number, to: number) => numbered('y', from, to);
    appendFileSync(log, lines(1, 100));
    await rig.expectCount(100);
    await rig.close();
    appendFileSync(log, lines(101, 150));
    const archive = join(dir, 'app.log.1.gz');
    writeFileSync(archive, gzipSync(readFileSync(log)));
    // The compressor still at it for 2 s more, as the archive's time says.
    const later = new Date(Date.now() + 2000);
    utimesSync(archive, later, later);
    unlinkSync(log);
    writeFileSync(log, lines(151, 160));
    await rig.open();
    await rig.expectCount(110);
    await rig.close();
    await new Promise((r) => setTimeout(r, 2500));
    await rig.open();
    const got = await rig.expectCount(160);
    expect([...got].sort((a, b) => Number(a.slice(2)) - Number(b.slice(2)))).toEqual(Array.from({ length: 160 }, (_, i) => `y ${i + 1}`));
    await new Promise((r) => setTimeout(r, 500));
    expect(rig.count()).toBe(160);
  });

  it('stopped again while reading a file rotated away under a name the source does not match: its late lines are still read', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    // No tick while the test runs: only the reads at start-up and the change events read.
    const rig = await Rig.start({ dir, source: { path: log, start: 'beginning' }, file: { tickMs: 600_000 } });
    cleanups.push(() => rig.close());
    const w = new Writer(log);
    w.write(10);
    await rig.expectCount(10);
    await rig.close();
    w.write(6);
    renameSync(log, `${log}.1`);
    writeFileSync(log, '');
    await rig.open(); // finds app.log.1 by inode and reads it to its end
    await rig.expectCount(16);
    w.write(2); // the program has not reopened yet: late lines in app.log.1
    await rig.close(); // stopped before a tick read them
    w.reopen();
    w.write(3);
    await rig.open();
    expect(await rig.expectCount(21)).toEqual(w.written);
    w.close();
  });

  it('copytruncate while stopped, copy matched: the copy continues the checkpoint, the truncated file starts over', async () => {
    const { log, rig } = await setup((d) => join(d, 'app.log*'));
    const w = new Writer(log);
    w.write(10);
    await rig.expectCount(10);
    await rig.close();
    w.write(5);
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    w.write(3);
    await rig.open();
    expect(await rig.expectCount(18)).toEqual(w.written);
  });

  it('copytruncate while stopped, the source naming the file alone: the copy beside it (plain, as delaycompress leaves it) gives the lines after the checkpoint, before the new ones', async () => {
    const { log, rig } = await setup((d) => join(d, 'app.log'));
    const w = new Writer(log);
    w.write(10);
    await rig.expectCount(10);
    for (const copy of [`${log}.1`, `${log}-20261123`]) {
      await stop(rig);
      w.write(5);
      copyFileSync(log, copy);
      truncateSync(log, 0);
      w.write(3);
      await rig.open();
      expect(await rig.expectCount(w.written.length)).toEqual(w.written);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(rig.count()).toBe(26);
  });

  it.each([
    ['naming the file alone', (d: string) => join(d, 'app.log')],
    ['matching the copies (app.log*)', (d: string) => join(d, 'app.log*')],
  ])('copytruncate twice while stopped (rotate 3), the source %s: our copy, then the copy in between, then the new lines', async (_, pattern) => {
    const { log, rig } = await setup(pattern);
    const w = new Writer(log);
    w.write(10);
    await rig.expectCount(10);
    await stop(rig);
    const at = Date.now() / 1000;
    for (let k = 0; k < 2; k++) {
      w.write(20);
      if (existsSync(`${log}.1`)) renameSync(`${log}.1`, `${log}.2`);
      copyFileSync(log, `${log}.1`);
      utimesSync(`${log}.1`, at + k, at + k);
      truncateSync(log, 0);
    }
    w.write(5);
    await rig.open();
    expect(await rig.expectCount(55)).toEqual(w.written);
    await new Promise((r) => setTimeout(r, 300));
    expect(rig.count()).toBe(55);
  });

  it('rotated twice while stopped, a folder source matching every generation: the one with our checkpoint, the one never seen, then the new file, in the order written', async () => {
    const { dir, log, rig } = await setup((d) => d);
    const w = new Writer(log);
    w.write(10);
    await rig.expectCount(10);
    await stop(rig);
    const at = Date.now() / 1000;
    for (const [k, suffix] of ['-20261122', '-20261123'].entries()) {
      w.write(200);
      renameSync(log, log + suffix);
      utimesSync(log + suffix, at - 60 + k, at - 60 + k);
      writeFileSync(log, '');
      w.reopen();
    }
    w.write(200);
    await rig.open();
    expect(await rig.expectCount(610)).toEqual(w.written);
    expect(existsSync(join(dir, 'app.log-20261123'))).toBe(true);
  });

  it('rotated while stopped into an archive Vigil cannot read (xz), the source naming the file alone: the status names the archive and why', async () => {
    const { dir, log, rig } = await setup((d) => join(d, 'app.log'));
    const w = new Writer(log);
    w.write(10);
    await rig.expectCount(10);
    await stop(rig);
    w.write(5);
    writeFileSync(join(dir, 'app.log.1.xz'), execFileSync('xz', ['-c'], { input: readFileSync(log) }));
    unlinkSync(log);
    writeFileSync(log, '');
    w.reopen();
    w.write(3);
    await rig.open();
    await rig.expectCount(13);
    await waitFor(() => /not read: .*app\.log\.1\.xz: xz is not supported/.test(rig.status().message ?? ''), { what: 'status naming the xz archive' });
    // And at the next start too: its lines are still not stored.
    await stop(rig);
    await rig.open();
    await waitFor(() => /not read: .*app\.log\.1\.xz: xz is not supported/.test(rig.status().message ?? ''), { what: 'status naming the xz archive after a restart' });
    expect(rig.count()).toBe(13);
    // Rotated on while stopped (app.log.1.xz to app.log.2.xz): still said, under its new name.
    await stop(rig);
    renameSync(join(dir, 'app.log.1.xz'), join(dir, 'app.log.2.xz'));
    await rig.open();
    await waitFor(() => /not read: .*app\.log\.2\.xz: xz is not supported/.test(rig.status().message ?? ''), { what: 'status naming the archive rotated on' });
  });

  it('deleted and recreated with the same first line while stopped (inode maybe reused): new content, read from its start', async () => {
    const { log, rig } = await setup((d) => join(d, 'app.log'));
    writeFileSync(log, '# header\n');
    const w = new Writer(log);
    w.write(20);
    await rig.expectCount(21);
    await rig.close();
    w.close();
    unlinkSync(log);
    writeFileSync(log, '# header\n');
    const w2 = new Writer(log, 'second');
    w2.write(30); // longer than before: size alone cannot tell
    await rig.open();
    expect(await rig.expectCount(52)).toEqual(['# header', ...w.written, '# header', ...w2.written]);
    w2.close();
  });

  it('truncated and rewritten past the old size while stopped: read from the start', async () => {
    const { log, rig } = await setup((d) => join(d, 'app.log'));
    const w = new Writer(log);
    w.write(10);
    await rig.expectCount(10);
    await rig.close();
    truncateSync(log, 0);
    appendFileSync(log, 'other content '.repeat(50) + '\nmore\n');
    await rig.open();
    expect((await rig.expectCount(12)).slice(10)).toEqual(['other content '.repeat(50), 'more']);
  });

  it('the format a file was read as is kept with its checkpoint: after a restart one new line is read as before, not as the line alone would say', async () => {
    const { log, rig } = await readAsIsoLevel();
    await rig.close();
    // Alone, this line reads as log4j ("flappy:" its logger): another message, another template.
    appendFileSync(log, '2026-11-22T10:00:06.000Z FATAL flappy: ntp drift exceeded\n');
    await rig.open();
    await readOnAsBefore(rig);
  });

  it('upgraded from a store made before the format was kept (migration 010 left it empty): the format of the file\'s last record is taken up', async () => {
    const { log, rig } = await readAsIsoLevel();
    // The store as migration 010 left an older one: no format with the checkpoint; 015 to run.
    rig.store.db.exec('UPDATE files SET format = NULL; PRAGMA user_version = 14');
    await rig.close();
    appendFileSync(log, '2026-11-22T10:00:06.000Z FATAL flappy: ntp drift exceeded\n');
    await rig.open();
    await readOnAsBefore(rig);
  });

  it('a multi-line record the decoder still holds at a stop is stored once, whole, after the restart', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const decoders = createDecoderFactory(loadFormats().formats, { sampleLines: 2, sampleTimeoutMs: 20 });
    // A long flush timeout: the trace stays held by the decoder when we stop.
    const rig = await Rig.start({ dir, decoders, source: { path: log, start: 'beginning', multiline: { start: '^\\d{4}-', timeoutMs: 60_000 } } });
    cleanups.push(() => rig.close());
    appendFileSync(log, '2026-11-21T10:00:00Z INFO one\n2026-11-21T10:00:01Z INFO two\n2026-11-21T10:00:02Z ERROR boom\n  at a()\n  at b()\n');
    await rig.expectCount(2);
    await rig.close();
    appendFileSync(log, '  at c()\n2026-11-21T10:00:03Z INFO after\n2026-11-21T10:00:04Z INFO last\n');
    await rig.open();
    await rig.expectCount(4);
    expect(rig.lines()).toEqual([
      '2026-11-21T10:00:00Z INFO one',
      '2026-11-21T10:00:01Z INFO two',
      '2026-11-21T10:00:02Z ERROR boom\n  at a()\n  at b()\n  at c()',
      '2026-11-21T10:00:03Z INFO after',
    ]);
  });

  it('a config change restarting the source while its batches are still queued repeats nothing', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    // A long linger keeps read batches queued, uncommitted, when the source restarts.
    const rig = await Rig.start({ dir, source: { path: log, start: 'beginning' }, ingestor: { lingerMs: 60_000, maxBatch: 1_000_000 } });
    cleanups.push(() => rig.close());
    const w = new Writer(log);
    w.write(100);
    await new Promise((r) => setTimeout(r, 200));
    expect(rig.count()).toBe(0);
    expect(rig.ingestor.backlog).toBe(100);
    await rig.manager.apply([{ ...rig.config, maxLineBytes: 4096 }]);
    w.write(10);
    await new Promise((r) => setTimeout(r, 200));
    await rig.ingestor.drain();
    expect(rig.lines()).toEqual(w.written);
  });
  // Rotations that follow a restart closely race the start-up scan; each round waits a
  // little longer before and between them, to land in a different part of it.
  for (let round = 0; round < 8; round++) {
    it(`two rename rotations right after a restart (rotated names matched; round ${round}): every line once`, async () => {
      const { log, rig } = await setup((d) => join(d, 'app.log*'));
      const shift = () => {
        for (let i = 99; i >= 1; i--) if (existsSync(`${log}.${i}`)) renameSync(`${log}.${i}`, `${log}.${i + 1}`);
      };
      const rotate = () => {
        shift();
        renameSync(log, `${log}.1`);
        writeFileSync(log, '');
        w.write(3); // late lines into the renamed file
        w.reopen();
      };
      const w = new Writer(log);
      w.write(50);
      rotate();
      w.write(20);
      await rig.expectCount(73);
      await rig.close();
      w.write(10);
      await rig.open();
      await new Promise((r) => setTimeout(r, round * 3));
      for (let k = 0; k < 2; k++) {
        rotate();
        w.write(5);
        await new Promise((r) => setTimeout(r, round));
      }
      const got = await rig.expectCount(w.written.length, 'every line');
      expect([...got].sort()).toEqual([...w.written].sort());
      w.close();
    });
  }
});
