import { describe, expect, it } from 'vitest';
import { RECORD_FLAGS } from '../../../shared/types.js';
import { alertSeverity } from '../../../electron/engine/detect/detectors/alert.js';
import { decodeFixture, decodeText, formatCases, iso, loadErrors as loadedErrors, local, type FormatCase } from './helpers.js';

// One realistic sample per built-in format: the detected format, and the first records'
// time, level and message. Times without a zone are local: expectations are built with
// the local Date constructor so the test holds in any TZ.

describe('built-in formats', () => {
  it('load without errors', () => {
    expect(loadedErrors).toEqual([]);
  });

  const cases: FormatCase[] = [
    { file: 'syslog-3164.log', format: 'syslog', records: 3, first: { ts: local(2023, 10, 11, 22, 14, 15), level: 'critical', levelText: '34', message: "'su root' failed for lonvick on /dev/pts/8" }, second: { level: 'notice' } },
    { file: 'syslog-5424.log', format: 'syslog-rfc5424', records: 3, first: { ts: '2003-10-11T22:14:15.003Z', level: 'critical', message: "'su root' failed for lonvick on /dev/pts/8" }, second: { ts: '2003-08-24T12:14:15.000Z', level: 'notice', message: "%% It's time to make the do-nuts." } },
    { file: 'access-combined.log', format: 'access-combined', records: 3, first: { ts: '2024-05-01T08:00:00.000Z', level: 'info', message: '"GET /index.html HTTP/1.1" 200 5120 "-" "Mozilla/5.0 (X11; Linux x86_64)"' }, second: { level: 'error' } },
    { file: 'nginx-error.log', format: 'nginx-error', records: 3, first: { ts: local(2024, 5, 1, 10, 0, 0), level: 'error', message: 'connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.2, server: shop, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8080/"' }, second: { level: 'warn' } },
    { file: 'w3c-iis.log', format: 'w3c', records: 6, first: { ts: null, level: null, message: 'Software: Microsoft Internet Information Services 10.0' } },
    { file: 'haproxy.log', format: 'haproxy', records: 2, first: { ts: local(2024, 2, 6, 12, 14, 14), level: 'info', levelText: '2', message: '10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1"' }, second: { level: 'error' } },
    { file: 'spring-boot.log', format: 'spring-boot', records: 3, first: { ts: '2024-05-01T08:00:00.123Z', level: 'info', message: 'Starting DemoApplication using Java 21' }, second: { level: 'warn' } },
    { file: 'glog.log', format: 'glog', records: 3, first: { ts: local(2024, 5, 1, 10, 0, 0, 123), level: 'info', levelText: 'I', message: 'Starting server on :8080' }, second: { level: 'warn' } },
    { file: 'zap-console.log', format: 'zap-console', records: 2, first: { ts: '2024-05-01T08:00:00.123Z', level: 'info', message: 'server started\t{"port": 8080}' }, second: { level: 'error' } },
    { file: 'laravel.log', format: 'laravel', records: 3, first: { ts: local(2024, 5, 1, 10, 0, 0), level: 'info', message: 'User 7 logged in' }, second: { level: 'error' } },
    { file: 'php-error.log', format: 'php-error', records: 3, first: { ts: '2024-05-01T10:00:00.000Z', level: 'warn', levelText: 'Warning', message: 'Undefined variable $user in /var/www/html/index.php on line 12' }, second: { level: 'fatal' } },
    { file: 'ruby-logger.log', format: 'ruby-logger', records: 3, first: { ts: local(2024, 5, 1, 10, 0, 0, 123), level: 'info', message: 'Started GET "/" for 127.0.0.1' }, second: { level: 'error' } },
    { file: 'bunyan.log', format: 'bunyan', records: 2, first: { ts: '2024-05-01T10:00:00.000Z', level: 'info', levelText: '30', message: 'listening' }, second: { level: 'error' } },
    { file: 'pino.log', format: 'pino', records: 2, first: { ts: '2024-05-01T10:00:00.000Z', level: 'info', message: 'listening' }, second: { level: 'fatal', message: 'out of memory' } },
    { file: 'zap-json.log', format: 'zap-json', records: 2, first: { ts: '2024-05-01T10:00:00.500Z', level: 'info', message: 'server started' }, second: { ts: '2024-05-01T10:00:01.250Z', level: 'error' } },
    { file: 'zerolog.log', format: 'zerolog', records: 2, first: { ts: '2024-05-01T08:00:00.000Z', level: 'warn', message: 'slow query' } },
    { file: 'logrus-json.log', format: 'logrus-json', records: 2, first: { ts: '2024-05-01T10:00:00.000Z', level: 'info', message: 'server started' }, second: { level: 'fatal' } },
    { file: 'ecs.log', format: 'ecs-json', records: 2, first: { ts: '2024-05-01T10:00:00.123Z', level: 'warn', message: 'disk almost full' } },
    { file: 'journald.json', format: 'journald-json', records: 2, first: { ts: '2024-05-01T10:00:00.123Z', level: 'info', levelText: '6', message: 'Accepted publickey for deploy' }, second: { level: 'error' } },
    { file: 'logfmt.log', format: 'logfmt', records: 2, first: { ts: '2024-05-01T10:00:00.000Z', level: 'info', message: 'server started' }, second: { level: 'error', message: 'connection refused' } },
    { file: 'docker-json.log', format: 'docker-json', records: 2, first: { ts: '2024-05-01T10:00:00.123Z', level: 'info', message: '2024-05-01 10:00:00 INFO started' }, second: { level: 'error' } },
    { file: 'compose.log', format: 'docker-compose', records: 3, first: { ts: local(2024, 5, 1, 10, 0, 0), level: 'info', message: 'INFO listening on 80' }, second: { level: 'error', message: 'ERROR could not open file' } },
  ];

  formatCases(cases);

  it('JSON lines of Serilog, CLEF, python-json-logger, structlog and OpenTelemetry: their own names for time, level and message', () => {
    const { records, decoder } = decodeText(
      [
        '{"Timestamp":"2026-11-21T10:00:00.1234567+01:00","Level":"Error","MessageTemplate":"Failed {Id}","RenderedMessage":"Failed 42"}',
        '{"@t":"2026-11-21T10:00:01.000Z","@l":"Warning","@mt":"Disk {Pct} full","@m":"Disk 93 full","Pct":93}',
        '{"asctime": "2026-11-21 10:00:02,123", "levelname": "ERROR", "name": "app", "message": "py json failed"}',
        '{"event": "user logged in", "level": "info", "timestamp": "2026-11-21T10:00:03Z"}',
        '{"timestamp":"2026-11-21T10:00:04Z","severity_text":"ERROR","body":"otel body text"}',
        '{"event": {"kind":"event"}, "message": "an object named event is not the message", "ts":"2026-11-21T10:00:05Z", "level":"info"}',
      ].join('\n'),
    );
    expect(decoder.describe().format).toBe('json');
    expect(records.map((r) => [iso(r.ts), r.level, r.message])).toEqual([
      ['2026-11-21T09:00:00.123Z', 'error', 'Failed 42'],
      ['2026-11-21T10:00:01.000Z', 'warn', 'Disk 93 full'],
      [local(2026, 11, 21, 10, 0, 2, 123), 'error', 'py json failed'],
      ['2026-11-21T10:00:03.000Z', 'info', 'user logged in'],
      ['2026-11-21T10:00:04.000Z', 'error', 'otel body text'],
      ['2026-11-21T10:00:05.000Z', 'info', 'an object named event is not the message'],
    ]);
  });

  it('JSON lines whose level is said without a word: OpenTelemetry severity_number alone, CLEF without @l (Information)', () => {
    const { records } = decodeText(
      [
        '{"timestamp":"2026-11-21T10:00:00Z","severity_number":17,"body":"otel error"}',
        '{"timestamp":"2026-11-21T10:00:01Z","severity_number":9,"body":"otel info"}',
        '{"@t":"2026-11-21T10:00:02Z","@mt":"Started {App}","App":"x"}',
        '{"time":"2026-11-21T10:00:03Z","msg":"no level at all"}',
      ].join('\n'),
    );
    expect(records.map((r) => r.level)).toEqual(['error', 'info', 'info', null]);
  });

  it('journalctl -o json: a MESSAGE written as an array of bytes (colours, invalid UTF-8) reads as its text, colours gone', () => {
    const bytes = [...Buffer.from('\u001b[31mERROR database connection lost\u001b[0m')];
    const line = (us: string, msg: unknown) => JSON.stringify({ __REALTIME_TIMESTAMP: us, PRIORITY: '3', MESSAGE: msg });
    const { records, decoder } = decodeText([line('1714557600123456', 'plain one'), line('1714557601123456', bytes)].join('\n'));
    expect(decoder.describe().format).toBe('journald-json');
    expect(records.map((r) => r.message)).toEqual(['plain one', 'ERROR database connection lost']);
  });

  it("zap's production console encoder: epoch seconds as a float (e+09, or plain) and lower-case levels", () => {
    const { records, decoder } = decodeText('1.7637192001234567e+09\tinfo\tserver/main.go:42\tstarting server\n1763719201.9\terror\tserver/main.go:50\tlisten failed\t{"port": 80}\n');
    expect(decoder.describe().format).toBe('zap-console');
    expect(records.map((r) => [iso(r.ts), r.level, r.message])).toEqual([
      ['2025-11-21T10:00:00.123Z', 'info', 'starting server'],
      ['2025-11-21T10:00:01.900Z', 'error', 'listen failed\t{"port": 80}'],
    ]);
  });

  it('what a time was taken to be is in the record\'s flags: no year and no zone (syslog), none (ISO with Z)', () => {
    const { records } = decodeText('Nov 21 10:00:00 web1 sshd[42]: Accepted publickey\nNov 21 10:00:01 web1 sshd[42]: again\n');
    expect(records[0]!.tsAssumed).toBe('year+zone');
    expect(records[0]!.flags & (RECORD_FLAGS.yearAssumed | RECORD_FLAGS.zoneAssumed | RECORD_FLAGS.dateAssumed)).toBe(RECORD_FLAGS.yearAssumed | RECORD_FLAGS.zoneAssumed);
    const iso = decodeText('2026-11-21T10:00:00Z INFO a\n2026-11-21T10:00:01Z INFO b\n');
    expect(iso.records[0]!.flags & (RECORD_FLAGS.yearAssumed | RECORD_FLAGS.zoneAssumed)).toBe(0);
  });

  it("HAProxy: chosen over plain syslog, an HTTP or TCP line's fields read, a 5xx an error and a 4xx a warning", () => {
    const h = (s: number, m: string) => `Nov 21 10:00:0${s} lb1 haproxy[1234]: ${m}`;
    const { records, decoder } = decodeText(
      [
        h(0, '10.0.0.1:51234 [21/Nov/2026:10:00:00.123] http-in~ backend/web1 0/0/1/2/3 200 512 - - ---- 1/1/0/0/0 0/0 "GET /index.html HTTP/1.1"'),
        h(1, '10.0.0.1:51235 [21/Nov/2026:10:00:01.456] http-in backend/<NOSRV> -1/-1/-1/-1/0 503 212 - - SC-- 0/0/0/0/0 0/0 "GET /x HTTP/1.1"'),
        h(2, 'Server backend/web2 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms.'),
        h(3, '10.0.0.1:51236 [21/Nov/2026:10:00:03.789] tcp-in tcp-back/db1 1/0/5000 1234 -- 1/1/1/1/0 0/0'),
        h(4, '10.0.0.2:51237 [21/Nov/2026:10:00:05.000] http-in backend/web1 0/0/1/2/3 404 100 - - ---- 1/1/0/0/0 0/0 "GET /nope HTTP/1.1"'),
      ].join('\n'),
    );
    expect(decoder.describe().format).toBe('haproxy');
    expect(records.map((r) => r.level)).toEqual(['info', 'error', null, null, 'warn']);
    expect(records[1]!.fields).toMatchObject({ client: '10.0.0.1', backend: 'backend', server: '<NOSRV>', status: '503', bytes: '212' });
    expect(records[3]!.fields).toMatchObject({ backend: 'tcp-back', server: 'db1', bytes: '1234' });
  });

  it('RFC 5424: the BOM that marks a UTF-8 MSG (section 6.4) is not part of the message', () => {
    const { records, decoder } = decodeText("<86>1 2024-05-01T10:00:01Z host su - - - \ufeff'su root' failed for lonvick\n<86>1 2024-05-01T10:00:02Z host su - - - no bom here\n");
    expect(decoder.describe().format).toBe('syslog-rfc5424');
    expect(records.map((r) => r.message)).toEqual(["'su root' failed for lonvick", 'no bom here']);
  });

  it('logfmt with lvl= (log15, Grafana) and its level words eror/dbug', () => {
    const { records, decoder } = decodeText('t=2026-11-21T10:00:05+0000 lvl=eror msg="query failed" logger=sqlstore\nt=2026-11-21T10:00:06+0000 lvl=dbug msg="y"\n');
    expect(decoder.describe().format).toBe('logfmt');
    expect(records.map((r) => [iso(r.ts), r.level, r.levelText, r.message])).toEqual([
      ['2026-11-21T10:00:05.000Z', 'error', 'eror', 'query failed'],
      ['2026-11-21T10:00:06.000Z', 'debug', 'dbug', 'y'],
    ]);
  });

  it('W3C (IIS): each #Fields: directive names the columns after it: fields by name, sc-status as the level', () => {
    const { records, decoder } = decodeText(
      [
        '#Software: Microsoft Internet Information Services 10.0',
        '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken',
        '2026-11-21 10:00:00 10.0.0.1 GET /index.html - 80 - 10.0.0.2 Mozilla/5.0 200 0 0 15',
        '2026-11-21 10:00:01 10.0.0.1 GET /missing - 80 - 10.0.0.2 Mozilla/5.0 404 0 2 5',
        '#Fields: date time cs-method cs-uri-stem sc-status time-taken',
        '2026-11-21 10:00:02 POST /api 500 230',
      ].join('\n'),
    );
    expect(decoder.describe().format).toBe('w3c');
    const data = records.filter((r) => r.ts !== null);
    expect(data.map((r) => [iso(r.ts), r.level, r.fields?.['cs-uri-stem'], r.fields?.['sc-status']])).toEqual([
      ['2026-11-21T10:00:00.000Z', 'info', '/index.html', '200'],
      ['2026-11-21T10:00:01.000Z', 'warn', '/missing', '404'],
      ['2026-11-21T10:00:02.000Z', 'error', '/api', '500'],
    ]);
    expect(data[2]!.message).toBe('POST /api 500 230');
  });

  it('W3C data lines are UTC and keep their fields in the message', () => {
    const { records } = decodeFixture('w3c-iis.log');
    const data = records.filter((r) => r.ts !== null);
    expect(data).toHaveLength(2);
    expect(iso(data[0]!.ts)).toBe('2024-05-01T10:00:00.000Z');
    expect(data[1]!.message).toBe('10.0.0.1 POST /api/login - 443 - 203.0.113.8 curl/8.5.0 - 500 0 0 230');
  });

  it('CRI partial lines are joined into one record', () => {
    const { records } = decodeFixture('cri.log');
    expect(records.map((r) => r.message)).toEqual(['INFO server started', 'ERROR a very long line that was split by the runtime', 'WARN done']);
    expect(records[1]!.firstLine).toBe(2);
    expect(records[1]!.lastLine).toBe(3);
    expect(records[1]!.level).toBe('error');
    expect(iso(records[1]!.ts)).toBe('2024-05-01T10:00:01.000Z');
  });

  it('CRI and Docker json-file: a stderr line or trace never joins a stdout record, nor the other way', () => {
    const cri = decodeText(
      [
        '2026-11-21T10:00:00.000000000Z stdout P {"level":"info","msg":"part one',
        '2026-11-21T10:00:00.100000000Z stderr F 2026-11-21 10:00:00,100 ERROR - stderr error line',
        '2026-11-21T10:00:00.200000000Z stdout F 2026-11-21 10:00:00,200 INFO - served',
        '2026-11-21T10:00:00.300000000Z stderr F Traceback (most recent call last):',
        '2026-11-21T10:00:00.300000000Z stderr F   File "/app/x.py", line 3, in <module>',
        '2026-11-21T10:00:00.300000000Z stderr F ValueError: bad',
      ].join('\n'),
    );
    expect(cri.decoder.describe().format).toBe('docker-cri');
    expect(cri.records.map((r) => [r.firstLine, r.lastLine, r.fields?.stream])).toEqual([
      [1, 1, 'stdout'],
      [2, 2, 'stderr'],
      [3, 3, 'stdout'],
      [4, 6, 'stderr'],
    ]);
    const dj = (log: string, stream: string, s: number) => JSON.stringify({ log, stream, time: `2026-11-21T10:00:0${s}.000000000Z` });
    const json = decodeText(
      [dj('2026-11-21 10:00:00 INFO GET / 200\n', 'stdout', 0), dj('Traceback (most recent call last):\n', 'stderr', 1), dj('  File "/app/x.py", line 3\n', 'stderr', 1), dj('ValueError: bad\n', 'stderr', 1)].join('\n'),
    );
    expect(json.decoder.describe().format).toBe('docker-json');
    expect(json.records.map((r) => [r.firstLine, r.lastLine])).toEqual([
      [1, 1],
      [2, 4],
    ]);
  });

  it("inside a container runtime's lines, the program's own level: klog's letter, a JSON logger's level field (zap, pino's number)", () => {
    const cri = (s: number, msg: string) => `2026-11-21T10:00:0${s}.000000000Z stderr F ${msg}`;
    const { records, decoder } = decodeText(
      [
        cri(0, 'E1121 10:00:00.123456       1 leaderelection.go:330] error retrieving resource lock'),
        cri(1, 'W1121 10:00:01.123456       1 reflector.go:424] watch ended'),
        cri(2, '{"level":"error","ts":1763719202.1,"caller":"srv/main.go:9","msg":"dial failed"}'),
        cri(3, '{"level":50,"time":1763719203000,"pid":1,"hostname":"h","msg":"boom"}'),
        cri(4, 'plain line with no level'),
      ].join('\n'),
    );
    expect(decoder.describe().format).toBe('docker-cri');
    expect(records.map((r) => r.level)).toEqual(['error', 'warn', 'error', 'error', null]);
  });

  it('Docker json-file: a line Docker cut at 16 KiB is joined again; a short last line without a newline stays whole', () => {
    const long = `2026-11-21 10:00:00 ERROR ${'x'.repeat(20_000)}`;
    const dj = (log: string, s: number) => JSON.stringify({ log, stream: 'stdout', time: `2026-11-21T10:00:0${s}.000000000Z` });
    const { records, decoder } = decodeText(
      [dj('2026-11-21 10:00:00 INFO before\n', 0), dj(long.slice(0, 16384), 1), dj(long.slice(16384) + '\n', 1), dj('2026-11-21 10:00:02 INFO no newline at exit', 2), dj('2026-11-21 10:00:03 INFO next run\n', 3)].join('\n'),
    );
    expect(decoder.describe().format).toBe('docker-json');
    expect(records.map((r) => [r.firstLine, r.lastLine, r.level])).toEqual([
      [1, 1, 'info'],
      [2, 3, 'error'],
      [4, 4, 'info'],
      [5, 5, 'info'],
    ]);
    expect(records[1]!.message).toBe(long);
  });

  it('docker compose: a trace joins the lines of its own service, not the record of another one printed between', () => {
    const { records, decoder } = decodeText(
      [
        'web-1  | 2026-11-21 10:00:00,000 ERROR - Failed',
        'db-1   | 2026-11-21 10:00:00.500 UTC [1] LOG:  checkpoint starting',
        'web-1  | Traceback (most recent call last):',
        'web-1  |   File "/app/x.py", line 3, in <module>',
        'web-1  | ValueError: bad',
        'db-1   | 2026-11-21 10:00:01.000 UTC [1] LOG:  checkpoint complete',
      ].join('\n'),
    );
    expect(decoder.describe().format).toBe('docker-compose');
    expect(records.map((r) => [r.firstLine, r.lastLine, r.fields?.service])).toEqual([
      [1, 1, 'web-1'],
      [2, 2, 'db-1'],
      [3, 5, 'web-1'],
      [6, 6, 'db-1'],
    ]);
  });

  it('docker compose output loses its service prefix and ANSI colours, keeps the raw line', () => {
    const { records } = decodeFixture('compose.log');
    expect(records[1]!.fields?.service).toBe('db-1');
    expect(records[1]!.raw).toContain('\u001b[33m');
  });

  it('syslog as journalctl exports it (-o short-iso, -o short-precise), and a level word in a syslog message without PRI', () => {
    const iso8601 = decodeText('2026-11-21T10:00:00+0100 web1 systemd[1]: Started nginx.service.\n2026-11-21T10:00:01+0100 web1 nginx[1234]: nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)\n');
    expect(iso8601.decoder.describe().format).toBe('syslog');
    expect(iso8601.records.map((r) => [iso(r.ts), r.level, r.fields?.tag, r.message])).toEqual([
      ['2026-11-21T09:00:00.000Z', null, 'systemd', 'Started nginx.service.'],
      ['2026-11-21T09:00:01.000Z', 'fatal', 'nginx', 'nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)'],
    ]);
    const precise = decodeText('May 01 10:00:00.123456 web1 sshd[99]: error: maximum authentication attempts exceeded for root\nMay 01 10:00:01.654321 web1 kernel: usb 1-1: new high-speed USB device\n');
    expect(precise.decoder.describe().format).toBe('syslog');
    expect(precise.records.map((r) => [iso(r.ts), r.level, r.message])).toEqual([
      [local(2024, 5, 1, 10, 0, 0, 123), 'error', 'error: maximum authentication attempts exceeded for root'],
      [local(2024, 5, 1, 10, 0, 1, 654), null, 'usb 1-1: new high-speed USB device'],
    ]);
  });

  it('a zone written by name lands at the right instant: PHP in its date.timezone, PostgreSQL in its log_timezone', () => {
    const php = decodeText('[21-Nov-2026 10:00:00 Europe/Berlin] PHP Warning:  Undefined variable $x in /var/www/a.php on line 3\n[01-Jul-2026 10:00:00 America/New_York] PHP Fatal error:  boom\n');
    expect(php.decoder.describe().format).toBe('php-error');
    expect(php.records.map((r) => [iso(r.ts), r.tsAssumed ?? null, r.level])).toEqual([
      ['2026-11-21T09:00:00.000Z', null, 'warn'],
      ['2026-07-01T14:00:00.000Z', null, 'fatal'],
    ]);
    const pg = decodeText('2026-11-21 10:00:00.123 CET [1234] LOG:  checkpoint starting: time\n2026-11-21 10:00:01.456 CET [1240] ERROR:  relation "users" does not exist\n');
    expect(pg.decoder.describe().format).toBe('postgresql');
    expect(pg.records.map((r) => [iso(r.ts), r.level])).toEqual([
      ['2026-11-21T09:00:00.123Z', 'info'],
      ['2026-11-21T09:00:01.456Z', 'error'],
    ]);
  });

  it('alert-jsonl: alerts carry type/severity/details; a malformed line is kept as a parse error', () => {
    const { records, decoder } = decodeFixture('alerts.jsonl');
    expect(decoder.describe().format).toBe('alert-jsonl');
    expect(records).toHaveLength(4);
    expect(records[0]!.alert).toEqual({ type: 'anomaly', severity: 'critical', details: { rate: 12, baseline: 1 } });
    expect(records[0]!.level).toBe('critical');
    expect(records[0]!.message).toBe('error rate 12x baseline');
    expect(records[1]!.level).toBe('notice');
    const bad = records[2]!;
    expect(bad.flags & RECORD_FLAGS.parseError).toBe(RECORD_FLAGS.parseError);
    expect(bad.alert?.parseError).toMatch(/invalid JSON/);
    expect(bad.raw).toBe('{"timestamp":"2024-05-01T10:00:02Z","type":"anomaly","severity":');
    expect(records[3]!.alert?.type).toBe('heartbeat');
    expect(records[3]!.alert?.severity).toBeNull();
  });

  it('alert-jsonl as monitors write it: ANOMALY in capitals, a syslog number for severity, no severity at all', () => {
    const line = (o: object) => JSON.stringify({ timestamp: '2024-05-01T10:00:00Z', message: 'm', ...o });
    const { records, decoder } = decodeText([line({ type: 'ANOMALY', severity: 'HIGH' }), line({ type: 'anomaly', severity: 3 }), line({ type: 'anomaly' })].join('\n'));
    expect(decoder.describe().format).toBe('alert-jsonl');
    expect(records.map((r) => [r.alert, r.level, r.flags & RECORD_FLAGS.parseError])).toEqual([
      [{ type: 'anomaly', severity: 'HIGH', details: null }, 'error', 0],
      [{ type: 'anomaly', severity: '3', details: null }, 'error', 0],
      [{ type: 'anomaly', severity: null, details: null }, null, 0],
    ]);
    expect([alertSeverity('HIGH'), alertSeverity('3'), alertSeverity('0'), alertSeverity(null)]).toEqual(['high', 'high', 'critical', 'medium']);
  });
});
