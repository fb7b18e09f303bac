// What a line is, on real files through the whole source -> store path.
import { appendFileSync, openSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RECORD_FLAGS } from '../../../../shared/types.js';
import { tempDir } from '../../../support/tmp.js';
import { GenericDecoderFactory } from '../../../../electron/engine/decode/generic.js';
import { createDecoderFactory, loadFormats } from '../../../../electron/engine/decode/index.js';
import type { DecoderFactory } from '../../../../electron/engine/decode/types.js';
import { Rig, settle } from './rig.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(extra: Partial<Rig['opts']['source']> = {}) {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  const rig = await Rig.start({ dir, source: { path: log, start: 'beginning', ...extra } });
  cleanups.push(() => rig.close());
  return { dir, log, rig };
}

describe('file source: lines', () => {
  it('holds a partial line until it is complete, then stores it once', async () => {
    const { log, rig } = await setup();
    appendFileSync(log, 'first\nsec');
    await rig.expectCount(1);
    await settle(rig, 200);
    expect(rig.lines()).toEqual(['first']);
    appendFileSync(log, 'ond half');
    await settle(rig, 200);
    expect(rig.lines()).toEqual(['first']);
    appendFileSync(log, '\nthird\n');
    expect(await rig.expectCount(3)).toEqual(['first', 'second half', 'third']);
  });

  it("a new file's first record waits its own multi-line timeout, not the 300 ms of format detection: its trace written a second later still joins it", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const decoders = createDecoderFactory(loadFormats().formats);
    const rig = await Rig.start({ dir, decoders, source: { path: log, start: 'beginning', multiline: { start: '^\\d{4}-\\d{2}-\\d{2} ', timeoutMs: 3000 } } });
    cleanups.push(() => rig.close());
    appendFileSync(log, '2026-11-22 08:02:00 ERROR x\n  cont a\n');
    await new Promise((r) => setTimeout(r, 1000));
    appendFileSync(log, '  cont b\n2026-11-22 08:02:02 INFO next\n');
    await rig.expectCount(1);
    await settle(rig, 200);
    expect(rig.lines()).toEqual(['2026-11-22 08:02:00 ERROR x\n  cont a\n  cont b']);
  });

  it('reads LF and CRLF lines alike (CR dropped from the text, nothing else)', async () => {
    const { log, rig } = await setup();
    appendFileSync(log, 'unix\r\nwindows\r\nmixed\n\r\n  spaced  \r\n');
    expect(await rig.expectCount(5)).toEqual(['unix', 'windows', 'mixed', '', '  spaced  ']);
  });

  it('keeps invalid UTF-8: U+FFFD in the text, the original bytes in raw_bytes, flagged', async () => {
    const { log, rig } = await setup();
    const bad = Buffer.from([0x6f, 0x6b, 0x20, 0xc3, 0x28, 0x20, 0xff, 0x21]);
    appendFileSync(log, Buffer.concat([Buffer.from('before\n'), bad, Buffer.from('\nafter é\n')]));
    await rig.expectCount(3);
    const rows = rig.rows();
    expect(rows.map((r) => r.raw)).toEqual(['before', 'ok \uFFFD( \uFFFD!', 'after é']);
    expect(rows[1]!.flags & RECORD_FLAGS.invalidUtf8).toBe(RECORD_FLAGS.invalidUtf8);
    expect(Buffer.from(rows[1]!.raw_bytes!)).toEqual(bad);
    expect(rows[0]!.raw_bytes).toBeNull();
    expect(rows[2]!.raw_bytes).toBeNull();
  });

  it('stores a line longer than maxLineBytes truncated and flagged, never dropped; the next line is whole', async () => {
    const { log, rig } = await setup({ maxLineBytes: 1000 });
    appendFileSync(log, `short\n${'y'.repeat(5000)}\nnext\n`);
    await rig.expectCount(3);
    const rows = rig.rows();
    expect(rows.map((r) => r.raw.length)).toEqual([5, 1000, 4]);
    expect(rows[1]!.flags & RECORD_FLAGS.truncated).toBe(RECORD_FLAGS.truncated);
    expect(rows[2]!.raw).toBe('next');
  });

  it('takes maxLineBytes as a size too ("2KiB" is 2048 bytes)', async () => {
    const { log, rig } = await setup({ maxLineBytes: '2KiB' });
    appendFileSync(log, `${'y'.repeat(5000)}\nnext\n`);
    await rig.expectCount(2);
    expect(rig.rows().map((r) => r.raw.length)).toEqual([2048, 4]);
  });

  it('a decoder throwing on a line (a bug) skips nothing: the lines are read again on the next look', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const generic = new GenericDecoderFactory();
    let thrown = false;
    const flaky: DecoderFactory = {
      create: (o) => {
        const d = generic.create(o);
        return {
          push: (l) => {
            if (l.text === 'poison' && !thrown) {
              thrown = true;
              throw new Error('decoder bug');
            }
            return d.push(l);
          },
          flush: () => d.flush(),
          pendingStart: () => d.pendingStart(),
          flushDueInMs: (now) => d.flushDueInMs(now),
          describe: () => d.describe(),
        };
      },
    };
    const rig = await Rig.start({ dir, decoders: flaky, source: { path: log, start: 'beginning' } });
    cleanups.push(() => rig.close());
    appendFileSync(log, 'one\ntwo\n');
    await rig.expectCount(2);
    appendFileSync(log, 'three\npoison\nfour\n');
    expect(await rig.expectCount(5)).toEqual(['one', 'two', 'three', 'poison', 'four']);
    expect(thrown).toBe(true);
  });

  it('a 50 MB line written in pieces costs about maxLineBytes of memory, not 50 MB, and the stream goes on', async () => {
    const { log, rig } = await setup();
    const fd = openSync(log, 'a');
    cleanups.push(() => closeSync(fd));
    writeSync(fd, 'before\n');
    await rig.expectCount(1);
    const piece = Buffer.alloc(1024 * 1024, 0x7a);
    global.gc?.();
    const base = process.memoryUsage();
    let peak = 0;
    for (let i = 0; i < 50; i++) {
      writeSync(fd, piece);
      await new Promise((r) => setTimeout(r, 5));
      const m = process.memoryUsage();
      peak = Math.max(peak, m.heapUsed + m.arrayBuffers - base.heapUsed - base.arrayBuffers);
    }
    writeSync(fd, '\nafter\n');
    await rig.expectCount(3);
    const rows = rig.rows();
    expect(rows.map((r) => [r.raw.length, r.flags & RECORD_FLAGS.truncated])).toEqual([[6, 0], [1024 * 1024, RECORD_FLAGS.truncated], [5, 0]]);
    // Held: at most 1 MiB of the line plus read buffers; a 50 MB copy would show.
    expect(peak).toBeLessThan(25 * 1024 * 1024);
  });
});

