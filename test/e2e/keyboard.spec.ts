// The UI for someone on the keyboard alone or with a screen reader, and in a small window:
// the focus stays where an action leaves it, what happens is said, and there is room to read.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { tempDir } from '../support/tmp.js';

let running: ServeProcess | null = null;
let cleanup: () => void = () => undefined;

test.afterEach(async () => {
  await running?.stop();
  running = null;
  cleanup();
});

/** A `vigil serve` following an alert log (its anomalies open at once) and an app log, the page open on it. */
async function serve(page: Page, more = ''): Promise<{ config: string; alerts: string; app: string }> {
  const t = tempDir('vigil-e2e-');
  cleanup = t.cleanup;
  const config = join(t.dir, 'vigil.yml');
  const alerts = join(t.dir, 'alerts.jsonl');
  const app = join(t.dir, 'app.log');
  writeFileSync(alerts, '');
  writeFileSync(app, Array.from({ length: 50 }, (_, i) => `2026-11-23T10:00:${String(i % 60).padStart(2, '0')}Z INFO request ${i} served`).join('\n') + '\n');
  writeFileSync(config, `sources:\n  - { name: monitor, type: file, path: ${alerts}, format: alert-jsonl }\n  - { name: app, type: file, path: ${app}, start: beginning }\nnotify:\n  groupWindow: 0s\n${more}`);
  running = await startServe(['--config', config, '--db', join(t.dir, 'v.db'), '--port', '0', '--data-dir', t.dir]);
  await page.goto(running.url);
  await expect(page.getByText('connected', { exact: true })).toBeVisible();
  return { config, alerts, app };
}

const focusedText = (page: Page) => page.evaluate<string>("`${document.activeElement?.tagName}:${document.activeElement?.textContent ?? ''}`");
const pageWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

function alert(path: string, message: string): void {
  appendFileSync(path, JSON.stringify({ timestamp: new Date().toISOString(), type: 'anomaly', severity: 'critical', message }) + '\n');
}

test("Space twice on a source's checkbox disables it, then enables it again: the focus stays on the box while vigil.yml is written", async ({ page }) => {
  const { config } = await serve(page);
  const box = page.getByLabel('enable app');
  await box.focus();
  await page.keyboard.press('Space');
  await expect.poll(() => readFileSync(config, 'utf8')).toMatch(/enabled: false/);
  await expect(box).toBeFocused();
  await page.keyboard.press('Space');
  await expect.poll(() => readFileSync(config, 'utf8')).not.toMatch(/enabled: false/);
  await expect(box).toBeChecked();
  // Twice with no pause: the second press is not dropped while the first is out.
  await page.keyboard.press('Space');
  await page.keyboard.press('Space');
  await expect(page.locator('[data-testid="source-item"][data-name="app"]')).toHaveAttribute('aria-busy', 'false');
  expect(readFileSync(config, 'utf8')).not.toMatch(/enabled: false/);
  await expect(box).toBeChecked();
});

