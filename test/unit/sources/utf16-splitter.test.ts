import { describe, expect, it } from 'vitest';
import { RECORD_FLAGS } from '../../../shared/types.js';
import type { SourceLine } from '../../../electron/engine/decode/types.js';
import { encodingOf, newSplitter, type TextEncoding } from '../../../electron/engine/sources/file/utf16-splitter.js';

// What Windows PowerShell 5's `>` and SQL Server's ERRORLOG write: UTF-16 with a byte-order mark.

function utf16(text: string, enc: TextEncoding, bom = true): Buffer {
  const le = Buffer.from((bom ? '\uFEFF' : '') + text, 'utf16le');
  return enc === 'utf16be' ? Buffer.from(le).swap16() : le;
}

function split(enc: TextEncoding, chunks: Buffer[], max = 1024 * 1024) {
  const s = newSplitter(enc, 0, 0, max);
  const lines: SourceLine[] = [];
  for (const c of chunks) s.push(c, 0, lines);
  return { lines, s };
}

const view = (l: SourceLine) => [l.text, l.startOffset, l.endOffset, l.lineNo, l.flags];

describe.each(['utf16le', 'utf16be'] as const)('UTF-16 line splitter (%s)', (enc) => {
  it('the byte-order mark says the encoding; without one, the NULs of every other byte say it', () => {
    expect(encodingOf(utf16('x', enc))).toBe(enc);
    const noMark = utf16('2026-11-21 10:00:00 INFO started the service on port 8080\r\n'.repeat(3), enc, false);
    expect(encodingOf(noMark)).toBe(enc);
    expect(encodingOf(noMark.subarray(0, 40))).toBe('utf8'); // too little to tell
    expect(encodingOf(Buffer.alloc(1024))).toBe('utf8'); // a NUL hole: no text to tell by
    expect(encodingOf(Buffer.from('\uFEFFx'))).toBe('utf8');
    expect(encodingOf(Buffer.from('plain'))).toBe('utf8');
  });

  it('splits LF and CRLF lines in code units, with byte offsets, whatever the chunking (odd splits included)', () => {
    // U+0A0A and U+010A hold a 0x0A byte that is not a newline; U+1F525 is a surrogate pair.
    const text = 'alpha\r\nbeta ਊ Ċ\n\n2026-11-21 ERROR 🔥 done\r\n';
    const bytes = utf16(text, enc);
    const whole = split(enc, [bytes]).lines;
    expect(whole.map((l) => l.text)).toEqual(['\uFEFFalpha', 'beta ਊ Ċ', '', '2026-11-21 ERROR 🔥 done']);
    expect(whole.map((l) => [l.startOffset, l.endOffset])).toEqual([[0, 16], [16, 34], [34, 36], [36, bytes.length]]);
    for (let i = 1; i < bytes.length; i++) {
      expect(split(enc, [bytes.subarray(0, i), bytes.subarray(i)]).lines.map(view)).toEqual(whole.map(view));
    }
    // Byte by byte.
    const single = [...bytes].map((b) => Buffer.from([b]));
    expect(split(enc, single).lines.map(view)).toEqual(whole.map(view));
  });

  it('holds a partial line (and half a code unit) until it completes; the read position counts every byte', () => {
    const bytes = utf16('one\ntwo\n', enc);
    const { lines, s } = split(enc, [bytes.subarray(0, 13)]);
    expect(lines.map((l) => l.text)).toEqual(['\uFEFFone']);
    expect(s.consumedOffset).toBe(10);
    expect(s.pendingBytes).toBe(3);
    expect(s.readTail.equals(bytes.subarray(0, 13))).toBe(true);
    s.push(bytes.subarray(13), 0, lines);
    expect(lines.map((l) => l.text)).toEqual(['\uFEFFone', 'two']);
    expect(s.consumedOffset).toBe(bytes.length);
    expect(s.tail.equals(bytes)).toBe(true); // all 18 bytes: fewer than the 32 kept
  });

  it('a line over the limit is cut on a code unit, never inside a surrogate pair, and flagged; the next line is whole', () => {
    const long = 'x'.repeat(9) + '🔥'.repeat(10);
    const bytes = utf16(`${long}\nnext\n`, enc, false);
    for (const chunking of [[bytes], [bytes.subarray(0, 7), bytes.subarray(7)]]) {
      const { lines } = split(enc, chunking, 21);
      // 21 bytes: 10 units, the 10th the first half of a pair, so 9 units are kept.
      expect(lines.map((l) => [l.text, l.flags])).toEqual([['x'.repeat(9), RECORD_FLAGS.truncated], ['next', 0]]);
      expect(lines[1]!.startOffset).toBe((long.length + 1) * 2);
    }
  });

  it('skips NUL code units where a line starts (a hole after a truncation) and flags the next line', () => {
    const bytes = Buffer.concat([Buffer.alloc(64), utf16('after the hole\n', enc, false)]);
    const { lines } = split(enc, [bytes.subarray(0, 33), bytes.subarray(33)]);
    expect(lines.map(view)).toEqual([['after the hole', 64, bytes.length, 1, RECORD_FLAGS.nulSkipped]]);
  });

  it('flushes a partial line when the file goes away, half a unit counted', () => {
    const bytes = utf16('done\nhalf', enc);
    const { lines, s } = split(enc, [Buffer.concat([bytes, Buffer.from([0x41])])]);
    s.flushPartial(0, lines);
    expect(lines.map(view)).toEqual([
      ['\uFEFFdone', 0, 12, 1, 0],
      ['half', 12, bytes.length + 1, 2, RECORD_FLAGS.partialFlushed],
    ]);
    expect(s.pendingBytes).toBe(0);
  });
});
