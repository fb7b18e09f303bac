import { appendFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
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

test('add a file source in the UI, see appended lines, and find them again after a restart', async ({ page }) => {
  const t = tempDir('vigil-e2e-');
  cleanup = t.cleanup;
  const config = join(t.dir, 'vigil.yml');
  const db = join(t.dir, 'vigil.db');
  const log = join(t.dir, 'app.log');
  writeFileSync(config, 'sources: []\nchannels: []\nrules: []\n');
  writeFileSync(log, '');
  const args = ['--config', config, '--db', db, '--port', '0', '--data-dir', t.dir];

  running = await startServe(args);
  expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
  await page.goto(running.url);
  await expect(page.getByText('connected', { exact: true })).toBeVisible();

  // Add the source through the UI.
  await page.getByRole('button', { name: '+ Add' }).click();
  await page.locator('form[aria-label="add source"] input[name="name"]').fill('app');
  await page.locator('form[aria-label="add source"] input[name="path"]').fill(log);
  await page.getByRole('button', { name: 'Add source' }).click();
  const item = page.locator('[data-testid="source-item"][data-name="app"]');
  await expect(item).toBeVisible();
  await expect(item.locator('.badge')).toHaveText(/watching/);

  // Append lines to the file: they appear in the live view.
  appendFileSync(log, '2026-11-21T10:00:00Z INFO checkout service started\n2026-11-21T10:00:01Z ERROR payment gateway timed out\n');
  const lines = page.getByTestId('log-line');
  await expect(lines.filter({ hasText: 'payment gateway timed out' })).toHaveCount(1);
  await expect(lines.filter({ hasText: 'checkout service started' })).toHaveCount(1);
  await expect(lines.filter({ hasText: 'payment gateway timed out' }).locator('.lvl')).toHaveText('error');

  // How the file is decoded, and why.
  await item.getByRole('button', { name: 'decoding…' }).click();
  const decoding = item.getByTestId('decoding');
  await expect(decoding.locator('li')).toHaveCount(1);
  await expect(decoding.locator('li strong')).toHaveText('iso-level');
  await expect(decoding).toContainText(`${log}: detected iso-level: it read 2 of 2 sample lines`);
  // Forced from the same place: written to vigil.yml; and back to detection.
  const { readFileSync: read } = await import('node:fs');
  await item.getByLabel('format of app').selectOption('logfmt');
  await expect.poll(() => read(config, 'utf8')).toContain('format: logfmt');
  await expect(decoding.locator('li strong')).toHaveText('logfmt', { timeout: 10_000 });
  await expect(decoding).toContainText('forced');
  await item.getByLabel('format of app').selectOption('');
  await expect.poll(() => read(config, 'utf8')).not.toContain('format:');

  // The source was written to the config file.
  const { readFileSync } = await import('node:fs');
  expect(readFileSync(config, 'utf8')).toContain(log);

  // Restart the server: the lines are still there (stored in SQLite), the source too.
  expect(await running.stop()).toBe(0);
  running = await startServe(args);
  await page.goto(running.url);
  await expect(page.locator('[data-testid="source-item"][data-name="app"]')).toBeVisible();
  await expect(lines.filter({ hasText: 'payment gateway timed out' })).toHaveCount(1);
  await expect(lines.filter({ hasText: 'checkout service started' })).toHaveCount(1);

  // And new lines after the restart still arrive, once.
  appendFileSync(log, '2026-11-21T10:05:00Z WARN retry budget low\n');
  await expect(lines.filter({ hasText: 'retry budget low' })).toHaveCount(1);
  await expect(lines.filter({ hasText: 'payment gateway timed out' })).toHaveCount(1);
});

test('remove and disable a source from the UI', async ({ page }) => {
  const t = tempDir('vigil-e2e-');
  cleanup = t.cleanup;
  const config = join(t.dir, 'vigil.yml');
  const log = join(t.dir, 'a.log');
  writeFileSync(log, '');
  writeFileSync(config, `sources:\n  - name: one\n    type: file\n    path: ${log}\n  - name: two\n    type: file\n    path: ${log}\n`);
  running = await startServe(['--config', config, '--db', join(t.dir, 'v.db'), '--port', '0', '--data-dir', t.dir]);
  await page.goto(running.url);
  const one = page.locator('[data-testid="source-item"][data-name="one"]');
  await expect(one).toBeVisible();
  // The checkbox reflects the config in force: it changes once the engine confirms.
  await one.getByRole('checkbox').click();
  await expect(one.getByRole('checkbox')).not.toBeChecked();
  await expect(one.locator('.badge')).toHaveText(/disabled/);
  await page.getByRole('button', { name: 'remove two' }).click();
  await expect(page.locator('[data-testid="source-item"][data-name="two"]')).toHaveCount(0);
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(config, 'utf8');
  expect(text).toContain('enabled: false');
  expect(text).not.toContain('name: two');
});

test('two detector toggles clicked at once both reach vigil.yml, and the comments there stay', async ({ page }) => {
  const t = tempDir('vigil-e2e-');
  cleanup = t.cleanup;
  const config = join(t.dir, 'vigil.yml');
  const log = join(t.dir, 'a.log');
  writeFileSync(log, '');
  writeFileSync(config, `sources:\n  - name: one\n    type: file\n    path: ${log}\n    detectors:\n      # quiet nights: no silence alerts\n      silence: false\n`);
  running = await startServe(['--config', config, '--db', join(t.dir, 'v.db'), '--port', '0', '--data-dir', t.dir]);
  await page.goto(running.url);
  const one = page.locator('[data-testid="source-item"][data-name="one"]');
  await one.getByRole('button', { name: 'detection…' }).click();
  const toggles = one.getByTestId('detector-toggles');
  const rate = toggles.getByLabel('error-rate spikes');
  const traces = toggles.getByLabel('stack traces');
  await expect(rate).toBeChecked();
  await expect(traces).toBeChecked();
  await rate.click();
  await traces.click();
  const { readFileSync } = await import('node:fs');
  await expect.poll(() => readFileSync(config, 'utf8')).toMatch(/traceback: false/);
  const text = readFileSync(config, 'utf8');
  expect(text).toContain('      # quiet nights: no silence alerts\n      silence: false\n');
  expect(text).toMatch(/errorRate: false/);
  await expect(rate).not.toBeChecked();
  await expect(traces).not.toBeChecked();
});

test('add the system journal as a source from the UI: written to the config with its units, and followed', async ({ page }) => {
  const t = tempDir('vigil-e2e-');
  cleanup = t.cleanup;
  const config = join(t.dir, 'vigil.yml');
  writeFileSync(config, 'sources: []\nchannels: []\nrules: []\n');
  running = await startServe(['--config', config, '--db', join(t.dir, 'v.db'), '--port', '0', '--data-dir', t.dir]);
  await page.goto(running.url);
  await page.getByRole('button', { name: '+ Add' }).click();
  await page.getByRole('button', { name: 'System journal' }).click();
  await page.locator('form[aria-label="add source"] input[name="name"]').fill('system');
  await page.locator('form[aria-label="add source"] input[name="units"]').fill('nginx.service, ssh.service');
  await page.getByRole('button', { name: 'Add source' }).click();
  const item = page.locator('[data-testid="source-item"][data-name="system"]');
  await expect(item).toBeVisible();
  await expect(item.locator('.src-path')).toHaveText('the system journal: nginx.service, ssh.service');
  // This machine runs no journald: journalctl waits for entries, which is following.
  await expect(item.locator('.badge')).toHaveText(/watching/);
  const { readFileSync } = await import('node:fs');
  const { parse } = await import('yaml');
  expect((parse(readFileSync(config, 'utf8')) as { sources: unknown[] }).sources).toEqual([{ name: 'system', type: 'journald', units: ['nginx.service', 'ssh.service'] }]);
});

test('a page without the token gets nothing', async ({ page }) => {
  const t = tempDir('vigil-e2e-');
  cleanup = t.cleanup;
  writeFileSync(join(t.dir, 'vigil.yml'), 'sources: []\n');
  running = await startServe(['--config', join(t.dir, 'vigil.yml'), '--db', join(t.dir, 'v.db'), '--port', '0', '--data-dir', t.dir]);
  const noToken = running.url.replace(/\?token=.*/, '');
  const res = await page.goto(noToken);
  expect(res?.status()).toBe(401);
});

test('search the whole store from the live view, by word and by level, and page back to older lines', async ({ page }) => {
  const t = tempDir('vigil-e2e-');
  cleanup = t.cleanup;
  const log = join(t.dir, 'big.log');
  // 3,000 lines: the live view loads the newest 500, and the one error is far older.
  const lines: string[] = [];
  for (let i = 1; i <= 3000; i++) {
    lines.push(i === 100 ? `2026-11-21T10:00:00Z ERROR card processor rejected batch ${i}` : `2026-11-21T10:00:00Z INFO request ${i} served`);
  }
  writeFileSync(log, lines.join('\n') + '\n');
  const config = join(t.dir, 'vigil.yml');
  const small = join(t.dir, 'small.log');
  writeFileSync(small, '');
  writeFileSync(
    config,
    `sources:\n  - name: big\n    type: file\n    path: ${log}\n    start: beginning\n  - name: small\n    type: file\n    path: ${small}\n    start: beginning\nchannels: []\nrules: []\n`,
  );
  running = await startServe(['--config', config, '--db', join(t.dir, 'v.db'), '--port', '0', '--data-dir', t.dir]);
  await page.goto(running.url);
  const shown = page.getByTestId('log-line');
  await expect(shown.filter({ hasText: 'request 3000 served' })).toHaveCount(1);
  // Wait for the whole file: reload until the newest page is the last 500 lines.
  await expect(async () => {
    await page.reload();
    await expect(shown.first()).toContainText('request 2501 served', { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expect(shown).toHaveCount(500);
  await expect(shown.filter({ hasText: 'card processor' })).toHaveCount(0);

  // The other source writes a line (the newest, once big's file is read).
  appendFileSync(small, '2026-11-21T09:00:00Z WARN disk almost full on the small host\n');
  await expect(shown.last()).toContainText('disk almost full on the small host');

  // A word: the store is searched, not the lines in view.
  await page.getByLabel('search messages').fill('card processor');
  await expect(shown).toHaveCount(1);
  await expect(shown.first()).toContainText('card processor rejected batch 100');
  await expect(shown.first().locator('.lvl')).toHaveText('error');

  // A level instead: errors and up.
  await page.getByLabel('search messages').fill('');
  await page.getByLabel('minimum level').selectOption('error');
  await expect(shown).toHaveCount(1);
  await expect(shown.first()).toContainText('card processor rejected batch 100');

  // One source: only its line, though the other's lines are newer.
  await page.getByLabel('minimum level').selectOption('');
  await page.getByLabel('source', { exact: true }).selectOption('small');
  await expect(shown).toHaveCount(1);
  await expect(shown.first()).toContainText('disk almost full on the small host');
  await page.getByLabel('source', { exact: true }).selectOption('');

  // All lines again, then page back: 500 older lines on top, the newest still last.
  await expect(shown).toHaveCount(500);
  await page.getByRole('button', { name: 'Older lines' }).click();
  await expect(shown).toHaveCount(1000);
  await expect(shown.first()).toContainText('request 2002 served');
  await expect(shown.last()).toContainText('disk almost full on the small host');

  // A new line that matches the search arrives while searching; one that does not, does not.
  await page.getByLabel('search messages').fill('rejected');
  await expect(shown).toHaveCount(1);
  appendFileSync(log, '2026-11-21T10:01:00Z ERROR card processor rejected batch 3001\n2026-11-21T10:01:00Z INFO request 3002 served\n');
  await expect(shown).toHaveCount(2);
  await expect(shown.last()).toContainText('rejected batch 3001');

  // -word leaves lines out, in the store and as they arrive.
  await page.getByLabel('search messages').fill('rejected -3001');
  await expect(shown).toHaveCount(1);
  await expect(shown.first()).toContainText('rejected batch 100');
  appendFileSync(log, '2026-11-21T10:02:00Z ERROR card processor rejected batch 3001 again\n2026-11-21T10:02:00Z ERROR card processor rejected batch 3004\n');
  await expect(shown).toHaveCount(2);
  await expect(shown.last()).toContainText('rejected batch 3004');
});

/** A fresh folder with an empty config, and a free port to run `vigil serve` on again after a stop. */
async function restartable(): Promise<{ t: { dir: string }; config: string; port: number }> {
  const t = tempDir('vigil-e2e-');
  cleanup = t.cleanup;
  const config = join(t.dir, 'vigil.yml');
  writeFileSync(config, 'sources: []\nchannels: []\nrules: []\n');
  const port = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
  return { t, config, port };
}

test('a query running when the server restarts fails with a message; Run works again after the reconnect', async ({ page }) => {
  const { t, config, port } = await restartable();
  const args = ['--config', config, '--db', join(t.dir, 'v.db'), '--port', String(port), '--data-dir', t.dir, '--token', 'restart-token-1'];
  running = await startServe(args);
  await page.goto(running.url);
  await page.getByRole('tab', { name: 'SQL' }).click();
  await page.getByRole('textbox', { name: 'SQL' }).fill('WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 300000000) SELECT count(*) FROM r');
  const run = page.getByRole('button', { name: 'Run' });
  await run.click();
  await expect(run).toBeDisabled();
  expect(await running.stop()).toBe(0);
  running = await startServe(args);
  await expect(page.getByText('the connection to Vigil was lost before it answered; try again')).toBeVisible({ timeout: 15_000 });
  await expect(run).toBeEnabled();
  await page.getByRole('textbox', { name: 'SQL' }).fill('SELECT 41 + 1 AS answer');
  await run.click();
  await expect(page.locator('.result')).toContainText('42');
});

/** A `vigil serve` on a fresh folder following its app.log (holding `first`) from the beginning, the page open on it; returns the log's path. */
async function serveAppLog(page: Page, first: string): Promise<string> {
  const t = tempDir('vigil-e2e-');
  cleanup = t.cleanup;
  const config = join(t.dir, 'vigil.yml');
  const log = join(t.dir, 'app.log');
  writeFileSync(log, first);
  writeFileSync(config, `sources:\n  - { name: app, type: file, path: ${log}, start: beginning }\n`);
  running = await startServe(['--config', config, '--db', join(t.dir, 'v.db'), '--port', '0', '--data-dir', t.dir]);
  await page.goto(running.url);
  return log;
}

test("a line whose word is no level (postgres's STATEMENT after an ERROR) shows its word where the level goes, not a blank", async ({ page }) => {
  await serveAppLog(
    page,
    '2026-11-23 10:05:12.456 UTC [87] ERROR:  relation "missing_t" does not exist at character 15\n' +
      '2026-11-23 10:05:12.456 UTC [87] STATEMENT:  select * from missing_t\n' +
      '2026-11-23 10:05:13.000 UTC [88] LOG:  checkpoint starting: time\n',
  );
  const lines = page.getByTestId('log-line');
  await expect(lines).toHaveCount(3);
  await expect(lines.nth(0).locator('.lvl')).toHaveText('error');
  await expect(lines.nth(1).locator('.lvl')).toHaveText('STATEMENT');
  await expect(lines.nth(1).locator('.msg')).toHaveText('select * from missing_t');
  await expect(lines.nth(2).locator('.lvl')).toHaveText('info');
});

test('a burst of 3,000 lines at once: the Live view shows them without a hole, and paused it counts them all', async ({ page }) => {
  const log = await serveAppLog(page, '2026-11-22T10:00:00Z INFO before the burst\n');
  const lines = page.getByTestId('log-line');
  await expect(lines.filter({ hasText: 'before the burst' })).toHaveCount(1);
  const burst = (tag: string) => Array.from({ length: 3000 }, (_, i) => `2026-11-22T10:00:01Z INFO ${tag} line ${i}`).join('\n') + '\n';
  appendFileSync(log, burst('bulk'));
  await expect(lines.filter({ hasText: 'bulk line 2999' })).toHaveCount(1);
  await page.waitForTimeout(500);
  const texts = await lines.allTextContents();
  const shown = texts.map((l) => /bulk line (\d+)/.exec(l)?.[1]).filter((n): n is string => n !== undefined).map(Number);
  expect(shown.length).toBeGreaterThan(100);
  // Consecutive up to the last: no line of the burst missing between those shown, nor
  // between the line before the burst and the burst's first shown.
  expect(shown).toEqual(Array.from({ length: shown.length }, (_, i) => 3000 - shown.length + i));
  if (texts.some((l) => l.includes('before the burst'))) expect(shown[0]).toBe(0);
  // Paused, the count of new lines is every line.
  await page.getByRole('button', { name: 'Pause' }).click();
  appendFileSync(log, burst('later'));
  await expect(page.getByText('3000 new lines')).toBeVisible({ timeout: 10_000 });
});

test('a very long line shows its first 4,000 characters and says how many more; asked, all of it', async ({ page }) => {
  const log = await serveAppLog(page, '');
  const payload = 'x'.repeat(200_000) + ' END';
  appendFileSync(log, `2026-11-22T10:00:00Z ERROR huge ${payload}\n2026-11-22T10:00:01Z INFO after it\n`);
  const line = page.getByTestId('log-line').filter({ hasText: 'huge' });
  await expect(page.getByTestId('log-line').filter({ hasText: 'after it' })).toHaveCount(1);
  const msg = line.locator('.msg');
  await expect(msg.getByRole('button')).toHaveText(` … ${(('huge ' + payload).length - 4000).toLocaleString('en-US')} more characters`);
  expect(((await msg.textContent()) ?? '').includes('END')).toBe(false);
  await msg.getByRole('button').click();
  await expect(msg).toContainText('END');
  await expect(msg.getByRole('button')).toHaveText(' show less');
});

test('SQL view: BLOBs read as x\'..\', a second Ctrl+Enter while a query runs does not swap in its answer later, an answer of 1 GB is cut, the server lives', async ({ page }) => {
  await serveAppLog(page, '2026-11-22T10:00:00Z INFO one line\n');
  await page.getByRole('tab', { name: 'SQL' }).click();
  const box = page.getByRole('textbox', { name: 'SQL' });
  const result = page.getByTestId('query-result');
  await box.fill("SELECT x'00ff10' AS b, zeroblob(2) AS z");
  await box.press('Control+Enter');
  await expect(result).toContainText("x'00ff10'");
  await expect(result).toContainText("x'0000'");

  await box.fill('WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 8000000) SELECT count(*) AS slow_count FROM r');
  await box.press('Control+Enter');
  await expect(page.getByRole('button', { name: 'Run' })).toBeDisabled();
  await box.fill('SELECT 42 AS answer');
  await box.press('Control+Enter');
  await expect(page.getByRole('button', { name: 'Run' })).toBeEnabled({ timeout: 30_000 });
  // The slow query's answer, the one that was run; not 42 under a box that says so, nor 42 then the other.
  // It says the rows are not of the text in the box now, until that is run.
  await expect(result).toContainText('slow_count');
  await expect(page.getByTestId('query-earlier')).toContainText('the query run before the text was changed');
  await box.press('Control+Enter');
  await expect(result).toContainText('answer');
  await expect(page.getByTestId('query-earlier')).toHaveCount(0);

  // 1,000 rows of 1 MB each: cut to what one answer holds, said so; cells cut too.
  await box.fill("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000) SELECT x, printf('%.*c', 1000000, 'y') AS big FROM c");
  await box.press('Control+Enter');
  await expect(page.locator('.result')).toContainText('more would not fit in one answer', { timeout: 30_000 });
  await expect(result.locator('tbody tr').first()).toContainText('more characters');
  await box.fill('SELECT 7 AS still_here');
  await box.press('Control+Enter');
  await expect(result).toContainText('still_here');
});

test('the server restarted with a new token: the page says its token is no longer accepted, instead of reconnecting for ever', async ({ page }) => {
  const { t, config, port } = await restartable();
  const args = (token: string) => ['--config', config, '--db', join(t.dir, 'v.db'), '--port', String(port), '--data-dir', t.dir, '--token', token];
  running = await startServe(args('first-token-123'));
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.goto(running.url);
  await expect(page.getByText('connected', { exact: true })).toBeVisible();
  const barHeight = async () => (await page.locator('header.topbar').boundingBox())!.height;
  const connectedBar = await barHeight();
  expect(await running.stop()).toBe(0);
  running = await startServe(args('second-token-456'));
  await expect(page.getByTestId('token-refused-banner')).toContainText("This page's token is no longer accepted (Vigil was restarted with a new one): open the URL it printed", { timeout: 20_000 });
  // Said below the bar: the bar keeps its one row at 1024 px (the text in it pushed the tabs onto two).
  expect(await barHeight()).toBe(connectedBar);
  await page.goto(running.url);
  await expect(page.getByTestId('token-refused-banner')).toHaveCount(0);
  await expect(page.getByText('connected', { exact: true })).toBeVisible();
});

test('at scale: paging back keeps at most 4,000 lines (then "Newer lines" returns to the newest), the anomaly list pages past 200, a day\'s band asks for about 360 buckets', async ({ page }) => {
  const t = tempDir('vigil-e2e-');
  cleanup = t.cleanup;
  const log = join(t.dir, 'big.log');
  writeFileSync(log, Array.from({ length: 10_000 }, (_, i) => `2026-11-21T10:00:00Z INFO request ${i + 1} served`).join('\n') + '\n');
  const alerts = join(t.dir, 'alerts.jsonl');
  const now = new Date().toISOString();
  writeFileSync(alerts, Array.from({ length: 205 }, (_, i) => JSON.stringify({ timestamp: now, type: 'anomaly', severity: 'low', message: `monitor alert ${i + 1}` }) + '\n').join(''));
  const config = join(t.dir, 'vigil.yml');
  writeFileSync(config, `sources:\n  - { name: big, type: file, path: ${log}, start: beginning }\n  - { name: monitor, type: file, path: ${alerts}, start: beginning, format: alert-jsonl }\nchannels: []\nrules: []\n`);
  running = await startServe(['--config', config, '--db', join(t.dir, 'v.db'), '--port', '0', '--data-dir', t.dir]);
  const asked: string[] = [];
  page.on('websocket', (ws) => ws.on('framesent', (f) => typeof f.payload === 'string' && f.payload.includes('detect.band') && asked.push(f.payload)));
  await page.goto(running.url);
  const shown = page.getByTestId('log-line');
  await expect(async () => {
    await page.reload();
    await expect(shown.last()).toContainText('request 10000 served', { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await page.getByLabel('source', { exact: true }).selectOption('big');
  await expect(shown).toHaveCount(500);
  for (let i = 0; i < 9; i++) {
    // The line at the top stays in view as older ones come above it, also once the newest go.
    const top = (await shown.first().textContent())!.match(/request \d+ served/)![0];
    await page.getByRole('button', { name: 'Older lines' }).click();
    await expect(page.getByRole('button', { name: 'Older lines' })).toBeEnabled();
    await expect(shown.filter({ hasText: new RegExp(`${top}$`) })).toBeInViewport();
  }
  await expect(shown).toHaveCount(4000);
  await expect(shown.first()).toContainText('request 5001 served');
  // Newer ones were let go: a new line is counted, not shown, until asked for.
  appendFileSync(log, '2026-11-21T10:00:01Z INFO request 10001 served\n');
  await expect(page.getByTestId('newer-lines')).toContainText('1 new');
  await expect(shown.filter({ hasText: 'request 10001 served' })).toHaveCount(0);
  await page.getByTestId('newer-lines').click();
  await expect(shown.last()).toContainText('request 10001 served');
  await expect(page.getByTestId('newer-lines')).toHaveCount(0);

  await page.getByRole('tab', { name: /Anomalies/ }).click();
  const items = page.getByTestId('anomaly-item');
  await expect(items).toHaveCount(200);
  await page.getByRole('button', { name: /Older anomalies \(showing the newest 200\)/ }).click();
  await expect(items).toHaveCount(205);
  await expect(items.last()).toContainText('monitor alert 1');
  await expect(page.getByRole('button', { name: /Older anomalies/ })).toHaveCount(0);

  await page.getByLabel('chart source').selectOption('big');
  await page.getByRole('button', { name: '24 h', exact: true }).click();
  await expect.poll(() => asked.some((p) => p.includes('"bucketMs":240000'))).toBe(true);
});
