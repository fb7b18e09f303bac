// The Live view's store (renderer/stores/events.ts) on a real engine, in process: its calls
// go to the engine's handlers and its events come from the engine, as over IPC or the
// server's WebSocket. Where a test needs a slow answer (a search paging back through a big
// store takes that long), the engine's answer is held until the test lets it go.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Engine } from '../../../electron/engine/engine.js';
import type { CallName, VigilApi } from '../../../shared/contract.js';
import type { LogEvent } from '../../../shared/types.js';
import { provideApi } from '../../../renderer/stores/api-context.js';
import { useEvents } from '../../../renderer/stores/events.js';
import { heldApi } from '../../support/held-api.js';
import { tempDir, waitFor } from '../../support/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(lines: string[]) {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const log = join(dir, 'app.log');
  writeFileSync(log, lines.join('\n') + '\n');
  writeFileSync(join(dir, 'vigil.yml'), `sources:\n  - { name: app, type: file, path: ${JSON.stringify(log)}, start: beginning }\n`);
  const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined });
  cleanups.push(() => engine.close());
  await waitFor(() => (engine.store.db.prepare('SELECT count(*) FROM records').pluck().get() as number) >= lines.length, { what: 'the file stored' });
  let hold: Promise<void> | null = null;
  const api: VigilApi = {
    call: async (name, req) => {
      // Answered by the engine now, handed over when let go: lines stored meanwhile are not in it.
      const res = await (engine.handlers[name] as (r: unknown) => Promise<never>)(req);
      if (name === ('events.tail' satisfies CallName) && hold) await hold;
      return res;
    },
    on: (event, cb) => engine.events.on(event as never, cb as never),
  };
  provideApi(api);
  const off = api.on('events.appended', (events) => useEvents.getState().append(events as LogEvent[]));
  cleanups.push(off);
  return {
    append: (l: string) => appendFileSync(log, l + '\n'),
    /** Holds the engine's answers to events.tail until the returned function is called. */
    holdTail: () => {
      let release!: () => void;
      hold = new Promise((r) => (release = r));
      return () => {
        hold = null;
        release();
      };
    },
  };
}

const shown = () => useEvents.getState().lines.map((e) => e.message);

it('lines that match a search and arrive while its pages are being asked for stay in the view (they were overwritten by the page)', async () => {
  const t = await start(Array.from({ length: 50 }, (_, i) => `2026-11-22T10:00:${String(i).padStart(2, '0')}.000Z INFO ${i === 3 ? 'job 5-21 started' : `step ${i}`}`));
  useEvents.setState({ paused: false, after: null });
  const release = t.holdTail();
  const loading = useEvents.getState().setFilter({ search: 'job 5-21', minLevel: '', source: '' });
  t.append('2026-11-22T10:01:00.000Z INFO job 5-21 racing 1');
  t.append('2026-11-22T10:01:01.000Z INFO job 5-21 racing 2');
  await waitFor(() => shown().length === 2, { what: 'the new lines shown while the page is out' });
  release();
  await loading;
  expect(shown()).toEqual(['job 5-21 started', 'job 5-21 racing 1', 'job 5-21 racing 2']);
});

it('paused, a reconnect keeps the view where it was and says new lines may have come', async () => {
  const t = await start(Array.from({ length: 20 }, (_, i) => `2026-11-22T10:00:${String(i).padStart(2, '0')}.000Z INFO line ${i}`));
  await useEvents.getState().setFilter({ search: '', minLevel: '', source: '' });
  useEvents.getState().setPaused(true);
  await waitFor(() => !useEvents.getState().loading, { what: 'loaded' });
  const before = shown();
  expect(before.at(-1)).toBe('line 19');
  t.append('2026-11-22T10:01:00.000Z INFO line 20');
  await waitFor(() => useEvents.getState().missed === 1, { what: 'the line counted' });
  useEvents.getState().reconnected();
  await new Promise((r) => setTimeout(r, 300));
  expect(shown()).toEqual(before);
  expect(useEvents.getState()).toMatchObject({ paused: true, missed: 1, missedMore: true });
  useEvents.getState().setPaused(false);
  await waitFor(() => shown().at(-1) === 'line 20', { what: 'resumed at the newest' });
});

