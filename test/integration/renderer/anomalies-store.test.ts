// The Anomalies view's store (renderer/stores/anomalies.ts) on a real engine, in process, on a
// slow link (test/support/held-api.ts): a user who clicks on before the answers come.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Engine } from '../../../electron/engine/engine.js';
import type { Anomaly } from '../../../shared/types.js';
import { provideApi } from '../../../renderer/stores/api-context.js';
import { useAnomalies } from '../../../renderer/stores/anomalies.js';
import { heldApi } from '../../support/held-api.js';
import { RecordingToaster } from '../../support/notify-harness.js';
import { tempDir, waitFor } from '../../support/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  useAnomalies.setState({ list: [], view: 'active', selected: null, detail: null, history: [], error: null });
});

/** An engine whose alert log reported `open` anomalies still open and `resolved` resolved. */
async function start(open: string[], resolved: string[]) {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const log = join(dir, 'alerts.log');
  writeFileSync(log, '');
  writeFileSync(join(dir, 'vigil.yml'), `sources:\n  - { name: alerts, type: file, path: ${JSON.stringify(log)}, format: alert-jsonl, start: beginning }\n`);
  const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined, toaster: new RecordingToaster() });
  cleanups.push(() => engine.close());
  const all = [...open, ...resolved];
  for (const message of all) appendFileSync(log, JSON.stringify({ timestamp: new Date().toISOString(), type: 'anomaly', severity: 'high', message }) + '\n');
  const list = () => engine.handlers['anomalies.list']({ state: 'all', limit: 100 }) as Promise<Anomaly[]>;
  await waitFor(async () => (await list()).length === all.length, { what: 'the anomalies opened' });
  for (const a of await list()) if (resolved.includes(a.title) || resolved.includes(a.message)) await engine.handlers['anomalies.resolve']({ id: a.id });
  const link = heldApi(engine);
  provideApi(link.api);
  return { engine, link, byTitle: async (t: string) => (await list()).find((a) => a.title === t || a.message === t)! };
}

it('"resolved" clicked, then "active" before its answer: the active list shows, not the resolved one that answered last', async () => {
  const t = await start(['alpha down', 'bravo down'], ['charlie down', 'delta down']);
  await useAnomalies.getState().load();
  t.link.hold('anomalies.list');
  useAnomalies.getState().setView('resolved');
  await t.link.waitHeld('anomalies.list', 1);
  useAnomalies.getState().setView('active');
  await t.link.waitHeld('anomalies.list', 2);
  // The resolved list answers, and asks for the open count (a second round trip) ...
  t.link.held('anomalies.list')[0]!();
  await t.link.waitHeld('anomalies.list', 3);
  // ... while the active list, one round trip, answers first.
  t.link.held('anomalies.list')[1]!();
  await waitFor(() => useAnomalies.getState().list.length === 2 && useAnomalies.getState().list.every((a) => a.state !== 'resolved'), { what: 'the active list' });
  t.link.held('anomalies.list')[2]!();
  await new Promise((r) => setTimeout(r, 100));
  const s = useAnomalies.getState();
  expect(s.view).toBe('active');
  expect(s.list.map((a) => a.state)).toEqual(['open', 'open']);
});

it('another anomaly chosen: the last one\'s page goes at once (its buttons would act on it), and a late answer for it does not come back', async () => {
  const t = await start(['juliet down', 'india down'], []);
  const juliet = await t.byTitle('juliet down');
  const india = await t.byTitle('india down');
  await useAnomalies.getState().load();
  await useAnomalies.getState().select(juliet.id);
  expect(useAnomalies.getState().detail?.anomaly.id).toBe(juliet.id);
  t.link.hold('anomalies.get');
  const choosing = useAnomalies.getState().select(india.id);
  expect(useAnomalies.getState()).toMatchObject({ selected: india.id, detail: null });
  await t.link.waitHeld('anomalies.get', 1);
  t.link.held('anomalies.get')[0]!();
  await choosing;
  expect(useAnomalies.getState().detail?.anomaly.id).toBe(india.id);
  // Two asks for the same one answered in reverse order: the later stands.
  t.link.hold('anomalies.get');
  const first = useAnomalies.getState().select(juliet.id);
  await t.link.waitHeld('anomalies.get', 2);
  await t.engine.handlers['anomalies.ack']({ id: juliet.id });
  const second = useAnomalies.getState().select(juliet.id);
  await t.link.waitHeld('anomalies.get', 3);
  t.link.held('anomalies.get')[2]!();
  await second;
  t.link.held('anomalies.get')[1]!();
  await first;
  expect(useAnomalies.getState().detail?.anomaly).toMatchObject({ id: juliet.id, state: 'acknowledged' });
});

it('Snooze clicked twice while its call is out: one snooze stored', async () => {
  const t = await start(['kilo down'], []);
  const kilo = await t.byTitle('kilo down');
  await useAnomalies.getState().load();
  t.link.hold('anomalies.snooze');
  const first = useAnomalies.getState().snooze(kilo, 3_600_000);
  const second = useAnomalies.getState().snooze(kilo, 3_600_000);
  await t.link.waitHeld('anomalies.snooze', 1);
  expect(useAnomalies.getState().busy).toEqual([`snooze:${kilo.id}`]);
  t.link.held('anomalies.snooze')[0]!();
  await Promise.all([first, second]);
  expect(t.link.calls('anomalies.snooze')).toHaveLength(1);
  expect(await t.engine.handlers['anomalies.snoozes']({})).toHaveLength(1);
  expect(useAnomalies.getState().busy).toEqual([]);
});
