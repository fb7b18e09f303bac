import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readLineBatches } from '../../../electron/engine/decode/read-lines.js';
import { RECORD_FLAGS } from '../../../shared/types.js';
import { utf8Boundary } from '../../../electron/engine/util/utf8.js';
import type { SourceLine } from '../../../electron/engine/decode/types.js';
import { xorshift32 } from '../../support/prng.js';

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

  it('reads any mix of ASCII, UTF-8, invalid bytes, CRLF and long lines as a naive split of the whole file would, at any chunk size and line limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-lines-'));
    const r = xorshift32(99);
    const pieces = [Buffer.from('plain ascii text '), Buffer.from('é ü 漢字 🙂'), Buffer.from([0xff]), Buffer.from([0xe6, 0xbc]), Buffer.from('\r\n'), Buffer.from('\n'), Buffer.from('\uFFFD'), Buffer.from('x'.repeat(300))];
    for (let file = 0; file < 30; file++) {
      const max = [1 << 20, 100, 37][file % 3]!;
      const parts: Buffer[] = [];
      for (let k = 0; k < 60; k++) parts.push(pieces[Math.floor(r() * pieces.length)]!);
      const content = Buffer.concat(parts);
      const f = join(dir, `p${file}.log`);
      writeFileSync(f, content);
      // The naive reader: split the whole file at LF, strip one CR, decode each line.
      const want: unknown[] = [];
      let start = 0;
      let n = 0;
      while (start < content.length) {
        let nl = content.indexOf(10, start);
        const end = nl < 0 ? content.length : nl + 1;
        if (nl < 0) nl = content.length;
        // Longer than maxLineBytes: its first max bytes, whole characters only, CR kept.
        const cut = nl - start > max;
        const e = cut ? utf8Boundary(content, start, start + max) : nl > start && content[nl - 1] === 13 ? nl - 1 : nl;
        const bytes = content.subarray(start, e);
        const valid = Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
        const flags = (valid ? 0 : RECORD_FLAGS.invalidUtf8) | (cut ? RECORD_FLAGS.truncated : 0);
        want.push([++n, bytes.toString('utf8'), start, end, valid ? null : bytes.toString('hex'), flags]);
        start = end;
      }
      for (const chunkBytes of [1, 3, 7, 64, 1000, 1 << 16]) {
        const got: unknown[] = [];
        for await (const b of readLineBatches(f, { chunkBytes, maxLineBytes: max })) {
          for (const l of b) got.push([l.lineNo, l.text, l.startOffset, l.endOffset, l.bytes ? l.bytes.toString('hex') : null, l.flags]);
        }
        expect(got, `file ${file}, chunks of ${chunkBytes}, lines cut at ${max}`).toEqual(want);
      }
    }
  });
});

describe('readLineBatches: UTF-16 (a byte-order mark)', () => {
  it('reads UTF-16LE and UTF-16BE files, plain and gzip-compressed, as the same lines as their UTF-8 text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-lines-'));
    const text = 'alpha\r\nbé 🔥 ਊ\n\nlast';
    const le = Buffer.from('\uFEFF' + text, 'utf16le');
    const files: [string, Buffer][] = [
      ['le.log', le],
      ['be.log', Buffer.from(le).swap16()],
      ['le.log.gz', gzipSync(le)],
    ];
    for (const [name, bytes] of files) {
      writeFileSync(join(dir, name), bytes);
      for (const chunkBytes of [3, 64 * 1024]) {
        const lines: SourceLine[] = [];
        for await (const b of readLineBatches(join(dir, name), { chunkBytes })) lines.push(...b);
        // The byte-order mark stays on the first line's text; the decoder drops it there.
        expect(lines.map((l) => [l.lineNo, l.text]), `${name} in chunks of ${chunkBytes}`).toEqual([
          [1, '\uFEFFalpha'],
          [2, 'bé 🔥 ਊ'],
          [3, ''],
          [4, 'last'],
        ]);
        expect(lines.at(-1)!.endOffset).toBe(le.length);
      }
    }
  });
});

describe('readLineBatches from a line start', () => {
  it('gives the lines after it, with the file offsets, numbered from 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-lines-'));
    const f = join(dir, 'c.log');
    writeFileSync(f, 'one\r\ntwo é\n\nfour\nfive');
    const all = [];
    for await (const b of readLineBatches(f, { chunkBytes: 3 })) all.push(...b);
    for (const start of all) {
      const part: SourceLine[] = [];
      for await (const b of readLineBatches(f, { chunkBytes: 3, from: start.startOffset })) part.push(...b);
      expect(part).toEqual(all.slice(start.lineNo - 1).map((l) => ({ ...l, lineNo: l.lineNo - start.lineNo + 1, readAt: part[0]!.readAt })));
    }
  });
});
