// The UI over a slow or dropped link (a remote `vigil serve` over a VPN, a busy laptop),
// and a user who does not wait for it. The page's WebSocket goes through Playwright's
// routeWebSocket: what the server sends reaches the page late, or not at all while the
// link is "down", and the link can be cut (the page reconnects, as after a dropped link).
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page, type WebSocketRoute } from '@playwright/test';
import { startReceiver, type Receiver } from '../support/http-receiver.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { tempDir } from '../support/tmp.js';

let running: ServeProcess | null = null;
let receiver: Receiver | null = null;
let cleanup: () => void = () => undefined;

test.afterEach(async () => {
  await running?.stop();
  await receiver?.close();
  running = null;
  receiver = null;
  cleanup();
});

interface Link {
  /** Frames from the server reach the page this late (in order). */
  delayMs: number;
  /** Frames from the server whose text passes this are lost (the link is down for them). */
  drop: ((frame: string) => boolean) | null;
  /** Cuts the link: the page sees its socket close, and reconnects. */
  cut(): Promise<void>;
}

async function slowLink(page: Page): Promise<Link> {
  let current: WebSocketRoute | null = null;
  const link: Link = {
    delayMs: 0,
    drop: null,
    cut: async () => {
      await current?.close();
    },
  };
  await page.routeWebSocket(/./, (ws) => {
    current = ws;
    const server = ws.connectToServer();
    server.onMessage((m) => {
      const text = typeof m === 'string' ? m : m.toString('utf8');
      if (link.drop?.(text)) return;
      if (link.delayMs) setTimeout(() => ws.send(m), link.delayMs);
      else ws.send(m);
    });
  });
  return link;
}

test('detector toggles clicked quickly on a slow link: all four reach vigil.yml and stay ticked as clicked', async ({ page }) => {
  const t = tempDir('vigil-e2e-');
  cleanup = t.cleanup;
  const config = join(t.dir, 'vigil.yml');
  const log = join(t.dir, 'a.log');
  writeFileSync(log, '');
  writeFileSync(config, `sources:\n  - name: one\n    type: file\n    path: ${log}\n`);
  running = await startServe(['--config', config, '--db', join(t.dir, 'v.db'), '--port', '0', '--data-dir', t.dir]);
  const link = await slowLink(page);
  await page.goto(running.url);
  const one = page.locator('[data-testid="source-item"][data-name="one"]');
  await one.getByRole('button', { name: 'detection…' }).click();
  const toggles = one.getByTestId('detector-toggles');
  const keys: [string, string][] = [['burst', 'error bursts'], ['newTemplate', 'new messages'], ['silence', 'silence'], ['traceback', 'stack traces']];
  const boxes = keys.map(([, l]) => toggles.getByLabel(l));
  await expect(boxes[0]!).toBeChecked();
  const was = await Promise.all(boxes.map((b) => b.isChecked()));
  link.delayMs = 300;
  for (const b of boxes) {
    await b.click();
    await page.waitForTimeout(250);
  }
  await expect.poll(() => readFileSync(config, 'utf8'), { timeout: 15_000 }).toMatch(new RegExp(`traceback: ${!was[3]}`));
  const text = readFileSync(config, 'utf8');
  keys.forEach(([key], i) => expect(text).toMatch(new RegExp(`${key}: ${!was[i]}`)));
  // Once every answer is in, what the boxes show is what the engine runs.
  await page.waitForTimeout(1500);
  for (let i = 0; i < boxes.length; i++) expect(await boxes[i]!.isChecked()).toBe(!was[i]);
});

