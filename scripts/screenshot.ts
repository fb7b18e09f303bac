// Refreshes docs/screenshot.png: a fresh `vigil serve` with its demo source, after the
// demo's first error burst, in the real Chromium. Run: node scripts/screenshot.ts
import { chromium } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe } from '../test/support/serve-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-shot-'));
const serve = await startServe(['--port', '0', '--data-dir', dir]);
const browser = await chromium.launch({
  executablePath: process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  await new Promise((r) => setTimeout(r, Number(process.env.SHOT_WAIT_MS ?? 20_000)));
  await page.goto(serve.url);
  await page.waitForTimeout(3000);
  await page.screenshot({ path: process.argv[2] ?? 'docs/screenshot.png' });
  // The same moment, on the anomaly the demo's stack trace opened.
  await page.getByRole('tab', { name: /Anomalies/ }).click();
  await page.getByTestId('anomaly-item').first().click();
  await page.getByTestId('anomaly-detail').waitFor();
  await page.waitForTimeout(500);
  await page.screenshot({ path: process.argv[3] ?? 'docs/screenshot-anomaly.png' });
} finally {
  await browser.close();
  await serve.stop();
  rmSync(dir, { recursive: true, force: true });
}
