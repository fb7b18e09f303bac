// A decoder's memory does not grow with what it reads: a stream no format reads (free text)
// is re-detected on runs of up to 65,536 lines, of which only the last 32 are looked at.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { factory } from './helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('decoder memory', () => {
  it('free text (no format reads it): five decoders of 80,000 lines each keep next to nothing', () => {
    gc();
    const before = process.memoryUsage().heapUsed;
    const decoders = [];
    for (let i = 0; i < 5; i++) {
      const d = factory.create({ fileMtimeMs: Date.UTC(2024, 5, 1) });
      for (let k = 0; k < 80_000; k++) {
        d.push({ text: `user ${k % 977} did thing number ${k} with payload ${'p'.repeat(80)}`, bytes: null, flags: 0, lineNo: k + 1, startOffset: k * 120, endOffset: (k + 1) * 120, readAt: 1 });
      }
      expect(d.describe().format).toBe('generic');
      decoders.push(d);
    }
    gc();
    // Keeping the run of misses held about 5 MB per decoder (25 MB here).
    expect((process.memoryUsage().heapUsed - before) / 2 ** 20).toBeLessThan(5);
    expect(decoders).toHaveLength(5);
  });
});
