import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
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

/** A `vigil serve` on a fresh folder with this vigil.yml (made from the folder's path), the page open on it. */
async function serveWith(page: Page, configText: (dir: string) => string): Promise<{ dir: string; config: string }> {
  const t = tempDir('vigil-e2e-');
  cleanup = t.cleanup;
  const config = join(t.dir, 'vigil.yml');
  writeFileSync(config, configText(t.dir));
  running = await startServe(['--config', config, '--db', join(t.dir, 'v.db'), '--port', '0', '--data-dir', t.dir]);
  await page.goto(running.url);
  return { dir: t.dir, config };
}

test('an anomaly from an alert log shows with its evidence, is acknowledged, and reaches a channel added in the UI', async ({ page }) => {
  const t = tempDir('vigil-e2e-');
  cleanup = t.cleanup;
  receiver = await startReceiver({ lifetimeMs: 80_000 });
  const alerts = join(t.dir, 'alerts.jsonl');
  const config = join(t.dir, 'vigil.yml');
  writeFileSync(alerts, '');
  // A short group window: this test is about the UI, grouping has its own tests.
  writeFileSync(config, `sources:\n  - name: monitor\n    type: file\n    path: ${alerts}\n    format: alert-jsonl\nnotify:\n  groupWindow: 1s\n`);
  running = await startServe(['--config', config, '--db', join(t.dir, 'v.db'), '--port', '0', '--data-dir', t.dir]);
  await page.goto(running.url);

  // A webhook channel, added and tested from the UI; its URL is stored as a secret.
  await page.getByRole('tab', { name: 'Notifications' }).click();
  await page.getByRole('button', { name: '+ Add channel' }).click();
  const form = page.locator('form[aria-label="add channel"]');
  await form.locator('select[name="type"]').selectOption('webhook');
  await form.locator('input[name="name"]').fill('hook');
  await form.locator('input[name="url"]').fill(`${receiver.url}/hooks/secret-token-abcdef`);
  await form.getByRole('button', { name: 'Save channel' }).click();
  const row = page.getByTestId('channel-item').filter({ hasText: 'hook' });
  await expect(row).toBeVisible();
  await expect(row).not.toContainText('secret-token-abcdef');
  expect(readFileSync(config, 'utf8')).not.toContain('secret-token-abcdef');
  await row.getByRole('button', { name: 'Send test' }).click();
  await expect(page.getByText('Test sent to hook.')).toBeVisible();
  expect(receiver.requests.length).toBe(1);

  // An upstream tool reports an anomaly: it shows in the UI and goes to the channel.
  appendFileSync(alerts, JSON.stringify({ timestamp: new Date().toISOString(), type: 'anomaly', severity: 'high', message: 'replication lag above 30 s', details: { lag: 31 } }) + '\n');
  await page.getByRole('tab', { name: /Anomalies/ }).click();
  const item = page.getByTestId('anomaly-item').filter({ hasText: 'replication lag' });
  await expect(item).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Anomalies (1)' })).toBeVisible();
  await item.click();
  const detail = page.getByTestId('anomaly-detail');
  await expect(detail.getByTestId('evidence-evidence')).toContainText('replication lag above 30 s');
  await expect.poll(() => receiver!.requests.length, { timeout: 15_000 }).toBeGreaterThan(1);
  expect(receiver.requests.at(-1)!.body).toContain('replication lag above 30 s');
  await detail.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(detail.getByTestId('anomaly-state')).toHaveText('acknowledged');
  await expect(page.getByRole('tab', { name: 'Anomalies', exact: true })).toBeVisible();
});

