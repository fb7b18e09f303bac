// What a line is, on real files through the whole source -> store path.
import { appendFileSync, openSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RECORD_FLAGS } from '../../../../shared/types.js';
import { tempDir } from '../../../support/tmp.js';
import { GenericDecoderFactory } from '../../../../electron/engine/decode/generic.js';
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
