import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanCommand } from '../../../electron/cli/scan.js';
import { StoreLock } from '../../../electron/engine/store/store-lock.js';
import { tempDir } from '../../support/tmp.js';
import { scanJson, writeLog } from './scan-helper.js';
import { knownError, render, rng, steady, T0 } from './synthetic.js';

// `vigil scan`: what it prints, and the record-level detectors (rules, tracebacks,
// alert-jsonl, silence) that need no long history, on small real files.

const tmp = tempDir('vigil-scan-');
afterAll(() => tmp.cleanup());

async function run(args: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) => ({ write: (s: string | Uint8Array) => (append(String(s)), true) }) as unknown as NodeJS.WritableStream;
  const code = await scanCommand(args, { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), ...(stdin === undefined ? {} : { stdin: Readable.from([stdin]) }) });
  return { code, out, err };
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('vigil scan', () => {
  it('prints one JSON array with the documented keys, ISO times from the records, 1-based evidence lines', async () => {
    const file = writeLog(
      tmp.dir,
      'app.log',
      [
        `${iso(T0)} INFO service started`,
        `${iso(T0 + 1000)} INFO listening on port 8080`,
        `${iso(T0 + 2000)} FATAL out of memory: cannot allocate 4096 bytes`,
        `${iso(T0 + 3000)} INFO still here`,
        `${iso(T0 + 4000)} FATAL out of memory: cannot allocate 8192 bytes`,
      ].join('\n') + '\n',
    );
    const [a, ...rest] = await scanJson(file);
    expect(rest).toEqual([]);
    expect(a).toMatchObject({
      detector: 'critical',
      severity: 'critical',
      first_ts: iso(T0 + 2000),
      last_ts: iso(T0 + 4000),
      count: 2,
      fingerprint: expect.stringMatching(/^critical\/app\.log\//),
      message: expect.stringContaining('out of memory'),
      evidence_lines: [3, 5],
    });
    const text = await run([file]);
    expect(text.code).toBe(0);
    expect(text.out).toContain('[critical]');
    expect(text.out).toContain('lines: 3, 5');
  });

  it('a warning written again after free text crowded its template out of memory is not "new" (it came back as a new template)', async () => {
    const r = rng(2);
    const word = () => Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(r() * 26))).join('');
    const lines = [`${iso(T0)} WARN User quota exceeded for tenant acme`];
    for (let i = 1; i < 300; i++) lines.push(`${iso(T0 + i * 5000)} INFO User said "${word()} ${word()}"`);
    lines.push(`${iso(T0 + 300 * 5000)} WARN User quota exceeded for tenant acme`);
    const file = writeLog(tmp.dir, 'crowded.log', lines.join('\n') + '\n');
    const found = await scanJson(file, ['--db', join(tmp.dir, 'crowded.db')]);
    expect(found.filter((a) => a.detector === 'new-template')).toEqual([]);
  });

  it('- reads standard input (a pipe), named "-" in the output, beside files', async () => {
    const text = [`${iso(T0)} INFO up`, `${iso(T0 + 1000)} FATAL out of memory: cannot allocate 64 bytes`, `${iso(T0 + 2000)} INFO ok`].join('\n') + '\n';
    const piped = await run(['-', '--json'], text);
    expect(piped.code).toBe(0);
    const [a, ...rest] = JSON.parse(piped.out);
    expect(rest).toEqual([]);
    expect(a).toMatchObject({ detector: 'critical', first_ts: iso(T0 + 1000), evidence_lines: [2], fingerprint: expect.stringMatching(/^critical\/stdin\//) });
    const file = writeLog(tmp.dir, 'beside.log', `${iso(T0)} FATAL disk on fire\n`);
    const both = await run([file, '-', '--json'], text);
    expect(both.code).toBe(0);
    const files = JSON.parse(both.out).map((x: { evidence_files: Record<string, number[]> }) => x.evidence_files);
    expect(files).toContainEqual({ '-': [2] });
    expect(files).toContainEqual({ [file]: [1] });
    expect((await run(['-', '-'], text)).code).toBe(2);
  });

  it('applies rules from --config (regex, level), with their name, severity and category', async () => {
    const file = writeLog(
      tmp.dir,
      'rules.log',
      [
        `${iso(T0)} INFO user login ok`,
        `${iso(T0 + 1000)} WARN disk /var almost full (91%)`,
        `${iso(T0 + 2000)} INFO payment accepted`,
        `${iso(T0 + 3000)} INFO Payment DECLINED by bank`,
      ].join('\n') + '\n',
    );
    const config = join(tmp.dir, 'rules.yml');
    writeFileSync(
      config,
      `rules:
  - name: disk-full
    regex: 'almost full \\((9\\d|100)%\\)'
    minLevel: warn
    severity: high
    category: capacity
  - name: declined
    regex: declined
    ignoreCase: true
    severity: low
    category: payments
detection:
  newTemplate: false
`,
    );
    const anomalies = await scanJson(file, ['--config', config]);
    expect(anomalies.map((a) => [a.detector, a.fingerprint, a.severity, a.category, a.evidence_lines])).toEqual([
      ['rule', 'rule/rules.log/disk-full', 'high', 'capacity', [2]],
      ['rule', 'rule/rules.log/declined', 'low', 'payments', [4]],
    ]);
  });

  it('matches a rule on a structured field (JSON lines: user.id equals, route contains)', async () => {
    const j = (ts: number, level: string, msg: string, extra: object) => JSON.stringify({ time: iso(ts), level, msg, ...extra });
    const file = writeLog(
      tmp.dir,
      'fields.jsonl',
      [
        j(T0, 'info', 'request served', { user: { id: '7' }, route: '/api/cart' }),
        j(T0 + 1000, 'info', 'request served', { user: { id: '42' }, route: '/admin/users' }),
        j(T0 + 2000, 'info', 'request served', { user: { id: '42' }, route: '/api/cart' }),
      ].join('\n') + '\n',
    );
    const config = join(tmp.dir, 'fields.yml');
    writeFileSync(config, `rules:\n  - name: vip-admin\n    field: route\n    contains: /admin\n  - name: user-42\n    field: user.id\n    equals: '42'\n`);
    const anomalies = await scanJson(file, ['--config', config]);
    expect(anomalies.map((a) => [a.fingerprint, a.evidence_lines])).toEqual([
      ['rule/fields.jsonl/vip-admin', [2]],
      ['rule/fields.jsonl/user-42', [2, 3]],
    ]);
  });

  it('refuses a config whose rule regex could backtrack catastrophically (exit 2, key and reason)', async () => {
    const file = writeLog(tmp.dir, 'x.log', `${iso(T0)} INFO x\n`);
    const config = join(tmp.dir, 'bad.yml');
    writeFileSync(config, `rules:\n  - name: evil\n    regex: '^(a+)+$'\n`);
    const r = await run([file, '--config', config]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('rules.0.regex');
    expect(r.err).toContain('backtrack catastrophically');
  });

  it('--report naming a file (not a folder) is refused before scanning, not after printing the anomalies', async () => {
    const file = writeLog(tmp.dir, 'y.log', `${iso(T0)} FATAL disk gone\n`);
    const notDir = join(tmp.dir, 'reports.txt');
    writeFileSync(notDir, 'x');
    const r = await run([file, '--report', notDir]);
    expect(r).toEqual({ code: 2, out: '', err: `vigil scan: --report ${notDir} is a file; it must name a folder (made if missing)\n` });
  });

  it('--report into a folder that cannot be made is refused before scanning', async () => {
    const file = writeLog(tmp.dir, 'y2.log', `${iso(T0)} FATAL disk gone\n`);
    const r = await run([file, '--report', '/proc/vigil-cannot-be-here']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^vigil scan: --report \/proc\/vigil-cannot-be-here cannot be used for the reports: /);
  });

  it('--fail-on SEVERITY exits 3 when an anomaly that bad or worse was found (a CI step fails on it), 0 otherwise; the anomalies are printed either way', async () => {
    const file = writeLog(tmp.dir, 'ci.log', [`${iso(T0)} INFO build started`, `${iso(T0 + 1000)} FATAL out of memory: cannot allocate 4096 bytes`].join('\n') + '\n');
    const critical = await run([file, '--fail-on', 'critical']);
    expect(critical.code).toBe(3);
    expect(critical.out).toContain('[critical]');
    expect(critical.err).toBe('vigil scan: 1 anomaly of severity critical or worse (--fail-on critical)\n');
    expect((await run([file, '--fail-on', 'low', '--json'])).code).toBe(3);
    const clean = writeLog(tmp.dir, 'ci-clean.log', `${iso(T0)} INFO build started\n${iso(T0 + 1000)} INFO build passed\n`);
    expect(await run([clean, '--fail-on', 'low'])).toEqual({ code: 0, out: 'No anomalies.\n', err: '' });
    // Without it, anomalies found are no failure (as before).
    expect((await run([file])).code).toBe(0);
    expect((await run([file, '--fail-on', 'severe'])).code).toBe(2);
  });

  it('two scans into one --report folder (one per log file, as a CI loop does) keep both scans\' reports', async () => {
    const dir = join(tmp.dir, 'ci-reports');
    const a = writeLog(tmp.dir, 'svc-a.log', `${iso(T0)} FATAL out of memory in service a\n`);
    const b = writeLog(tmp.dir, 'svc-b.log', `${iso(T0)} FATAL out of memory in service b\n`);
    expect((await run([a, '--report', dir])).code).toBe(0);
    expect((await run([b, '--report', dir])).code).toBe(0);
    const names = readdirSync(dir).sort();
    expect(names).toHaveLength(2);
    const texts = names.map((n) => readFileSync(join(dir, n), 'utf8'));
    expect(texts.some((t) => t.includes('service a'))).toBe(true);
    expect(texts.some((t) => t.includes('service b'))).toBe(true);
  });

  it('--db naming the store a running Vigil writes is refused, even before it holds a record; no lock file is left beside a scan\'s own store', async () => {
    const file = writeLog(tmp.dir, 'lk.log', `${iso(T0)} FATAL disk gone\n`);
    const live = join(tmp.dir, 'live', 'vigil.db');
    const lock = StoreLock.acquire(live, 'server');
    try {
      const r = await run([file, '--db', live]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^vigil scan: --db .*vigil\.db: `vigil serve` \(pid \d+, since .*\) is already watching logs into .*; two at once would store every line twice\. scan writes a store of its own: name a new file\n$/);
      expect(existsSync(live)).toBe(false);
    } finally {
      lock?.release();
    }
    const own = join(tmp.dir, 'own.db');
    expect((await run([file, '--db', own])).code).toBe(0);
    expect(readdirSync(tmp.dir).filter((n) => n.startsWith('own.db'))).toEqual(['own.db']);
  });

  it('without --db the store is a temporary file (a big log does not take its size several times in RAM), removed at the end', async () => {
    const file = writeLog(tmp.dir, 't.log', `${iso(T0)} FATAL disk gone\n`);
    const own = join(tmp.dir, 'own-tmp');
    mkdirSync(own);
    const before = process.env.TMPDIR;
    process.env.TMPDIR = own;
    try {
      let seen: string[] = [];
      const sink = (each: () => void) => ({ write: () => (each(), true) }) as unknown as NodeJS.WritableStream;
      const r = await scanCommand([file], {
        stdout: sink(() => (seen = readdirSync(own))),
        stderr: sink(() => undefined),
      });
      expect(r).toBe(0);
      // While it ran (when it printed), its store was a file there; now nothing is left.
      expect(seen).toEqual([expect.stringMatching(/^vigil-scan-/)]);
      expect(readdirSync(own)).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
  });

  it('--db names a new store: one that holds records (an earlier scan, the app\'s) or another program\'s database is refused, untouched', async () => {
    const file = writeLog(tmp.dir, 'z.log', `${iso(T0)} FATAL disk gone\n`);
    const db = join(tmp.dir, 'scan-once.db');
    expect((await run([file, '--db', db])).code).toBe(0);
    const again = await run([file, '--db', db]);
    expect(again).toEqual({ code: 2, out: '', err: `vigil scan: --db ${db} is a Vigil store that holds 1 records already (an earlier scan, or the app's); scan writes a store of its own: name a new file\n` });
    const other = join(tmp.dir, 'other.db');
    const o = new Database(other);
    o.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)');
    o.close();
    expect((await run([file, '--db', other])).err).toBe(`vigil scan: --db ${other} is a database of another program; scan writes a store of its own: name a new file\n`);
    const o2 = new Database(other, { readonly: true });
    expect(o2.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all()).toEqual(['invoices']);
    o2.close();
  });

  it('a line without a time of its own is stored at the file\'s time, in whole milliseconds like every other', async () => {
    const file = writeLog(tmp.dir, 'no-time.log', 'hello there\n');
    utimesSync(file, 1_795_335_538.8356953, 1_795_335_538.8356953);
    const db = join(tmp.dir, 'no-time.db');
    expect((await run([file, '--db', db])).code).toBe(0);
    const d = new Database(db, { readonly: true });
    const ts = d.prepare('SELECT ts FROM events').pluck().get() as number;
    d.close();
    expect(Number.isInteger(ts)).toBe(true);
    expect(ts).toBe(Math.floor(statSync(file).mtimeMs));
  });

  it('refuses a config whose source forces a format that does not exist (it would be read with detection, silently)', async () => {
    const file = writeLog(tmp.dir, 'f.log', `${iso(T0)} INFO x\n`);
    const config = join(tmp.dir, 'typo.yml');
    writeFileSync(config, `sources:\n  - name: app\n    type: file\n    path: ${file}\n    format: nginx_access\n`);
    const r = await run([file, '--config', config]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^vigil scan: invalid config .*typo\.yml:\nsources\.0\.format: "nginx_access" is not a known format \(known: .*syslog/);
  });

  it('an error storm\'s anomaly counts its records and ends at its last error, however long the error rate stays high on average after it', async () => {
    const r = rng(11);
    const errors = Array.from({ length: 300 }, (_, i) => ({ ts: T0 + 1_200_000 + i * 100, level: 'ERROR' as const, message: `db connection refused to 10.0.0.5:5432 session ${i}` }));
    const lines = [...steady(r, T0, 1200, 2), ...errors, ...steady(r, T0 + 1_240_000, 600, 2)];
    const file = writeLog(tmp.dir, 'storm.log', render(lines));
    const list = await scanJson(file);
    const storm = list.find((a) => a.fingerprints.some((f) => f.startsWith('error-rate/')));
    expect(storm).toBeDefined();
    const last = new Date(errors.at(-1)!.ts).toISOString();
    expect(storm!.last_ts <= last, `${storm!.last_ts} after the last error ${last}`).toBe(true);
    expect(storm!.count).toBe(storm!.evidence_lines.length);
  });

  it("a burst's message and numbers say its peak, not the count when it first crossed the threshold", async () => {
    const r = rng(12);
    // A known error (one every ~50 s while learning), then 10 a second for 30 s: 100 in any 10 s window.
    const learning = steady(r, T0, 1200, 2, (ts, i) => (i % 100 === 99 ? knownError(r, ts) : null));
    const errors = Array.from({ length: 300 }, (_, i) => knownError(r, T0 + 1_200_000 + i * 100));
    const file = writeLog(tmp.dir, 'peak.log', render([...learning, ...errors, ...steady(r, T0 + 1_240_000, 60, 2)]));
    const burst = (await scanJson(file)).find((a) => a.detector === 'burst');
    expect(burst).toBeDefined();
    const said = Number(/^(\d+) records at error or above within 10 s/.exec(burst!.message)?.[1]);
    expect(said).toBeGreaterThanOrEqual(95);
    expect(burst!.numbers.count).toBe(said);
  });

  it('a new exception at a low rate is one anomaly: the error rate it raises minutes later joins it (its records are the same)', async () => {
    // A Python worker at about a line a second for 40 minutes; from minute 20 a new KeyError every 30 s.
    const r = rng(13);
    const stamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
    const lines: [number, string][] = [];
    for (let t = T0; t < T0 + 40 * 60_000; t += Math.round(200 + r() * 1600)) {
      lines.push([t, r() < 0.02 ? `${stamp(t)} WARNING [billing.worker] retrying invoice ${1000 + Math.floor(r() * 9000)} after HTTP 429` : `${stamp(t)} INFO [billing.worker] invoice ${1000 + Math.floor(r() * 9000)} charged ${(r() * 900).toFixed(2)} EUR`]);
    }
    for (let t = T0 + 20 * 60_000; t < T0 + 40 * 60_000; t += 30_000) {
      lines.push([t, `${stamp(t)} ERROR [billing.worker] failed to process invoice ${1000 + Math.floor(r() * 9000)}\nTraceback (most recent call last):\n  File "/srv/billing/worker.py", line 88, in handle\n    amount = invoice["line_items"][0]["amount"]\nKeyError: 'line_items'`]);
    }
    const text = (extra: [number, string][]) => [...lines, ...extra].sort((a, b) => a[0] - b[0]).map((l) => l[1]).join('\n') + '\n';
    const list = await scanJson(writeLog(tmp.dir, 'billing.log', text([])));
    // (Without the rule: this and "Error rate rising in billing.log", over the same records.)
    expect(list.map((a) => a.title)).toEqual(['KeyError in billing.log']);
    // A DB outage 10 minutes later is another problem: its own anomaly, not more of the KeyError.
    // (Its error seen three times before: not new, a burst.)
    const outage: [number, string][] = [5, 10, 15].map((m) => [T0 + m * 60_000, `${stamp(T0 + m * 60_000)} ERROR [billing.db] could not connect to server: Connection refused`]);
    for (let t = T0 + 30 * 60_000; t < T0 + 32 * 60_000; t += 125) outage.push([t, `${stamp(t)} ERROR [billing.db] could not connect to server: Connection refused`]);
    const both = await scanJson(writeLog(tmp.dir, 'billing-outage.log', text(outage)));
    expect(both.map((a) => a.title)).toEqual(['KeyError in billing-outage.log', 'Burst of errors in billing-outage.log']);
    expect(both[0]!.count).toBe(40);
    // And it ends with the outage: the KeyErrors after it are the KeyError's (they kept it open 12 minutes).
    expect(both[1]).toMatchObject({ state: 'resolved' });
    expect(Date.parse(both[1]!.last_ts)).toBeLessThanOrEqual(T0 + 32 * 60_000 + 10_000);
  });

  it('an error-only log (nginx error.log): an outage is one anomaly that ends with it; the routine errors after it neither keep it open nor raise "error rate rising"', async () => {
    const r = rng(14);
    const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ').replaceAll('-', '/');
    const line = (t: number, what: string) => `${stamp(t)} [error] 1234#1234: *${Math.floor(r() * 999999)} ${what}, client: 10.0.0.${1 + Math.floor(r() * 254)}, server: shop.example.com, request: "POST /api/orders HTTP/1.1", upstream: "http://127.0.0.1:8080/api/orders"`;
    const lines: string[] = [];
    const outage = [T0 + 30 * 60_000, T0 + 32 * 60_000];
    for (let t = T0; t < T0 + 52 * 60_000; ) {
      const during = t >= outage[0]! && t < outage[1]!;
      t += Math.max(1, Math.round(-Math.log(1 - r()) * (during ? 1000 / 14 : 25_000)));
      lines.push(line(t, during ? 'connect() failed (111: Connection refused) while connecting to upstream' : 'upstream timed out (110: Connection timed out) while reading response header from upstream'));
    }
    const list = await scanJson(writeLog(tmp.dir, 'error.log', lines.join('\n') + '\n'));
    expect(list.map((a) => [a.title, a.state])).toEqual([['Burst of errors in error.log', 'resolved']]);
    expect(Date.parse(list[0]!.last_ts)).toBeLessThanOrEqual(outage[1]! + 1000);
  });

  it('an error that recurs every 6 minutes as a cluster (3 retries within a second) pages as often as one that recurs alone: its rhythm is of occurrences', async () => {
    const stamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
    const job = (retries: number) => {
      const lines: [number, string][] = [];
      for (let k = 0; k < 8; k++) {
        for (let j = 0; j < retries; j++) {
          const t = T0 + k * 6 * 60_000 + j * 300;
          lines.push([t, `${stamp(t)} ERROR 4242 --- [scheduling-1] c.shop.jobs.SyncJob : sync attempt ${j + 1} failed\njava.net.SocketTimeoutException: Read timed out\n\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)\n\tat com.shop.jobs.SyncJob.run(SyncJob.java:40)`]);
        }
        for (let sec = 5; sec < 360; sec += 20) {
          const t = T0 + k * 6 * 60_000 + sec * 1000;
          lines.push([t, `${stamp(t)}  INFO 4242 --- [scheduling-1] c.shop.jobs.SyncJob : heartbeat ok`]);
        }
      }
      return lines.sort((a, b) => a[0] - b[0]).map((l) => l[1]).join('\n') + '\n';
    };
    const alone = await scanJson(writeLog(tmp.dir, 'sync1.log', job(1)));
    const clustered = await scanJson(writeLog(tmp.dir, 'sync3.log', job(3)));
    expect(alone).toHaveLength(2);
    expect(clustered.map((a) => a.state)).toEqual(alone.map((a) => a.state));
  });

  it('a multi-line stack trace is a finding; the same crash again attaches to it', async () => {
    const trace = (ts: number) =>
      [
        `${iso(ts)} ERROR Unhandled exception in worker`,
        'java.lang.NullPointerException: Cannot invoke "Order.total()" because "order" is null',
        '\tat com.shop.billing.Invoice.render(Invoice.java:88)',
        '\tat com.shop.billing.Worker.run(Worker.java:41)',
        '\tat java.base/java.lang.Thread.run(Thread.java:1583)',
      ].join('\n');
    const file = writeLog(tmp.dir, 'trace.log', [`${iso(T0)} INFO up`, trace(T0 + 1000), `${iso(T0 + 2000)} INFO ok`, trace(T0 + 3000)].join('\n') + '\n');
    const anomalies = await scanJson(file);
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]).toMatchObject({ detector: 'traceback', count: 2, evidence_lines: [2, 3, 4, 5, 6, 8, 9, 10, 11, 12] });
    expect(anomalies[0]!.title).toContain('NullPointerException');
  });

  it('takes alert-jsonl entries of type "anomaly" as anomalies with their severity', async () => {
    const line = (ts: number, type: string, severity: string, message: string, details: unknown) => JSON.stringify({ timestamp: iso(ts), type, severity, message, details });
    const file = writeLog(
      tmp.dir,
      'alerts.jsonl',
      [
        line(T0, 'heartbeat', 'info', 'monitor alive', {}),
        line(T0 + 1000, 'anomaly', 'critical', 'error rate 12x baseline', { name: 'api-errors', rate: 12 }),
        line(T0 + 2000, 'anomaly', 'low', 'queue slightly long', { name: 'queue' }),
        line(T0 + 3000, 'anomaly', 'critical', 'error rate 15x baseline', { name: 'api-errors', rate: 15 }),
      ].join('\n') + '\n',
    );
    const anomalies = await scanJson(file);
    expect(anomalies.map((a) => [a.detector, a.severity, a.fingerprint, a.evidence_lines])).toEqual([
      ['alert', 'critical', 'alert/alerts.jsonl/api-errors', [2, 4]],
      ['alert', 'low', 'alert/alerts.jsonl/queue', [3]],
    ]);
  });

  it('alert-jsonl entries without a name are told apart by what they say: six hosts are six anomalies, a repeat joins its own', async () => {
    const line = (ts: number, host: string) => JSON.stringify({ timestamp: iso(ts), type: 'anomaly', severity: host === 'db3' ? 'medium' : 'critical', message: `disk full on ${host}`, details: { host } });
    const hosts = ['db1', 'db2', 'db3', 'db4', 'db5', 'db6', 'db2'];
    const file = writeLog(tmp.dir, 'hosts.jsonl', hosts.map((h, i) => line(T0 + i * 1000, h)).join('\n') + '\n');
    const anomalies = await scanJson(file);
    expect(anomalies.map((a) => [a.title, a.severity, a.evidence_lines])).toEqual([
      ['disk full on db1', 'critical', [1]],
      ['disk full on db2', 'critical', [2, 7]],
      ['disk full on db3', 'medium', [3]],
      ['disk full on db4', 'critical', [4]],
      ['disk full on db5', 'critical', [5]],
      ['disk full on db6', 'critical', [6]],
    ]);
  });

  it('silence on a job that writes a batch every 15 minutes: its pauses are learned, a missed run is a silence', async () => {
    const lines = [];
    // Every 15 minutes for 8 hours, but for two missed runs at 4:00 and two at 6:00.
    const runs = Array.from({ length: 33 }, (_, k) => k * 15).filter((m) => ![240, 255, 360, 375].includes(m));
    for (const m of runs) for (let i = 0; i < 60; i++) lines.push({ ts: T0 + m * 60_000 + i * 1000, level: 'INFO' as const, message: `sync batch item ${i} done` });
    const file = writeLog(tmp.dir, 'cron.log', render(lines));
    const config = join(tmp.dir, 'cron.yml');
    writeFileSync(config, `detection:\n  silence: { minMs: 300000, factor: 10 }\n`);
    const anomalies = await scanJson(file, ['--config', config]);
    // Each gap of missed runs, and no other pause; the first is not learned as a rhythm either.
    expect(anomalies.map((a) => a.detector)).toEqual(['silence', 'silence']);
    expect(Date.parse(anomalies[0]!.opened_ts)).toBeGreaterThan(T0 + 226 * 60_000);
    expect(Date.parse(anomalies[1]!.opened_ts)).toBeGreaterThan(T0 + 346 * 60_000);
    expect(anomalies[0]!.message).toMatch(/and pauses for \d+ s$/);
  });

  it('silence: outages of a source that writes steadily are each a silence, not learned as its pauses', async () => {
    const r = rng(16);
    const down = [[30, 50], [90, 110], [150, 175]];
    const lines = steady(r, T0, 200 * 60, 1).filter((l) => !down.some(([a, b]) => l.ts >= T0 + a! * 60_000 && l.ts < T0 + b! * 60_000));
    const config = join(tmp.dir, 'outages.yml');
    writeFileSync(config, `detection:\n  silence: { minMs: 300000, factor: 10 }\n`);
    const anomalies = await scanJson(writeLog(tmp.dir, 'outages.log', render(lines)), ['--config', config]);
    expect(anomalies.map((a) => a.detector)).toEqual(['silence', 'silence', 'silence']);
  });

  it('silence, when enabled for a source: a source that always writes goes quiet', async () => {
    const r = rng(9);
    const lines = [...steady(r, T0, 15 * 60, 5), ...steady(r, T0 + 15 * 60_000 + 10 * 60_000, 60, 5)];
    const file = writeLog(tmp.dir, 'quiet.log', render(lines));
    const config = join(tmp.dir, 'silence.yml');
    writeFileSync(config, `sources:\n  - name: svc\n    type: file\n    path: ${JSON.stringify(file)}\n    detectors:\n      silence: { minMs: 120000 }\n`);
    const anomalies = await scanJson(file, ['--config', config]);
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]).toMatchObject({ detector: 'silence', source: 'svc', state: 'resolved' });
    expect(Date.parse(anomalies[0]!.opened_ts) - (T0 + 15 * 60_000)).toBeLessThanOrEqual(125_000);
  });
  it("--config: a source's relative path is read from the config's folder, as the engine does: its name and its rules apply to the file", async () => {
    const dir = join(tmp.dir, 'relative');
    mkdirSync(join(dir, 'cfg'), { recursive: true });
    const file = writeLog(dir, 'pay.log', `${iso(T0)} ERROR Payment for order 1 FAILED\n`);
    const config = join(dir, 'cfg', 'vigil.yml');
    writeFileSync(config, `sources:\n  - name: payments\n    type: file\n    path: ../pay.log\nrules:\n  - name: pay\n    regex: FAILED\n    sources: [payments]\n    severity: high\n`);
    const anomalies = await scanJson(file, ['--config', config]);
    expect(anomalies.filter((a) => a.detector === 'rule')).toEqual([expect.objectContaining({ source: 'payments', severity: 'high', title: 'pay in payments' })]);
  });
  it("a crash whose level is a number (pino's 60) is titled by the level's name, not the number", async () => {
    const file = writeLog(tmp.dir, 'pino.jsonl', `${JSON.stringify({ level: 30, time: T0, pid: 1, hostname: 'h', msg: 'listening' })}\n${JSON.stringify({ level: 60, time: T0 + 1000, pid: 1, hostname: 'h', msg: 'uncaught exception, process exiting' })}\n`);
    const [a, ...rest] = await scanJson(file);
    expect(rest).toEqual([]);
    expect(a).toMatchObject({ detector: 'critical', severity: 'critical', title: 'FATAL in pino.jsonl: uncaught exception, process exiting' });
  });
  it("a JSON record carrying a stack trace in a field (pino's err.stack, ECS's error.stack_trace) is a traceback, titled by what failed", async () => {
    const ok = (i: number) => JSON.stringify({ level: 30, time: T0 + i * 100, pid: 1, hostname: 'api-1', msg: 'request completed', req: { url: `/v1/items/${i}` } });
    const stack = "TypeError: Cannot read properties of undefined (reading 'id')\n    at getUser (/srv/api/users.js:42:17)\n    at Layer.handle (/srv/api/node_modules/express/lib/router/layer.js:95:5)";
    const pino = JSON.stringify({ level: 50, time: T0 + 5000, pid: 1, hostname: 'api-1', msg: 'request errored', err: { type: 'TypeError', message: "Cannot read properties of undefined (reading 'id')", stack } });
    const ecs = JSON.stringify({ '@timestamp': new Date(T0 + 6000).toISOString(), 'log.level': 'error', message: 'query failed', error: { type: 'java.sql.SQLException', stack_trace: 'java.sql.SQLException: Connection is closed\n\tat com.zaxxer.hikari.pool.ProxyConnection.checkClosed(ProxyConnection.java:515)\n\tat com.shop.Repo.find(Repo.java:88)' } });
    const list = await scanJson(writeLog(tmp.dir, 'api.jsonl', [ok(1), ok(2), pino, ok(3)].join('\n') + '\n'));
    expect(list.map((a) => [a.detector, a.title, a.message])).toEqual([['traceback', 'TypeError in api.jsonl', "request errored: TypeError: Cannot read properties of undefined (reading 'id')"]]);
    const ecsList = await scanJson(writeLog(tmp.dir, 'ecs.jsonl', ecs + '\n'));
    expect(ecsList.map((a) => a.title)).toEqual(['java.sql.SQLException in ecs.jsonl']);
    const py = JSON.stringify({ asctime: '2026-01-05 10:00:00,000', levelname: 'ERROR', message: 'failed to process invoice', exc_info: 'Traceback (most recent call last):\n  File "/srv/billing/worker.py", line 88, in handle\n    amount = invoice["line_items"][0]["amount"]\nKeyError: \'line_items\'' });
    expect((await scanJson(writeLog(tmp.dir, 'py.jsonl', py + '\n'))).map((a) => a.title)).toEqual(['KeyError in py.jsonl']);
  });

  it('a JSON record whose logger put a stack below warn (a handled exception at info or debug) is no crash; the same at warn, with no level, or a text traceback after an INFO line (an uncaught one joins it) is', async () => {
    const stack = 'java.net.SocketTimeoutException: Read timed out\n\tat java.net.SocketInputStream.read(SocketInputStream.java:183)\n\tat com.shop.Client.call(Client.java:51)';
    const pino = (level: number, i: number) => JSON.stringify({ level, time: T0 + i * 1000, pid: 1, hostname: 'api-1', msg: 'retrying upstream', err: { type: 'SocketTimeoutException', stack } });
    expect(await scanJson(writeLog(tmp.dir, 'handled.jsonl', [pino(30, 1), pino(20, 2)].join('\n') + '\n'))).toEqual([]);
    // `python app.py >> app.log 2>&1`: the uncaught traceback joins the INFO line before it.
    const text = [`${iso(T0)} INFO worker: started`, 'Traceback (most recent call last):', '  File "/srv/app.py", line 3, in <module>', '    main()', "KeyError: 'id'"].join('\n');
    expect((await scanJson(writeLog(tmp.dir, 'joined.log', text + '\n'))).map((a) => a.detector)).toEqual(['traceback']);
    const warned = await scanJson(writeLog(tmp.dir, 'warned.jsonl', pino(40, 1) + '\n'));
    expect(warned.map((a) => [a.detector, a.title])).toEqual([['traceback', 'java.net.SocketTimeoutException in warned.jsonl']]);
    const bare = await scanJson(writeLog(tmp.dir, 'stderr.log', ['Traceback (most recent call last):', '  File "/srv/app.py", line 3, in <module>', '    main()', "KeyError: 'id'"].join('\n') + '\n'));
    expect(bare.map((a) => a.detector)).toEqual(['traceback']);
  });
});
