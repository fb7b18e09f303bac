// The desktop window's UI takes the preload's bridge (window.vigilBridge), not the WebSocket.
// STAND-IN BRIDGE: the Electron binary cannot exist here, so the page gets a bridge of the
// preload's shape (call/on, answers as the IPC router gives them) that carries the calls to
// `vigil serve` over HTTP and its events over its WebSocket. What this checks is the UI's own
// start on that path (it stayed blank: it loaded through the api before it had one).
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { tempDir } from '../support/tmp.js';

let running: ServeProcess | null = null;
let cleanup: () => void = () => undefined;

test.afterEach(async () => {
  await running?.stop();
  running = null;
  cleanup();
});

const STAND_IN_BRIDGE = `(() => {
  const token = new URLSearchParams(location.search).get('token');
  const listeners = new Map();
  const ws = new WebSocket('ws://' + location.host + '/api/ws?token=' + encodeURIComponent(token));
  ws.onmessage = (m) => {
    const f = JSON.parse(m.data);
    if (f.t === 'event') for (const cb of listeners.get(f.event) ?? []) cb(f.payload);
  };
  window.vigilBridge = Object.freeze({
    call: (name, req) =>
      fetch('/api/call/' + name, { method: 'POST', headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' }, body: JSON.stringify(req ?? {}) }).then((r) => r.json()),
    on: (event, cb) => {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(cb);
      return () => listeners.get(event).delete(cb);
    },
  });
})();`;

test('the desktop UI through the preload bridge (stand-in bridge: no Electron binary here) starts, lists the sources and shows new lines', async ({ page }) => {
  const t = tempDir('vigil-e2e-');
  cleanup = t.cleanup;
  const log = join(t.dir, 'app.log');
  writeFileSync(log, '');
  writeFileSync(join(t.dir, 'vigil.yml'), `sources:\n  - { name: app, type: file, path: '${log}' }\n`);
  running = await startServe(['--data-dir', t.dir, '--port', '0']);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.addInitScript(STAND_IN_BRIDGE);
  await page.goto(running.url);
  await expect(page.getByText('connected', { exact: true })).toBeVisible();
  await expect(page.locator('[data-testid="source-item"][data-name="app"] .badge')).toHaveText(/watching/);
  appendFileSync(log, '2026-11-21T10:00:01Z ERROR payment gateway timed out\n');
  await expect(page.getByTestId('log-line').filter({ hasText: 'payment gateway timed out' })).toHaveCount(1);
  expect(errors).toEqual([]);
  // The page took the bridge: the one WebSocket is the stand-in's, none of the page's own.
  expect(sockets).toHaveLength(1);
});
