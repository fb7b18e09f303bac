// A source says what it is doing, and gets well by itself when the cause goes.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../../../support/tmp.js';
import { GenericDecoderFactory } from '../../../../electron/engine/decode/generic.js';
import type { DecoderFactory } from '../../../../electron/engine/decode/types.js';
import { FAST, Rig, settle, Writer } from './rig.js';
import { FileTailer } from '../../../../electron/engine/sources/file/tailer.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function fixture() {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return dir;
}

describe('file source: status', () => {
  it('a missing file is an error (path missing) until it is created; then it is read from its beginning', async () => {
    const dir = fixture();
    const log = join(dir, 'later.log');
    const rig = await Rig.start({ dir, source: { path: log } });
    cleanups.push(() => rig.close());
    await waitFor(() => rig.status().state === 'error', { what: 'error status' });
    expect(rig.status().message).toBe(`path missing: ${log}`);
    writeFileSync(log, 'first\nsecond\n');
    expect(await rig.expectCount(2)).toEqual(['first', 'second']);
    expect(rig.status()).toMatchObject({ state: 'watching', files: 1 });
  });

  it('a missing folder is an error until it is created; a folder deleted while watched is too, and comes back', async () => {
    const dir = fixture();
    const logs = join(dir, 'logs');
    const rig = await Rig.start({ dir, source: { path: join(logs, '*.log') } });
    cleanups.push(() => rig.close());
    await waitFor(() => rig.status().state === 'error', { what: 'error status' });
    expect(rig.status().message).toBe(`path missing: ${logs}`);
    mkdirSync(logs);
    await waitFor(() => rig.status().state === 'watching', { what: 'watching once the folder exists' });
    writeFileSync(join(logs, 'a.log'), 'a1\n');
    await rig.expectCount(1);
    const { rmSync } = await import('node:fs');
    rmSync(logs, { recursive: true });
    await waitFor(() => rig.status().state === 'error', { what: 'error after the folder went' });
    mkdirSync(logs);
    writeFileSync(join(logs, 'b.log'), 'b1\n');
    expect(await rig.expectCount(2)).toEqual(['a1', 'b1']);
    expect(rig.status().state).toBe('watching');
  });

  it('a folder source whose folder is missing (so its name reads as a file\'s) becomes a folder source when the folder appears', async () => {
    const dir = fixture();
    const logs = join(dir, 'logs');
    const rig = await Rig.start({ dir, source: { path: logs } });
    cleanups.push(() => rig.close());
    await waitFor(() => rig.status().state === 'error', { what: 'error status' });
    expect(rig.status().message).toBe(`path missing: ${logs}`);
    mkdirSync(logs);
    writeFileSync(join(logs, 'a.log'), 'a1\n'); // a file new since the source started: read whole
    expect(await rig.expectCount(1)).toEqual(['a1']);
    appendFileSync(join(logs, 'a.log'), 'a2\n');
    writeFileSync(join(logs, 'b.log'), 'b1\n');
    expect((await rig.expectCount(3)).sort()).toEqual(['a1', 'a2', 'b1']);
    expect(rig.status()).toMatchObject({ state: 'watching', files: 2 });
  });

  it('a path that became a folder, then a file again: the file is read (the source stayed in error until a restart)', async () => {
    const dir = fixture();
    const path = join(dir, 'p.log');
    writeFileSync(path, 'a1\n');
    const rig = await Rig.start({ dir, source: { path, start: 'beginning' } });
    cleanups.push(() => rig.close());
    await rig.expectCount(1);
    unlinkSync(path);
    mkdirSync(path);
    writeFileSync(join(path, 'in.log'), 'b1\n');
    await rig.expectCount(2);
    rmSync(path, { recursive: true });
    writeFileSync(path, 'c1\n');
    expect((await rig.expectCount(3)).slice(2)).toEqual(['c1']);
    appendFileSync(path, 'c2\n');
    await rig.expectCount(4);
    await waitFor(() => rig.status().state === 'watching', { what: 'watching, not in error: ' + JSON.stringify(rig.status()) });
  });

  it('a path that is a named pipe is an error that says so (not "missing"); once a file is there it is read', async () => {
    const dir = fixture();
    const path = join(dir, 'pipe.log');
    execFileSync('mkfifo', [path]);
    const rig = await Rig.start({ dir, source: { path } });
    cleanups.push(() => rig.close());
    await waitFor(() => rig.status().message?.startsWith('not a regular file') ?? false, { what: 'the FIFO named in the status' });
    expect(rig.status()).toMatchObject({ state: 'error', message: `not a regular file (a named pipe): ${path}; a file source reads files` });
    unlinkSync(path);
    writeFileSync(path, 'first\n');
    expect(await rig.expectCount(1)).toEqual(['first']);
    expect(rig.status().state).toBe('watching');
  });

  it('files nobody writes are looked at (stat) on each tick, not read again; a write is still read at once', async () => {
    const dir = fixture();
    mkdirSync(join(dir, 'logs'));
    for (let i = 0; i < 20; i++) writeFileSync(join(dir, 'logs', `f${i}.log`), `f${i} 1\n`);
    const rig = await Rig.start({ dir, source: { path: join(dir, 'logs'), start: 'beginning' } });
    cleanups.push(() => rig.close());
    await rig.expectCount(20);
    const read = FileTailer.prototype.read;
    let reads = 0;
    FileTailer.prototype.read = function (this: FileTailer) {
      reads++;
      return read.call(this);
    };
    cleanups.push(() => (FileTailer.prototype.read = read));
    await settle(rig, FAST.tickMs! * 10); // ten ticks over twenty idle files
    expect(reads).toBe(0);
    appendFileSync(join(dir, 'logs', 'f7.log'), 'f7 2\n');
    expect((await rig.expectCount(21)).at(-1)).toBe('f7 2');
    expect(reads).toBeGreaterThan(0);
  });

  it('a long line without its newline yet is "watching", not "catching-up" (it was, for ever); once it ends it is stored', async () => {
    const dir = fixture();
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const rig = await Rig.start({ dir, source: { path: log, start: 'beginning' }, file: { catchUpBytes: 1024 * 1024 } });
    cleanups.push(() => rig.close());
    appendFileSync(log, `first\npartial ${'q'.repeat(3_000_000)}`);
    await rig.expectCount(1);
    await new Promise((r) => setTimeout(r, 1000));
    expect(rig.status()).toMatchObject({ state: 'watching', bytesBehind: 0 });
    appendFileSync(log, ' end\n');
    await rig.expectCount(2);
  });

  it('a large backlog is "catching-up" with the bytes behind, then "watching"', async () => {
    const dir = fixture();
    const log = join(dir, 'app.log');
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) lines.push(`backlog line ${i} ${'b'.repeat(60)}`);
    writeFileSync(log, lines.join('\n') + '\n');
    // A decoder that takes its time (5 ms every 2000 lines): reading is the slow part, not the store.
    const generic = new GenericDecoderFactory();
    let n = 0;
    const slow: DecoderFactory = {
      create: (o) => {
        const d = generic.create(o);
        return {
          push: (l) => {
            if (++n % 2000 === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
            return d.push(l);
          },
          flush: () => d.flush(),
          pendingStart: () => d.pendingStart(),
          flushDueInMs: (now) => d.flushDueInMs(now),
          describe: () => d.describe(),
        };
      },
    };
    const rig = await Rig.start({ dir, decoders: slow, source: { path: log, start: 'beginning' }, file: { catchUpBytes: 1024 * 1024 } });
    cleanups.push(() => rig.close());
    await waitFor(() => rig.status().state === 'catching-up', { what: 'catching-up status' });
    expect(rig.status().bytesBehind).toBeGreaterThan(1024 * 1024);
    expect(await rig.expectCount(100_000, 'the backlog', 60_000)).toEqual(lines);
    await waitFor(() => rig.status().state === 'watching', { what: 'watching once caught up' });
    expect(rig.status().bytesBehind).toBe(0);
  });

  it('when the store falls behind, reading pauses (status paused, bytes behind), memory stays bounded, nothing is dropped', async () => {
    const dir = fixture();
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    // The store commits only when told to (a long linger), and the queue holds at most 64 KiB:
    // the store is "behind" for as long as we want, deterministically.
    const rig = await Rig.start({
      dir,
      source: { path: log, start: 'beginning' },
      ingestor: { lingerMs: 600_000, maxBatch: 10_000_000, maxQueuedBytes: 64 * 1024 },
    });
    cleanups.push(() => rig.close());
    const w = new Writer(log);
    for (let i = 0; i < 40; i++) w.write(1000); // about 1.2 MB
    await waitFor(() => rig.status().state === 'paused', { what: 'paused status' });
    expect(rig.status().message).toMatch(/store is behind/);
    // What the file holds beyond the one accepted chunk is behind, and said so.
    await waitFor(() => rig.status().bytesBehind! > 600_000, { what: 'bytes behind reported' });
    // One read chunk at most is queued beyond the bound; the rest waits in the file.
    const { queuedBytes } = rig.ingestor as unknown as { queuedBytes: number };
    expect(queuedBytes).toBeLessThanOrEqual(64 * 1024 + 512 * 1024);
    expect(rig.count()).toBe(0);
    while (rig.count() < w.written.length) {
      await rig.ingestor.drain();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(rig.lines()).toEqual(w.written);
    await waitFor(() => rig.status().state === 'watching', { what: 'watching again' });
  });
});
