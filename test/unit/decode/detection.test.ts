import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createDecoderFactory } from '../../../electron/engine/decode/index.js';
import { FIXTURES, decodeAll, factory, formats, toLines } from './helpers.js';

// Detection samples the first lines, explains which formats read how many, can be forced,
// does not hold lines forever, and starts over after rotation.

const fixture = (n: string) => readFileSync(resolve(FIXTURES, n), 'utf8');

describe('format detection', () => {
  it('explains its choice with the formats that matched and how many lines', () => {
    const d = factory.create({});
    decodeAll(d, toLines(fixture('haproxy.log')));
    const info = d.describe();
    expect(info.format).toBe('haproxy');
    expect(info.forced).toBe(false);
    expect(info.explanation).toMatch(/^detected haproxy: it read 2 of 2 sample lines/);
    expect(info.explanation).toContain('syslog 2/2');
    expect(info.candidates!.map((c) => c.format).slice(0, 2)).toEqual(['haproxy', 'syslog']);
  });

  it("haproxy's own first two lines (as rsyslog writes them) decide: haproxy, not syslog taking a label inside a sentence (\"info: ...\") for a level; its 503s are errors", () => {
    // Detection decided on the two lines there when its wait ended (a new haproxy.log).
    const d = createDecoderFactory(formats, { sampleLines: 2 }).create({});
    const recs = decodeAll(
      d,
      toLines(
        'Nov 23 03:40:01 lb1 haproxy[4121]: Proxy fe started.\n' +
          'Nov 23 03:40:02 lb1 haproxy[4121]: Server be/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 backup servers left.\n' +
          'Nov 23 03:40:05 lb1 haproxy[4121]: 127.0.0.1:40522 [23/Nov/2026:03:40:05.101] fe be/<NOSRV> 0/-1/-1/-1/0 503 217 - - SC-- 1/1/0/0/0 0/0 "GET / HTTP/1.1"\n',
      ),
    );
    expect(d.describe().format).toBe('haproxy');
    expect(recs.map((r) => r.level)).toEqual([null, null, 'error']);
  });

  it('a word and a colon is a level, but a mild one after a comma is a label (haproxy\'s "problem, info: ...")', () => {
    const recs = decodeAll(
      factory.create({ format: 'syslog' }),
      toLines(
        [
          'Nov 23 03:40:01 h sshd[1]: error: PAM: Authentication failure',
          'Nov 23 03:40:02 h kernel: [42.1] Warning: clock skew',
          'Nov 23 03:40:03 h app[2]: retrying, info: "Connection refused"',
          'Nov 23 03:40:04 h app[5]: request failed; error: timeout',
          'Nov 23 03:40:05 h systemd[1]: Failed to start foo.service. Error: exit code 1',
          'Nov 23 03:40:06 h app[2]: info: listening on :80',
        ].join('\n') + '\n',
      ),
    );
    expect(recs.map((r) => r.level)).toEqual(['error', 'warn', null, 'error', 'error', 'info']);
    const generic = decodeAll(
      factory.create({ format: 'generic' }),
      toLines(
        [
          '2026-11-23 04:00:00 worker 3 error: cannot connect to db',
          '2026-11-23T05:00:04Z info: started',
          '2026-11-23 05:00:04,123 debug: cache warm',
          '2026-11-23 05:00:05 step 2; debug: x=1',
          '2026-11-23 05:00:06 retrying, info: "Connection refused"',
        ].join('\n') + '\n',
      ),
    );
    expect(generic.map((r) => r.level)).toEqual(['error', 'info', 'debug', 'debug', null]);
  });

  it('a forced format is used as is, and its lines that do not match fall back to generic', () => {
    const d = factory.create({ format: 'nginx-error', multiline: { start: '^\\S' } });
    const recs = decodeAll(d, toLines('2024/05/01 10:00:00 [error] 1#0: boom\n2024-05-01T10:00:01Z WARN other\n'));
    expect(d.describe()).toMatchObject({ format: 'nginx-error', forced: true });
    expect(recs.map((r) => [r.format, r.level, r.message])).toEqual([
      ['nginx-error', 'error', 'boom'],
      ['generic', 'warn', 'WARN other'],
    ]);
  });

  it('a forced format stays forced however many lines it cannot read (no switch to a detected one)', () => {
    const zk = readFileSync(resolve(FIXTURES, '../../../../shared/corpus/loghub-2k/Zookeeper/Zookeeper_2k.log'), 'utf8').split('\n').slice(0, 300).join('\n') + '\n';
    for (const format of ['json', 'syslog']) {
      const d = factory.create({ format });
      const recs = decodeAll(d, toLines(zk));
      expect(recs.length).toBeGreaterThan(250);
      expect(new Set(recs.map((r) => r.format)), format).toEqual(new Set(['generic']));
      expect(d.describe(), format).toMatchObject({ format, forced: true, explanation: `${format} forced by the source configuration` });
    }
    // Detecting, the same lines are read as what they are.
    const d = factory.create({});
    decodeAll(d, toLines(zk));
    expect(d.describe().format).toBe('log4j-dash');
  });

  it('an unknown forced format falls back to detection and says so', () => {
    const d = factory.create({ format: 'nope' });
    expect(d.describe().explanation).toMatch(/"nope" is not known/);
  });

  it('lines that no format reads decode generically with a leading timestamp and a level word', () => {
    const d = factory.create({});
    const recs = decodeAll(d, toLines('Jan  5 10:00:00.123 something failed with ERROR code 7\nplain text line\n'));
    expect(recs).toHaveLength(2);
    expect(recs[0]!.format).toBe('generic');
    expect(recs[0]!.level).toBe('error');
    expect(recs[1]!.ts).toBeNull();
  });

  it.each([
    ['2024-05-01T10:00:00,123+0200 INFO x', '2024-05-01T08:00:00.123Z'],
    ['2024-05-01T10:00:00.123-07:00 INFO x', '2024-05-01T17:00:00.123Z'],
    ['20240501T100000Z INFO x', '2024-05-01T10:00:00.000Z'],
    ['20240501T100000.250+0100 INFO x', '2024-05-01T09:00:00.250Z'],
    ['1714557600.123 INFO x', '2024-05-01T10:00:00.123Z'],
    ['1714557600123 INFO x', '2024-05-01T10:00:00.123Z'],
    ['01/May/2024:10:00:00 +0000 INFO x', '2024-05-01T10:00:00.000Z'],
  ])('a line starting with %j is read at %s (by a format or the generic fallback)', (line, iso) => {
    const recs = decodeAll(factory.create({}), toLines(`${line}\n`));
    expect(recs[0]).toMatchObject({ ts: Date.parse(iso), level: 'info' });
    expect(recs[0]!.message).toMatch(/^(INFO )?x$/);
  });

  // Local times as Windows programs write them (.NET's en-US and de-DE defaults).
  it.each([
    ['11/21/2026 10:00:00 PM INFO x', [2026, 10, 21, 22, 0, 0, 0]],
    ['1/5/2026 12:30:15 AM INFO x', [2026, 0, 5, 0, 30, 15, 0]],
    ['11/21/2026 12:00:00.250 PM INFO x', [2026, 10, 21, 12, 0, 0, 250]],
    ['21.11.2026 22:00:00 INFO x', [2026, 10, 21, 22, 0, 0, 0]],
    ['[21/Nov/2026 10:00:00] INFO x', [2026, 10, 21, 10, 0, 0, 0]],
    ['5.1.2026 09:15:00,5 INFO x', [2026, 0, 5, 9, 15, 0, 500]],
  ] as const)('a line starting with %j is read as local time', (line, [y, mo, d, h, mi, sec, ms]) => {
    const recs = decodeAll(factory.create({}), toLines(`${line}\n`));
    expect(recs[0]).toMatchObject({ ts: new Date(y, mo, d, h, mi, sec, ms).getTime(), tsAssumed: 'zone', level: 'info' });
    expect(recs[0]!.message).toMatch(/^(INFO )?x$/);
  });

  it('a slashed date without AM/PM is not guessed at (day or month first?)', () => {
    const recs = decodeAll(factory.create({}), toLines('05/11/2026 10:00:00 INFO x\n'));
    expect(recs[0]!.ts).toBeNull();
  });

  it('does not hold lines past the sample timeout: flushDueInMs, then flush decides', () => {
    const d = factory.create({});
    const lines = toLines('2024-05-01 10:00:00,001 - app - INFO - one\n', 10_000);
    expect(d.push(lines[0]!)).toEqual([]);
    expect(d.pendingStart()).toEqual({ offset: 0, lineNo: 1 });
    const due = d.flushDueInMs(10_000)!;
    expect(due).toBeGreaterThan(0);
    expect(d.flushDueInMs(10_000 + due)).toBe(0);
    const out = d.flush();
    expect(out.map((r) => r.format)).toEqual(['python']);
  });

  it('decides after the sample size even while lines keep coming', () => {
    const d = factory.create({});
    const text = Array.from({ length: 40 }, (_, i) => `I0501 10:00:${String(i).padStart(2, '0')}.000000    1 a.go:1] line ${i}`).join('\n');
    const out = [];
    for (const l of toLines(text)) out.push(...d.push(l));
    expect(d.describe().format).toBe('glog');
    expect(out.length).toBeGreaterThanOrEqual(30);
  });

  it('detects again after reset (rotation), returning what was held', () => {
    const d = factory.create({});
    decodeAll(d, toLines(fixture('glog.log')));
    expect(d.describe().format).toBe('glog');
    const held = d.reset!();
    expect(held).toEqual([]);
    const recs = decodeAll(d, toLines(fixture('pino.log')));
    expect(d.describe().format).toBe('pino');
    expect(recs.map((r) => r.level)).toEqual(['info', 'fatal']);
  });
});

