import { describe, expect, it } from 'vitest';
import { RECORD_FLAGS } from '../../../shared/types.js';
import type { SourceLine } from '../../../electron/engine/decode/types.js';
import { LineSplitter } from '../../../electron/engine/sources/file/line-splitter.js';

function split(chunks: (string | Buffer)[], max = 1024 * 1024, start = 0): { lines: SourceLine[]; s: LineSplitter } {
  const s = new LineSplitter(start, 0, max);
  const lines: SourceLine[] = [];
  for (const c of chunks) s.push(typeof c === 'string' ? Buffer.from(c) : c, 0, lines);
  return { lines, s };
}

describe('LineSplitter', () => {
  it('splits LF and CRLF lines, with byte offsets and line numbers, whatever the chunking', () => {
    const text = 'alpha\r\nbeta\n\ngamma\r\n';
    const whole = split([text]).lines;
    expect(whole.map((l) => l.text)).toEqual(['alpha', 'beta', '', 'gamma']);
    expect(whole.map((l) => [l.startOffset, l.endOffset, l.lineNo])).toEqual([[0, 7, 1], [7, 12, 2], [12, 13, 3], [13, 20, 4]]);
    // Every split point, including between \r and \n, gives the same lines.
    for (let i = 1; i < text.length; i++) {
      expect(split([text.slice(0, i), text.slice(i)]).lines).toEqual(whole);
    }
  });

  it('holds a partial line until its newline arrives; the consumed offset stays before it', () => {
    const { lines, s } = split(['one\ntw']);
    expect(lines.map((l) => l.text)).toEqual(['one']);
    expect(s.consumedOffset).toBe(4);
    expect(s.pendingBytes).toBe(2);
    s.push(Buffer.from('o\n'), 0, lines);
    expect(lines.map((l) => l.text)).toEqual(['one', 'two']);
    expect(s.consumedOffset).toBe(8);
  });

  it('flushes a held partial line as is, flagged, when asked (file rotated away)', () => {
    const { lines, s } = split(['done\nnot finished\r']);
    s.flushPartial(0, lines);
    expect(lines.at(-1)).toMatchObject({ text: 'not finished\r', flags: RECORD_FLAGS.partialFlushed, startOffset: 5, endOffset: 18 });
    expect(s.pendingBytes).toBe(0);
  });

  it('keeps invalid UTF-8 bytes alongside the U+FFFD text, and leaves a real U+FFFD alone', () => {
    const bad = Buffer.from([0x61, 0xff, 0xfe, 0x62, 0x0a]);
    const real = Buffer.from('x\uFFFDy\n');
    const { lines } = split([Buffer.concat([bad, real])]);
    expect(lines[0]).toMatchObject({ text: 'a\uFFFD\uFFFDb', flags: RECORD_FLAGS.invalidUtf8 });
    expect(lines[0]!.bytes).toEqual(bad.subarray(0, 4));
    expect(lines[1]).toMatchObject({ text: 'x\uFFFDy', flags: 0, bytes: null });
  });

  it('cuts a line longer than the limit, flags it, keeps the next line intact, and counts every byte', () => {
    const long = 'é'.repeat(10); // 20 bytes, 2-byte characters
    const { lines, s } = split([`${long}\nnext\n`], 7);
    // 7 bytes would split an é: cut at 6 so the kept text stays valid UTF-8.
    expect(lines[0]).toMatchObject({ text: 'ééé', flags: RECORD_FLAGS.truncated, endOffset: 21 });
    expect(lines[1]).toMatchObject({ text: 'next', flags: 0, startOffset: 21 });
    expect(s.consumedOffset).toBe(26);
  });

  it('a 50 MB line fed in chunks holds at most the limit in memory and ends as one truncated record', () => {
    const max = 64 * 1024;
    const s = new LineSplitter(0, 0, max);
    const lines: SourceLine[] = [];
    const chunk = Buffer.alloc(256 * 1024, 0x41);
    let maxHeld = 0;
    for (let fed = 0; fed < 50 * 1024 * 1024; fed += chunk.length) {
      s.push(chunk, 0, lines);
      maxHeld = Math.max(maxHeld, (s as unknown as { heldBytes: number }).heldBytes);
    }
    expect(lines).toEqual([]);
    expect(maxHeld).toBe(max);
    s.push(Buffer.from('\nafter\n'), 0, lines);
    expect(lines.map((l) => [l.text.length, l.flags])).toEqual([[max, RECORD_FLAGS.truncated], [5, 0]]);
    expect(lines[0]!.endOffset).toBe(50 * 1024 * 1024 + 1);
  });

  it('skips NUL bytes where a line starts (a hole from a writer without O_APPEND), counting them, flagging the next line', () => {
    const hole = Buffer.alloc(3 * 1024 * 1024); // larger than the line limit below
    const text = Buffer.concat([Buffer.from('before\n'), hole, Buffer.from('after 1\nafter 2\n')]);
    const whole = split([text], 1024 * 1024).lines;
    expect(whole.map((l) => [l.text, l.flags])).toEqual([
      ['before', 0],
      ['after 1', RECORD_FLAGS.nulSkipped],
      ['after 2', 0],
    ]);
    expect(whole.map((l) => [l.startOffset, l.endOffset])).toEqual([
      [0, 7],
      [7 + hole.length, 7 + hole.length + 8],
      [7 + hole.length + 8, text.length],
    ]);
    // Chunked anywhere (inside the hole too), the same lines and offsets.
    for (const cut of [3, 7, 8, 1000, 7 + hole.length - 1, 7 + hole.length, 7 + hole.length + 2]) {
      const { lines, s } = split([text.subarray(0, cut), text.subarray(cut)], 1024 * 1024);
      expect(lines).toEqual(whole);
      expect(s.consumedOffset).toBe(text.length);
    }
    // A NUL inside a line is text; a line of NULs only is an empty line.
    expect(split(['a\0b\n\0\0\n']).lines.map((l) => [l.text, l.flags])).toEqual([
      ['a\0b', 0],
      ['', RECORD_FLAGS.nulSkipped],
    ]);
  });

  it('remembers the bytes before the consumed offset (they recognise the content later)', () => {
    const { s } = split(['0123456789'.repeat(5) + '\npartial']);
    expect(s.tail.toString()).toBe('0123456789'.repeat(5).slice(-31) + '\n');
    expect(s.readTail.toString()).toBe(('0123456789'.repeat(5) + '\npartial').slice(-32));
    const short = split(['ab\n', 'c\n']).s;
    expect(short.tail.toString()).toBe('ab\nc\n');
  });
});
