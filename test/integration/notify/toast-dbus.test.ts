// The real OS toast path: node-notifier -> notify-send -> D-Bus, recorded by a stand-in
// org.freedesktop.Notifications service on a private session bus.
import { existsSync } from 'node:fs';
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
});
