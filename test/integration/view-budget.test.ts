// What the engine pushes to a view stays within a view's budget however long the lines:
// 40 lines of 1 MB pushed at once closed the UI's socket (past its 32 MiB send buffer).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { LogEvent } from '../../shared/types.js';
import { RECORD_FLAGS } from '../../shared/types.js';
import { Engine } from '../../electron/engine/engine.js';
import { VIEW_FIELD_LIMIT, VIEW_PAGE_BUDGET } from '../../electron/engine/store/view-budget.js';
import { tempDir, waitFor } from '../support/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('lines of 1 MB read at once reach the view cut and flagged, in pushes within the budget; those not pushed are counted as skipped', async () => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const log = join(dir, 'big.log');
  writeFileSync(log, Array.from({ length: 40 }, (_, i) => `2026-11-22T10:00:${String(i).padStart(2, '0')}.000Z INFO ${'x'.repeat(1_000_000)}`).join('\n') + '\n');
  writeFileSync(join(dir, 'vigil.yml'), `sources:\n  - { name: big, type: file, path: '${log}', start: beginning }\n`);
  const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined });
  cleanups.push(() => engine.close());
  const pushes: LogEvent[][] = [];
  let skipped = 0;
  engine.events.on('events.appended', (es) => pushes.push(es));
  engine.events.on('events.skipped', (s) => (skipped += s.count));
  await waitFor(() => pushes.flat().length + skipped >= 40, { what: 'all 40 lines pushed or counted', timeoutMs: 30_000 });
  for (const p of pushes) {
    expect(p.reduce((n, e) => n + e.message.length + (e.raw === e.message ? 0 : e.raw.length), 0)).toBeLessThanOrEqual(VIEW_PAGE_BUDGET);
    for (const e of p) {
      expect(e.raw.length).toBe(VIEW_FIELD_LIMIT);
      expect(e.flags! & RECORD_FLAGS.cutForView).toBe(RECORD_FLAGS.cutForView);
    }
  }
  expect(pushes.flat().length + skipped).toBe(40);
});
