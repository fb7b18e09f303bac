import { describe, expect, it } from 'vitest';
import { loadFormats } from '../../../electron/engine/decode/index.js';
import { FORMATS_DIR, decodeAll, toLines } from './helpers.js';
import { createDecoderFactory } from '../../../electron/engine/decode/index.js';

// User formats come from the config file's `formats:` list, in the same shape as the
// built-in JSON files. A broken one is reported by name with the reason; the rest load.

describe('loadFormats', () => {
  it('reports a bad regex with the format name and the compiler message, and still loads the others', () => {
    const { formats, errors } = loadFormats(
      [
        { name: 'broken', kind: 'regex', regex: '^(?<timestamp>\\d+ (?<message>.*)$' },
        { name: 'mine', kind: 'regex', regex: '^(?<level>[A-Z]+)! (?<message>.*)$' },
      ],
      { dir: FORMATS_DIR },
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]!.format).toBe('broken');
    expect(errors[0]!.reason).toMatch(/regex does not compile: .*Unterminated group/);
    expect(formats.some((f) => f.name === 'mine')).toBe(true);
    expect(formats.some((f) => f.name === 'syslog')).toBe(true);
  });

  it.each([
    [{ kind: 'regex', regex: '(?<message>.*)' }, '?', /"name" must be/],
    [{ name: 'k', kind: 'xml' }, 'k', /"kind" must be regex, json or logfmt/],
    [{ name: 'r', kind: 'regex' }, 'r', /"regex" is required/],
    [{ name: 'nomsg', kind: 'regex', regex: '^(?<level>\\w+) .*$' }, 'nomsg', /no capture for the message/],
    [{ name: 'ts', kind: 'regex', regex: '^(?<timestamp>\\S+) (?<message>.*)$', timestamp: { format: '%Y-%Q' } }, 'ts', /unknown timestamp directive %Q/],
    [{ name: 'lv', kind: 'regex', regex: '^(?<level>\\S+) (?<message>.*)$', level: { map: { X: 'loud' } } }, 'lv', /"X" maps to "loud"/],
    [{ name: 'smp', kind: 'regex', regex: '^OK (?<message>.*)$', samples: ['OK fine', 'NOT ok'] }, 'smp', /sample 2 does not match/],
    // Every record would be put at the time it was read.
    [{ name: 'tsf', kind: 'regex', regex: '^(?<timestamp>\\S+ \\S+) (?<message>.*)$', timestamp: { format: '%d/%m/%Y %H:%M:%S' }, samples: ['2026-11-21 10:00:00 hi'] }, 'tsf', /sample 1: its time "2026-11-21 10:00:00" does not read with timestamp format "%d\/%m\/%Y %H:%M:%S"/],
    [{ name: 'sc', kind: 'json', level: { scale: 'bogus' } }, 'sc', /level scale must be one of word, syslog, syslog-pri, bunyan, auto \(got "bogus"\)/],
    ['just a string', '?', /must be an object/],
    // Tried on every line while a file's format is detected: (a+)+ on 30 a's and a ! takes seconds.
    [{ name: 'hang', kind: 'regex', regex: '^(?<message>(a+)+)$' }, 'hang', /regex could backtrack catastrophically/],
    [{ name: 'b1', kind: 'regex', regex: '^== (?<message>)$', body: '^(?<message>.*' }, 'b1', /body regex does not compile/],
    [{ name: 'b2', kind: 'regex', regex: '^== (?<message>)$', body: '^(?<level>\\w+)$' }, 'b2', /body regex has no capture for the message/],
    [{ name: 'b3', kind: 'regex', regex: '^== (?<message>)$', body: '^(?<message>(a+)+)$' }, 'b3', /body regex could backtrack catastrophically/],
    [{ name: 'b4', kind: 'json', body: '^(?<message>.*)$' }, 'b4', /"body" is for kind regex/],
    // A stateful regex would skip every other line.
    [{ name: 'fg', kind: 'regex', regex: '^(?<message>.*)$', flags: 'gi' }, 'fg', /"flags" may hold i, m, s and u \(got "gi"\)/],
    [{ name: 'hang2', kind: 'regex', regex: ['^OK (?<message>.*)$', '^(?<message>(\\w+\\s?)*)$'] }, 'hang2', /regex 2 could backtrack catastrophically/],
    // A misspelt key was dropped: the format read its lines otherwise, silently.
    [{ name: 'typo', kind: 'regex', regex: '^(?<timestamp>\\S+) (?<message>.*)$', timestmp: { format: '%s' } }, 'typo', /"timestmp" is not a key of a format definition/],
    [{ name: 'typo2', kind: 'regex', regex: '^(?<timestamp>\\S+) (?<message>.*)$', timestamp: { fromat: '%s' } }, 'typo2', /"timestamp.fromat" is not a key/],
    [{ name: 'typo3', kind: 'regex', regex: '^(?<level>\\S+) (?<message>.*)$', level: { maps: {} } }, 'typo3', /"level.maps" is not a key/],
  ])('rejects %j', (def, name, reason) => {
    const { errors } = loadFormats([def], { dir: FORMATS_DIR });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.format).toBe(name);
    expect(errors[0]!.reason).toMatch(reason);
  });

  it('accepts the usual shapes of a line regex, polynomial ones like \\s+(?<message>.*) included', () => {
    const { errors } = loadFormats(
      [
        { name: 'spaced', kind: 'regex', regex: '^(?<timestamp>\\S+)\\s+(?<level>\\w+)\\s+(?<message>.*)$' },
        { name: 'csvish', kind: 'regex', regex: '^(?<timestamp>[^,]+),(?:[^,]*,)*(?<message>.*)$' },
      ],
      { dir: FORMATS_DIR },
    );
    expect(errors).toEqual([]);
  });

  it('two of the config\'s formats with one name: the second is refused, named by its place in the list (it replaced the first silently)', () => {
    const ok = { name: 'myapp', kind: 'regex', regex: '^A (?<message>.*)$' };
    const { formats, errors } = loadFormats([{ name: 'good', kind: 'regex', regex: '^G (?<message>.*)$' }, ok, { ...ok, regex: '^B (?<message>.*)$' }, { kind: 'json' }], { dir: FORMATS_DIR });
    expect(errors).toEqual([
      { format: 'myapp', reason: 'duplicates the format name "myapp" (an earlier entry of formats: has it)', index: 2 },
      { format: '?', reason: expect.stringMatching(/"name" must be/), index: 3 },
    ]);
    const d = createDecoderFactory(formats).create({ format: 'myapp' });
    expect(decodeAll(d, toLines('A hello\n'))[0]!.message).toBe('hello');
  });

  it('a user format with a built-in name replaces the built-in', () => {
    const { formats } = loadFormats([{ name: 'syslog', kind: 'regex', regex: '^SYS (?<message>.*)$' }], { dir: FORMATS_DIR });
    const d = createDecoderFactory(formats).create({ format: 'syslog' });
    const [r] = decodeAll(d, toLines('SYS hello\n'));
    expect(r!.message).toBe('hello');
    expect(r!.format).toBe('syslog');
  });

  it('a user format is detected like a built-in one, with its own level words and time pattern', () => {
    const { formats, errors } = loadFormats(
      [
        {
          name: 'acme',
          kind: 'regex',
          regex: '^@(?<timestamp>\\d{2}\\.\\d{2}\\.\\d{4} \\d{2}h\\d{2}) <(?<level>[a-z]+)> (?<message>.*)$',
          timestamp: { format: '%d.%m.%Y %Hh%M' },
          level: { map: { oops: 'error', meh: 'warn' } },
          samples: ['@01.05.2024 10h00 <oops> disk on fire'],
        },
      ],
      { dir: FORMATS_DIR },
    );
    expect(errors).toEqual([]);
    const d = createDecoderFactory(formats).create({});
    const recs = decodeAll(d, toLines('@01.05.2024 10h00 <oops> disk on fire\n@01.05.2024 10h01 <meh> still warm\n'));
    expect(d.describe().format).toBe('acme');
    expect(recs.map((r) => [r.level, r.levelText, r.message])).toEqual([
      ['error', 'oops', 'disk on fire'],
      ['warn', 'meh', 'still warm'],
    ]);
    expect(recs[0]!.ts).toBe(new Date(2024, 4, 1, 10, 0).getTime());
  });

  it('a missing formats folder is an error, not a crash', () => {
    const { formats, errors } = loadFormats([], { dir: '/nonexistent/formats' });
    expect(formats).toEqual([]);
    expect(errors[0]!.reason).toMatch(/cannot read/);
  });
});
