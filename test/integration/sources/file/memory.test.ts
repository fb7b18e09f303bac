// Memory stays bounded however many files a source reads at once: 200 files catching up
// (a new source over a busy folder with start: beginning) hold no more than a few files do.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../../../support/tmp.js';
import { Rig } from './rig.js';

// A full collection on demand, to measure what is alive rather than what awaits collection.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('file source: memory', () => {
  it('200 files read from their beginning at once: live memory stays near a few chunks, not one per file', async () => {
    const { dir: root, cleanup } = tempDir();
    cleanups.push(cleanup);
    const dir = join(root, 'logs');
    mkdirSync(dir);
    const files = 200;
    const per = 5000;
    for (let k = 0; k < files; k++) {
      writeFileSync(join(dir, `f${k}.log`), Array.from({ length: per }, (_, i) => `2024-05-01T10:00:00.000Z INFO f${k} line ${i} ${'x'.repeat(60)}`).join('\n') + '\n');
    }
    gc();
    const base = process.memoryUsage().heapUsed;
    let most = 0;
    const rig = await Rig.start({ dir: root, source: { path: dir, start: 'beginning' } });
    cleanups.push(() => rig.close());
    const sample = setInterval(() => {
      gc();
      most = Math.max(most, process.memoryUsage().heapUsed - base);
    }, 250);
    try {
      await rig.expectCount(files * per, 'every line', 120_000);
    } finally {
      clearInterval(sample);
    }
    // 100 MiB of logs. One decoded chunk held per file would be over 200 MiB; the ingest
    // queue's own bound (50,000 records) and a few chunks in flight are about 40.
    expect(most).toBeGreaterThan(0);
    expect(most / 2 ** 20).toBeLessThan(100);
  }, 180_000);
});
