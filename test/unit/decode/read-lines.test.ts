import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLineBatches } from '../../../electron/engine/decode/read-lines.js';
import { RECORD_FLAGS } from '../../../shared/types.js';

describe('readLineBatches', () => {
  it('splits lines across chunk boundaries with exact byte offsets, strips CR, keeps a last line without newline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-lines-'));
    const f = join(dir, 'a.log');
    const content = 'alpha\r\nbé\nxxxxxxxxxxxxxxxxxxxxxxxx long line\n\nlast';
    writeFileSync(f, content);
    const lines = [];
    for await (const b of readLineBatches(f, { chunkBytes: 4 })) lines.push(...b);
    expect(lines.map((l) => [l.lineNo, l.text, l.startOffset, l.endOffset])).toEqual([
      [1, 'alpha', 0, 7],
      [2, 'bé', 7, 11],
      [3, 'xxxxxxxxxxxxxxxxxxxxxxxx long line', 11, 46],
      [4, '', 46, 47],
      [5, 'last', 47, 51],
    ]);
    expect(Buffer.byteLength(content)).toBe(51);
  });

  it('keeps the bytes of a line that is not UTF-8 and flags it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-lines-'));
    const f = join(dir, 'b.log');
    writeFileSync(f, Buffer.from([0x6f, 0x6b, 0xff, 0x0a]));
    const batches = [];
    for await (const b of readLineBatches(f)) batches.push(b);
    const batch = batches[0];
    expect(batch![0]!.flags & RECORD_FLAGS.invalidUtf8).toBe(RECORD_FLAGS.invalidUtf8);
    expect(batch![0]!.bytes).toEqual(Buffer.from([0x6f, 0x6b, 0xff]));
  });
});