test('an anomaly acknowledged and resolved from the keyboard: the focus goes on to the next action, not to the page; a new anomaly is announced', async ({ page }) => {
  const { alerts } = await serve(page);
  await page.getByRole('tab', { name: /Anomalies/ }).click();
  alert(alerts, 'replication stopped on db-2');
  await expect(page.getByTestId('announce')).toHaveText(/New anomaly #\d+, critical: .*replication stopped on db-2/, { timeout: 15_000 });
  await page.getByTestId('anomaly-item').first().getByRole('button').focus();
  await page.keyboard.press('Enter');
  const ack = page.getByTestId('anomaly-detail').getByRole('button', { name: 'Acknowledge' });
  await ack.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('anomaly-state')).toHaveText('acknowledged');
  expect(await focusedText(page)).toBe('BUTTON:Resolve');
  // Closed, the focus is back on the item it was opened from.
  await page.getByRole('button', { name: 'close detail' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('anomaly-detail')).toHaveCount(0);
  const item = page.getByTestId('anomaly-item').first().getByRole('button');
  await expect(item).toBeFocused();
  await page.keyboard.press('Enter');
  await page.getByTestId('anomaly-detail').getByRole('button', { name: 'Resolve' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('anomaly-state')).toHaveText('resolved');
  expect(await focusedText(page)).toMatch(/^BUTTON:Snooze/);
  // The same incident back after it was resolved is announced again, though its title is the same.
  const said = (await page.getByTestId('announce').textContent())!;
  alert(alerts, 'replication stopped on db-2');
  await expect(page.getByTestId('announce')).not.toHaveText(said, { timeout: 15_000 });
  await expect(page.getByTestId('announce')).toHaveText(/New anomaly #\d+, critical: .*replication stopped on db-2/);
});

test('the add-source form: opened, the focus is in it; Escape closes it and the focus is back on "+ Add"; the view tabs move with the arrow keys', async ({ page }) => {
  await serve(page);
  await page.getByRole('button', { name: '+ Add' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('input[name="name"]')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('form', { name: 'add source' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: '+ Add' })).toBeFocused();
  await page.getByRole('tab', { name: 'Live' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: /Anomalies/ })).toBeFocused();
  await expect(page.getByRole('tab', { name: /Anomalies/ })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('End');
  await expect(page.getByRole('tab', { name: 'Config' })).toHaveAttribute('aria-selected', 'true');
});

test('the Live lines are one Tab stop, walked with the arrow keys, so "Newer lines" stays a Tab away', async ({ page }) => {
  await serve(page);
  const lines = page.getByTestId('log-line');
  await expect(lines).toHaveCount(50);
  await page.getByRole('button', { name: 'Pause' }).focus();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('live-lines')).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(lines.last().getByRole('button')).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(lines.nth(48).getByRole('button')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(lines.nth(48).getByTestId('raw-line')).toContainText('request 48 served');
});

test('the link lost is said in a banner read out as an alert, not only in a small pill', async ({ page }) => {
  await serve(page);
  await running!.stop();
  running = null;
  await expect(page.getByTestId('link-lost-banner')).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId('link-lost-banner')).toHaveAttribute('role', 'alert');
});

test('a small window (400 px) and 200% zoom of 1280x800 (640x400): no sideways scrolling, and the Live lines keep room to read', async ({ page }) => {
  await page.setViewportSize({ width: 400, height: 700 });
  await serve(page);
  await expect(page.getByTestId('log-line')).toHaveCount(50);
  expect(await pageWidth(page)).toBeLessThanOrEqual(400);
  const msgWidth = await page.getByTestId('log-line').first().locator('.msg').evaluate((el) => el.getBoundingClientRect().width);
  expect(msgWidth).toBeGreaterThan(250);
  expect((await page.getByTestId('live-lines').boundingBox())!.height).toBeGreaterThan(200);
  await page.setViewportSize({ width: 640, height: 400 });
  const box = await page.getByTestId('live-lines').boundingBox();
  expect(box!.height).toBeGreaterThan(200);
  expect(await pageWidth(page)).toBeLessThanOrEqual(640);
});

test('white text on the primary buttons has WCAG AA contrast (4.5:1)', async ({ page }) => {
  await serve(page);
  await page.getByRole('tab', { name: 'SQL' }).click();
  const ratio = await page.getByRole('button', { name: 'Run' }).evaluate((el) => {
    const rgb = (c: string) => (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const s = el.ownerDocument.defaultView!.getComputedStyle(el);
    const [a, b] = [lum(rgb(s.color)), lum(rgb(s.backgroundColor))].sort((x, y) => y - x);
    return (a! + 0.05) / (b! + 0.05);
  });
  expect(ratio).toBeGreaterThanOrEqual(4.5);
});

test('the channel table names its columns for screen readers, and each "Send test" names its channel', async ({ page }) => {
  await serve(page, 'channels:\n  - { name: pager, type: webhook, url: "http://127.0.0.1:9/hook" }\n');
  await page.getByRole('tab', { name: 'Notifications' }).click();
  const table = page.getByTestId('channel-list');
  await expect(table.getByRole('columnheader', { name: 'Health' })).toHaveCount(1);
  await expect(table.getByRole('button', { name: 'Send test to pager' })).toBeVisible();
});
