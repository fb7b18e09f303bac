// `vigil scan --report DIR` and `vigil report`: the built command, on real files and a real store.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentReport } from '../../../shared/types.js';
import { tempDir } from '../../support/tmp.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const vigil = (...args: string[]) => spawnSync(process.execPath, [join(repo, 'bin', 'vigil.js'), ...args], { encoding: 'utf8', timeout: 60_000 });

const tmp = tempDir('vigil-report-cli-');
const T0 = Date.parse('2026-11-20T08:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
let log: string;
let db: string;

beforeAll(() => {
  // Two incidents: a fatal line, and later a Python traceback, among ordinary lines.
  const lines: string[] = [];
  for (let i = 0; i < 120; i++) lines.push(`${iso(T0 + i * 1000)} INFO GET /items/${i} 200 from 172.16.0.${i % 3}`);
  lines.push(`${iso(T0 + 120_000)} FATAL disk /dev/sda1 failed; contact admin@example.org password=hunter2`);
  for (let i = 0; i < 600; i++) lines.push(`${iso(T0 + 121_000 + i * 1000)} INFO GET /items/${i} 200 from 172.16.0.${i % 3}`);
  lines.push(
    `${iso(T0 + 800_000)} ERROR worker crashed`,
    'Traceback (most recent call last):',
    '  File "/srv/app/worker.py", line 10, in run',
    '    job()',
    'ValueError: bad job',
  );
  lines.push(`${iso(T0 + 801_000)} INFO GET /items/0 200 from 172.16.0.1`);
  log = join(tmp.dir, 'app.log');
  writeFileSync(log, lines.join('\n') + '\n');
  db = join(tmp.dir, 'scan.db');
});
afterAll(() => tmp.cleanup());

describe('vigil scan --report', () => {
  it('writes one report per anomaly it prints, in the format asked, redacted when asked', () => {
    const out = join(tmp.dir, 'reports');
    const r = vigil('scan', log, '--json', '--db', db, '--report', out, '--report-format', 'html', '--redact');
    expect(r.stderr).toContain(`reports written to ${out}`);
    expect(r.status).toBe(0);
    const anomalies = JSON.parse(r.stdout) as { id: number; title: string; first_ts: string }[];
    expect(anomalies.length).toBeGreaterThanOrEqual(2);
    const files = readdirSync(out).sort();
    expect(files).toEqual(anomalies.map((a) => `vigil-incident-${a.id}-${a.first_ts.slice(0, 16).replace(/[-:]/g, '').replace('T', '-')}.html`).sort());
    for (const f of files) {
      const html = readFileSync(join(out, f), 'utf8');
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).not.toContain('172.16.0.');
      expect(html).not.toContain('hunter2');
      expect(html).not.toContain('admin@example.org');
    }
    const fatal = readFileSync(join(out, files.find((f) => readFileSync(join(out, f), 'utf8').includes('disk /dev/sda1 failed'))!), 'utf8');
    expect(fatal).toContain('contact &lt;email-1&gt; password=&lt;secret&gt;');
    // The source is named for the file scanned.
    expect(fatal).toContain(`app.log (file: ${log})`);
  });

  it('--report-format and --redact alone are a usage error', () => {
    const r = vigil('scan', log, '--redact');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--report-format and --redact go with --report DIR');
    expect(vigil('scan', log, '--report', join(tmp.dir, 'x'), '--report-format', 'pdf').status).toBe(2);
  });
});

