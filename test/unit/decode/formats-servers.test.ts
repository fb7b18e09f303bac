import { describe, expect, it } from 'vitest';
import { decodeFixture, decodeText, type FormatCase, formatCases, iso, local } from './helpers.js';

// Servers, databases and proxies: one realistic fixture per format (the detected format,
// the first records' time, level and message), then what each format does beyond that.
// Times without a zone are local: expectations use the local Date constructor.

describe('server, database and proxy formats', () => {
  const cases: FormatCase[] = [
    { file: 'postgresql.log', format: 'postgresql', records: 6, first: { ts: '2024-05-01T10:00:00.123Z', level: 'info', levelText: 'LOG', message: 'database system is ready to accept connections' }, second: { level: 'error', message: 'relation "users" does not exist at character 15' } },
    { file: 'mysql-error.log', format: 'mysql-error', records: 5, first: { ts: '2024-05-01T10:00:00.123Z', level: 'notice', levelText: 'System', message: '/usr/sbin/mysqld (mysqld 8.0.36) starting as process 1' }, second: { level: 'warn' } },
    { file: 'mongodb.log', format: 'mongodb', records: 4, first: { ts: '2024-05-01T10:00:00.123Z', level: 'info', levelText: 'I', message: 'Initialized wire specification' }, second: { ts: '2024-05-01T10:00:00.456Z', level: 'warn' } },
    { file: 'redis.log', format: 'redis', records: 6, first: { ts: local(2024, 5, 1, 10, 0, 0, 101), level: 'notice', levelText: '*', message: 'oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo' }, second: { level: 'warn' } },
    { file: 'elasticsearch.log', format: 'elasticsearch', records: 4, first: { ts: local(2024, 5, 1, 10, 0, 0, 123), level: 'info', levelText: 'INFO', message: 'version[7.17.0], pid[87], build[default/tar/bee86328705acaa9a6daede7140defd4d9ec56bd/2022-01-28T08:36:04.875279988Z], OS[Linux/6.5.0-28-generic/amd64], JVM[Eclipse Adoptium/OpenJDK 64-Bit Server VM/17.0.1/17.0.1+12]' }, second: { level: 'warn' } },
    { file: 'cassandra.log', format: 'cassandra', records: 5, first: { ts: local(2024, 5, 1, 10, 0, 0, 123), level: 'info', message: 'Hostname: cassandra-0:7000:7001' }, second: { level: 'warn' } },
    { file: 'kafka.log', format: 'kafka', records: 4, first: { ts: local(2024, 5, 1, 10, 0, 0, 123), level: 'info', message: 'Registered kafka:type=kafka.Log4jController MBean' }, second: { level: 'warn' } },
    { file: 'rabbitmq.log', format: 'rabbitmq', records: 6, first: { ts: '2024-05-01T10:00:00.123Z', level: 'notice', levelText: 'notice', message: 'Application syslog exited with reason: stopped' }, second: { level: 'info', message: 'Starting RabbitMQ 3.13.1 on Erlang 26.2.3 [jit]' } },
    { file: 'squid-access.log', format: 'squid-access', records: 4, first: { ts: '2024-05-01T10:00:00.123Z', level: 'info', message: 'TCP_MISS/200 1234 GET http://example.com/ - HIER_DIRECT/93.184.216.34 text/html' }, second: { ts: '2024-05-01T10:00:01.456Z', level: 'info' } },
    { file: 'squid-cache.log', format: 'squid-cache', records: 4, first: { ts: local(2024, 5, 1, 10, 0, 0), level: null, message: 'Starting Squid Cache version 6.6 for x86_64-pc-linux-gnu...' }, second: { level: 'warn', message: 'WARNING: BCP 177 violation. Detected non-functional IPv6 loopback.' } },
    { file: 'envoy.log', format: 'envoy', records: 4, first: { ts: local(2024, 5, 1, 10, 0, 0, 123), level: 'info', message: 'initializing epoch 0 (base id=0, hot restart version=11.104)' }, second: { level: 'warn', message: 'No admin address given, so no admin HTTP server started.' } },
    { file: 'envoy-access.log', format: 'envoy-access', records: 4, first: { ts: '2024-05-01T10:00:00.123Z', level: 'info', levelText: '2', message: '"GET /api/users HTTP/1.1" 200 - 0 512 3 2 "-" "curl/8.0.1" "5f2a1c3e-8a4b-4f5c-9d2e-1b3c4d5e6f70" "example.com" "10.0.0.1:8080"' }, second: { level: 'error' } },
  ];

  formatCases(cases);

  it('postgresql: DETAIL/STATEMENT lines are records of their own, keep their word, and take the query lines after them', () => {
    const { records } = decodeFixture('postgresql.log');
    const stmt = records[2]!;
    expect(stmt.level).toBeNull();
    expect(stmt.levelText).toBe('STATEMENT');
    expect(stmt.message).toBe('SELECT id, email\n\tFROM users\n\tWHERE id = 1;');
    expect(stmt.fields?.pid).toBe('87');
    expect(records[3]!.level).toBe('fatal');
    expect(records[4]!.levelText).toBe('DETAIL');
  });

  it('postgresql: Debian prefix (user@db), zone names and DEBUG levels', () => {
    const { records, decoder } = decodeText(
      [
        '2024-05-01 12:00:00.500 CEST [4242] app@shop ERROR:  duplicate key value violates unique constraint "users_pkey"',
        '2024-05-01 10:00:01.000 UTC [4242] app@shop DETAIL:  Key (id)=(1) already exists.',
        '2024-05-01 10:00:02.000 UTC [31] DEBUG2:  autovacuum: processing database "shop"',
      ].join('\n'),
    );
    expect(decoder.describe().format).toBe('postgresql');
    expect(records[0]!.fields?.user).toBe('app');
    expect(records[0]!.fields?.database).toBe('shop');
    expect(records[0]!.level).toBe('error');
    // CEST is UTC+2, wherever the machine is.
    expect(iso(records[0]!.ts)).toBe('2024-05-01T10:00:00.500Z');
    expect(iso(records[1]!.ts)).toBe('2024-05-01T10:00:01.000Z');
    expect(records[2]!.level).toBe('debug');
  });

  it('mysql-error: code and subsystem become fields; MariaDB and old-style lines are read too', () => {
    const { records } = decodeFixture('mysql-error.log');
    expect(records[4]!.level).toBe('error');
    expect(records[4]!.fields?.code).toBe('MY-012592');
    expect(records[4]!.fields?.subsystem).toBe('InnoDB');
    expect(records[4]!.fields?.thread).toBe('12');

    const maria = decodeText(
      [
        '2024-05-01  9:05:03 0 [Note] Starting MariaDB 10.11.6-MariaDB-1:10.11.6+maria~ubu2204 source revision fecd78b83785d5ae96f2c6ff340375be803cd299 as process 1',
        '2024-05-01  9:05:03 0 [Note] InnoDB: Using transactional memory',
        '2024-05-01 10:00:00 0 [Warning] Aborted connection 15 to db: \'shop\' user: \'app\' host: \'10.0.0.5\' (Got an error reading communication packets)',
        '240501 10:00:01 [ERROR] mysqld got signal 11 ;',
        'Sorry, we probably made a mistake, and this is a bug.',
      ].join('\n'),
    );
    expect(maria.decoder.describe().format).toBe('mysql-error');
    expect(maria.records).toHaveLength(4);
    expect(iso(maria.records[0]!.ts)).toBe(local(2024, 5, 1, 9, 5, 3));
    expect(maria.records[0]!.level).toBe('info');
    expect(maria.records[2]!.level).toBe('warn');
    expect(iso(maria.records[3]!.ts)).toBe(local(2024, 5, 1, 10, 0, 1));
    expect(maria.records[3]!.level).toBe('error');
    expect(maria.records[3]!.message).toBe('mysqld got signal 11 ;\nSorry, we probably made a mistake, and this is a bug.');
  });

  it('mongodb: component, id and attr stay as fields; E is error', () => {
    const { records } = decodeFixture('mongodb.log');
    const r = records[3]!;
    expect(r.level).toBe('error');
    expect(r.fields?.c).toBe('STORAGE');
    expect(r.fields?.id).toBe(22435);
    expect(r.fields?.attr).toEqual({ error: 28, message: 'No space left on device' });
  });

  it('redis: pid and role are fields, the old [pid] layout without a year is read too', () => {
    const { records } = decodeFixture('redis.log');
    expect(records[5]!.fields?.role).toBe('M');
    expect(records[5]!.message).toBe('Ready to accept connections tcp');
    const old = decodeText(['[4018] 14 Nov 07:01:22.119 * Background saving terminated with success', '[4018] 14 Nov 07:01:23.001 # Short read or OOM loading DB.'].join('\n'));
    expect(old.decoder.describe().format).toBe('redis');
    expect(iso(old.records[0]!.ts)).toBe(local(2023, 11, 14, 7, 1, 22, 119));
    expect(old.records[1]!.level).toBe('warn');
  });

  it('elasticsearch and cassandra: Java stack traces join the record above', () => {
    const es = decodeFixture('elasticsearch.log').records[3]!;
    expect(es.level).toBe('error');
    expect(es.fields?.logger).toBe('o.e.b.ElasticsearchUncaughtExceptionHandler');
    expect(es.fields?.node).toBe('node-1');
    expect(es.message.split('\n')).toHaveLength(7);
    expect(es.message).toMatch(/^uncaught exception in thread \[main\]\norg\.elasticsearch\.bootstrap\.StartupException/);
    const cas = decodeFixture('cassandra.log').records[3]!;
    expect(cas.level).toBe('error');
    expect(cas.fields?.thread).toBe('Native-Transport-Requests-1');
    expect(cas.fields?.file).toBe('ErrorMessage.java');
    expect(cas.message).toBe(
      'Unexpected exception during request\njava.lang.NullPointerException: null\n\tat org.apache.cassandra.cql3.QueryProcessor.process(QueryProcessor.java:250)\n\tat org.apache.cassandra.transport.Message$Request.execute(Message.java:254)',
    );
  });

  it('kafka: the logger in parentheses becomes a field; the exception joins the record', () => {
    const { records } = decodeFixture('kafka.log');
    expect(records[0]!.fields?.logger).toBe('kafka.utils.Log4jControllerRegistration$');
    expect(records[2]!.message).toBe('[KafkaServer id=0] started');
    expect(records[3]!.level).toBe('error');
    expect(records[3]!.message.split('\n')[1]).toMatch(/^org\.apache\.kafka\.common\.errors\.NotEnoughReplicasException/);
  });

  it('squid-access: epoch time, status class as level, request parts as fields', () => {
    const { records } = decodeFixture('squid-access.log');
    expect(records.map((r) => r.level)).toEqual(['info', 'info', 'warn', 'error']);
    expect(records[2]!.fields).toMatchObject({ client: '192.168.1.7', elapsed: '0', result: 'TCP_DENIED', status: '403', method: 'GET', url: 'http://blocked.example/', hierarchy: 'HIER_NONE', peer: '-' });
  });

  it('squid-cache: ERROR lines are errors, indented detail lines join them, the old layout without kid is read', () => {
    const { records } = decodeFixture('squid-cache.log');
    expect(records[2]!.message).toBe('Accepting HTTP Socket connections at conn3 local=[::]:3128 remote=[::] FD 12 flags=9\n    listening port: 3128');
    expect(records[3]!.level).toBe('error');
    expect(records[3]!.fields?.process).toBe('kid1');
    const old = decodeText('2003/09/29 03:17:31| WARNING: Median response time is 2309 milliseconds\n2003/09/29 03:17:32| Starting Squid Cache version 2.5.STABLE4 for i386-unknown-freebsd4.8...\n');
    expect(old.decoder.describe().format).toBe('squid-cache');
    expect(iso(old.records[0]!.ts)).toBe(local(2003, 9, 29, 3, 17, 31));
    expect(old.records[0]!.level).toBe('warn');
    expect(old.records[1]!.level).toBeNull();
  });

  it('envoy: source location and logger are fields', () => {
    const r = decodeFixture('envoy.log').records[3]!;
    expect(r.level).toBe('error');
    expect(r.fields?.logger).toBe('config');
    expect(r.fields?.source).toBe('source/common/config/grpc_subscription_impl.cc:128');
    expect(r.fields?.thread).toBe('15');
  });

  it('envoy-access: 4xx warn, 5xx error, a TCP session (status 0) has no level; fields as in the default format', () => {
    const { records } = decodeFixture('envoy-access.log');
    expect(records.map((r) => r.level)).toEqual(['info', 'error', 'warn', null]);
    expect(records[1]!.fields).toMatchObject({ method: 'POST', path: '/api/orders', status: '503', flags: 'UF,URX', duration: '5002', upstream_time: '-', upstream_host: '10.0.0.2:8080' });
    expect(records[3]!.fields?.status).toBe('0');
  });
});
