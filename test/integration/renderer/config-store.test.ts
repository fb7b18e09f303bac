// The Config view's store (renderer/stores/config.ts) on a real engine, in process, on a
// slow link (test/support/held-api.ts). The window asks for vigil.yml more than once as it
// opens (on connect, as the view shows, on each change); a test holds the engine's answers
// and hands them over in the order a slow link would.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Engine } from '../../../electron/engine/engine.js';
import { provideApi } from '../../../renderer/stores/api-context.js';
import { useConfig } from '../../../renderer/stores/config.js';
import { heldApi } from '../../support/held-api.js';
import { tempDir } from '../../support/tmp.js';

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
  const link = heldApi(engine);
  provideApi(link.api);
  return { config, engine, link };
}

const original = 'sources: []\nchannels: []\nrules: []\n';

it('a draft typed while the window still reads vigil.yml stays, and Save can be pressed (the late answer put the file back over it)', async () => {
  const t = await start(original);
  await useConfig.getState().load();
  t.link.hold('config.get');
  // The view opens while the load on connect is out: two loads cross.
  const onConnect = useConfig.getState().load();
  const onView = useConfig.getState().load();
  await t.link.waitHeld('config.get', 2);
  useConfig.getState().setText('sources:\n  - name: x\n    type: file\n');
  t.link.held('config.get')[1]!();
  await onView;
  t.link.held('config.get')[0]!();
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
  t.link.hold('config.get');
  const first = useConfig.getState().load();
  await t.link.waitHeld('config.get', 1);
  const changed = 'sources: []\nchannels: []\nrules: []\n# changed\n';
  await t.engine.handlers['config.set']({ text: changed, base: original });
  const second = useConfig.getState().load();
  await t.link.waitHeld('config.get', 2);
  t.link.held('config.get')[1]!();
  await second;
  t.link.held('config.get')[0]!();
  await first;
  expect(useConfig.getState()).toMatchObject({ text: changed, saved: changed });
});

it('a draft typed while a load is out, when the file changed meanwhile: the draft stays and is marked stale', async () => {
  const t = await start(original);
  await useConfig.getState().load();
  t.link.hold('config.get');
  const changed = 'sources: []\nchannels: []\nrules: []\n# by hand\n';
  await t.engine.handlers['config.set']({ text: changed, base: original });
  const loading = useConfig.getState().load();
  await t.link.waitHeld('config.get', 1);
  useConfig.getState().setText(original + '# mine\n');
  for (const r of t.link.held('config.get')) r();
  await loading;
  expect(useConfig.getState()).toMatchObject({ text: original + '# mine\n', saved: original, stale: true });
});

it('a reconnect (the link dropped, the server restarted) keeps a draft; if the file changed meanwhile, the draft is marked stale', async () => {
  const t = await start(original);
  await useConfig.getState().load();
  useConfig.getState().setText(original + '# mine\n');
  await useConfig.getState().reconnected();
  expect(useConfig.getState()).toMatchObject({ text: original + '# mine\n', saved: original, stale: false });
  const changed = original + '# by hand\n';
  await t.engine.handlers['config.set']({ text: changed, base: original });
  await useConfig.getState().reconnected();
  expect(useConfig.getState()).toMatchObject({ text: original + '# mine\n', saved: original, stale: true });
  // Without a draft, a reconnect shows the file as it is.
  await useConfig.getState().load();
  await useConfig.getState().reconnected();
  expect(useConfig.getState()).toMatchObject({ text: changed, saved: changed });
});

it('text typed while a save is out stays a draft: only what was sent is marked saved, and the next save is not refused as stale', async () => {
  const t = await start(original);
  await useConfig.getState().load();
  useConfig.getState().setText(original + '# first\n');
  t.link.hold('config.set');
  const saving = useConfig.getState().save();
  await t.link.waitHeld('config.set', 1);
  useConfig.getState().setText(original + '# first\n# second\n');
  t.link.held('config.set')[0]!();
  await saving;
  expect(readFileSync(t.config, 'utf8')).toBe(original + '# first\n');
  expect(useConfig.getState()).toMatchObject({ text: original + '# first\n# second\n', saved: original + '# first\n' });
  t.link.hold();
  await useConfig.getState().save();
  expect(useConfig.getState().errors).toEqual([]);
  expect(readFileSync(t.config, 'utf8')).toBe(original + '# first\n# second\n');
});

it('a save whose answer the dropped link lost: said so, not "not saved"; back, the file holding the draft reads as saved, not as someone else\'s change', async () => {
  const t = await start(original);
  await useConfig.getState().load();
  useConfig.getState().setText(original + '# mine\n');
  t.link.hold('config.set');
  const saving = useConfig.getState().save();
  await t.link.waitHeld('config.set', 1);
  t.link.lost('config.set')[0]!();
  await saving;
  expect(useConfig.getState().errors).toEqual([{ key: 'connection', reason: expect.stringMatching(/lost before it answered.*whether it was saved shows once Vigil is reached again/) }]);
  expect(readFileSync(t.config, 'utf8')).toBe(original + '# mine\n');
  t.link.hold();
  await useConfig.getState().reconnected();
  expect(useConfig.getState()).toMatchObject({ text: original + '# mine\n', saved: original + '# mine\n', stale: false, errors: [] });
});