test('an incident report is saved from the anomaly, as Markdown and as redacted HTML, and copied', async ({ page, context }) => {
  const t = tempDir('vigil-e2e-');
  cleanup = t.cleanup;
  const alerts = join(t.dir, 'alerts.jsonl');
  const config = join(t.dir, 'vigil.yml');
  writeFileSync(alerts, '');
  writeFileSync(config, `sources:\n  - name: monitor\n    type: file\n    path: ${alerts}\n    format: alert-jsonl\n`);
  running = await startServe(['--config', config, '--db', join(t.dir, 'v.db'), '--port', '0', '--data-dir', t.dir]);
  await page.goto(running.url);
  appendFileSync(alerts, JSON.stringify({ timestamp: new Date().toISOString(), type: 'anomaly', severity: 'critical', message: 'disk full on 10.20.30.40' }) + '\n');
  await page.getByRole('tab', { name: /Anomalies/ }).click();
  await page.getByTestId('anomaly-item').filter({ hasText: 'disk full' }).click();
  const actions = page.getByTestId('report-actions');

  const [md] = await Promise.all([page.waitForEvent('download'), actions.getByRole('button', { name: 'Save Markdown' }).click()]);
  expect(md.suggestedFilename()).toMatch(/^vigil-incident-\d+-\d{8}-\d{4}\.md$/);
  const mdText = readFileSync((await md.path())!, 'utf8');
  expect(mdText).toMatch(/^# Incident: /);
  expect(mdText).toContain('disk full on 10.20.30.40');
  await expect(actions.getByRole('status')).toHaveText(`Saved ${md.suggestedFilename()}`);

  await actions.getByLabel('Redact addresses and secrets').check();
  const [html] = await Promise.all([page.waitForEvent('download'), actions.getByRole('button', { name: 'Save HTML' }).click()]);
  expect(html.suggestedFilename()).toMatch(/\.html$/);
  const htmlText = readFileSync((await html.path())!, 'utf8');
  expect(htmlText).toContain('disk full on &lt;ip-1&gt;');
  expect(htmlText).not.toContain('10.20.30.40');

  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await actions.getByRole('button', { name: 'Copy as Markdown' }).click();
  await expect(actions.getByRole('status')).toHaveText('Copied the report as Markdown.');
  const copied = await page.evaluate<string>('navigator.clipboard.readText()');
  expect(copied).toMatch(/^# Incident: /);
  expect(copied).toContain('disk full on <ip-1>');
});

test('an invalid config edit in the UI is refused with the key, and the config in force stays', async ({ page }) => {
  const original = 'sources: []\nchannels: []\nrules: []\n';
  const { dir, config } = await serveWith(page, () => original);
  await page.getByRole('tab', { name: 'Config' }).click();
  const editor = page.getByLabel('vigil.yml');
  await expect(editor).toHaveValue(original);
  await editor.fill('sources:\n  - name: x\n    type: file\n');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('config-errors')).toContainText('sources.0.path');
  expect(readFileSync(config, 'utf8')).toBe(original);
  // The store's bound shows under the editor, and a new one applies once saved.
  await expect(page.getByTestId('store-usage')).toContainText(/Store: .* of .*, the bound set by store\.(maxSize|keepFree)/);
  await editor.fill(`store:\n  maxSize: 300MiB\nsources:\n  - name: x\n    type: file\n    path: ${join(dir, 'x.log')}\n`);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('[data-testid="source-item"][data-name="x"]')).toBeVisible();
  await expect(page.getByTestId('store-usage')).toContainText('of 300 MiB, the bound set by store.maxSize (300 MiB)');
});

test('vigil.yml edited by hand into something invalid: a banner says so on every view, the Config view shows the file and why, and fixing it there applies', async ({ page }) => {
  const { dir, config } = await serveWith(page, () => 'sources: []\nchannels: []\nrules: []\n');
  await expect(page.getByRole('tab', { name: 'Live' })).toBeVisible();
  const broken = `sources:\n  - name: payments\n    type: file\n    path: ${join(dir, 'p.log')}\n    start: begining\nchannels: []\nrules: []\n`;
  writeFileSync(config, broken);
  const banner = page.getByTestId('config-invalid-banner');
  await expect(banner).toContainText('vigil.yml was edited and is not valid (sources.0.start:');
  await expect(banner).toContainText('The last good config stays in force.');
  await banner.getByRole('button', { name: 'Open Config' }).click();
  // The editor holds the file as it is, not the last good text, so saving cannot drop the hand edit.
  const editor = page.getByLabel('vigil.yml');
  await expect(editor).toHaveValue(broken);
  await expect(page.getByTestId('config-file-errors')).toContainText('sources.0.start');
  await editor.fill(broken.replace('begining', 'beginning'));
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('[data-testid="source-item"][data-name="payments"]')).toBeVisible();
  await expect(page.getByTestId('config-file-errors')).toHaveCount(0);
  await page.getByRole('tab', { name: 'Live' }).click();
  await expect(banner).toHaveCount(0);
});

