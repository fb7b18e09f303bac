// Incident reports from the running engine (`anomalies.report`): a real file, the real
// store, detection, and a notice delivered to a real receiver on 127.0.0.1, then the
// report in each format says what happened, from the store.
import { appendFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCommand } from '../../../electron/cli/report.js';
import { Engine } from '../../../electron/engine/engine.js';
import type { IncidentReport, ReportFile, SourceView } from '../../../shared/types.js';
import { startReceiver, type Receiver } from '../../support/http-receiver.js';
import { RecordingToaster } from '../../support/notify-harness.js';
import { tempDir, waitFor } from '../../support/tmp.js';

const T0 = Date.parse('2026-11-21T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const FATAL = `${iso(T0 + 60_000)} FATAL payment db 10.1.2.3 unreachable for ops@example.com <script>alert(1)</script> | pipe`;

let engine: Engine;
let hook: Receiver;
let smtp: SMTPServer;
const mails: string[] = [];
let id: number;
const tmp = tempDir('vigil-report-');
const written: string[] = [];

beforeAll(async () => {
  hook = await startReceiver();
  // A real SMTP server on 127.0.0.1 for the e-mail channel that attaches reports.
  smtp = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push(Buffer.concat(chunks).toString('utf8'));
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const log = join(tmp.dir, 'app.log');
  writeFileSync(log, '');
  writeFileSync(
    join(tmp.dir, 'vigil.yml'),
    `sources:\n  - { name: app, type: file, path: ${JSON.stringify(log)} }\n` + `channels:\n  - { name: hook, type: webhook, url: "${hook.url}" }\n` +
      `  - { name: mail, type: email, host: 127.0.0.1, port: ${smtpPort}, starttls: "off", from: "vigil@example.org", to: [oncall@example.org], attachReport: html, redactReport: true }\n` +
      `notify: { groupWindow: 0 }\n`,
  );
  engine = await Engine.start({ dataDir: tmp.dir, host: 'cli', log: () => undefined, toaster: new RecordingToaster() });
  await waitFor(async () => ((await engine.handlers['sources.list']({})) as SourceView[])[0]?.status.state === 'watching', { what: 'source watching' });
  // A minute of ordinary lines from two hosts, the fatal line, and a few lines after it.
  for (let i = 0; i < 60; i++) written.push(`${iso(T0 + i * 1000)} INFO request ${i} served from 192.168.7.${i % 2 ? 20 : 21}`);
  written.push(FATAL);
  for (let i = 0; i < 5; i++) written.push(`${iso(T0 + 61_000 + i * 1000)} INFO request ${100 + i} served from 192.168.7.20`);
  appendFileSync(log, written.join('\n') + '\n');
  await waitFor(() => hook.requests.length === 1, { what: 'the webhook notice' });
  await waitFor(() => mails.length === 1, { what: 'the mail' });
  await waitFor(() => engine.notifications.history({}).filter((h) => h.status === 'sent').length === 2, { what: 'both notices marked sent' });
  id = engine.notifications.history({})[0]!.anomalyId!;
  await engine.handlers['anomalies.ack']({ id });
  // The lines after the fatal one are stored (context is read from the store).
  await waitFor(async () => (await engine.handlers['events.tail']({ limit: 100 })).events.length === written.length, { what: 'every line stored' });
});

afterAll(async () => {
  await engine?.close();
  await hook?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  tmp.cleanup();
});

async function report(format: 'markdown' | 'html' | 'json', redact = false): Promise<ReportFile> {
  const file = await engine.handlers['anomalies.report']({ id, format, redact });
  expect(file).not.toBeNull();
  return file!;
}

describe('anomalies.report', () => {
  it('JSON: the anomaly, its evidence with the lines around it, the notice sent, the timeline and the counts around it', async () => {
    const file = await report('json');
    expect(file.filename).toBe(`vigil-incident-${id}-20261121-1001.json`);
    expect(file.mimeType).toBe('application/json');
    const r = JSON.parse(file.text) as IncidentReport;
    expect(r.anomaly).toMatchObject({ id, source: 'app', severity: 'critical', state: 'acknowledged', firstTs: T0 + 60_000 });
    expect(r.source).toEqual({ name: 'app', type: 'file', where: join(tmp.dir, 'app.log') });
    const evidence = r.lines.filter((l) => l.role === 'evidence');
    expect(evidence.map((l) => l.raw)).toEqual([FATAL]);
    // Context: the lines just before and after it in the file.
    const context = r.lines.filter((l) => l.role === 'context').map((l) => l.raw);
    expect(context).toContain(written[59]);
    expect(context).toContain(written[61]);
    expect(r.notifications.map((n) => [n.channel, n.kind, n.status, n.attempts]).sort()).toEqual([
      ['hook', 'firing', 'sent', 1],
      ['mail', 'firing', 'sent', 1],
    ]);
    const what = r.timeline.map((e) => e.what);
    expect(what[0]).toBe('first evidence record');
    expect(what).toContain('notice sent to hook');
    expect(what.at(-1)).toBe('acknowledged');
    // Every line written falls in the window, so the buckets count them all, the fatal one as the only error.
    expect(r.rates.points.reduce((n, p) => n + p.total, 0)).toBe(written.length);
    expect(r.rates.points.reduce((n, p) => n + p.errors, 0)).toBe(1);
    expect(r.rates.points.find((p) => p.errors === 1)!.t).toBeLessThanOrEqual(T0 + 60_000);
    expect(r.templates).toEqual([expect.objectContaining({ count: 1, newInIncident: true, template: expect.stringContaining('payment db') })]);
    expect(r.redacted).toBe(false);
  });

  it('Markdown: the title, the facts, the evidence line verbatim in a fence, the notice', async () => {
    const md = (await report('markdown')).text;
    expect(md).toMatch(/^# Incident: /);
    expect(md).toContain('| Source | app (file: ');
    expect(md).toContain('| State | acknowledged at ');
    // Verbatim in the evidence block, marked as evidence.
    expect(md).toContain(`> ${iso(T0 + 60_000)} fatal    ${FATAL}`);
    expect(md).toMatch(/\| hook \| firing \| sent \| 1 \| 2026-/);
    // In table cells a pipe is escaped, so the table keeps its columns.
    expect(md).toContain('\\| pipe');
  });

  it('HTML: one file with no script and nothing remote; the log text escaped', async () => {
    const html = (await report('html')).text;
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/(src|href)=["']?https?:/i);
    expect(html).toContain('<svg class="chart"');
  });

  it('redacted: no address from the log is left, the same address is the same placeholder', async () => {
    const r = JSON.parse((await report('json', true)).text) as IncidentReport & { redactions: { ip: number; email: number } };
    const text = JSON.stringify(r);
    expect(text).not.toContain('10.1.2.3');
    expect(text).not.toContain('192.168.7.');
    expect(text).not.toContain('ops@example.com');
    expect(r.redacted).toBe(true);
    // 10.1.2.3 and the two hosts of the context lines; one e-mail address.
    expect(r.redactions).toMatchObject({ ip: 3, email: 1 });
    const ev = r.lines.find((l) => l.role === 'evidence')!;
    expect(ev.raw).toContain('payment db <ip-1> unreachable for <email-1>');
    const ctx = r.lines.filter((l) => l.role === 'context' && l.raw.includes('served from')).map((l) => l.raw.split(' from ')[1]);
    expect(new Set(ctx).size).toBeGreaterThan(1);
    for (const c of ctx) expect(c).toMatch(/^<ip-[23]>$/);
    const md = (await report('markdown', true)).text;
    expect(md).not.toContain('10.1.2.3');
    expect(md).toContain('Redacted: 3 IP addresses, 1 e-mail address');
  });

  it('`vigil report` on the store the engine is writing gives the same report (a read-only connection)', async () => {
    let out = '';
    let err = '';
    const sink = (append: (s: string) => void) => ({ write: (s: string | Uint8Array) => (append(String(s)), true) }) as unknown as NodeJS.WritableStream;
    const code = await reportCommand([String(id), '--db', join(tmp.dir, 'vigil.db'), '--config', join(tmp.dir, 'vigil.yml'), '--format', 'json'], {
      stdout: sink((s) => (out += s)),
      stderr: sink((s) => (err += s)),
    });
    expect(err).toBe('');
    expect(code).toBe(0);
    const fromCli = JSON.parse(out) as IncidentReport;
    const fromEngine = JSON.parse((await report('json')).text) as IncidentReport;
    expect({ ...fromCli, generatedAt: 0 }).toEqual({ ...fromEngine, generatedAt: 0 });
  });

  it('an e-mail channel with attachReport attaches the report, redacted as it asks', async () => {
    const mail = mails[0]!;
    const file = (await report('html', true)).filename;
    // The attachment's MIME part (headers may be folded): its encoding, its name, its body.
    const part = new RegExp(`Content-Type: text/html; charset=utf-8;\\s+name=${file}\\r\\nContent-Transfer-Encoding: (\\S+)\\r\\nContent-Disposition: attachment;\\s+filename=${file}\\r\\n\\r\\n([\\s\\S]*?)\\r\\n--`).exec(mail);
    expect(part, mail.slice(0, 3000)).not.toBeNull();
    expect(part![1]).toBe('base64');
    const html = Buffer.from(part![2]!.replace(/\s+/g, ''), 'base64').toString('utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('payment db &lt;ip-1&gt; unreachable');
    expect(html).not.toContain('10.1.2.3');
  });

  it('an unknown anomaly gives null; a bad format is refused at the door', async () => {
    expect(await engine.handlers['anomalies.report']({ id: 999_999, format: 'markdown', redact: false })).toBeNull();
    const { validateRequest } = await import('../../../shared/contract.js');
    const bad = validateRequest('anomalies.report', { id: 1, format: 'pdf' });
    expect(bad.ok).toBe(false);
  });
});
