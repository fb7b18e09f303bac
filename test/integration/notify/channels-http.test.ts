// Each HTTP channel type against a real receiver on 127.0.0.1: the exact payload, the
// receiver's limits, and escaping of hostile log text.
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../../support/http-receiver.js';
import { anomaly, opened, startNotify, type Harness } from '../../support/notify-harness.js';
import { richTexts, type SlackBody } from '../../support/slack-body.js';
import { tempDir, waitFor } from '../../support/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(channelYaml: (r: Receiver) => string, notifyYaml = 'notify:\n  groupWindow: 0\n'): Promise<{ h: Harness; r: Receiver }> {
  const { dir, cleanup } = tempDir();
  const r = await startReceiver();
  const h = startNotify(dir, `channels:\n${channelYaml(r)}\n${notifyYaml}`);
  cleanups.push(cleanup, () => r.close(), () => h.close());
  return { h, r };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('n8n', () => {
  it('posts the seed envelope exactly, one per anomaly, with its headers also as HTTP headers', async () => {
    const { h, r } = await setup((r) => `  - name: flows\n    type: n8n\n    url: ${r.url}\n`);
    const a = anomaly({
      source: 'nginx',
      category: 'auth',
      severity: 'critical',
      message: 'Failed password for root from 10.0.0.9',
      lastTs: Date.parse('2026-11-21T10:00:05Z'),
      details: { evidence: ['line one', 'line two'] },
    });
    const b = anomaly({ severity: 'medium', category: '', source: 'worker', details: { logType: 'syslog', evidence: ['only line'] } });
    h.events.emit('anomaly.changed', [opened(a), opened(b)]);
    await waitFor(() => r.requests.length === 2, { what: 'two n8n posts' });
    const createdAt = (r.requests[0]!.json as { timestamp: string }).timestamp;
    expect(new Date(createdAt).toISOString()).toBe(createdAt);
    expect(r.requests[0]!.json).toEqual({
      eventType: 'anomaly-detected',
      payload: {
        timestamp: '2026-11-21T10:00:05.000Z',
        anomaly: 'log_anomaly_detected',
        severity: 'critical',
        source: 'log_monitor',
        details: {
          logType: 'nginx/auth',
          message: 'Failed password for root from 10.0.0.9',
          logDetails: 'line one\nline two',
          detectionSource: 'log_file_monitoring',
        },
      },
      headers: { 'x-event-type': 'log-anomaly', 'x-source': 'log-monitor' },
      timestamp: createdAt,
    });
    // Key order as in the seed (some workflows read the raw body).
    expect(Object.keys(r.requests[0]!.json as object)).toEqual(['eventType', 'payload', 'headers', 'timestamp']);
    expect(r.requests[0]!.headers['x-event-type']).toBe('log-anomaly');
    expect(r.requests[0]!.headers['x-source']).toBe('log-monitor');
    expect(r.requests[0]!.headers['content-type']).toBe('application/json; charset=utf-8');
    // logType: the line's own type first, else source/category.
    expect((r.requests[1]!.json as { payload: { details: { logType: string } } }).payload.details.logType).toBe('syslog');
    expect(r.requests[0]!.headers['x-vigil-delivery']).not.toBe(r.requests[1]!.headers['x-vigil-delivery']);
  });
});

