// The Config view's store (renderer/stores/config.ts) on a real engine, in process, as
// live-store.test.ts does it. The window asks for vigil.yml more than once as it opens (on
// connect, as the view shows, on each change); a test holds the engine's answers to
// config.get and hands them over in the order a slow link would.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Engine } from '../../../electron/engine/engine.js';
import type { VigilApi } from '../../../shared/contract.js';
import { provideApi } from '../../../renderer/stores/api-context.js';
import { useConfig } from '../../../renderer/stores/config.js';
import { tempDir, waitFor } from '../../support/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  useConfig.setState({ text: '', saved: '', path: '', errors: [], fileErrors: [], message: null, stale: false });
});

async function start(text: string) {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const config = join(dir, 'vigil.yml');
  writeFileSync(config, text);
  const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined });
  cleanups.push(() => engine.close());
  /** config.get answers, each held until its release is called. */
  const held: (() => void)[] = [];
  let holding = false;
  const api: VigilApi = {
    call: async (name, req) => {
      const res = await (engine.handlers[name] as (r: unknown) => Promise<never>)(req);
      if (name === 'config.get' && holding) await new Promise<void>((r) => held.push(r));
      return res;
    },
    on: (event, cb) => engine.events.on(event as never, cb as never),
  };
  provideApi(api);
  return {
    config,
    engine,
    hold: () => (holding = true),
    held,
  };
}

const original = 'sources: []\nchannels: []\nrules: []\n';

it('a draft typed while the window still reads vigil.yml stays, and Save can be pressed (the late answer put the file back over it)', async () => {
  const t = await start(original);
  await useConfig.getState().load();
  t.hold();
  // The view opens while the load on connect is out: two loads cross.
  const onConnect = useConfig.getState().load();
  const onView = useConfig.getState().load();
  await waitFor(() => t.held.length === 2, { what: 'both loads out' });
  useConfig.getState().setText('sources:\n  - name: x\n    type: file\n');
  t.held[1]!();
  await onView;
  t.held[0]!();
  await onConnect;
  const s = useConfig.getState();
  expect(s.text).toBe('sources:\n  - name: x\n    type: file\n');
  expect(s.saved).toBe(original);
  expect(s.stale).toBe(false);
  // Saved, it is refused for what it lacks (not for the file having changed).
  await useConfig.getState().save();
  expect(useConfig.getState().errors.map((e) => e.key)).toContain('sources.0.path');
});

it('two loads answered in reverse order: the text is the newer answer, not the older one', async () => {
  const t = await start(original);
  await useConfig.getState().load();
  t.hold();
  const first = useConfig.getState().load();
  await waitFor(() => t.held.length === 1, { what: 'the first load out' });
  const changed = 'sources: []\nchannels: []\nrules: []\n# changed\n';
  await t.engine.handlers['config.set']({ text: changed, base: original });
  const second = useConfig.getState().load();
  await waitFor(() => t.held.length === 2, { what: 'the second load out' });
  t.held[1]!();
  await second;
  t.held[0]!();
  await first;
  expect(useConfig.getState()).toMatchObject({ text: changed, saved: changed });
});

it('a draft typed while a load is out, when the file changed meanwhile: the draft stays and is marked stale', async () => {
  const t = await start(original);
  await useConfig.getState().load();
  t.hold();
  const changed = 'sources: []\nchannels: []\nrules: []\n# by hand\n';
  await t.engine.handlers['config.set']({ text: changed, base: original });
  const loading = useConfig.getState().load();
  await waitFor(() => t.held.length >= 1, { what: 'the load out' });
  useConfig.getState().setText(original + '# mine\n');
  for (const r of t.held) r();
  await loading;
  expect(useConfig.getState()).toMatchObject({ text: original + '# mine\n', saved: original, stale: true });
});