test('the Config view keeps an unsaved draft across tabs, shows "Saved" after a save, and the invalid-file banner goes once the file is put back', async ({ page }) => {
  const good = 'sources: []\nchannels: []\nrules: []\n';
  const { config } = await serveWith(page, () => good);
  await page.getByRole('tab', { name: 'Config' }).click();
  const editor = page.getByLabel('vigil.yml');
  await expect(editor).toHaveValue(good);
  const draft = `${good}# a draft not saved yet\n`;
  await editor.fill(draft);
  await page.getByRole('tab', { name: 'Live' }).click();
  await page.getByRole('tab', { name: 'Config' }).click();
  await expect(editor).toHaveValue(draft);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved; the new config is in force.')).toBeVisible();
  await page.waitForTimeout(500);
  await expect(page.getByText('Saved; the new config is in force.')).toBeVisible();

  // Broken by hand, then put back exactly as it is in force: the banner goes on every view.
  await page.getByRole('tab', { name: 'Live' }).click();
  writeFileSync(config, `${draft}sources: nope\n`);
  const banner = page.getByTestId('config-invalid-banner');
  await expect(banner).toBeVisible();
  writeFileSync(config, draft);
  await expect(banner).toHaveCount(0);
});

test('two windows on the Config view: the one with an older draft is told the file changed, and its save is refused instead of undoing the other', async ({ page, context }) => {
  const good = 'sources: []\nchannels: []\nrules: []\n';
  const { config } = await serveWith(page, () => good);
  const other = await context.newPage();
  await other.goto(running!.url);
  for (const p of [page, other]) await p.getByRole('tab', { name: 'Config' }).click();
  await expect(other.getByLabel('vigil.yml')).toHaveValue(good);
  await other.getByLabel('vigil.yml').fill(`${good}# B's draft\n`);
  await page.getByLabel('vigil.yml').fill(`${good}# A's change\n`);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved; the new config is in force.')).toBeVisible();
  await expect(other.getByTestId('config-stale')).toContainText('vigil.yml changed since you opened it');
  await other.getByRole('button', { name: 'Save' }).click();
  await expect(other.getByTestId('config-errors')).toContainText('changed since you opened it');
  expect(readFileSync(config, 'utf8')).toContain("# A's change");
  expect(readFileSync(config, 'utf8')).not.toContain("# B's draft");
});

test('adding a channel under a name in use is refused (not a silent replacement); a removal the config refuses says why', async ({ page }) => {
  const { config } = await serveWith(page, () => 'sources: []\nchannels:\n  - { name: hook, type: webhook, url: "http://127.0.0.1:9/x" }\nnotify:\n  rules:\n    - { name: all, channels: [hook] }\n');
  await page.getByRole('tab', { name: 'Notifications' }).click();
  await page.getByRole('button', { name: '+ Add channel' }).click();
  const form = page.locator('form[aria-label="add channel"]');
  await form.locator('select[name="type"]').selectOption('discord');
  await form.locator('input[name="name"]').fill('hook');
  await form.locator('input[name="url"]').fill('https://discord.com/api/webhooks/1/abc');
  await form.getByRole('button', { name: 'Save channel' }).click();
  await expect(page.getByTestId('add-channel-problem')).toContainText('a channel named "hook" exists already');
  expect(readFileSync(config, 'utf8')).toContain('type: webhook');
  await form.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'remove hook' }).click();
  await expect(page.getByText(/hook was not removed: notify\.rules\.0\.channels\.0: names no channel/)).toBeVisible();
  expect(readFileSync(config, 'utf8')).toContain('name: hook');
});