describe('n8n, slow or failing', () => {
  it('timeout is per request: four anomalies to a receiver that takes most of it each are sent once each', async () => {
    const { h, r } = await setup((r) => `  - name: flows\n    type: n8n\n    url: ${r.url}\n    timeout: 500ms\n`);
    r.reply(() => ({ status: 200, body: 'ok', delayMs: 300 }));
    h.events.emit('anomaly.changed', [0, 1, 2, 3].map((i) => opened(anomaly({ title: `slow ${i}` }))));
    await waitFor(() => h.service.history({ status: 'sent' }).length === 4, { what: 'the message sent', timeoutMs: 10_000 });
    expect(r.requests.map((q) => String(q.headers['x-vigil-delivery']).split('.').at(-1))).toEqual(['0', '1', '2', '3']);
    expect(h.logs.join('\n')).not.toMatch(/timed out/);
  });

  it('an anomaly told in a part that went out gets its "resolved", though the message\'s other parts wait for a retry', async () => {
    const { h, r } = await setup(
      (r) => `  - name: flows\n    type: n8n\n    url: ${r.url}\n    sendResolved: true\n`,
      'notify:\n  groupWindow: 0\n  retry: { maxAttempts: 20, initialDelay: 100ms, maxDelay: 100ms }\n  breaker: { failureThreshold: 1000 }\n',
    );
    let failing = true;
    r.reply((_q, n) => (n === 1 || !failing ? { status: 200, body: 'ok' } : { status: 500, body: 'busy' }));
    const [a, b] = [anomaly({ title: 'nres-0', message: 'nres-0' }), anomaly({ title: 'nres-1', message: 'nres-1' })];
    h.events.emit('anomaly.changed', [opened(a), opened(b)]);
    await waitFor(() => r.requests.length >= 2, { what: 'part 0 sent, part 1 refused' });
    h.events.emit('anomaly.changed', [a, b].map((x) => ({ kind: 'resolved' as const, anomaly: { ...x, state: 'resolved' as const, resolvedAt: x.lastTs + 1 } })));
    failing = false;
    const told = () => r.requests.map((q) => q.json as { eventType: string; payload: { details: { message: string } } });
    const resolvedFor = () => told().filter((e) => e.eventType === 'anomaly-resolved').map((e) => e.payload.details.message);
    await waitFor(() => resolvedFor().length === 2, { what: 'both resolutions' });
    await new Promise((res) => setTimeout(res, 300));
    expect(resolvedFor().sort()).toEqual(['nres-0', 'nres-1']);
  });
});

describe('n8n, an anomaly acknowledged while its message is retried', () => {
  const n8n = (r: Receiver, extra = '') => `  - name: flows\n    type: n8n\n    url: ${r.url}\n    sendResolved: true\n${extra}`;
  const retry = 'notify:\n  groupWindow: 0\n  retry: { maxAttempts: 20, initialDelay: 200ms, maxDelay: 200ms }\n  breaker: { failureThreshold: 1000 }\n';
  const sent = (r: Receiver) => r.requests.map((q) => ({ id: String(q.headers['x-vigil-delivery']).split('.').at(-1), event: (q.json as { eventType: string }).eventType, msg: (q.json as { payload: { details: { message: string } } }).payload.details.message }));

  it('a part not sent yet is skipped, and no "resolved" follows for it', async () => {
    const { h, r } = await setup((r) => n8n(r), retry);
    let failing = true;
    r.reply((_q, n) => (n === 1 || !failing ? { status: 200, body: 'ok' } : { status: 500, body: 'busy' }));
    const [a, b] = [anomaly({ title: 'alpha', message: 'alpha' }), anomaly({ title: 'bravo', message: 'bravo' })];
    h.events.emit('anomaly.changed', [opened(a), opened(b)]);
    await waitFor(() => r.requests.length >= 2, { what: 'alpha sent, bravo refused' });
    h.events.emit('anomaly.changed', [{ kind: 'acknowledged' as const, anomaly: { ...b, state: 'acknowledged' as const } }]);
    failing = false;
    await waitFor(() => h.service.history({ status: 'pending' }).length === 0, { what: 'the message done' });
    h.events.emit('anomaly.changed', [a, b].map((x) => ({ kind: 'resolved' as const, anomaly: { ...x, state: 'resolved' as const, resolvedAt: x.lastTs + 1 } })));
    await waitFor(() => sent(r).some((x) => x.event === 'anomaly-resolved'), { what: "alpha's resolution" });
    await new Promise((res) => setTimeout(res, 500));
    const delivered = sent(r).filter((x, i) => i === 0 || x.event === 'anomaly-resolved');
    expect(delivered.map((x) => [x.event, x.msg])).toEqual([['anomaly-detected', 'alpha'], ['anomaly-resolved', 'alpha']]);
    // Every request bravo was in was refused: it never reached the receiver as detected.
    expect(sent(r).filter((x) => x.msg === 'bravo' && x.event === 'anomaly-resolved')).toEqual([]);
  });

  it('the parts keep their numbers: a part after one skipped goes with its own delivery id, not the skipped one\'s', async () => {
    const { h, r } = await setup((r) => n8n(r, '    timeout: 300ms\n'), retry);
    r.reply((_q, n) => (n === 1 ? { status: 200, body: 'ok', delayMs: 800 } : { status: 200, body: 'ok' }));
    const [a, b] = [anomaly({ title: 'alpha', message: 'alpha' }), anomaly({ title: 'bravo', message: 'bravo' })];
    h.events.emit('anomaly.changed', [opened(a), opened(b)]);
    await waitFor(() => r.requests.length >= 1, { what: 'the first request (it times out here)' });
    h.events.emit('anomaly.changed', [{ kind: 'acknowledged' as const, anomaly: { ...a, state: 'acknowledged' as const } }]);
    await waitFor(() => sent(r).some((x) => x.msg === 'bravo'), { what: 'bravo sent' });
    await waitFor(() => h.service.history({ status: 'pending' }).length === 0, { what: 'the message done' });
    // alpha's request reached the receiver but timed out here; acknowledged since, it is not sent again.
    expect(sent(r).map((x) => [x.id, x.msg])).toEqual([
      ['0', 'alpha'],
      ['1', 'bravo'],
    ]);
  });
});