describe('format drift', () => {
  it('a run of lines the chosen format cannot read triggers a new detection', () => {
    const d = factory.create({});
    const glog = Array.from({ length: 40 }, (_, i) => `I0501 10:00:${String(i % 60).padStart(2, '0')}.000000    1 a.go:1] tick ${i}`);
    const pino = Array.from({ length: 80 }, (_, i) => JSON.stringify({ level: 50, time: 1714557600000 + i, pid: 1, hostname: 'h', msg: `boom ${i}` }));
    const recs = decodeAll(d, toLines([...glog, ...pino].join('\n')));
    expect(d.describe().format).toBe('pino');
    expect(d.describe().explanation).toMatch(/^switched from glog at line \d+/);
    expect(recs).toHaveLength(120);
    expect(recs.slice(0, 40).every((r) => r.format === 'glog')).toBe(true);
    expect(recs.slice(80).every((r) => r.format === 'pino' && r.level === 'error')).toBe(true);
  });

  it('a second format after a multi-line one is not swallowed as the last record\'s continuation: the run is read again with the new format', () => {
    const d = factory.create({});
    const py = Array.from({ length: 40 }, (_, i) => `2026-11-21 10:00:${String(i).padStart(2, '0')},000 - myapp - INFO - python line ${i}`);
    const lf = Array.from({ length: 40 }, (_, i) => `level=error msg="logfmt error ${i}" ts=2026-11-21T10:01:${String(i).padStart(2, '0')}Z`);
    const recs = decodeAll(d, toLines([...py, ...lf].join('\n')));
    expect(d.describe().format).toBe('logfmt');
    expect(d.describe().explanation).toMatch(/^switched from python at line 41:/);
    expect(recs).toHaveLength(80);
    expect(recs.map((r) => r.firstLine)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    expect(recs[39]).toMatchObject({ format: 'python', level: 'info', message: 'python line 39', lastLine: 40 });
    expect(recs.slice(40).every((r) => r.format === 'logfmt' && r.level === 'error' && r.firstLine === r.lastLine)).toBe(true);
    expect(recs[40]!.message).toBe('logfmt error 0');
  });

  it('live: the last record of the first format went out on its timeout before the second format came; its first line is read again with the rest', () => {
    const d = factory.create({});
    const py = toLines(Array.from({ length: 40 }, (_, i) => `2026-11-21 10:00:${String(i).padStart(2, '0')},000 - myapp - INFO - python line ${i}`).join('\n'));
    const recs = decodeAll(d, py).slice(0, 0);
    for (const l of py) recs.push(...d.push(l));
    recs.push(...(d.flushDue!(Date.now() + 60_000)));
    expect(recs).toHaveLength(40);
    const lf = Array.from({ length: 40 }, (_, i) => `level=error msg="logfmt error ${i}" ts=2026-11-21T10:01:${String(i).padStart(2, '0')}Z`).join('\n');
    const more = toLines(lf).map((l) => ({ ...l, lineNo: l.lineNo + 40 }));
    for (const l of more) recs.push(...d.push(l));
    recs.push(...d.flush());
    expect(recs.slice(40).map((r) => [r.firstLine, r.format, r.level])).toEqual(Array.from({ length: 40 }, (_, i) => [41 + i, 'logfmt', 'error']));
    expect(d.describe().explanation).toMatch(/^switched from python at line 41:/);
  });

  it('a second format whose lines start records of their own (a time, a JSON object): its first lines are read with it too, not stored generic before the switch', () => {
    for (const [first, second, want] of [
      [(i: number) => `2026-11-21 10:00:${String(i).padStart(2, '0')},123 INFO  [main] com.x.Y - log4j msg ${i}`, (i: number) => JSON.stringify({ time: `2026-11-21T10:01:${String(i).padStart(2, '0')}Z`, level: 'error', msg: `json msg ${i}` }), 'logrus-json'],
      [(i: number) => `2026-11-21 10:00:${String(i).padStart(2, '0')},000 - myapp - INFO - python line ${i}`, (i: number) => `Nov 21 10:01:${String(i).padStart(2, '0')} web1 sshd[42]: error: auth failed ${i}`, 'syslog'],
    ] as const) {
      const d = factory.create({});
      const lines = [...Array.from({ length: 40 }, (_, i) => first(i)), ...Array.from({ length: 40 }, (_, i) => second(i))];
      const recs = decodeAll(d, toLines(lines.join('\n')));
      expect(recs.map((r) => r.firstLine)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
      expect(recs.slice(40).map((r) => r.format)).toEqual(Array.from({ length: 40 }, () => want));
      expect(recs.slice(40).every((r) => r.level === 'error' && r.ts !== null)).toBe(true);
      expect(d.describe().explanation).toMatch(/^switched from \S+ at line 41:/);
    }
  });

  it('a few unreadable lines in a stream its format reads go out as before, each a record of its own, none lost', () => {
    const d = factory.create({});
    const py = (i: number) => `2026-11-21 10:00:${String(i).padStart(2, '0')},000 - myapp - INFO - python line ${i}`;
    const lines = [...Array.from({ length: 40 }, (_, i) => py(i)), '2026-11-21T10:00:41Z something else entirely', '{"odd": true}', py(42), py(43)];
    const recs = decodeAll(d, toLines(lines.join('\n')));
    expect(recs.map((r) => [r.firstLine, r.lastLine])).toEqual(Array.from({ length: 44 }, (_, i) => [i + 1, i + 1]));
    expect(recs[40]!.format).toBe('generic');
    expect(recs[42]!.format).toBe('python');
    expect(d.describe().format).toBe('python');
  });

  it('a stack trace under a record is still its continuation, a long one too', () => {
    const d = factory.create({});
    const py = Array.from({ length: 40 }, (_, i) => `2026-11-21 10:00:${String(i).padStart(2, '0')},000 - myapp - INFO - python line ${i}`);
    const trace = ['Traceback (most recent call last):', ...Array.from({ length: 60 }, (_, i) => `  File "/app/m${i}.py", line ${i}, in f${i}\n    call_${i}()`).flatMap((x) => x.split('\n')), 'ValueError: bad'];
    const recs = decodeAll(d, toLines([...py, ...trace, py[0]!].join('\n')));
    expect(recs).toHaveLength(41);
    expect(recs[39]!.lastLine).toBe(40 + trace.length);
  });

  it('a stream that no format reads stays generic', () => {
    const d = factory.create({});
    const recs = decodeAll(d, toLines(Array.from({ length: 200 }, (_, i) => `free text number ${i}`).join('\n')));
    expect(recs.every((r) => r.format === 'generic')).toBe(true);
  });
});