it('"Older lines" asked, then Resume before its page comes: the late page is dropped, the view has no hole', async () => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const log = join(dir, 'app.log');
  const line = (i: number) => `2026-11-22T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000Z INFO line ${i}`;
  writeFileSync(log, Array.from({ length: 3000 }, (_, i) => line(i)).join('\n') + '\n');
  writeFileSync(join(dir, 'vigil.yml'), `sources:\n  - { name: app, type: file, path: ${JSON.stringify(log)}, start: beginning }\n`);
  const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined });
  cleanups.push(() => engine.close());
  const count = () => engine.store.db.prepare('SELECT count(*) FROM records').pluck().get() as number;
  await waitFor(() => count() >= 3000, { what: 'the file stored' });
  const link = heldApi(engine);
  provideApi(link.api);
  await useEvents.getState().setFilter({ search: '', minLevel: '', source: '' });
  useEvents.getState().setPaused(true);
  await waitFor(() => !useEvents.getState().loading, { what: 'loaded' });
  expect(shown().at(-1)).toBe('line 2999');
  appendFileSync(log, Array.from({ length: 1000 }, (_, i) => line(3000 + i)).join('\n') + '\n');
  await waitFor(() => count() >= 4000, { what: 'the new lines stored' });
  link.hold('events.tail');
  const older = useEvents.getState().older();
  await link.waitHeld('events.tail', 1);
  useEvents.getState().setPaused(false);
  await link.waitHeld('events.tail', 2);
  link.held('events.tail')[1]!();
  await waitFor(() => shown().at(-1) === 'line 3999', { what: 'resumed at the newest' });
  link.held('events.tail')[0]!();
  await older;
  const ids = useEvents.getState().lines.map((e) => e.id);
  for (let i = 1; i < ids.length; i++) expect(ids[i]! - ids[i - 1]!).toBe(1);
  expect(shown().at(-1)).toBe('line 3999');
  expect(useEvents.getState().loading).toBe(false);
});

it('"Older lines" asked while new lines come in at the view\'s cap: the top stays until the page comes, so the page joins it without a hole', async () => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const log = join(dir, 'app.log');
  const line = (i: number) => `2026-11-22T10:00:00.000Z INFO line ${i}`;
  writeFileSync(log, Array.from({ length: 3000 }, (_, i) => line(i)).join('\n') + '\n');
  writeFileSync(join(dir, 'vigil.yml'), `sources:\n  - { name: app, type: file, path: ${JSON.stringify(log)}, start: beginning }\n`);
  const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined });
  cleanups.push(() => engine.close());
  await waitFor(() => (engine.store.db.prepare('SELECT count(*) FROM records').pluck().get() as number) >= 3000, { what: 'the file stored' });
  const link = heldApi(engine);
  provideApi(link.api);
  cleanups.push(link.api.on('events.appended', (events) => useEvents.getState().append(events as LogEvent[])));
  useEvents.setState({ paused: false, after: null });
  await useEvents.getState().setFilter({ search: '', minLevel: '', source: '' });
  // The view at its cap (2,000 lines; 550 here, so that a few live lines reach it).
  useEvents.setState({ keep: 550 });
  appendFileSync(log, Array.from({ length: 100 }, (_, i) => line(3000 + i)).join('\n') + '\n');
  await waitFor(() => shown().at(-1) === 'line 3099', { what: 'the live lines shown' });
  expect(shown().length).toBe(550);
  link.hold('events.tail');
  const older = useEvents.getState().older();
  await link.waitHeld('events.tail', 1);
  appendFileSync(log, Array.from({ length: 10 }, (_, i) => line(3100 + i)).join('\n') + '\n');
  await waitFor(() => shown().at(-1) === 'line 3109', { what: 'the 10 new lines shown' });
  link.held('events.tail')[0]!();
  await older;
  const ids = useEvents.getState().lines.map((e) => e.id);
  for (let i = 1; i < ids.length; i++) expect(ids[i]! - ids[i - 1]!).toBe(1);
  expect(shown().length).toBe(1060);
});