describe('receivers that answer otherwise', () => {
  it('a receiver on a port fetch refuses (6666) is dead at once, the error naming the port, not retried for half an hour', async () => {
    const { h } = await setup(() => `  - name: hook\n    type: webhook\n    url: http://127.0.0.1:6666/hook\n`);
    h.events.emit('anomaly.changed', [opened(anomaly())]);
    await waitFor(() => h.service.deadLetters({}).length === 1, { what: 'the dead letter' });
    expect(h.service.deadLetters({})[0]!.error).toMatch(/^port 6666 is one that fetch refuses/);
    expect(h.service.deadLetters({})[0]!.attempts).toBe(1);
  });

  it('a redirect is not followed, not retried: dead at once, saying where it points (without its query)', async () => {
    const { h, r } = await setup((r) => `  - name: hook\n    type: webhook\n    url: ${r.url}\n`);
    r.reply(() => ({ status: 301, headers: { location: 'https://new.example/hooks/abc?token=s3cret' } }));
    h.events.emit('anomaly.changed', [opened(anomaly())]);
    await waitFor(() => h.service.deadLetters({}).length === 1, { what: 'the dead letter' });
    expect(r.requests).toHaveLength(1);
    const err = h.service.deadLetters({})[0]!.error!;
    expect(err).toMatch(/^HTTP 301: the receiver redirects to https:\/\/new\.example\/hooks\/abc;/);
    expect(err).not.toContain('s3cret');
  });
});

