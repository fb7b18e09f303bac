import { describe, expect, it } from 'vitest';
import { LOCATED, locate } from '../../../electron/engine/store/record-insert.js';

// How a record's message is stored (migration 005): raw itself, the character where it
// starts at the end of raw (as SQLite's substr() counts: code points), or its own text.
describe('message stored as the end of raw', () => {
  it('is raw itself, or where it starts when it ends raw', () => {
    expect(locate('a b c', 'a b c')).toBe(LOCATED.WHOLE);
    expect(locate('2026-11-21T10:00:00Z INFO hello', 'hello')).toBe(26);
    expect(locate('INFO ', '')).toBe(5);
  });

  it('is its own text when it does not end raw', () => {
    expect(locate('{"msg":"hello","level":"info"}', 'hello')).toBe(LOCATED.TEXT);
    expect(locate('short', 'longer than raw')).toBe(LOCATED.TEXT);
    expect(locate('a "quoted" message', 'a \\"quoted\\" message')).toBe(LOCATED.TEXT);
  });

  it('counts code points before it, not UTF-16 units', () => {
    // 😀 is one code point, two UTF-16 units.
    expect(locate('😀😀 x', 'x')).toBe(3);
    expect(locate('é😀 tail', 'tail')).toBe(3);
    // A lone surrogate is one character for SQLite (stored as U+FFFD).
    expect(locate('\ud800 tail', 'tail')).toBe(2);
  });

  it('never cuts a surrogate pair, nor text with a NUL (substr stops there)', () => {
    expect(locate('a😀', '\ude00')).toBe(LOCATED.TEXT);
    expect(locate('a\0b c', 'c')).toBe(LOCATED.TEXT);
    expect(locate('a b\0c', 'b\0c')).toBe(LOCATED.TEXT);
    // raw itself may hold a NUL: it is stored whole anyway.
    expect(locate('a\0b', 'a\0b')).toBe(LOCATED.WHOLE);
  });
});
