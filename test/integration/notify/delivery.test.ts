// Never lost: receivers that are down, slow, failing or pacing us; retries with backoff,
// Retry-After, the circuit breaker, dead letters the user retries, and order per channel.
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../../support/http-receiver.js';
import { anomaly, opened, startNotify, type Harness } from '../../support/notify-harness.js';
import { tempDir, waitFor } from '../../support/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const FAST = `notify:
  groupWindow: 0
  timeout: 400ms
  retry: { maxAttempts: 4, initialDelay: 20ms, maxDelay: 100ms }
  breaker: { failureThreshold: 100, cooldown: 1s }
`;

async function setup(r: Receiver | string, notifyYaml = FAST): Promise<Harness> {
  const { dir, cleanup } = tempDir();
  const url = typeof r === 'string' ? r : r.url;
  const h = startNotify(dir, `channels:\n  - name: hook\n    type: webhook\n    url: ${url}\n${notifyYaml}`);
  cleanups.push(cleanup, () => h.close());
  return h;
}

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  cleanups.push(() => r.close());
  return r;
}

const titles = (r: Receiver) => r.requests.map((q) => (q.json as { title: string }).title);
const attempts = (h: Harness, id: number) =>
  h.store.db.prepare('SELECT outcome, status_code, error FROM notify_attempts WHERE outbox_id = ? ORDER BY id').all(id) as { outcome: string; status_code: number | null; error: string | null }[];

describe('delivery', () => {
  it('a receiver answering with something that is not HTTP is said to answer wrongly, not to be unreachable', async () => {
    const server = createServer((sock) => {
      sock.on('data', () => sock.end('HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nhello'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const h = await setup(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'garbled' }))]);
    await waitFor(() => (h.service.history({})[0]?.attempts ?? 0) >= 1 && !!h.service.history({})[0]!.error, { what: 'a failed attempt' });
    expect(h.service.history({})[0]!.error).toMatch(/^the receiver answered, but not with valid HTTP \(HPE_INVALID_CONTENT_LENGTH/);
  });

  it('keeps retrying while the receiver is down and delivers once when it is back', async () => {
    const probe = await startReceiver();
    const port = probe.port;
    await probe.close(); // nothing listens on this port now
    const h = await setup(`http://127.0.0.1:${port}/hook`, FAST.replace('maxAttempts: 4', 'maxAttempts: 1000'));
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'while down' }))]);
    await waitFor(() => h.service.history({})[0]!.attempts >= 2, { what: 'failed attempts' });
    expect(h.service.history({})[0]).toMatchObject({ status: 'pending', error: expect.stringMatching(/cannot reach the receiver \(ECONNREFUSED\)/) });
    const back = await startReceiver({ port });
    cleanups.push(() => back.close());
    await waitFor(() => h.service.history({})[0]!.status === 'sent', { what: 'delivered after the receiver came back' });
    expect(titles(back)).toEqual(['while down']);
  });

  it('retries a 500 and records every attempt with its outcome', async () => {
    const r = await receiver();
    r.reply((_q, n) => (n <= 2 ? { status: 500, body: 'boom' } : { status: 204 }));
    const h = await setup(r);
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'flaky' }))]);
    await waitFor(() => h.service.history({})[0]?.status === 'sent', { what: 'sent after two 500s' });
    const id = h.service.history({})[0]!.deliveryId;
    expect(attempts(h, id)).toEqual([
      { outcome: 'failed', status_code: 500, error: 'HTTP 500: boom' },
      { outcome: 'failed', status_code: 500, error: 'HTTP 500: boom' },
      { outcome: 'sent', status_code: 204, error: null },
    ]);
    expect(r.requests).toHaveLength(3);
  });

  it('honours Retry-After on a 429', async () => {
    const r = await receiver();
    r.reply((_q, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    const h = await setup(r);
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'paced' }))]);
    await waitFor(() => attempts(h, 1).length === 1 && attempts(h, 1)[0]!.outcome === 'failed', { what: 'the 429 attempt' });
    // The next try is scheduled exactly Retry-After later, not by the (20 ms) backoff.
    const row = h.store.db.prepare('SELECT next_at, updated_at FROM notify_outbox WHERE id = 1').get() as { next_at: number; updated_at: number };
    expect(row.next_at - row.updated_at).toBe(1000);
    await waitFor(() => h.service.history({})[0]!.status === 'sent', { what: 'sent after Retry-After' });
    expect(r.requests).toHaveLength(2);
  });

  it('a Retry-After of 0 or a date past does not hurry retries past the backoff', async () => {
    const r = await receiver();
    r.reply((_q, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '0' } } : n === 2 ? { status: 503, headers: { 'retry-after': 'Sun, 01 Nov 2026 00:00:00 GMT' } } : { status: 200 }));
    const h = await setup(r, FAST.replace('initialDelay: 20ms, maxDelay: 100ms', 'initialDelay: 400ms, maxDelay: 2s'));
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'paced' }))]);
    await waitFor(() => h.service.history({})[0]?.status === 'sent', { what: 'sent on the third try' });
    const at = h.store.db.prepare('SELECT started_at FROM notify_attempts WHERE outbox_id = 1 ORDER BY id').pluck().all() as number[];
    expect(at).toHaveLength(3);
    // Backoff with equal jitter: at least half of 400 ms, then half of 800 ms.
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(200);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(400);
  });

  it('a channel whose message failed before reads "retrying" during the next attempt too (a receiver that hangs)', async () => {
    const r = await receiver();
    r.reply((_q, n) => (n === 1 ? { status: 500, body: 'boom' } : n === 2 ? { status: 200, delayMs: 3000 } : { status: 200 }));
    const h = await setup(r, FAST.replace('timeout: 400ms', 'timeout: 2s'));
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'hung' }))]);
    await waitFor(() => attempts(h, 1).length === 2 && attempts(h, 1)[1]!.outcome === null, { what: 'the second attempt under way' });
    expect(h.service.channelViews()[0]!.status.health).toBe('retrying');
    await waitFor(() => h.service.history({})[0]!.status === 'sent', { what: 'sent on the third try' });
    expect(h.service.channelViews()[0]!.status.health).toBe('ok');
  });

  it('times out on a slow receiver and tries again (the slow request may still have landed)', async () => {
    const r = await receiver();
    r.reply((_q, n) => (n === 1 ? { status: 200, delayMs: 2000 } : { status: 200 }));
    const h = await setup(r);
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'slow' }))]);
    await waitFor(() => h.service.history({})[0]?.status === 'sent', { what: 'sent on the second try' });
    const id = h.service.history({})[0]!.deliveryId;
    expect(attempts(h, id)[0]).toMatchObject({ outcome: 'failed', error: 'timed out waiting for the receiver' });
    // Both requests carry the same delivery id, so a receiver can drop the repeat.
    expect(r.requests).toHaveLength(2);
    expect(r.requests[0]!.headers['x-vigil-delivery']).toBe(r.requests[1]!.headers['x-vigil-delivery']);
  });

  it('moves a refused message (4xx) to the dead letters at once; the user retries it', async () => {
    const r = await receiver();
    r.reply(() => ({ status: 400, body: 'bad payload' }));
    const h = await setup(r);
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'refused' }))]);
    await waitFor(() => h.service.deadLetters({}).length === 1, { what: 'dead letter' });
    expect(r.requests).toHaveLength(1);
    const [dead] = h.service.deadLetters({});
    expect(dead).toMatchObject({ channel: 'hook', title: 'refused', attempts: 1, error: 'HTTP 400: bad payload' });
    expect(h.service.history({ status: 'failed' })).toHaveLength(1);
    // Not a green "ok" beside "HTTP 400": the channel fails until a message goes out again.
    expect(h.service.channelViews()[0]!.status).toMatchObject({ health: 'failing', dead: 1 });
    // Fixed (here: the receiver answers again), a test that goes out says so.
    r.reply(() => ({ status: 200 }));
    expect(await h.service.test({ name: 'hook' })).toMatchObject({ ok: true });
    expect(h.service.channelViews()[0]!.status).toMatchObject({ health: 'ok', dead: 1 });
    expect(h.service.retry({ ids: [dead!.deliveryId] })).toEqual({ retried: 1 });
    await waitFor(() => h.service.history({})[0]!.status === 'sent', { what: 'retried and sent' });
    expect(h.service.deadLetters({})).toEqual([]);
    expect(h.service.channelViews()[0]!.status).toMatchObject({ health: 'ok', dead: 0 });
    expect(r.requests).toHaveLength(3); // the refused one, the test, the retried one
  });

  it('a failing channel fixed and tested reads ok, also after a restart', async () => {
    const r = await receiver();
    r.reply(() => ({ status: 404, body: 'no such hook' }));
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const yaml = `channels:\n  - name: hook\n    type: webhook\n    url: ${r.url}\n${FAST}`;
    let h = startNotify(dir, yaml);
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'refused' }))]);
    await waitFor(() => h.service.deadLetters({}).length === 1, { what: 'dead letter' });
    expect(h.service.channelViews()[0]!.status.health).toBe('failing');
    r.reply(() => ({ status: 200 }));
    expect(await h.service.test({ name: 'hook' })).toMatchObject({ ok: true });
    expect(h.service.channelViews()[0]!.status.health).toBe('ok');
    await h.close();
    h = startNotify(dir, yaml);
    cleanups.push(() => h.close());
    expect(h.service.channelViews()[0]!.status).toMatchObject({ health: 'ok', dead: 1 });
  });

  it('gives up after maxAttempts into the dead letters, and retry-all sends them', async () => {
    const r = await receiver();
    r.reply(() => ({ status: 503 }));
    const h = await setup(r);
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'never' }))]);
    await waitFor(() => h.service.deadLetters({}).length === 1, { what: 'dead after 4 attempts' });
    expect(h.service.deadLetters({})[0]!.attempts).toBe(4);
    expect(r.requests).toHaveLength(4);
    r.reply(() => ({ status: 200 }));
    expect(h.service.retry({ all: true, channel: 'hook' })).toEqual({ retried: 1 });
    await waitFor(() => h.service.history({})[0]!.status === 'sent', { what: 'sent after retry' });
  });

  it('opens the circuit breaker after consecutive failures and closes it on success', async () => {
    const r = await receiver();
    r.reply((_q, n) => (n <= 3 ? { status: 502 } : { status: 200 }));
    const h = await setup(r, FAST.replace('failureThreshold: 100, cooldown: 1s', 'failureThreshold: 3, cooldown: 1500ms').replace('maxAttempts: 4', 'maxAttempts: 20'));
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'breaker' }))]);
    await waitFor(() => h.service.channelViews()[0]!.status.health === 'open', { what: 'breaker open' });
    expect(r.requests).toHaveLength(3); // resting: no request while open
    await waitFor(() => h.service.history({})[0]!.status === 'sent', { what: 'probe succeeded' });
    expect(h.service.channelViews()[0]!.status).toMatchObject({ health: 'ok', pending: 0, dead: 0 });
    expect(r.requests).toHaveLength(4);
  });

  it('delivers in order per channel: a later message waits for an earlier one being retried', async () => {
    const r = await receiver();
    r.reply((q, n) => (n <= 2 ? { status: 500 } : { status: 200 }));
    const h = await setup(r, FAST.replace('maxAttempts: 4', 'maxAttempts: 10'));
    for (const t of ['first', 'second', 'third']) h.events.emit('anomaly.changed', [opened(anomaly({ title: t }))]);
    await waitFor(() => h.service.history({ status: 'sent' }).length === 3, { what: 'all three sent' });
    expect(titles(r)).toEqual(['first', 'first', 'first', 'second', 'third']);
  });

  it('resumes a multi-request n8n message where it stopped: delivered parts are not sent again', async () => {
    const r = await receiver();
    r.reply((_q, n) => (n === 2 ? { status: 500 } : { status: 200 }));
    const { dir, cleanup } = tempDir();
    const h = startNotify(dir, `channels:\n  - name: flows\n    type: n8n\n    url: ${r.url}\n${FAST}`);
    cleanups.push(cleanup, () => h.close());
    h.events.emit('anomaly.changed', [opened(anomaly({ message: 'part a' })), opened(anomaly({ message: 'part b' }))]);
    await waitFor(() => h.service.history({ status: 'sent' }).length === 2, { what: 'both parts sent' });
    const messages = r.requests.map((q) => (q.json as { payload: { details: { message: string } } }).payload.details.message);
    expect(messages).toEqual(['part a', 'part b', 'part b']);
  });
});
