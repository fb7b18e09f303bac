// The chart's store (renderer/stores/rates.ts) on a real engine, in process, on a slow link
// (test/support/held-api.ts): a span chosen, then another before the first answer came.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Engine } from '../../../electron/engine/engine.js';
import { provideApi } from '../../../renderer/stores/api-context.js';
import { useRates } from '../../../renderer/stores/rates.js';
import { heldApi } from '../../support/held-api.js';
import { tempDir } from '../../support/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('"24 h", then "5 min" before its answer: the 5-minute series is drawn, not the day that answered last', async () => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  writeFileSync(join(dir, 'vigil.yml'), 'sources: []\n');
  const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined });
  cleanups.push(() => engine.close());
  const link = heldApi(engine);
  provideApi(link.api);
  link.hold('stats.rates');
  useRates.getState().setSpan(24 * 3_600_000);
  await link.waitHeld('stats.rates', 1);
  useRates.getState().setSpan(5 * 60_000);
  await link.waitHeld('stats.rates', 2);
  link.held('stats.rates')[1]!();
  await new Promise((r) => setTimeout(r, 50));
  link.held('stats.rates')[0]!();
  await new Promise((r) => setTimeout(r, 50));
  expect(useRates.getState().series?.bucketMs).toBe(5000);
});
