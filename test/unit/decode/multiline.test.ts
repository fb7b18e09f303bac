import { describe, expect, it } from 'vitest';
import { decodeAll, decodeFixture, decodeText, factory, toLines } from './helpers.js';

// Stack traces and continuation lines become one record with the header's time and level;
// the record spans the lines' numbers and byte offsets.

describe('multi-line records', () => {
  it('Java stack trace with Caused by and "... n more" (log4j)', () => {
    const { records, decoder } = decodeFixture('log4j-stack.log');
    expect(decoder.describe().format).toBe('log4j');
    expect(records).toHaveLength(3);
    const r = records[1]!;
    expect(r.firstLine).toBe(2);
    expect(r.lastLine).toBe(8);
    expect(r.level).toBe('error');
    expect(r.message.split('\n')[0]).toBe('Order 42 failed');
    expect(r.message).toContain('Caused by: java.sql.SQLException: connection reset');
    expect(r.message.endsWith('... 12 more')).toBe(true);
    expect(r.raw.split('\n')).toHaveLength(7);
    expect(records[2]!.level).toBe('warn');
  });

  it('Python traceback (python logging)', () => {
    const { records, decoder } = decodeFixture('python-traceback.log');
    expect(decoder.describe().format).toBe('python');
    expect(records.map((r) => [r.firstLine, r.lastLine, r.level])).toEqual([
      [1, 1, 'info'],
      [2, 6, 'error'],
      [7, 7, 'warn'],
    ]);
    expect(records[1]!.message).toBe(
      'query failed\nTraceback (most recent call last):\n  File "/srv/app/db.py", line 42, in run\n    cur.execute(sql)\npsycopg2.OperationalError: server closed the connection unexpectedly',
    );
  });

  it('Go panic with goroutine dump (generic lines)', () => {
    const { records } = decodeFixture('go-panic.log');
    expect(records.map((r) => [r.firstLine, r.lastLine])).toEqual([
      [1, 1],
      [2, 2],
      [3, 9],
      [10, 10],
    ]);
    expect(records[2]!.level).toBe('fatal');
    expect(records[0]!.ts).toBe(new Date(2024, 4, 1, 10, 0, 0).getTime());
  });

  it('a crash the runtime printed between a logger\'s lines (Go panic, Rust panic, JVM uncaught exception) is a record of its own, not the tail of the line above', () => {
    const text = [
      '2024-05-01T10:00:00.000Z INFO handling request id=1',
      'panic: runtime error: invalid memory address or nil pointer dereference',
      '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x45b2f1]',
      '',
      'goroutine 1 [running]:',
      'main.handler(0x0)',
      '\t/src/app/main.go:42 +0x21',
      '2024-05-01T10:00:05.000Z INFO server started on :8080',
      "thread 'main' panicked at src/main.rs:4:5:",
      'index out of bounds: the len is 3 but the index is 5',
      '2024-05-01T10:00:06.000Z INFO worker up',
      'Exception in thread "pool-1-thread-3" java.lang.IllegalStateException: queue closed',
      '\tat com.example.Worker.run(Worker.java:31)',
      '2024-05-01T10:00:07.000Z WARN slow query',
      'fatal error: concurrent map writes',
      '2024-05-01T10:00:08.000Z INFO done',
    ].join('\n');
    const { records, decoder } = decodeText(text + '\n');
    expect(decoder.describe().format).toBe('iso-level');
    expect(records.map((r) => [r.firstLine, r.lastLine, r.level, r.message.split('\n')[0]])).toEqual([
      [1, 1, 'info', 'handling request id=1'],
      [2, 7, 'fatal', 'panic: runtime error: invalid memory address or nil pointer dereference'],
      [8, 8, 'info', 'server started on :8080'],
      [9, 10, 'fatal', "thread 'main' panicked at src/main.rs:4:5:"],
      [11, 11, 'info', 'worker up'],
      [12, 13, 'error', 'Exception in thread "pool-1-thread-3" java.lang.IllegalStateException: queue closed'],
      [14, 14, 'warn', 'slow query'],
      [15, 15, 'fatal', 'fatal error: concurrent map writes'],
      [16, 16, 'info', 'done'],
    ]);
  });

  it("Node's uncaught exception and unhandled rejection (a pm2 or docker log of a Node service) are fatal records of their own, with their stack", () => {
    // A service's log: mostly its own lines, so the format is found on them.
    const before = Array.from({ length: 12 }, (_, i) => `2024-05-01T09:59:${String(i + 10)}.000Z INFO request ${i} done`);
    const text = [
      ...before,
      '2024-05-01T10:00:00.000Z INFO listening on 3000',
      '/app/server.js:10',
      "    throw new Error('boom');",
      '    ^',
      '',
      'Error: boom',
      '    at Server.<anonymous> (/app/server.js:10:11)',
      '    at Server.emit (node:events:517:28)',
      '',
      'Node.js v20.10.0',
      '2024-05-01T10:00:02.000Z INFO listening on 3000',
      'node:internal/process/promises:289',
      '            triggerUncaughtException(err, true /* fromPromise */);',
      '            ^',
      '',
      '[UnhandledPromiseRejection: This error originated either by throwing inside of an async function without a catch block.] {',
      "  code: 'ERR_UNHANDLED_REJECTION'",
      '}',
      '2024-05-01T10:00:04.000Z INFO listening on 3000',
      'file:///app/main.mjs:3',
      "throw new TypeError('bad config');",
      '^',
      '',
      'TypeError: bad config',
      '    at file:///app/main.mjs:3:7',
      '2024-05-01T10:00:06.000Z INFO listening on 3000',
    ].join('\n');
    const { records, decoder } = decodeText(text + '\n');
    expect(decoder.describe().format).toBe('iso-level');
    const n = before.length;
    expect(records.slice(n).map((r) => [r.firstLine - n, r.lastLine - n, r.level, r.message.split('\n')[0]])).toEqual([
      [1, 1, 'info', 'listening on 3000'],
      [2, 10, 'fatal', '/app/server.js:10'],
      [11, 11, 'info', 'listening on 3000'],
      [12, 18, 'fatal', 'node:internal/process/promises:289'],
      [19, 19, 'info', 'listening on 3000'],
      [20, 25, 'fatal', 'file:///app/main.mjs:3'],
      [26, 26, 'info', 'listening on 3000'],
    ]);
    expect(records[n + 1]!.message).toContain('Error: boom');
  });

  it('under JSON logs (no header format to group by), a crash keeps its lines: Go signal, Node rejection, Rust note, a Python exception named otherwise', () => {
    const j = (i: number, msg: string) => JSON.stringify({ level: 30, time: 1714557600000 + i, pid: 1, hostname: 'h', msg });
    const before = Array.from({ length: 12 }, (_, i) => j(i, `request ${i}`));
    const text = [
      ...before,
      'panic: runtime error: invalid memory address or nil pointer dereference',
      '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x45b2f1]',
      '',
      'goroutine 1 [running]:',
      'main.main()',
      '\t/app/main.go:9 +0x1d',
      j(20, 'restarted'),
      'node:internal/process/promises:289',
      '            triggerUncaughtException(err, true /* fromPromise */);',
      '            ^',
      '',
      '[UnhandledPromiseRejection: This error originated either by throwing inside of an async function without a catch block. The promise rejected with the reason "oops".] {',
      "  code: 'ERR_UNHANDLED_REJECTION'",
      '}',
      '',
      'Node.js v20.10.0',
      j(21, 'restarted'),
      'Traceback (most recent call last):',
      '  File "/app/db.py", line 3, in save',
      '    cur.execute(sql)',
      'psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "users_pkey"',
      j(22, 'after'),
    ].join('\n');
    const { records, decoder } = decodeText(text + '\n');
    expect(decoder.describe().format).toBe('pino');
    const n = before.length;
    // The traceback goes with the line logged just before it (Python's logger.exception).
    expect(records.slice(n).map((r) => [r.firstLine - n, r.lastLine - n])).toEqual([
      [1, 6],
      [7, 7],
      [8, 16],
      [17, 21],
      [22, 22],
    ]);
  });

  it('Node error with "at" frames', () => {
    const { records } = decodeFixture('node-error.log');
    expect(records.map((r) => [r.firstLine, r.lastLine])).toEqual([
      [1, 1],
      [2, 5],
      [6, 6],
    ]);
    expect(records[1]!.level).toBe('error');
  });

  it('PHP fatal error with stack trace', () => {
    const { records } = decodeFixture('php-error.log');
    expect(records.map((r) => [r.firstLine, r.lastLine, r.level])).toEqual([
      [1, 1, 'warn'],
      [2, 6, 'fatal'],
      [7, 7, 'notice'],
    ]);
  });

  it('Ruby backtrace', () => {
    const { records } = decodeFixture('ruby-logger.log');
    expect(records.map((r) => [r.firstLine, r.lastLine])).toEqual([
      [1, 1],
      [2, 4],
      [5, 5],
    ]);
  });

  it('Laravel exception context with [stacktrace]', () => {
    const { records } = decodeFixture('laravel.log');
    expect(records.map((r) => [r.firstLine, r.lastLine, r.level])).toEqual([
      [1, 1, 'info'],
      [2, 6, 'error'],
      [7, 7, 'warn'],
    ]);
  });

  it('Spring Boot exception', () => {
    const { records } = decodeFixture('spring-boot.log');
    expect(records[2]!.lastLine).toBe(5);
    expect(records[2]!.message).toContain('NullPointerException');
  });

  it('a record spans the byte offsets of its lines', () => {
    const text = 'A 2024-01-01\n  more\nB\n';
    const d = factory.create({ multiline: { start: '^[A-Z] ' } });
    const recs = decodeAll(d, toLines(text));
    expect(recs.map((r) => [r.startOffset, r.endOffset, r.raw])).toEqual([[0, 22, 'A 2024-01-01\n  more\nB']]);
  });

  it('user rule: a start regex decides, whatever the format', () => {
    const text = ['>>> job 1', 'step a', 'step b', '>>> job 2', 'step c'].join('\n');
    const d = factory.create({ multiline: { start: '^>>> ' } });
    const recs = decodeAll(d, toLines(text));
    expect(recs.map((r) => r.raw)).toEqual(['>>> job 1\nstep a\nstep b', '>>> job 2\nstep c']);
  });

  it('user rule: the start regex looks at a line\'s first 4096 characters (a backtracking one on a 400,000-character line stalled the engine for a minute)', () => {
    const text = ['>>> job 1', `${'x'.repeat(5000)} >>> `, `${'x'.repeat(4000)} >>> `, 'step c'].join('\n');
    const d = factory.create({ multiline: { start: '>>> ' } });
    const recs = decodeAll(d, toLines(text));
    expect(recs.map((r) => [r.firstLine, r.lastLine])).toEqual([[1, 2], [3, 4]]);
  });

  it('held lines: pendingStart points at the oldest, flushDueInMs counts from the last line, flush emits', () => {
    const d = factory.create({ format: 'log4j', multiline: { timeoutMs: 500 } });
    const lines = toLines('2024-05-01 10:00:00,000 ERROR [main] a.B: boom\n\tat x.Y(Y.java:1)\n2024-05-01 10:00:01,000 INFO [main] a.B: ok\n', 1000);
    lines[1]!.readAt = 1200;
    expect(d.push(lines[0]!)).toEqual([]);
    expect(d.pendingStart()).toEqual({ offset: 0, lineNo: 1 });
    expect(d.push(lines[1]!)).toEqual([]);
    expect(d.pendingStart()).toEqual({ offset: 0, lineNo: 1 });
    expect(d.flushDueInMs(1300)).toBe(400);
    expect(d.flushDueInMs(5000)).toBe(0);
    const out = d.push(lines[2]!);
    expect(out).toHaveLength(1);
    expect(out[0]!.lastLine).toBe(2);
    expect(d.pendingStart()).toEqual({ offset: lines[2]!.startOffset, lineNo: 3 });
    const rest = d.flush();
    expect(rest.map((r) => r.firstLine)).toEqual([3]);
    expect(d.pendingStart()).toBeNull();
    expect(d.flushDueInMs(0)).toBeNull();
  });

  it('a record is cut at the line limit so a never-ending trace cannot hold memory', () => {
    const f = factory;
    const d = new (f.create({}).constructor as typeof import('../../../electron/engine/decode/stream-decoder.js').FormatStreamDecoder)(f.formats, { format: 'generic' }, { maxRecordLines: 3 });
    const recs = decodeAll(d, toLines('start\n  a\n  b\n  c\n  d\n'));
    expect(recs.map((r) => r.lastLine - r.firstLine + 1)).toEqual([3, 2]);
  });

  it("the lines after a cut of the JVM's own crash (no logger line before it) go on at its level", () => {
    const frames = Array.from({ length: 1024 }, (_, i) => `\tat com.example.Rec.f(Rec.java:${i})`);
    const log = (s: number) => `2024-05-01 10:00:0${s},000 INFO  [main] com.example.App - step ${s}`;
    const text = [log(0), log(1), log(2), 'Exception in thread "main" java.lang.StackOverflowError', ...frames, log(3)].join('\n');
    const { records } = decodeText(text + '\n');
    expect(records.map((r) => [r.firstLine, r.lastLine, r.level])).toEqual([
      [1, 1, 'info'],
      [2, 2, 'info'],
      [3, 3, 'info'],
      [4, 1003, 'error'],
      [1004, 1028, 'error'],
      [1029, 1029, 'info'],
    ]);
  });

  it('the lines after a cut go on as a record of the same time and level (a StackOverflowError of 1,024 frames)', () => {
    const frames = Array.from({ length: 1024 }, (_, i) => `\tat com.example.Deep.recurse(Deep.java:${i})`);
    const text = ['2024-05-01 10:00:00,000 INFO  [main] com.example.App - up', '2024-05-01 10:00:01,000 ERROR [main] com.example.App - request failed', 'java.lang.StackOverflowError', ...frames, '2024-05-01 10:00:02,000 INFO  [main] com.example.App - next'].join('\n');
    const { records } = decodeText(text + '\n');
    expect(records.map((r) => [r.firstLine, r.lastLine, r.level, r.format])).toEqual([
      [1, 1, 'info', records[0]!.format],
      [2, 1001, 'error', records[0]!.format],
      [1002, 1027, 'error', records[0]!.format],
      [1028, 1028, 'info', records[0]!.format],
    ]);
    expect(records[2]!.ts).toBe(records[1]!.ts);
  });
});

describe('multi-line records keep the original bytes', () => {
  it('raw_bytes of a record with a line that is not UTF-8 holds each line\'s own bytes, not U+FFFD', () => {
    const d = factory.create({ format: 'generic' });
    const bad = Buffer.from([0xc3, 0x28, 0x20, 0x62, 0x72, 0x6f, 0x6b, 0x65, 0x6e]);
    const lines = [
      { text: '2026-11-22T10:00:01Z ERROR failed', bytes: null, flags: 0, lineNo: 1, startOffset: 0, endOffset: 34, readAt: 0 },
      { text: '  \ufffd( broken', bytes: Buffer.concat([Buffer.from('  '), bad]), flags: 2, lineNo: 2, startOffset: 34, endOffset: 46, readAt: 0 },
      { text: '  at x()', bytes: null, flags: 0, lineNo: 3, startOffset: 46, endOffset: 55, readAt: 0 },
    ];
    const recs = decodeAll(d, lines);
    expect(recs).toHaveLength(1);
    expect(recs[0]!.rawBytes).toEqual(Buffer.concat([Buffer.from('2026-11-22T10:00:01Z ERROR failed\n  '), bad, Buffer.from('\n  at x()')]));
  });
});
