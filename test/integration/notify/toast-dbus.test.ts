// The real OS toast path: node-notifier -> notify-send -> D-Bus, recorded by a stand-in
// org.freedesktop.Notifications service on a private session bus.
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeNotifierToaster, type NotifierLike } from '../../../electron/engine/notify/node-notifier-toaster.js';
import { startNotifyRecorder, type NotifyRecorder } from '../../support/dbus-notify-recorder.js';
import { anomaly, opened, startNotify } from '../../support/notify-harness.js';
import { tempDir, waitFor } from '../../support/tmp.js';

const cleanups: (() => unknown)[] = [];
let recorder: NotifyRecorder;
const savedBus = process.env.DBUS_SESSION_BUS_ADDRESS;

beforeEach(async () => {
  recorder = await startNotifyRecorder();
  process.env.DBUS_SESSION_BUS_ADDRESS = recorder.address;
  cleanups.push(() => recorder.close(), () => {
    if (savedBus === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = savedBus;
  });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const YAML = `channels:
  - name: desktop
    type: toast
notify:
  groupWindow: 0
  retry: { maxAttempts: 50, initialDelay: 50ms, maxDelay: 200ms }
`;

describe('OS toast', () => {
  it('shows a toast over D-Bus with title, body, urgency and the anomaly id', async () => {
    const { dir, cleanup } = tempDir();
    const h = startNotify(dir, YAML, { toaster: new NodeNotifierToaster() });
    cleanups.push(cleanup, () => h.close());
    const a = anomaly({ severity: 'critical', title: 'Disk full on db-1', message: 'No space left on device', source: 'postgres', category: 'storage' });
    h.events.emit('anomaly.changed', [opened(a)]);
    await waitFor(() => recorder.calls.length === 1, { what: 'Notify call' });
    const n = recorder.calls[0]!;
    expect(n.appName).toBe('Vigil');
    expect(n.summary).toBe('CRITICAL: Disk full on db-1');
    expect(n.body).toBe('No space left on device\npostgres / storage');
    expect(n.hints).toMatchObject({ urgency: 2, 'x-vigil-anomaly-id': String(a.id) });
    await waitFor(() => h.service.history({})[0]?.status === 'sent', { what: 'recorded as sent' });
  });

  it('passes hostile log text to the OS as text, never to a shell', async () => {
    const { dir, cleanup } = tempDir();
    const h = startNotify(dir, YAML, { toaster: new NodeNotifierToaster() });
    cleanups.push(cleanup, () => h.close());
    const marker = join(dir, 'pwned');
    const evil = `x" $(touch ${marker}) \`touch ${marker}\` '; touch ${marker}; '`;
    h.events.emit('anomaly.changed', [opened(anomaly({ severity: 'low', title: 'quote " dollar $HOME', message: evil, category: '' }))]);
    await waitFor(() => recorder.calls.length === 1, { what: 'Notify call' });
    expect(recorder.calls[0]!.summary).toBe('LOW: quote " dollar $HOME');
    expect(recorder.calls[0]!.body).toBe(`${evil}\napi`);
    expect(recorder.calls[0]!.hints.urgency).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });

  it('retries while no notification service is on the bus, and shows the toast once one is', async () => {
    await recorder.close(); // the bus is gone: notify-send fails
    const { dir, cleanup } = tempDir();
    const h = startNotify(dir, YAML, { toaster: new NodeNotifierToaster() });
    cleanups.push(cleanup, () => h.close());
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'held back' }))]);
    await waitFor(() => h.service.history({})[0]!.attempts >= 1 && h.service.history({})[0]!.error !== null, { what: 'a failed toast' });
    expect(h.service.history({})[0]).toMatchObject({ status: 'pending', error: expect.stringMatching(/^toast failed: /) });
    recorder = await startNotifyRecorder();
    process.env.DBUS_SESSION_BUS_ADDRESS = recorder.address;
    await waitFor(() => recorder.calls.length === 1, { what: 'toast after the service came up' });
    expect(recorder.calls[0]!.summary).toBe('HIGH: held back');
  });

  it('turns a click (node-notifier response "activate") into notify.toastClicked with the anomaly id', async () => {
    // macOS/Windows report clicks this way; notify-send (Linux) cannot, so the notifier is
    // node-notifier's protocol played by a stand-in.
    const clicking: NotifierLike = { notify: (_opts, cb) => setTimeout(() => cb(null, 'activate', { activationType: 'contentsClicked' }), 5) };
    const { dir, cleanup } = tempDir();
    const h = startNotify(dir, YAML, { toaster: new NodeNotifierToaster(clicking) });
    cleanups.push(cleanup, () => h.close());
    const clicks: { anomalyId: number }[] = [];
    h.events.on('notify.toastClicked', (c) => clicks.push(c));
    const a = anomaly();
    h.events.emit('anomaly.changed', [opened(a)]);
    await waitFor(() => clicks.length === 1, { what: 'click event' });
    expect(clicks).toEqual([{ anomalyId: a.id }]);
  });

  it('log text starting with "-", holding markup or backslashes is shown as written, and the toasts after it are not held back', async () => {
    const { dir, cleanup } = tempDir();
    const h = startNotify(dir, YAML, { toaster: new NodeNotifierToaster() });
    cleanups.push(cleanup, () => h.close());
    h.events.emit('anomaly.changed', [opened(anomaly({ severity: 'high', title: 'gateway', message: '-> boom <b>order-1</b> & "card" <a href="http://evil">click</a>', category: '' }))]);
    await waitFor(() => recorder.calls.length === 1, { what: 'the toast of a line starting with "-"' });
    // The body is markup to the server: its entities read back as the text that was logged.
    expect(recorder.calls[0]!.body).toBe('&#45;&gt; boom &lt;b&gt;order-1&lt;/b&gt; &amp; "card" &lt;a href="http://evil"&gt;click&lt;/a&gt;\napi');
    h.events.emit('anomaly.changed', [opened(anomaly({ severity: 'critical', title: 'No space left', message: 'reading C:\\temp\\new\\x41\\\\srv failed', category: '' }))]);
    await waitFor(() => recorder.calls.length === 2, { what: 'the next toast' });
    expect(recorder.calls[1]).toMatchObject({ summary: 'CRITICAL: No space left', body: 'reading C:\\temp\\new\\x41\\\\srv failed\napi', hints: { urgency: 2 } });
    // The server's own timeout: it keeps a critical toast until dismissed.
    expect(recorder.calls.map((c) => c.expireTimeout)).toEqual([-1, -1]);
  });

  it('an incident resolved while its toast waited says "Resolved" when it goes out, at low urgency', async () => {
    await recorder.close(); // no notification service: the toast waits
    const { dir, cleanup } = tempDir();
    const h = startNotify(dir, YAML, { toaster: new NodeNotifierToaster() });
    cleanups.push(cleanup, () => h.close());
    const a = anomaly({ severity: 'critical', title: 'payment failures in other', category: '' });
    h.events.emit('anomaly.changed', [opened(a)]);
    await waitFor(() => (h.service.history({})[0]?.attempts ?? 0) >= 1, { what: 'a failed toast' });
    h.events.emit('anomaly.changed', [{ kind: 'resolved', anomaly: { ...a, state: 'resolved' } }]);
    recorder = await startNotifyRecorder();
    process.env.DBUS_SESSION_BUS_ADDRESS = recorder.address;
    await waitFor(() => recorder.calls.length === 1, { what: 'Notify call' });
    expect(recorder.calls[0]).toMatchObject({ summary: 'Resolved: payment failures in other', hints: { urgency: 0 } });
  });

  it('notify-send installed while Vigil runs: the toasts that failed go out, without a restart', async () => {
    const { dir, cleanup } = tempDir();
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const savedPath = process.env.PATH;
    process.env.PATH = bin;
    cleanups.push(cleanup, () => void (process.env.PATH = savedPath));
    const h = startNotify(dir, YAML, { toaster: new NodeNotifierToaster() });
    cleanups.push(() => h.close());
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'held back' }))]);
    await waitFor(() => (h.service.history({})[0]?.attempts ?? 0) >= 2, { what: 'failed toasts' });
    expect(h.service.history({})[0]!.error).toBe('toast failed: notify-send is not installed (Debian and Ubuntu: libnotify-bin; Fedora: libnotify)');
    symlinkSync('/usr/bin/notify-send', join(bin, 'notify-send'));
    await waitFor(() => recorder.calls.length === 1, { what: 'the toast once notify-send is there' });
    expect(recorder.calls[0]!.summary).toBe('HIGH: held back');
  });
});