test('a snoozed anomaly says so in the list and its page, until when; Unsnooze lifts it', async ({ page }) => {
  const { dir } = await serveWith(page, (d) => {
    writeFileSync(join(d, 'alerts.jsonl'), '');
    return `sources:\n  - name: monitor\n    type: file\n    path: ${join(d, 'alerts.jsonl')}\n    format: alert-jsonl\n`;
  });
  appendFileSync(join(dir, 'alerts.jsonl'), JSON.stringify({ timestamp: new Date().toISOString(), type: 'anomaly', severity: 'high', message: 'disk nearly full on db-1' }) + '\n');
  await page.getByRole('tab', { name: /Anomalies/ }).click();
  const item = page.getByTestId('anomaly-item').filter({ hasText: 'disk nearly full' });
  await item.click();
  const detail = page.getByTestId('anomaly-detail');
  await expect(detail.getByTestId('anomaly-snoozed')).toHaveCount(0);
  await detail.getByRole('button', { name: 'Snooze 24 h' }).click();
  await expect(detail.getByTestId('anomaly-snoozed')).toContainText(/^until .*: its notifications hold$/);
  await expect(item).toContainText('snoozed');
  await detail.getByRole('button', { name: 'Unsnooze' }).click();
  await expect(detail.getByTestId('anomaly-snoozed')).toHaveCount(0);
  await expect(item).not.toContainText('snoozed');
  await expect(detail.getByRole('button', { name: 'Unsnooze' })).toHaveCount(0);
});

test('the anomaly list by keyboard, its badge whatever list is shown, one row per message sent, a paused filtered tail counting only its lines, an empty query said so, no request refused', async ({ page }) => {
  const refused: string[] = [];
  page.on('response', (r) => {
    if (r.status() === 401) refused.push(r.url());
  });
  receiver = await startReceiver({ lifetimeMs: 80_000 });
  const { dir } = await serveWith(
    page,
    (d) =>
      `sources:\n  - { name: monitor, type: file, path: ${join(d, 'alerts.jsonl')}, format: alert-jsonl }\n  - { name: app, type: file, path: ${join(d, 'app.log')} }\n` +
      `channels:\n  - { name: hook, type: webhook, url: "${receiver!.url}" }\nnotify:\n  groupWindow: 1s\n`,
  );
  const alerts = join(dir, 'alerts.jsonl');
  const appLog = join(dir, 'app.log');
  writeFileSync(appLog, '');
  appendFileSync(
    alerts,
    ['disk full on /var', 'replica lag 40 s'].map((m) => JSON.stringify({ timestamp: new Date().toISOString(), type: 'anomaly', severity: 'high', message: m }) + '\n').join(''),
  );
  await page.getByRole('tab', { name: /Anomalies/ }).click();
  await expect(page.getByRole('tab', { name: 'Anomalies (2)' })).toBeVisible();
  // The badge counts open anomalies, also while the resolved list is shown (it read none).
  await page.getByRole('button', { name: 'resolved', exact: true }).click();
  await expect(page.getByText('Nothing needs your attention.')).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Anomalies (2)' })).toBeVisible();
  await page.getByRole('button', { name: 'active', exact: true }).click();
  await expect(page.getByTestId('anomaly-item')).toHaveCount(2);
  // Reached with Tab from the list's chips, opened with Enter: its actions are then reachable.
  await page.getByRole('button', { name: 'all', exact: true }).focus();
  await page.keyboard.press('Tab');
  const first = page.getByTestId('anomaly-item').first().getByRole('button');
  await expect(first).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('anomaly-detail').getByRole('button', { name: 'Acknowledge' })).toBeVisible();

  // Both anomalies went in one message: one row naming both, not two rows alike.
  await expect.poll(() => receiver!.requests.length, { timeout: 15_000 }).toBe(1);
  await page.getByRole('tab', { name: 'Notifications' }).click();
  const rows = page.getByTestId('delivery-item');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(/#\d+, #\d+/);

  // Paused under "Errors and up": the count is of the lines that will show.
  await page.getByRole('tab', { name: 'Live' }).click();
  await page.getByLabel('minimum level').selectOption({ label: 'Errors and up' });
  await page.getByRole('button', { name: 'Pause' }).click();
  const t = new Date().toISOString();
  appendFileSync(appLog, `${t} INFO one\n${t} INFO two\n${t} ERROR three\n${t} INFO four\n`);
  await expect(page.getByTestId('missed')).toHaveText('1 new line', { timeout: 10_000 });
  await page.waitForTimeout(500);
  await expect(page.getByTestId('missed')).toHaveText('1 new line');

  // Run with nothing to run: said plainly, not the validator's words.
  await page.getByRole('tab', { name: 'SQL' }).click();
  await page.getByRole('textbox', { name: 'SQL' }).fill('  ');
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.getByText(/Write a query to run/)).toBeVisible();
  expect(refused).toEqual([]);
});