test('Notifications after a dropped link: a delivery made while it was down shows; a double click on Send test sends one, on × (a channel, a source) removes without a false failure', async ({ page }) => {
  const t = tempDir('vigil-e2e-');
  cleanup = t.cleanup;
  receiver = await startReceiver({ lifetimeMs: 80_000 });
  const alerts = join(t.dir, 'alerts.jsonl');
  const config = join(t.dir, 'vigil.yml');
  writeFileSync(alerts, '');
  writeFileSync(
    config,
    `sources:\n  - name: monitor\n    type: file\n    path: ${alerts}\n    format: alert-jsonl\nnotify:\n  groupWindow: 0s\nchannels:\n  - name: pager\n    type: webhook\n    url: ${receiver.url}/a\n  - name: spare\n    type: webhook\n    url: ${receiver.url}/b\n`,
  );
  running = await startServe(['--config', config, '--db', join(t.dir, 'v.db'), '--port', '0', '--data-dir', t.dir]);
  const link = await slowLink(page);
  await page.goto(running.url);
  await page.getByRole('tab', { name: 'Notifications' }).click();
  const hook = page.getByTestId('channel-item').filter({ hasText: 'pager' });
  await expect(hook).toBeVisible();
  await expect(page.getByTestId('delivery-item')).toHaveCount(0);

  // The link drops what the server tells the page; a critical line is delivered meanwhile.
  link.drop = () => true;
  appendFileSync(alerts, JSON.stringify({ timestamp: new Date().toISOString(), type: 'anomaly', severity: 'critical', message: 'replication stopped' }) + '\n');
  await expect.poll(() => receiver!.requests.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
  link.drop = null;
  await link.cut();
  await expect(page.getByTestId('delivery-item').first()).toBeVisible({ timeout: 15_000 });

  // Slow answers: two quick clicks send one test, and remove once, saying so.
  const before = receiver.requests.length;
  link.delayMs = 400;
  await hook.getByRole('button', { name: 'Send test' }).click();
  await hook.getByRole('button', { name: 'Send test' }).click({ force: true });
  await expect(page.getByText('Test sent to pager.')).toBeVisible();
  await page.waitForTimeout(1000);
  expect(receiver.requests.length - before).toBe(1);
  const spare = page.getByTestId('channel-item').filter({ hasText: 'spare' });
  await spare.getByRole('button', { name: 'remove spare' }).click();
  await spare.getByRole('button', { name: 'remove spare' }).click({ force: true }).catch(() => undefined);
  await expect(page.getByText('Removed spare.')).toBeVisible();
  await expect(spare).toHaveCount(0);
  await expect(page.getByText('was not removed')).toHaveCount(0);
  expect(readFileSync(config, 'utf8')).not.toContain('name: spare');

  // A source, the same.
  await page.getByRole('tab', { name: 'Live' }).click();
  const monitor = page.locator('[data-testid="source-item"][data-name="monitor"]');
  await monitor.getByRole('button', { name: 'remove monitor' }).click();
  await monitor.getByRole('button', { name: 'remove monitor' }).click({ force: true }).catch(() => undefined);
  await expect(monitor).toHaveCount(0);
  await page.waitForTimeout(1000);
  await expect(page.getByText('no source named')).toHaveCount(0);
  expect(readFileSync(config, 'utf8')).not.toContain('name: monitor');
});

test('Config view on a slow link: the editor takes no typing before vigil.yml is in, so what is typed is not replaced by it', async ({ page }) => {
  const t = tempDir('vigil-e2e-');
  cleanup = t.cleanup;
  const config = join(t.dir, 'vigil.yml');
  const original = 'sources: []\nchannels: []\nrules: []\n';
  writeFileSync(config, original);
  running = await startServe(['--config', config, '--db', join(t.dir, 'v.db'), '--port', '0', '--data-dir', t.dir]);
  const link = await slowLink(page);
  link.delayMs = 1500;
  await page.goto(running.url);
  await page.getByRole('tab', { name: 'Config' }).click();
  const editor = page.getByLabel('vigil.yml');
  // Typed as soon as the box shows: it waits for the file (the box is read-only until then).
  await editor.fill(original + '# my draft\n', { timeout: 15_000 });
  await page.waitForTimeout(4000);
  await expect(editor).toHaveValue(original + '# my draft\n');
  await expect(page.getByRole('button', { name: 'Save' })).toBeEnabled();
});

test('the error-rate chart on a link that answers 5 s late: one refresh is out at a time, not one every 2 s piling up', async ({ page }) => {
  const t = tempDir('vigil-e2e-');
  cleanup = t.cleanup;
  const config = join(t.dir, 'vigil.yml');
  writeFileSync(config, 'sources: []\n');
  running = await startServe(['--config', config, '--db', join(t.dir, 'v.db'), '--port', '0', '--data-dir', t.dir]);
  const sent: number[] = [];
  await page.routeWebSocket(/./, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => {
      const text = typeof m === 'string' ? m : m.toString('utf8');
      const f = JSON.parse(text) as { t?: string; id?: number; name?: string };
      if (f.t === 'call' && f.name === 'stats.rates') sent.push(f.id!);
      server.send(m);
    });
    server.onMessage((m) => {
      const text = typeof m === 'string' ? m : m.toString('utf8');
      const id = (JSON.parse(text) as { id?: number }).id;
      const late = id !== undefined && sent.includes(id);
      setTimeout(() => ws.send(m), late ? 5000 : 0);
    });
  });
  await page.goto(running.url);
  await expect.poll(() => sent.length).toBeGreaterThan(0);
  // 9 s: the first answer lands at 5 s, so two calls; a poll every 2 s regardless sent five.
  await page.waitForTimeout(9000);
  expect(sent.length).toBeGreaterThanOrEqual(2);
  expect(sent.length).toBeLessThanOrEqual(3);
  // And the chart shows what came back.
  await expect(page.getByTestId('rate-totals')).toHaveText(/0 errors in 0 lines/);
});
