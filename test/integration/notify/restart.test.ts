// A restart with deliveries pending: each message delivered exactly once when the receiver
// comes back, in order per channel; a message cut off mid-request is sent again (the one
// case of a possible duplicate, carrying the same delivery id).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../../support/http-receiver.js';
import { anomaly, opened, startNotify } from '../../support/notify-harness.js';
import { tempDir, waitFor } from '../../support/tmp.js';
import { CLOSE_GRACE_MS } from '../../../electron/engine/notify/dispatcher.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const NOTIFY = `notify:
  groupWindow: 0
  timeout: 5s
  retry: { maxAttempts: 1000, initialDelay: 20ms, maxDelay: 100ms }
`;

async function freePort(): Promise<number> {
  const r = await startReceiver();
  await r.close();
  return r.port;
}

describe('restart', () => {
  it('resumes pending deliveries after a restart: exactly once each, in order per channel', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const [p1, p2] = [await freePort(), await freePort()];
    const yaml =
      `channels:\n  - name: flows\n    type: n8n\n    url: http://127.0.0.1:${p1}/n8n\n` +
      `  - name: hook\n    type: webhook\n    url: http://127.0.0.1:${p2}/hook\n` + NOTIFY;
    let h = startNotify(dir, yaml);
    const sent = Array.from({ length: 6 }, (_, i) => anomaly({ title: `incident ${i}`, message: `incident ${i}` }));
    for (const a of sent) h.events.emit('anomaly.changed', [opened(a)]);
    await waitFor(() => (h.store.db.prepare('SELECT count(*) FROM notify_attempts').pluck().get() as number) >= 4, { what: 'failed attempts while down' });
    await h.close();

    h = startNotify(dir, yaml);
    cleanups.push(() => h.close());
    expect(h.service.history({ status: 'pending' })).toHaveLength(12);
    const n8n: Receiver = await startReceiver({ port: p1, path: '/n8n' });
    const hook: Receiver = await startReceiver({ port: p2 });
    cleanups.push(() => n8n.close(), () => hook.close());
    await waitFor(() => h.service.history({ status: 'sent' }).length === 12, { what: 'all delivered after restart' });
    const order = sent.map((a) => a.title);
    expect(n8n.requests.map((q) => (q.json as { payload: { details: { message: string } } }).payload.details.message)).toEqual(order);
    expect(hook.requests.map((q) => (q.json as { title: string }).title)).toEqual(order);
  });

  it('sends a message again when Vigil died while its request was out (same delivery id)', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const r = await startReceiver();
    // The receiver takes its time: Vigil "dies" while the request is out.
    r.reply(() => ({ status: 200, delayMs: 3000 }));
    const yaml = `channels:\n  - name: hook\n    type: webhook\n    url: ${r.url}\n` + NOTIFY;
    const h = startNotify(dir, yaml);
    // The receiver closes first, so the first run's request ends at once on cleanup.
    cleanups.push(() => h.close(), () => r.close());
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'cut off' }))]);
    await waitFor(() => r.requests.length === 1, { what: 'request out' });
    // What a crash leaves on disk: a copy of the committed database at this instant.
    const crashed = join(dir, 'crashed');
    mkdirSync(crashed);
    h.store.db.exec(`VACUUM INTO '${join(crashed, 'vigil.db')}'`);
    r.reply(() => ({ status: 200 }));
    const after = startNotify(crashed, yaml);
    cleanups.push(() => after.close());
    await waitFor(() => after.service.history({})[0]?.status === 'sent', { what: 'resent after the crash' });
    expect(r.requests).toHaveLength(2);
    expect(r.requests[1]!.headers['x-vigil-delivery']).toBe(r.requests[0]!.headers['x-vigil-delivery']);
    const outcomes = after.store.db.prepare('SELECT outcome FROM notify_attempts ORDER BY id').pluck().all();
    expect(outcomes).toEqual(['interrupted', 'sent']);
  });

  it('forgets sent messages after 30 days but keeps dead letters until retried', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const r = await startReceiver();
    cleanups.push(() => r.close());
    r.reply((_q, n) => (n === 1 ? { status: 200 } : { status: 400 }));
    let now = Date.parse('2026-11-01T10:00:00Z');
    const yaml = `channels:\n  - name: hook\n    type: webhook\n    url: ${r.url}\n` + NOTIFY;
    const h = startNotify(dir, yaml, { now: () => now });
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'sent' }))]);
    await waitFor(() => h.service.history({ status: 'sent' }).length === 1, { what: 'sent' });
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'refused' }))]);
    await waitFor(() => h.service.deadLetters({}).length === 1, { what: 'dead letter' });
    await h.close();
    now += 31 * 86_400_000;
    const later = startNotify(dir, yaml, { now: () => now });
    cleanups.push(() => later.close());
    expect(later.service.history({}).map((e) => e.status)).toEqual(['failed']);
    expect(later.service.deadLetters({}).map((d) => d.title)).toEqual(['refused']);
  });

  it('a clean stop waits 5 s at most for a receiver that does not answer (the channel allows 60 s), and the message goes again at the next start', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const r = await startReceiver();
    cleanups.push(() => r.close());
    r.reply((_q, n) => (n === 1 ? { status: 200, delayMs: 60_000 } : { status: 200 }));
    const yaml = `channels:\n  - name: hook\n    type: webhook\n    url: ${r.url}\n    timeout: 60s\n` + NOTIFY.replace('timeout: 5s', 'timeout: 60s');
    const h = startNotify(dir, yaml);
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'receiver hangs' }))]);
    await waitFor(() => r.requests.length === 1, { what: 'request out' });
    const t0 = Date.now();
    await h.close();
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(CLOSE_GRACE_MS - 100);
    expect(took).toBeLessThan(CLOSE_GRACE_MS + 5000);
    const again = startNotify(dir, yaml);
    cleanups.push(() => again.close());
    await waitFor(() => again.service.history({})[0]?.status === 'sent', { what: 'sent at the next start' });
    expect(r.requests).toHaveLength(2);
    expect(r.requests[1]!.headers['x-vigil-delivery']).toBe(r.requests[0]!.headers['x-vigil-delivery']);
    const outcomes = again.store.db.prepare('SELECT outcome FROM notify_attempts ORDER BY id').pluck().all();
    expect(outcomes).toEqual(['interrupted', 'sent']);
  });

  it('lets a request in flight finish on a clean stop, so it is not sent again after the restart', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const r = await startReceiver();
    cleanups.push(() => r.close());
    r.reply(() => ({ status: 200, delayMs: 400 }));
    const yaml = `channels:\n  - name: hook\n    type: webhook\n    url: ${r.url}\n` + NOTIFY;
    const h = startNotify(dir, yaml);
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'in flight' }))]);
    await waitFor(() => r.requests.length === 1, { what: 'request out' });
    await h.close();
    const again = startNotify(dir, yaml);
    cleanups.push(() => again.close());
    expect(again.service.history({})).toMatchObject([{ status: 'sent', attempts: 1 }]);
    expect(r.requests).toHaveLength(1);
  });
});