test('evidence lines read as Live reads them: colour codes out, a long line cut to a page with the rest on request and marked when it was cut at storing; copied lines are lines; long titles and dated times stay in their columns', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const { dir } = await serveWith(page, (d) => `sources:\n  - { name: app, type: file, path: ${join(d, 'app.log')}, maxLineBytes: 8192 }\n`);
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  await expect(page.getByText('watching')).toBeVisible();
  const now = Date.now();
  const at = (ms: number) => new Date(now + ms).toISOString();
  const word = 'q'.repeat(300);
  appendFileSync(
    log,
    `${at(-3 * 86_400_000)} INFO three days ago\n` +
      `${at(0)} INFO long context ${'c'.repeat(20_000)}\n` +
      `${at(1)} FATAL \u001b[31mpayment worker crashed\u001b[0m ${word}\n`,
  );
  await page.getByRole('tab', { name: /Anomalies/ }).click();
  const item = page.getByTestId('anomaly-item').filter({ hasText: 'FATAL' }).first();
  await expect(item).toBeVisible();
  await item.click();
  const detail = page.getByTestId('anomaly-detail');
  const evidence = detail.getByTestId('evidence-evidence');
  await expect(evidence).toContainText('payment worker crashed');
  expect(await evidence.innerText()).not.toContain('[31m');
  // The 8,192 bytes stored of the 20,000-character line: a page of it, the rest on request, then the mark.
  const long = detail.getByTestId('evidence-context').filter({ hasText: 'long context' });
  await expect(long.getByRole('button', { name: /more characters/ })).toBeVisible();
  // A context line shows a few lines' worth: it cannot bury the evidence (a 200 KB one put it 14,000 px down).
  expect((await long.locator('.msg').innerText()).length).toBeLessThan(600);
  // At 1024 px the message keeps most of the row (a dated time left it 55 px).
  await page.setViewportSize({ width: 1024, height: 800 });
  const msgBox = await evidence.locator('.msg').boundingBox();
  expect(msgBox!.width).toBeGreaterThan(250);
  await expect(long.getByTestId('line-cut')).toHaveCount(0);
  await long.getByRole('button', { name: /more characters/ }).click();
  await expect(long.getByTestId('line-cut')).toBeVisible();
  // The title's 300-letter word wraps inside the detail pane and the list.
  const pane = await detail.boundingBox();
  const title = await detail.locator('h3').boundingBox();
  expect(title!.x + title!.width).toBeLessThanOrEqual(pane!.x + pane!.width + 1);
  const itemBox = await item.boundingBox();
  const itemTitle = await item.locator('.a-title').boundingBox();
  expect(itemTitle!.x + itemTitle!.width).toBeLessThanOrEqual(itemBox!.x + itemBox!.width + 1);

  // Live: the line of three days ago carries its date on one row, as high as today's.
  await page.getByRole('tab', { name: 'Live' }).click();
  const rows = page.getByTestId('log-line');
  await expect(rows).toHaveCount(3);
  const heights = await rows.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
  expect(heights[0]).toBeLessThan(24);
  // Selecting the three lines and copying gives three lines of text.
  await page.getByTestId('live-lines').evaluate((box) => {
    const r = box.ownerDocument.createRange();
    r.selectNodeContents(box);
    const sel = box.ownerDocument.getSelection()!;
    sel.removeAllRanges();
    sel.addRange(r);
  });
  await page.keyboard.press('Control+C');
  const copied = await page.evaluate<string>('navigator.clipboard.readText()');
  const copiedLines = copied.split('\n');
  expect(copiedLines).toHaveLength(3);
  expect(copiedLines[0]).toMatch(/ app info three days ago$/);
  expect(copiedLines[2]).toMatch(/ app fatal payment worker crashed q+$/);
  // Its time opens the line as written (the row shows the decoded message only).
  const fatal = rows.nth(2);
  await fatal.getByRole('button', { name: /:/ }).first().click();
  await expect(fatal.getByTestId('raw-line')).toHaveText(new RegExp(`^${at(1).replace(/[.]/g, '\\.')} FATAL payment worker crashed q+$`));
});
