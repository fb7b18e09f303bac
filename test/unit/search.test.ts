import { describe, expect, it } from 'vitest';
import { parseSearch } from '../../shared/search.js';

describe('the Live view search', () => {
  it.each([
    ['', [], []],
    ['  timeout   payment ', ['timeout', 'payment'], []],
    ['"connection reset" -"by peer" -db', ['connection reset'], ['by peer', 'db']],
    ['a -', ['a', '-'], []],
    ['- a', ['-', 'a'], []],
    ['"unclosed quote here', ['unclosed quote here'], []],
    ['-"" "" x', ['x'], []],
    ['key=value -level=debug', ['key=value'], ['level=debug']],
  ])('%j', (q, include, exclude) => {
    expect(parseSearch(q)).toEqual({ include, exclude });
  });
});
