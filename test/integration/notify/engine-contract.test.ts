// The notification calls through the engine's one door (dispatch: validation, then the
// handler): channels stored with their secrets in the secret store, never shown in full,
// "send test", history and dead letters; and the engine's event bus feeding the outbox.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../../electron/engine/dispatch.js';
import { Engine } from '../../../electron/engine/engine.js';
import type { ChannelView } from '../../../shared/types.js';
import { startReceiver } from '../../support/http-receiver.js';
import { anomaly, opened, RecordingToaster } from '../../support/notify-harness.js';
import { tempDir, waitFor } from '../../support/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function engine(yaml: string) {
  const { dir, cleanup } = tempDir();
  writeFileSync(join(dir, 'vigil.yml'), yaml);
  const logs: string[] = [];
  const e = await Engine.start({ dataDir: dir, host: 'cli', log: (m) => logs.push(m), toaster: new RecordingToaster() });
  cleanups.push(cleanup, () => e.close());
  const call = async (name: string, req: unknown) => {
    const r = await dispatch(e.handlers, name, req);
    if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
    return r.res;
  };
  return { e, dir, logs, call };
}

describe('notification contract', () => {
  it('stores a channel from the UI with its URL in the secret store, shows it masked, keeps it when sent back masked', async () => {
    const r = await startReceiver({ path: '/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXabcd' });
    cleanups.push(() => r.close());
    const { e, dir, logs, call } = await engine('# my notes\nsources: []\nchannels: []\n');
    const res = await call('channels.upsert', { channel: { name: 'ops', type: 'slack', url: r.url } });
    expect(res).toMatchObject({ ok: true });
    const yml = readFileSync(join(dir, 'vigil.yml'), 'utf8');
    expect(yml).toContain('# my notes');
    expect(yml).toContain('url: secret:ops.url');
    expect(yml).not.toContain('XXXXabcd');
    const secretsFile = join(dir, 'secrets.json');
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(secretsFile, 'utf8')).toContain(r.url);

    const [view] = (await call('channels.list', {})) as ChannelView[];
    // The config now says secret:ops.url; what the UI sees never holds the token.
    expect(view).toMatchObject({ config: { name: 'ops', type: 'slack', url: 'secret:ops.url' }, secretFields: ['url'], status: { health: 'ok', pending: 0, dead: 0 } });

    // A channel kept in clear in vigil.yml is masked too.
    await call('channels.upsert', { channel: { name: 'clear', type: 'slack', url: r.url }, storeSecrets: false });
    const clear = ((await call('channels.list', {})) as ChannelView[]).find((c) => c.config.name === 'clear')!;
    expect(clear.config).toMatchObject({ url: `http://127.0.0.1:${r.port}/services/T0…/…abcd` });
    // Sent back masked (the UI edited another field): the real URL stays.
    await call('channels.upsert', { channel: { ...clear.config, sendResolved: false }, storeSecrets: false });
    expect(e.config.config.channels.find((c) => c.name === 'clear')).toMatchObject({ url: r.url, sendResolved: false });

    expect(await call('channels.test', { name: 'ops' })).toEqual({ ok: true, statusCode: 200 });
    expect((r.requests[0]!.json as { text: string }).text).toBe('Test: Vigil test notification');
    expect(logs.join('\n')).not.toContain('abcd');

    expect(await call('channels.remove', { name: 'ops' })).toMatchObject({ ok: true });
    expect(readFileSync(secretsFile, 'utf8')).not.toContain('"ops.url"');
  });

  it('channels named in another script keep their own secrets (not one name "______.url" for both)', async () => {
    const a = await startReceiver({ path: '/hook/aaaa-token-1111' });
    const b = await startReceiver({ path: '/hook/bbbb-token-2222' });
    cleanups.push(() => a.close(), () => b.close());
    const { dir, call } = await engine('sources: []\nchannels: []\n');
    await call('channels.upsert', { channel: { name: 'журнал', type: 'webhook', url: a.url } });
    await call('channels.upsert', { channel: { name: 'сервер', type: 'webhook', url: b.url } });
    const yml = readFileSync(join(dir, 'vigil.yml'), 'utf8');
    expect(yml).toContain('secret:журнал.url');
    expect(yml).toContain('secret:сервер.url');
    expect(await call('channels.test', { name: 'журнал' })).toMatchObject({ ok: true });
    expect(await call('channels.test', { name: 'сервер' })).toMatchObject({ ok: true });
    expect([a.requests.length, b.requests.length]).toEqual([1, 1]);
  });

  it('reports a failing test send with the error, never the token', async () => {
    const r = await startReceiver({ path: '/hook/very-secret-token-123456' });
    cleanups.push(() => r.close());
    r.reply(() => ({ status: 403, body: 'forbidden for http://127.0.0.1/hook/very-secret-token-123456' }));
    const { call } = await engine('channels: []\n');
    const res = await call('channels.test', { channel: { name: 'x', type: 'webhook', url: r.url } });
    expect(res).toMatchObject({ ok: false, statusCode: 403 });
    expect((res as { error: string }).error).toMatch(/^HTTP 403: forbidden/);
    expect((res as { error: string }).error).not.toContain('very-secret-token');
  });

  it('validates requests: unknown channel types, bad addresses, rules naming missing channels', async () => {
    const { call } = await engine('channels:\n  - { name: mail, type: email, host: localhost, from: v@x.test, to: [a@x.test] }\n');
    await expect(call('channels.upsert', { channel: { name: 'x', type: 'pager' } })).rejects.toThrow(/type must be one of: toast, n8n, slack, discord, webhook, email/);
    await expect(call('channels.upsert', { channel: { name: 'x', type: 'slack', url: 'ftp://x' } })).rejects.toThrow(/channel.url: must be an http\(s\) URL or secret:NAME/);
    await expect(call('recipients.set', { channel: 'mail', recipients: ['not an address'] })).rejects.toThrow(/recipients.0: must be an e-mail address/);
    expect(await call('recipients.set', { channel: 'mail', recipients: ['b@x.test'] })).toMatchObject({ recipients: ['b@x.test'], from: 'app' });
    const bad = await call('config.set', { text: 'channels: []\nnotify:\n  rules:\n    - { name: r, channels: [nope] }\n' });
    expect(bad).toEqual({ ok: false, errors: [{ key: 'notify.rules.0.channels.0', reason: 'names no channel ("nope")' }] });
    const badDuration = await call('config.set', { text: 'channels: []\nnotify:\n  groupWindow: soon\n' });
    expect(badDuration).toMatchObject({ ok: false, errors: [{ key: 'notify.groupWindow' }] });
  });

  it('notifies from the engine event bus, records history per anomaly, retries dead letters through the contract', async () => {
    const r = await startReceiver();
    cleanups.push(() => r.close());
    r.reply((_q, n) => (n === 1 ? { status: 422 } : { status: 200 }));
    const { e, call } = await engine(`channels:\n  - { name: hook, type: webhook, url: "${r.url}" }\nnotify: { groupWindow: 0 }\n`);
    const a = anomaly({ title: 'through the engine' });
    e.events.emit('anomaly.changed', [opened(a)]);
    await waitFor(async () => ((await call('notifications.deadLetters', {})) as unknown[]).length === 1, { what: 'dead letter' });
    const [dead] = (await call('notifications.deadLetters', {})) as { deliveryId: number; anomalyIds: number[] }[];
    expect(dead!.anomalyIds).toEqual([a.id]);
    expect(await call('notifications.retry', { ids: [dead!.deliveryId] })).toEqual({ retried: 1 });
    await waitFor(async () => ((await call('notifications.history', { anomalyId: a.id })) as { status: string }[])[0]?.status === 'sent', { what: 'sent' });
    // Two attempts: the one refused, then the retry that went out.
    expect(await call('notifications.history', { channel: 'hook', status: 'sent' })).toMatchObject([{ anomalyId: a.id, channel: 'hook', kind: 'firing', change: 'opened', attempts: 2 }]);
  });

  it('a channel edit the file refuses leaves its stored secret as it was; an edit accepted keeps the channel\'s comments and key order', async () => {
    const { e, dir, call } = await engine('sources: []\nchannels: []\n');
    expect(await call('channels.upsert', { channel: { name: 'hook', type: 'webhook', url: 'http://127.0.0.1:9/good-token' } })).toMatchObject({ ok: true });
    const path = join(dir, 'vigil.yml');
    const secretsFile = join(dir, 'secrets.json');
    const good = readFileSync(path, 'utf8');
    writeFileSync(path, good + 'bogusKey: 1\n');
    await waitFor(() => e.config.onDisk.errors.length > 0, { what: 'the invalid file seen' });
    const refused = (await call('channels.upsert', { channel: { name: 'hook', type: 'webhook', url: 'http://127.0.0.1:9/REFUSED' } })) as { ok: boolean };
    expect(refused.ok).toBe(false);
    const added = (await call('channels.upsert', { channel: { name: 'ops', type: 'webhook', url: 'http://127.0.0.1:9/ops-token' } })) as { ok: boolean };
    expect(added.ok).toBe(false);
    const stored = readFileSync(secretsFile, 'utf8');
    expect(stored).toContain('good-token');
    expect(stored).not.toContain('REFUSED');
    expect(stored).not.toContain('ops');

    writeFileSync(path, good.replace('  - name: hook\n', '  # my hook, keep quiet at night\n  - name: hook # the team\'s\n'));
    await waitFor(() => e.config.onDisk.errors.length === 0 && e.config.rawText.includes('# my hook'), { what: 'the fixed file in force' });
    expect(await call('channels.upsert', { channel: { name: 'hook', type: 'webhook', url: 'secret:hook.url', timeout: '5s' } })).toMatchObject({ ok: true });
    const yml = readFileSync(path, 'utf8');
    expect(yml).toMatch(/  # my hook, keep quiet at night\n  - name: hook # the team's\n    type: webhook\n    url: secret:hook.url\n    timeout: 5s\n/);
  });
});
