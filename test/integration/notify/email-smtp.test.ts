// E-mail through a real SMTP server (npm smtp-server) on 127.0.0.1: STARTTLS before the
// login, the password from the secret store, recipients set in the app overriding the
// config, and SMTP replies mapped to retry or dead letter.
import { afterEach, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { anomaly, opened, startNotify } from '../../support/notify-harness.js';
import { tempDir, waitFor } from '../../support/tmp.js';
import { CLOSE_GRACE_MS } from '../../../electron/engine/notify/dispatcher.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Mail {
  from: string;
  to: string[];
  secure: boolean;
  user: string | undefined;
  raw: string;
}

async function smtp(opts: { rcpt?: (address: string, n: number) => number | null; authFail?: (n: number) => number | null; hang?: boolean } = {}) {
  let logins = 0;
  const mails: Mail[] = [];
  let rcpts = 0;
  const server = new SMTPServer({
    logger: false,
    // The built-in self-signed certificate serves STARTTLS; no login before it.
    allowInsecureAuth: false,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, cb) {
      const fail = opts.authFail?.(++logins) ?? null;
      if (fail) return cb(Object.assign(new Error('Temporary authentication failure'), { responseCode: fail }));
      if (auth.username === 'vigil' && auth.password === 'correct horse battery staple') cb(null, { user: 'vigil' });
      else cb(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, cb) {
      const code = opts.rcpt?.(address.address, ++rcpts) ?? null;
      if (code) cb(Object.assign(new Error(`refused ${address.address}`), { responseCode: code }));
      else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (opts.hang) return; // took the mail, never answers
        mails.push({
          from: (session.envelope.mailFrom as { address: string }).address,
          to: session.envelope.rcptTo.map((r) => r.address),
          secure: session.secure,
          user: session.user as string | undefined,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port, mails, server };
}

function channelYaml(port: number, extra = ''): string {
  return `channels:
  - name: mail
    type: email
    host: 127.0.0.1
    port: ${port}
    user: vigil
    password: secret:mail-password
    tls: { rejectUnauthorized: false }
    from: Vigil <vigil@example.test>
    to: [team@example.test]
${extra}notify:
  groupWindow: 0
  timeout: 5s
  retry: { maxAttempts: 5, initialDelay: 20ms, maxDelay: 100ms }
`;
}

/** The body as text (nodemailer sends quoted-printable: soft line breaks, =XX escapes). */
const text = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
const header = (raw: string, name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(raw)?.[1];

describe('e-mail', () => {
  it('a server that takes the mail and never answers: a stop cuts the connection after its 5 s grace, not after the 60 s timeout', async () => {
    const { port, server } = await smtp({ hang: true });
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const h = startNotify(dir, channelYaml(port).replace('timeout: 5s', 'timeout: 60s'));
    h.secrets.set('mail-password', 'correct horse battery staple');
    h.events.emit('anomaly.changed', [opened(anomaly())]);
    const connections = (server as unknown as { connections: Set<unknown> }).connections;
    await waitFor(() => h.service.history({})[0]?.attempts === 1, { what: 'the mail out' });
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    await h.close();
    expect(Date.now() - t0).toBeLessThan(CLOSE_GRACE_MS + 3000);
    await waitFor(() => connections.size === 0, { what: 'the connection closed by Vigil', timeoutMs: 3000 });
  });

  it('logs in after STARTTLS with the stored password and sends the anomaly', async () => {
    const s = await smtp();
    const { dir, cleanup } = tempDir();
    const h = startNotify(dir, channelYaml(s.port));
    cleanups.push(cleanup, () => h.close());
    h.secrets.set('mail-password', 'correct horse battery staple');
    const a = anomaly({ severity: 'critical', title: 'Payments failing', message: 'HTTP 502 from upstream', details: { evidence: ['10:00:00 ERROR 502 /pay'] } });
    h.events.emit('anomaly.changed', [opened(a)]);
    await waitFor(() => s.mails.length === 1, { what: 'mail received' });
    const m = s.mails[0]!;
    expect(m).toMatchObject({ from: 'vigil@example.test', to: ['team@example.test'], secure: true, user: 'vigil' });
    expect(header(m.raw, 'Subject')).toBe('[Vigil] [CRITICAL] Payments failing');
    expect(header(m.raw, 'Message-ID')).toMatch(/^<vigil-[0-9a-z]+-\d+@vigil\.invalid>$/);
    expect(text(m.raw)).toContain('[CRITICAL] Payments failing (api / errors)\r\n  HTTP 502 from upstream');
    expect(text(m.raw)).toContain('evidence:\r\n    10:00:00 ERROR 502 /pay');
    await waitFor(() => h.service.history({})[0]?.status === 'sent', { what: 'recorded as sent' });
  });

  it('sends to the recipients set in the app instead of the config default, until they are cleared', async () => {
    const s = await smtp();
    const { dir, cleanup } = tempDir();
    const h = startNotify(dir, channelYaml(s.port));
    cleanups.push(cleanup, () => h.close());
    h.secrets.set('mail-password', 'correct horse battery staple');
    expect(h.service.recipients('mail')).toEqual({ channel: 'mail', recipients: ['team@example.test'], from: 'config', configDefault: ['team@example.test'] });
    expect(h.service.setRecipients('mail', ['oncall@example.test', 'lead@example.test'])).toMatchObject({ recipients: ['oncall@example.test', 'lead@example.test'], from: 'app' });
    h.events.emit('anomaly.changed', [opened(anomaly())]);
    await waitFor(() => s.mails.length === 1, { what: 'first mail' });
    expect(s.mails[0]!.to).toEqual(['oncall@example.test', 'lead@example.test']);
    h.service.setRecipients('mail', null);
    h.events.emit('anomaly.changed', [opened(anomaly())]);
    await waitFor(() => s.mails.length === 2, { what: 'second mail' });
    expect(s.mails[1]!.to).toEqual(['team@example.test']);
  });

  it('retries a temporary refusal (451) and dead-letters a permanent one (550)', async () => {
    const s = await smtp({ rcpt: (address, n) => (address.startsWith('gone') ? 550 : n === 1 ? 451 : null) });
    const { dir, cleanup } = tempDir();
    const h = startNotify(dir, channelYaml(s.port));
    cleanups.push(cleanup, () => h.close());
    h.secrets.set('mail-password', 'correct horse battery staple');
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'temporary' }))]);
    await waitFor(() => s.mails.length === 1, { what: 'mail after a 451' });
    // The server has the mail once it accepted the data; the sender marks it sent when the
    // server's answer reaches it, a moment later.
    await waitFor(() => h.service.history({})[0]?.status === 'sent', { what: 'the delivery marked sent' });
    expect(h.service.history({})[0]).toMatchObject({ status: 'sent', attempts: 2 });
    h.service.setRecipients('mail', ['gone@example.test']);
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'permanent' }))]);
    await waitFor(() => h.service.deadLetters({}).length === 1, { what: 'dead letter after a 550' });
    expect(h.service.deadLetters({})[0]).toMatchObject({ title: 'permanent', attempts: 1, error: expect.stringMatching(/550/) });
  });

  it('one of two recipients refused for now (451): sent again until that one has it; refused for good (550): sent to the other, the refusal kept and logged', async () => {
    let lateTries = 0;
    const s = await smtp({ rcpt: (address) => (address.startsWith('late') ? (++lateTries < 2 ? 451 : null) : address.startsWith('gone') ? 550 : null) });
    const { dir, cleanup } = tempDir();
    const h = startNotify(dir, channelYaml(s.port));
    cleanups.push(cleanup, () => h.close());
    h.secrets.set('mail-password', 'correct horse battery staple');
    h.service.setRecipients('mail', ['oncall@example.test', 'late@example.test']);
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'partly late' }))]);
    await waitFor(() => s.mails.some((m) => m.to.includes('late@example.test')), { what: 'the late recipient has it' });
    await waitFor(() => h.service.history({})[0]?.status === 'sent', { what: 'marked sent' });
    expect(h.service.history({})[0]).toMatchObject({ status: 'sent', attempts: 2 });
    // The first try reached oncall alone; the second both, with the same Message-ID.
    expect(s.mails.map((m) => m.to)).toEqual([['oncall@example.test'], ['oncall@example.test', 'late@example.test']]);
    expect(header(s.mails[0]!.raw, 'Message-ID')).toBe(header(s.mails[1]!.raw, 'Message-ID'));

    h.service.setRecipients('mail', ['oncall@example.test', 'gone@example.test']);
    const gone = anomaly({ title: 'partly gone' });
    h.events.emit('anomaly.changed', [opened(gone)]);
    await waitFor(() => h.service.history({}).find((x) => x.anomalyId === gone.id)?.status === 'sent', { what: 'sent to the one left' });
    expect(s.mails.at(-1)!.to).toEqual(['oncall@example.test']);
    expect(h.service.history({}).find((x) => x.anomalyId === gone.id)).toMatchObject({ attempts: 1, error: expect.stringMatching(/^1 of 2 recipients were refused: gone@example\.test \(550/) });
    expect(h.logs.join('\n')).toMatch(/sent, but 1 of 2 recipients were refused: gone@example\.test/);
  });

  it('a report too large for one mail is left out and named in the text: the notice itself goes; one that fits is attached', async () => {
    const s = await smtp();
    const { dir, cleanup } = tempDir();
    let size = 3_000_000;
    const h = startNotify(dir, channelYaml(s.port, '    attachReport: markdown\n'), {
      reports: ({ id }) => ({ filename: `vigil-anomaly-${id}.md`, mimeType: 'text/markdown', text: `# report ${id}\n${'x'.repeat(size)}` }),
    });
    cleanups.push(cleanup, () => h.close());
    h.secrets.set('mail-password', 'correct horse battery staple');
    const big = anomaly({ title: 'big' });
    h.events.emit('anomaly.changed', [opened(big)]);
    await waitFor(() => s.mails.length === 1, { what: 'the first mail' });
    expect(s.mails[0]!.raw).not.toContain('Content-Disposition: attachment');
    expect(text(s.mails[0]!.raw)).toContain(`Not attached (too large for one mail): vigil-anomaly-${big.id}.md (2.9 MB; \`vigil report ${big.id}\` writes it)`);
    size = 100_000;
    const small = anomaly({ title: 'small' });
    h.events.emit('anomaly.changed', [opened(small)]);
    await waitFor(() => s.mails.length === 2, { what: 'the second mail' });
    expect(s.mails[1]!.raw).toContain(`filename=vigil-anomaly-${small.id}.md`);
    expect(s.mails[1]!.raw).not.toContain('Not attached');
  });

  it('redactReport: the mail\'s subject and text are redacted too, not only its report', async () => {
    const s = await smtp();
    const { dir, cleanup } = tempDir();
    const h = startNotify(dir, channelYaml(s.port, '    redactReport: true\n'));
    cleanups.push(cleanup, () => h.close());
    h.secrets.set('mail-password', 'correct horse battery staple');
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'login leak from 10.1.2.3', message: 'user alice@corp.example password=hunter2', details: { evidence: ['Authorization: Bearer abcdefghijklmnop'] } }))]);
    await waitFor(() => s.mails.length === 1, { what: 'the mail' });
    const body = text(s.mails[0]!.raw);
    for (const secret of ['10.1.2.3', 'alice@corp.example', 'hunter2', 'abcdefghijklmnop']) expect(body).not.toContain(secret);
    expect(header(s.mails[0]!.raw, 'Subject')).toContain('<ip-1>');
  });

  it('a login refused for now (454) is tried again, not dead-lettered', async () => {
    const s = await smtp({ authFail: (n) => (n === 1 ? 454 : null) });
    const { dir, cleanup } = tempDir();
    const h = startNotify(dir, channelYaml(s.port));
    cleanups.push(cleanup, () => h.close());
    h.secrets.set('mail-password', 'correct horse battery staple');
    h.events.emit('anomaly.changed', [opened(anomaly())]);
    await waitFor(() => h.service.history({})[0]?.status === 'sent', { what: 'sent on the second try' });
    expect(h.service.history({})[0]).toMatchObject({ attempts: 2 });
    expect(h.service.deadLetters({})).toEqual([]);
  });

  it('dead-letters a refused login without leaking the password', async () => {
    const s = await smtp();
    const { dir, cleanup } = tempDir();
    const h = startNotify(dir, channelYaml(s.port));
    cleanups.push(cleanup, () => h.close());
    h.secrets.set('mail-password', 'wrong password but long');
    h.events.emit('anomaly.changed', [opened(anomaly())]);
    await waitFor(() => h.service.deadLetters({}).length === 1, { what: 'dead letter' });
    const error = h.service.deadLetters({})[0]!.error!;
    expect(error).toMatch(/refused the login/);
    expect(error).not.toContain('wrong password');
    expect(h.logs.join('\n')).not.toContain('wrong password');
  });
});