describe('slack', () => {
  it('sends blocks within Slack limits; log text shows as written, never as markup, a mention or a link', async () => {
    const { h, r } = await setup((r) => `  - name: ops\n    type: slack\n    url: ${r.url}\n`);
    const many = Array.from({ length: 60 }, (_, i) =>
      anomaly({
        title: `${'T'.repeat(200)} <!channel> *payment* ${i}`,
        message: `${'&<>'.repeat(2000)}`,
        details: { evidence: ['x'.repeat(5000), '``` fence <@U123>'] },
      }),
    );
    h.events.emit('anomaly.changed', many.map(opened));
    await waitFor(() => r.requests.length === 1, { what: 'slack post' });
    // The delivery id a relay in front of Slack drops a retried repeat by.
    expect(r.requests[0]!.headers['x-vigil-delivery']).toMatch(/^\S{6,}$/);
    const body = r.requests[0]!.json as SlackBody;
    expect(body.blocks.length).toBeLessThanOrEqual(50);
    expect(body.blocks[0]!.type).toBe('header');
    expect(body.blocks[0]!.text!.type).toBe('plain_text');
    expect(body.blocks[0]!.text!.text.length).toBeLessThanOrEqual(150);
    expect(body.blocks[0]!.text!.text.endsWith('…')).toBe(true);
    // Log text goes only where Slack reads no markup: rich_text's text, plain_text.
    expect(body.blocks.filter((b) => b.type === 'section')).toEqual([]);
    expect(JSON.stringify(body.blocks)).not.toContain('mrkdwn');
    const items = richTexts(body);
    for (const t of items.slice(0, -1)) {
      expect(t.length).toBeLessThanOrEqual(3000);
      expect(t).toMatch(/^\[HIGH\] T+ <!channel> \*payment\* \d+\n&<>&<>/);
    }
    const first = body.blocks[1]!.elements!;
    expect(first[0]!.elements![0]).toMatchObject({ type: 'text', style: { bold: true } });
    expect(first[0]!.elements![0]!.text).toMatch(/^\[HIGH\] T+ <!channel> \*payment\* \d+$/);
    expect(first[1]!.type).toBe('rich_text_preformatted');
    // The fallback text is mrkdwn: escaped there.
    expect(body.text.length).toBeLessThanOrEqual(3000);
    expect(body.text).not.toMatch(/<!channel>/);
    expect(body.text).toContain('&lt;!channel&gt;');
    expect(items.at(-1)!).toMatch(/^…and \d+ more/);
    // Every anomaly is accounted for: shown in a block of its own or named in the "more" list.
    const shown = items.length - 1;
    const more = Number(/…and (\d+) more/.exec(items.at(-1)!)![1]);
    expect(shown + more).toBe(60);
  });
});

describe('discord', () => {
  it('sends embeds within every Discord limit, cut with an ellipsis, never mid-surrogate, mentions off', async () => {
    const { h, r } = await setup((r) => `  - name: team\n    type: discord\n    url: ${r.url}\n    username: Vigil\n`);
    const emoji = '😀'.repeat(3000); // 6000 UTF-16 units
    const many = Array.from({ length: 12 }, (_, i) =>
      anomaly({ title: `x${emoji}`, message: `@everyone ${emoji}`, source: `s${'😀'.repeat(700)}`, details: { evidence: [emoji] }, severity: i === 3 ? 'critical' : 'low' }),
    );
    h.events.emit('anomaly.changed', many.map(opened));
    await waitFor(() => r.requests.length === 1, { what: 'discord post' });
    expect(r.requests[0]!.headers['x-vigil-delivery']).toMatch(/^\S{6,}$/);
    const body = r.requests[0]!.json as {
      username: string;
      content: string;
      allowed_mentions: { parse: string[] };
      embeds: { title: string; description?: string; fields?: { name: string; value: string }[]; footer?: { text: string } }[];
    };
    expect(body.username).toBe('Vigil');
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.content.length).toBeLessThanOrEqual(2000);
    expect(body.embeds.length).toBeGreaterThan(0);
    expect(body.embeds.length).toBeLessThanOrEqual(10);
    let total = 0;
    for (const e of body.embeds) {
      expect(e.title.length).toBeLessThanOrEqual(256);
      expect(e.description?.length ?? 0).toBeLessThanOrEqual(4096);
      for (const f of e.fields ?? []) {
        expect(f.name.length).toBeLessThanOrEqual(256);
        expect(f.value.length).toBeLessThanOrEqual(1024);
      }
      expect(e.footer?.text.length ?? 0).toBeLessThanOrEqual(2048);
      total += e.title.length + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0) + (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
      for (const text of [e.title, e.description ?? '', ...(e.fields ?? []).map((f) => f.value)]) expect(text).not.toMatch(LONE_SURROGATE);
    }
    expect(total).toBeLessThanOrEqual(6000);
    expect(body.embeds[0]!.title.endsWith('…')).toBe(true);
    expect(body.embeds[0]!.title).toContain('[CRITICAL]'); // worst first
    expect(body.content).not.toMatch(LONE_SURROGATE);
  });

  it('markdown written in a log line is shown as text: no masked link, no broken bold; the evidence block keeps the line as it is', async () => {
    const { h, r } = await setup((r) => `  - name: team\n    type: discord\n    url: ${r.url}\n`);
    const line = 'session expired: [Click here to re-authenticate](https://evil.example/phish) for *payment* _failed_, see https://wiki.example.com/runbooks/db_down_(primary)';
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'FATAL in app: *payment* ~gone~', message: line, details: { evidence: [line] } }))]);
    await waitFor(() => r.requests.length === 1, { what: 'discord post' });
    const body = r.requests[0]!.json as { content: string; embeds: { description: string }[] };
    // Discord renders [text](url) as a link and *x* as emphasis unless each mark is escaped.
    expect(body.content).toContain('**FATAL in app: \\*payment\\* \\~gone\\~**');
    const [message, ...rest] = body.embeds[0]!.description.split('\n```\n');
    // A URL stays as written (Discord links it itself; a backslash in it broke the link).
    expect(message).toBe('session expired: \\[Click here to re-authenticate\\]\\(https://evil.example/phish) for \\*payment\\* \\_failed\\_, see https://wiki.example.com/runbooks/db_down_(primary)');
    expect(rest.join('\n```\n')).toBe(`${line}\n\`\`\``);
  });
});