// Windows PowerShell 5's `>` and Out-File, and SQL Server's ERRORLOG, write UTF-16 with a
// byte-order mark. Read as UTF-8 every line was NUL-riddled and no format read it.
describe('file source: UTF-16 files', () => {
  it('are read as text, decoded, and followed across a half-written code unit, a restart and a copytruncate, each line once', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'task.log');
    const u16 = (s: string) => Buffer.from(s, 'utf16le');
    const BOM = Buffer.from([0xff, 0xfe]);
    const line = (i: number, level: string) => `2026-11-21T10:00:${String(i).padStart(2, '0')}.000Z ${level} backup step ${i} Ü🔥`;
    const expected: string[] = [];
    const write = (i: number, level = 'INFO') => {
      expected.push(line(i, level));
      appendFileSync(log, u16(line(i, level) + '\r\n'));
    };
    writeFileSync(log, BOM);
    const rig = await Rig.start({ dir, decoders: createDecoderFactory(loadFormats().formats), source: { path: log, start: 'beginning' } });
    cleanups.push(() => rig.close());
    write(1);
    write(2, 'ERROR');
    write(3);
    expect(await rig.expectCount(3)).toEqual(expected);

    // A line written in two pieces, the first ending inside a code unit.
    const half = u16(line(4, 'WARN') + '\r\n');
    expected.push(line(4, 'WARN'));
    appendFileSync(log, half.subarray(0, 9));
    await settle(rig, 300);
    appendFileSync(log, half.subarray(9));
    expect(await rig.expectCount(4)).toEqual(expected);

    // Stopped mid-file: the next start resumes at the checkpoint, still in UTF-16.
    await rig.close();
    write(5);
    write(6);
    await rig.open();
    expect(await rig.expectCount(6)).toEqual(expected);

    // copytruncate: the file starts again, with its byte-order mark.
    truncateSync(log, 0);
    writeFileSync(log, Buffer.concat([BOM, u16(line(7, 'ERROR') + '\r\n')]));
    expected.push(line(7, 'ERROR'));
    expect(await rig.expectCount(7)).toEqual(expected);

    const levels = rig.store.db.prepare('SELECT level FROM records ORDER BY id').pluck().all();
    expect(levels).toEqual([3, 6, 3, 5, 3, 3, 6]);
    const ts = rig.store.db.prepare('SELECT ts FROM records ORDER BY id').pluck().all();
    expect(ts).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => Date.parse(`2026-11-21T10:00:0${i}.000Z`)));
  });

  it('without a byte-order mark (a .NET writer appending to a file it did not create) are known by their NULs and read too', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'service.log');
    const lines = Array.from({ length: 5 }, (_, i) => `2026-11-21T10:00:0${i}.000Z ${i === 3 ? 'ERROR' : 'INFO'} step ${i} done`);
    writeFileSync(log, Buffer.from(lines.map((l) => l + '\r\n').join(''), 'utf16le'));
    const rig = await Rig.start({ dir, decoders: createDecoderFactory(loadFormats().formats), source: { path: log, start: 'beginning' } });
    cleanups.push(() => rig.close());
    expect(await rig.expectCount(5)).toEqual(lines);
    expect(rig.store.db.prepare('SELECT level FROM records ORDER BY id').pluck().all()).toEqual([3, 3, 3, 6, 3]);
  });
});
