// The Notifications view's store (renderer/stores/channels.ts) on a real engine, in process,
// on a slow link (test/support/held-api.ts): a double click while a call is out.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Engine } from '../../../electron/engine/engine.js';
import { provideApi } from '../../../renderer/stores/api-context.js';
import { retryKey, useChannels } from '../../../renderer/stores/channels.js';
import { heldApi } from '../../support/held-api.js';
import { startReceiver } from '../../support/http-receiver.js';
import { RecordingToaster } from '../../support/notify-harness.js';
import { tempDir } from '../../support/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('Send test and Retry all clicked twice while the first call is out: sent once, and the answer is the first call\'s', async () => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const receiver = await startReceiver();
  cleanups.push(() => receiver.close());
  writeFileSync(join(dir, 'vigil.yml'), `sources: []\nchannels:\n  - { name: pager, type: webhook, url: "${receiver.url}/a" }\n`);
  const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined, toaster: new RecordingToaster() });
  cleanups.push(() => engine.close());
  const link = heldApi(engine);
  provideApi(link.api);
  link.hold('channels.test', 'notifications.retry');
  const tests = [useChannels.getState().test('pager'), useChannels.getState().test('pager')];
  const retries = [useChannels.getState().retry('all'), useChannels.getState().retry('all')];
  await link.waitHeld('channels.test', 1);
  await link.waitHeld('notifications.retry', 1);
  expect(useChannels.getState().busy).toEqual(['test:pager', retryKey('all')]);
  link.hold();
  link.held('channels.test')[0]!();
  link.held('notifications.retry')[0]!();
  await Promise.all([...tests, ...retries]);
  expect(receiver.requests).toHaveLength(1);
  expect(link.calls('channels.test')).toHaveLength(1);
  expect(link.calls('notifications.retry')).toHaveLength(1);
  expect(useChannels.getState().busy).toEqual([]);
});
