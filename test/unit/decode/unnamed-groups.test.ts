import { describe, expect, it } from 'vitest';
import { compileFormat } from '../../../electron/engine/decode/index.js';
import { unnamedGroups } from '../../../electron/engine/decode/formats/unnamed-groups.js';

// Format regexes run without their group names (see unnamed-groups.ts); the fields of a
// match must be what the named regex's `groups` would have been.

describe('format regexes without group names', () => {
  it.each([
    ['^(?<a>\\w+) (\\d+) (?<b>x)?(?<c>.*)$', ['abc 12 xrest', 'abc 12 rest', 'nope']],
    ['^\\((?<a>[^)(]*)\\) [(?<b>](?<c>[\\]\\\\(]+)$', ['(in) (])', '(in) <x', '() ]((']],
    ['^(?:x|(?<a>y))(?<=y|x)(?!z)(?<b>[]x]?)(?<c>[^]*)$', ['yq', 'xq', 'y]z']],
    ['^(?<level>[IWEF])(?<timestamp>\\d{4} \\d{2}:\\d{2}:\\d{2}\\.\\d{6}) +(?<thread>\\d+) (?<file>[^:\\]\\s]+):(?<line>\\d+)\\] (?<message>.*)$', ['I0501 00:00:00.123456    42 server.go:12] hello']],
    ['^(?<x>a)(?<y>b)?(c)(?<z>(?<inner>d)e)?$', ['abcde', 'ac', 'abc']],
  ])('%s', (src, lines) => {
    const named = new RegExp(src);
    const plain = unnamedGroups(named)!;
    expect(plain).not.toBeNull();
    for (const line of lines) {
      const a = named.exec(line);
      const b = plain.re.exec(line);
      expect(b === null, line).toBe(a === null);
      if (!a || !b) continue;
      const f = plain.fields(b);
      expect(Object.keys(f)).toEqual(Object.keys(a.groups!));
      expect({ ...f }).toEqual({ ...a.groups });
      // Nothing inherited, as on `groups` (a level word like "constructor" finds nothing).
      expect((f as Record<string, unknown>).constructor).toBeUndefined();
      expect('toString' in f).toBe(false);
    }
  });

  it('keeps the named regex for what it does not handle', () => {
    expect(unnamedGroups(/^(?<a>x)\k<a>$/)).toBeNull();
    expect(unnamedGroups(new RegExp('^(?<a>[\\p{L}--[a-z]])$', 'v'))).toBeNull();
  });

  it('a format reads its lines the same either way', () => {
    const def = {
      name: 'paren-heavy',
      kind: 'regex',
      regex: '^\\[(?<timestamp>[^\\]]+)\\] \\((?<level>\\w+)\\)(?: \\[(?<tag>[^\\]]*)\\])? (?<message>.*)$',
      timestamp: { format: 'iso8601' },
      samples: ['[2024-05-01T10:00:00Z] (warn) [db] pool low', '[2024-05-01T10:00:01Z] (info) started'],
    };
    const f = compileFormat(def);
    const ctx = { refMs: Date.UTC(2025, 0, 1) };
    const r = f.parse('[2024-05-01T10:00:01Z] (info) started', ctx)!;
    expect(r.level).toBe('info');
    expect(r.message).toBe('started');
    expect(Object.keys(r.fields!)).toEqual(['timestamp', 'level', 'tag', 'message']);
    expect(r.fields!.tag).toBeUndefined();
    expect(f.parse('[2024-05-01T10:00:00Z] (warn) [db] pool low', ctx)!.fields!.tag).toBe('db');
  });
});