describe('generic webhook', () => {
  it('renders the user template with typed placeholders, sends custom headers and a verifiable HMAC-SHA256 signature', async () => {
    const template = JSON.stringify({
      summary: '[{{severity}}] {{title}}',
      n: '{{count}}',
      first: { id: '{{anomaly.id}}', src: '{{anomaly.source}}' },
      lines: '{{anomaly.evidence}}',
      missing: '{{nope}}',
    });
    const { h, r } = await setup(
      (r) =>
        `  - name: hook\n    type: webhook\n    url: ${r.url}\n    method: PUT\n    headers:\n      X-Team: core\n` +
        `    template: '${template}'\n    signing:\n      secret: s3cret-key-for-hmac\n`,
    );
    const a = anomaly({ title: 'Quote " and \\ backslash }}{{', severity: 'critical', details: { evidence: ['e1', 'e2'] } });
    h.events.emit('anomaly.changed', [opened(a)]);
    await waitFor(() => r.requests.length === 1, { what: 'webhook call' });
    const req = r.requests[0]!;
    expect(req.method).toBe('PUT');
    expect(req.headers['x-team']).toBe('core');
    expect(req.json).toEqual({
      summary: `[critical] ${a.title}`,
      n: 1,
      first: { id: a.id, src: 'api' },
      lines: ['e1', 'e2'],
      missing: null,
    });
    const expected = 'sha256=' + createHmac('sha256', 's3cret-key-for-hmac').update(req.body).digest('hex');
    expect(req.headers['x-vigil-signature']).toBe(expected);
  });
});

describe('grouping', () => {
  it('sends anomalies opened within the group window on one rule as one message', async () => {
    const { h, r } = await setup((r) => `  - name: ops\n    type: slack\n    url: ${r.url}\n`, 'notify:\n  groupWindow: 400ms\n');
    for (let i = 0; i < 3; i++) h.events.emit('anomaly.changed', [opened(anomaly({ title: `burst ${i}` }))]);
    await waitFor(() => r.requests.length === 1, { what: 'one grouped post' });
    const sections = richTexts(r.requests[0]!.json as SlackBody);
    expect(sections).toHaveLength(3);
    expect(sections.join('\n')).toMatch(/burst 0[\s\S]*burst 1[\s\S]*burst 2/);
    // Nothing else follows (the group was one message).
    expect(h.service.history({}).filter((e) => e.channel === 'ops').map((e) => e.deliveryId)).toEqual(Array(3).fill(h.service.history({})[0]!.deliveryId));
  });
});
