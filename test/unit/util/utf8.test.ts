import { describe, expect, it } from 'vitest';
import { utf8Boundary } from '../../../electron/engine/util/utf8.js';

describe('utf8Boundary', () => {
  it('never cuts inside a multi-byte sequence', () => {
    const b = Buffer.from('a€𝄞'); // 1 + 3 + 4 bytes
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((end) => utf8Boundary(b, 0, end))).toEqual([1, 1, 1, 4, 4, 4, 4, 8]);
  });

  it('measures from `start`: a sequence cut by the window start is left to the caller', () => {
    const b = Buffer.from('xx€y');
    expect(utf8Boundary(b, 2, 4)).toBe(2); // € begins at 2, needs 3 bytes
    expect(utf8Boundary(b, 2, 5)).toBe(5);
    expect(utf8Boundary(b, 3, 4)).toBe(4); // only continuation bytes in the window: nothing to walk back to
  });
});
