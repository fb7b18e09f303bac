import { describe, expect, it } from 'vitest';
import { DrainMiner } from '../../../electron/engine/decode/index.js';
import { decodeAll, decodeFixture, decodeText, factory, type FormatCase, formatCases, iso, local, toLines } from './helpers.js';

// Language runtimes and application frameworks: one realistic sample per format (the
// detected format, the first record's time, level and message, the second record's level).
// Times without a zone are local: expectations use the local Date constructor so the test
// holds in any TZ.

describe('built-in formats: runtimes and frameworks', () => {
  const cases: FormatCase[] = [
    { file: 'rust-env-logger.log', format: 'rust-env-logger', records: 4, first: { ts: '2024-05-01T10:00:00.000Z', level: 'info', levelText: 'INFO', message: 'starting up, listening on 0.0.0.0:8080' }, second: { level: 'debug', message: 'loaded configuration from /etc/my_app/config.toml' } },
    { file: 'gunicorn.log', format: 'gunicorn', records: 6, first: { ts: '2024-05-01T10:00:00.000Z', level: 'info', message: 'Starting gunicorn 21.2.0' }, second: { level: 'info', message: 'Listening at: http://0.0.0.0:8000 (1234)' } },
    { file: 'uwsgi.log', format: 'uwsgi', records: 3, first: { ts: local(2024, 5, 1, 10, 0, 0), level: 'info', levelText: '2', message: 'GET / => generated 12 bytes in 1 msecs (HTTP/1.1 200) 2 headers in 79 bytes (1 switches on core 0)' }, second: { ts: local(2024, 5, 1, 10, 0, 3), level: 'warn' } },
    { file: 'celery.log', format: 'celery', records: 5, first: { ts: local(2024, 5, 1, 10, 0, 0, 123), level: 'info', message: 'Connected to redis://localhost:6379/0' }, second: { level: 'warn' } },
    { file: 'tornado.log', format: 'tornado', records: 4, first: { ts: local(2024, 5, 1, 10, 0, 0), level: 'info', levelText: 'I', message: '200 GET / (127.0.0.1) 1.23ms' }, second: { level: 'warn' } },
    { file: 'airflow.log', format: 'airflow', records: 4, first: { ts: '2024-05-01T10:00:00.123Z', level: 'info', message: 'Dependencies all met for dep_context=non-requeueable deps ti=<TaskInstance: example_dag.extract manual__2024-05-01T09:59:58+00:00 [queued]>' }, second: { ts: '2024-05-01T10:00:00.456Z', level: 'info' } },
    { file: 'sidekiq.log', format: 'sidekiq', records: 5, first: { ts: '2024-05-01T10:00:00.123Z', level: 'info', message: 'Booting Sidekiq 7.2.0 with Sidekiq::RedisConnection::RedisClientAdapter options {}' }, second: { level: 'info', message: 'start' } },
    { file: 'tomcat.log', format: 'tomcat', records: 4, first: { ts: local(2024, 5, 1, 10, 0, 0, 123), level: 'info', message: 'Server version name:   Apache Tomcat/10.1.20' }, second: { level: 'warn' } },
    { file: 'jenkins.log', format: 'jenkins', records: 5, first: { ts: '2024-05-01T10:00:00.123Z', level: 'info', message: 'Beginning extraction from war file' }, second: { level: 'warn', message: 'Empty contextPath' } },
    { file: 'serilog.log', format: 'serilog', records: 4, first: { ts: '2024-05-01T10:00:00.123Z', level: 'info', levelText: 'INF', message: 'Application started' }, second: { level: 'warn' } },
    { file: 'nlog.log', format: 'nlog', records: 4, first: { ts: local(2024, 5, 1, 10, 0, 0, 123), level: 'info', message: 'Application started' }, second: { level: 'warn', message: 'Cache miss for key user:42' } },
    { file: 'log4net.log', format: 'log4net', records: 4, first: { ts: local(2024, 5, 1, 10, 0, 0, 123), level: 'info', message: 'Application started' }, second: { level: 'warn' } },
    { file: 'supervisord.log', format: 'supervisord', records: 6, first: { ts: local(2024, 5, 1, 10, 0, 0, 100), level: 'critical', levelText: 'CRIT', message: 'Supervisor is running as root.  Privileges were not dropped because no user is specified in the config file.  If you intend to run as root, you can set user=root in the config file to avoid this message.' }, second: { level: 'info', message: "RPC interface 'supervisor' initialized" } },
    { file: 'java-util-logging.log', format: 'java-util-logging', records: 4, first: { ts: local(2024, 5, 1, 10, 0, 0), level: 'info', levelText: 'INFO', message: 'Initialization processed in 512 ms' }, second: { ts: local(2024, 5, 1, 10, 0, 1), level: 'warn', message: 'Starting service [Catalina] slowly' } },
    { file: 'dotnet-console.log', format: 'dotnet-console', records: 5, first: { ts: null, level: 'info', levelText: 'info', message: 'Now listening on: http://[::]:8080' }, second: { level: 'info', message: 'Application started. Press Ctrl+C to shut down.' } },
    { file: 'php-fpm.log', format: 'php-fpm', records: 6, first: { ts: local(2024, 5, 1, 10, 0, 0), level: 'notice', levelText: 'NOTICE', message: 'fpm is running, pid 1' }, second: { level: 'notice' }, levels: ['notice', 'notice', 'warn', 'warn', 'error', 'critical'] },
    { file: 'nestjs.log', format: 'nestjs', records: 4, first: { ts: local(2024, 5, 1, 10, 0, 0), level: 'info', levelText: 'LOG', message: 'Starting Nest application...' }, second: { level: 'info', message: 'AppModule dependencies initialized +12ms' }, levels: ['info', 'info', 'warn', 'error'] },
    { file: 'fail2ban.log', format: 'fail2ban', records: 5, first: { ts: local(2024, 5, 1, 10, 0, 0, 123), level: 'info', message: 'Starting Fail2ban v1.0.2' }, second: { level: 'warn', message: "'allowipv6' not defined in 'Definition'. Using default one: 'auto'" } },
  ];

  formatCases(cases);

  it('stack traces and tracebacks join the record above them', () => {
    const celery = decodeFixture('celery.log').records[3]!;
    expect(celery.level).toBe('error');
    expect(celery.fields?.process).toBe('ForkPoolWorker-1');
    expect([celery.firstLine, celery.lastLine]).toEqual([4, 10]);
    expect(celery.message).toMatch(/raised unexpected: ZeroDivisionError\('division by zero'\)\nTraceback \(most recent call last\):\n[\s\S]*\nZeroDivisionError: division by zero$/);

    const tomcat = decodeFixture('tomcat.log').records[2]!;
    expect(tomcat.level).toBe('error');
    expect(tomcat.levelText).toBe('SEVERE');
    expect(tomcat.fields?.thread).toBe('main');
    expect(tomcat.fields?.source).toBe('org.apache.catalina.core.StandardContext.listenerStart');
    expect([tomcat.firstLine, tomcat.lastLine]).toEqual([3, 6]);

    const jenkins = decodeFixture('jenkins.log').records[3]!;
    expect(jenkins.level).toBe('error');
    expect(jenkins.fields?.source).toBe('hudson.model.UpdateCenter$DownloadJob#run');
    expect(jenkins.message.split('\n')).toHaveLength(4);

    const sidekiq = decodeFixture('sidekiq.log').records[4]!;
    expect(sidekiq.level).toBe('warn');
    expect(sidekiq.fields?.context).toBe('class=HardJob jid=b4a577edbccf1d805744efa9 elapsed=0.003');
    expect([sidekiq.firstLine, sidekiq.lastLine]).toEqual([5, 7]);

    for (const f of ['serilog.log', 'nlog.log', 'log4net.log']) {
      const err = decodeFixture(f).records[2]!;
      expect(err.level).toBe('error');
      expect(err.message).toContain('System.InvalidOperationException: Sequence contains no elements\n   at System.Linq.ThrowHelper.ThrowNoElementsException()');
    }
  });

  it('a first line without a message takes it from the line under it (java.util.logging, .NET console): one record each, its own template', () => {
    const jul = decodeFixture('java-util-logging.log').records;
    expect(jul.map((r) => [r.firstLine, r.lastLine])).toEqual([[1, 2], [3, 4], [5, 9], [10, 11]]);
    expect(jul[2]!.ts).toBe(Date.parse(local(2024, 5, 1, 13, 5, 2)));
    expect(jul[2]!.level).toBe('error');
    expect(jul[2]!.levelText).toBe('SEVERE');
    expect(jul[2]!.fields?.source).toBe('com.example.shop.OrderService');
    expect(jul[2]!.fields?.method).toBe('place');
    expect(jul[2]!.message.split('\n')[0]).toBe('Could not place order 4711');
    expect(jul[2]!.message).toContain('\n\tat com.example.shop.OrderService.place(OrderService.java:88)');
    expect(jul[3]!.message).toBe('pool size 10');
    expect(jul[3]!.raw).toBe('May 01, 2024 1:05:03 PM com.example.shop.App\nCONFIG: pool size 10');

    const net = decodeFixture('dotnet-console.log').records;
    expect(net.map((r) => [r.firstLine, r.lastLine])).toEqual([[1, 2], [3, 4], [5, 6], [7, 11], [12, 12]]);
    expect(net.map((r) => r.level)).toEqual(['info', 'info', 'warn', 'error', 'info']);
    expect(net.map((r) => r.fields?.category)).toEqual([
      'Microsoft.Hosting.Lifetime',
      'Microsoft.Hosting.Lifetime',
      'Microsoft.AspNetCore.HttpsPolicy.HttpsRedirectionMiddleware',
      'Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware',
      'Microsoft.Hosting.Lifetime',
    ]);
    expect(net[0]!.fields?.event_id).toBe('14');
    expect(net[3]!.message.split('\n')[0]).toBe('An unhandled exception has occurred while executing the request.');
    expect(net[3]!.message).toContain('System.InvalidOperationException: Sequence contains no elements');
    // The single-line form (SingleLine = true) has its message on the first line.
    expect(net[4]!.message).toBe('Hosting environment: Production');
    // Mined by the message, not by the category line all of them share.
    const miner = new DrainMiner();
    const ids = net.map((r) => miner.match(r.message).id);
    expect(new Set(ids).size).toBe(5);
  });

  it('a time of day alone (Elixir\'s Logger, Serilog\'s console) is of the day the file was written by', () => {
    // Written by noon on May 1 (local time): lines of 10:00 are of that day.
    const noon = new Date(2024, 4, 1, 12, 0, 0).getTime();
    const ex = decodeFixture('elixir-logger.log', { fileMtimeMs: noon });
    expect(ex.decoder.describe().format).toBe('elixir-logger');
    expect(ex.records.map((r) => [r.firstLine, r.lastLine])).toEqual([[1, 1], [2, 2], [3, 3], [4, 9], [10, 10]]);
    expect(ex.records.map((r) => r.level)).toEqual(['info', 'info', 'info', 'error', 'warn']);
    expect(iso(ex.records[0]!.ts)).toBe(local(2024, 5, 1, 10, 0, 0, 123));
    expect(ex.records[0]!.tsAssumed).toBe('date+zone');
    expect(ex.records[1]!.fields?.metadata).toBe('request_id=F8ZxQ1abc');
    expect(ex.records[1]!.message).toBe('GET /');
    expect(ex.records[3]!.message).toContain('\n    ** (RuntimeError) boom');

    const se = decodeFixture('serilog-console.log', { fileMtimeMs: noon });
    expect(se.decoder.describe().format).toBe('serilog-console');
    expect(se.records.map((r) => r.level)).toEqual(['info', 'info', 'warn', 'error', 'debug']);
    expect(se.records.map((r) => iso(r.ts))).toEqual([0, 0, 1, 2, 3].map((s) => local(2024, 5, 1, 10, 0, s)));
    expect(se.records[3]!.message).toContain('System.InvalidOperationException: Sequence contains no elements');

    const cases: [string, number[][], (string | null)[], string][] = [
      ['logback-time', [[1, 1], [2, 2], [3, 5], [6, 6]], ['info', 'warn', 'error', 'debug'], 'Startup completed in 500ms. Server Running: http://localhost:8080'],
      ['pino-pretty', [[1, 1], [2, 4], [5, 9], [10, 10]], ['info', 'warn', 'error', 'debug'], 'Server listening at http://127.0.0.1:3000'],
      ['minecraft', [[1, 1], [2, 2], [3, 5], [6, 6]], ['info', 'warn', 'error', 'info'], 'Starting minecraft server version 1.20.4'],
    ];
    for (const [name, spans, levels, message] of cases) {
      const { records, decoder } = decodeFixture(`${name}.log`, { fileMtimeMs: noon });
      expect(decoder.describe().format, name).toBe(name);
      expect(records.map((r) => [r.firstLine, r.lastLine]), name).toEqual(spans);
      expect(records.map((r) => r.level), name).toEqual(levels);
      expect(records[0]!.message, name).toBe(message);
      expect(iso(records[0]!.ts), name).toBe(local(2024, 5, 1, 10, 0, 0, name === 'minecraft' ? 0 : 123));
    }
    const pino = decodeFixture('pino-pretty.log', { fileMtimeMs: noon }).records[1]!;
    expect(pino.fields).toMatchObject({ name: 'api', pid: '1234', hostname: 'web1' });

    // Read just after midnight, a line of 23:59 is of the day before.
    const ref = new Date(2024, 4, 2, 0, 0, 5).getTime();
    const late = decodeText('[23:59:58 INF] one\n[23:59:59 INF] two\n[00:00:01 INF] three\n', { fileMtimeMs: ref }).records;
    expect(late.map((r) => iso(r.ts))).toEqual([local(2024, 5, 1, 23, 59, 58), local(2024, 5, 1, 23, 59, 59), local(2024, 5, 2, 0, 0, 1)]);
  });

  it('uwsgi takes the level from the HTTP status and keeps the request fields', () => {
    const { records } = decodeFixture('uwsgi.log');
    expect(records.map((r) => r.level)).toEqual(['info', 'warn', 'error']);
    expect(records[2]!.fields).toMatchObject({ pid: '1235', client: '10.0.0.7', method: 'POST', uri: '/api/orders', status: '500', duration: '37', unit: 'msecs' });
  });

  it('tornado also reads Jupyter Server lines, with their indented banner joined', () => {
    const { records: recs, decoder: d } = decodeText(
      [
        '[I 2024-05-01 10:00:00.123 ServerApp] jupyter_lsp | extension was successfully linked.',
        '[I 2024-05-01 10:00:00.456 ServerApp] Jupyter Server 2.12.5 is running at:',
        '[I 2024-05-01 10:00:00.456 ServerApp] http://localhost:8888/lab?token=0123456789abcdef',
        '[W 2024-05-01 10:00:00.460 ServerApp] No web browser found: Error(\'could not locate runnable browser\').',
        '[C 2024-05-01 10:00:00.470 ServerApp] ',
        '',
        '    To access the server, open this file in a browser:',
        '        file:///home/user/.local/share/jupyter/runtime/jpserver-1234-open.html',
        '',
      ].join('\n'),
    );
    expect(d.describe().format).toBe('tornado');
    expect(recs).toHaveLength(5);
    expect(iso(recs[1]!.ts)).toBe(local(2024, 5, 1, 10, 0, 0, 456));
    expect(recs[1]!.message).toBe('Jupyter Server 2.12.5 is running at:');
    expect(recs[1]!.fields?.source).toBe('ServerApp');
    expect(recs[3]!.level).toBe('warn');
    expect(recs[4]!.level).toBe('critical');
    expect(recs[4]!.message).toContain('\n    To access the server, open this file in a browser:\n        file:///');
  });

  it('log4net lines are not log4j, and log4j lines are not log4net', () => {
    const net = decodeFixture('log4net.log').records[0]!;
    expect(net.fields).toMatchObject({ thread: '1', logger: 'MyApp.Program' });
    const recs = decodeText('2024-05-01 10:00:00,123 [7] ERROR MyApp.Services.OrderService [(null)] - Order 42 failed\n').records;
    expect(recs[0]!.format).toBe('log4net');
    expect(recs[0]!.message).toBe('Order 42 failed');
    const j = decodeFixture('log4j-stack.log');
    expect(j.decoder.describe().format).toBe('log4j');
  });

  it('env_logger reads lines without a module path and with sub-second times', () => {
    const d = factory.create({});
    const recs = decodeAll(d, toLines('[2024-05-01T10:00:00.123Z WARN ] low disk\n[2024-05-01T10:00:01.000Z ERROR app] boom\n'));
    expect(d.describe().format).toBe('rust-env-logger');
    expect(recs.map((r) => [iso(r.ts), r.level, r.message, r.fields?.module])).toEqual([
      ['2024-05-01T10:00:00.123Z', 'warn', 'low disk', undefined],
      ['2024-05-01T10:00:01.000Z', 'error', 'boom', 'app'],
    ]);
  });
});