describe('vigil report', () => {
  it('--latest --format json: the newest anomaly of the store, with its evidence lines', () => {
    const newest = new Database(db, { readonly: true }).prepare('SELECT max(id) FROM anomalies').pluck().get() as number;
    const r = vigil('report', '--db', db, '--latest', '--format', 'json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const rep = JSON.parse(r.stdout) as IncidentReport;
    expect(rep.anomaly.id).toBe(newest);
    expect(rep.lines.filter((l) => l.role === 'evidence').map((l) => l.raw).join('\n')).toContain('ValueError: bad job');
  });

  it('--db without --config reads the vigil.yml beside the store, as the app keeps them: the source is named with its file, not "not in the config"', () => {
    const before = vigil('report', '--db', db, '--latest');
    expect(before.stdout).toContain('| Source | app.log (not in the config) |');
    const beside = join(tmp.dir, 'vigil.yml');
    writeFileSync(beside, `sources:\n  - { name: app.log, type: file, path: ${JSON.stringify(log)} }\n`);
    try {
      const r = vigil('report', '--db', db, '--latest');
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain(`| Source | app.log (file: ${log}) |`);
      // One half edited does not block the report: it says so, and names the source without it.
      writeFileSync(beside, 'sources: [oops\n');
      const broken = vigil('report', '--db', db, '--latest');
      expect(broken.status).toBe(0);
      expect(broken.stdout).toContain('| Source | app.log (not in the config) |');
      expect(broken.stderr).toMatch(/^vigil report: invalid config .*vigil\.yml:[\s\S]*so it is not used/);
    } finally {
      rmSync(beside);
    }
  });

  it('ID --out: into a folder under the report\'s own name, or into the file named', () => {
    const r = vigil('report', '1', '--db', db, '--out', tmp.dir);
    expect(r.status).toBe(0);
    const written = readdirSync(tmp.dir).filter((f) => f.startsWith('vigil-incident-1-') && f.endsWith('.md'));
    expect(written).toHaveLength(1);
    expect(readFileSync(join(tmp.dir, written[0]!), 'utf8')).toMatch(/^# Incident: /);
    const file = join(tmp.dir, 'one.md');
    expect(vigil('report', '1', '--db', db, '--out', file).status).toBe(0);
    // The same report, but for the time it was written.
    const body = (s: string) => s.replace(/Written by .*\n$/, '');
    expect(body(readFileSync(file, 'utf8'))).toBe(body(readFileSync(join(tmp.dir, written[0]!), 'utf8')));
    expect(body(readFileSync(file, 'utf8'))).not.toBe(readFileSync(file, 'utf8'));
    // A name ending in / is a folder: made, the report in it (was EISDIR).
    const folder = join(tmp.dir, 'new-folder', 'reports') + '/';
    expect(vigil('report', '1', '--db', db, '--out', folder).status).toBe(0);
    expect(readdirSync(folder)).toEqual([written[0]]);
  });

  it('--tz writes times in a zone, each with its offset; local is the machine\'s; an unknown zone is refused', () => {
    const kolkata = vigil('report', '1', '--db', db, '--tz', 'Asia/Kolkata');
    expect(kolkata.status).toBe(0);
    expect(kolkata.stdout).toContain('## Timeline (Asia/Kolkata, UTC+05:30)');
    expect(kolkata.stdout).toMatch(/\| First seen \| 2026-11-20 13:\d\d:\d\d \+05:30 \|/);
    const local = spawnSync(process.execPath, [join(repo, 'bin', 'vigil.js'), 'report', '1', '--db', db, '--tz', 'local', '--format', 'json'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, TZ: 'America/New_York' },
    });
    expect((JSON.parse(local.stdout) as IncidentReport).timeZone).toBe('America/New_York');
    const bad = vigil('report', '1', '--db', db, '--tz', 'Mars/Olympus');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--tz: "Mars/Olympus" is not a time zone');
  });

  it('a very long line is cut in the report, saying how much more the store has', () => {
    const long = `${iso(T0)} FATAL ${'x'.repeat(50_000)} end`;
    const file = join(tmp.dir, 'long.log');
    writeFileSync(file, `${iso(T0 - 1000)} INFO start\n${long}\n`);
    const store = join(tmp.dir, 'long.db');
    expect(vigil('scan', file, '--db', store).status).toBe(0);
    const r = vigil('report', '--db', store, '--latest', '--format', 'json');
    expect(r.status).toBe(0);
    const ev = (JSON.parse(r.stdout) as IncidentReport).lines.find((l) => l.role === 'evidence')!;
    expect(ev.raw.startsWith(long.slice(0, 15_999) + '…')).toBe(true);
    expect(ev.raw.endsWith(` [${long.length - 15_999} more characters in the store]`)).toBe(true);
    // Its template too (as long as the line): in each line and in the messages of the evidence.
    const report = JSON.parse(r.stdout) as IncidentReport;
    expect(ev.template!.length).toBeLessThan(16_100);
    expect(Math.max(...report.templates.map((t) => t.template.length))).toBeLessThan(16_100);
    const html = vigil('report', '--db', store, '--latest', '--format', 'html');
    expect(html.stdout.length).toBeLessThan(80_000);
  });

  it('says clearly what is wrong: no such anomaly, no store, not a store, a bad ID or format', () => {
    const none = vigil('report', '9999', '--db', db);
    expect(none.status).toBe(2);
    expect(none.stderr).toBe(`vigil report: no anomaly #9999 in ${db}\n`);
    const missing = vigil('report', '1', '--db', join(tmp.dir, 'nope.db'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no store at');
    const other = join(tmp.dir, 'other.db');
    new Database(other).exec('CREATE TABLE t (x)');
    const notStore = vigil('report', '1', '--db', other);
    expect(notStore.status).toBe(2);
    expect(notStore.stderr).toContain('is not a Vigil store');
    expect(vigil('report', 'abc', '--db', db).stderr).toContain('"abc" is not an anomaly ID');
    expect(vigil('report', '1', '--db', db, '--format', 'pdf').status).toBe(2);
    // No ID: the newest anomalies are listed, to name one.
    const bare = vigil('report', '--db', db);
    expect(bare.status).toBe(2);
    const newest = new Database(db, { readonly: true }).prepare('SELECT id, title FROM anomalies ORDER BY id DESC LIMIT 1').get() as { id: number; title: string };
    expect(bare.stderr).toMatch(new RegExp(`^vigil report: give one anomaly ID or --latest\\nThe newest anomalies in .*:\\n +${newest.id}  \\w+ +\\w+ +`));
    expect(bare.stderr).toContain(newest.title);
  });
});

describe('vigil report on a large anomaly', () => {
  it('the messages of the evidence are counted over all of it in the store, not over the 200 lines shown; the Markdown gives the store-wide count too', () => {
    const lines: string[] = [];
    for (let i = 0; i < 600; i++) lines.push(`${iso(T0 + i * 2000)} INFO GET /items/${i} 200`);
    // A storm of 400 errors of two kinds in 40 s.
    for (let i = 0; i < 400; i++) lines.push(`${iso(T0 + 1_200_000 + i * 100)} ERROR ${i % 4 ? `db connection refused for session ${i}` : `payment ${i} declined by gateway`}`);
    for (let i = 0; i < 300; i++) lines.push(`${iso(T0 + 1_260_000 + i * 2000)} INFO GET /items/${i} 200`);
    const file = join(tmp.dir, 'storm.log');
    writeFileSync(file, lines.join('\n') + '\n');
    const store = join(tmp.dir, 'storm.db');
    expect(vigil('scan', file, '--db', store).status).toBe(0);
    const d = new Database(store, { readonly: true });
    const a = d.prepare("SELECT a.id, count(*) AS n FROM anomalies a JOIN anomaly_events e ON e.anomaly_id = a.id AND e.role = 'evidence' GROUP BY a.id ORDER BY n DESC LIMIT 1").get() as { id: number; n: number };
    const inStore = d.prepare("SELECT r.template_id AS id, count(*) AS n FROM anomaly_events e JOIN records r ON r.id = e.record_id WHERE e.anomaly_id = ? AND e.role = 'evidence' GROUP BY 1 ORDER BY 2 DESC").all(a.id) as { id: number; n: number }[];
    d.close();
    expect(a.n).toBeGreaterThan(200);
    const r = vigil('report', String(a.id), '--db', store, '--format', 'json');
    expect(r.status).toBe(0);
    const rep = JSON.parse(r.stdout) as IncidentReport;
    expect(rep.lines.filter((l) => l.role === 'evidence')).toHaveLength(200);
    expect(rep.templates.map((t) => [t.id, t.count])).toEqual(inStore.map((t) => [t.id, t.n]));
    const md = vigil('report', String(a.id), '--db', store);
    expect(md.stdout).toContain('| records | in the store | template | seen |');
    expect(md.stdout).toContain(`| ${inStore[0]!.n} | `);
  });
});
