import { beforeEach, describe, expect, it, vi } from 'vitest';

// FAKE ELECTRON: the Electron binary cannot be downloaded here, so these tests replace the
// 'electron' module with a recorder. They check what our router and preload do with it,
// not Electron itself.
const fake = vi.hoisted(() => ({
  handlers: new Map<string, (e: unknown, req: unknown) => Promise<unknown>>(),
  exposed: new Map<string, unknown>(),
  invoked: [] as { channel: string; req: unknown }[],
  listeners: new Map<string, Set<(e: unknown, p: unknown) => void>>(),
}));
vi.mock('electron', () => ({
  ipcMain: {
    handle: (ch: string, fn: (e: unknown, req: unknown) => Promise<unknown>) => fake.handlers.set(ch, fn),
    removeHandler: (ch: string) => fake.handlers.delete(ch),
  },
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => fake.exposed.set(key, api) },
  ipcRenderer: {
    invoke: async (channel: string, req: unknown) => {
      fake.invoked.push({ channel, req });
      return { ok: true, res: 'fine' };
    },
    on: (ch: string, l: (e: unknown, p: unknown) => void) => {
      if (!fake.listeners.has(ch)) fake.listeners.set(ch, new Set());
      fake.listeners.get(ch)!.add(l);
    },
    removeListener: (ch: string, l: (e: unknown, p: unknown) => void) => fake.listeners.get(ch)?.delete(l),
  },
}));

import { registerIpc } from '../../electron/main/ipc-router.js';
import type { Handlers } from '../../shared/contract.js';
import { CALL_NAMES } from '../../shared/contract.js';

const appDir = '/app/dist/renderer';
const prefix = `file://${appDir}/`;
function sender(url: string, main = true) {
  const mainFrame = { url };
  return { senderFrame: main ? mainFrame : { url }, sender: { mainFrame } };
}

describe('IPC router (fake Electron: binary unavailable here)', () => {
  beforeEach(() => fake.handlers.clear());
  const handlers = { 'sources.remove': async (req: { name: string }) => ({ ok: true, removed: req.name }) } as unknown as Handlers;

  it('registers one channel per contract call and nothing else', () => {
    registerIpc(handlers, () => () => undefined, () => null, appDir);
    expect([...fake.handlers.keys()].sort()).toEqual(CALL_NAMES.map((n) => `vigil:call:${n}`).sort());
  });

  it('answers our main frame after validating the payload', async () => {
    registerIpc(handlers, () => () => undefined, () => null, appDir);
    const h = fake.handlers.get('vigil:call:sources.remove')!;
    expect(await h(sender(prefix + 'index.html'), { name: 'app' })).toEqual({ ok: true, res: { ok: true, removed: 'app' } });
    expect(await h(sender(prefix + 'index.html'), { name: 7 })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('refuses subframes and foreign pages', async () => {
    registerIpc(handlers, () => () => undefined, () => null, appDir);
    const h = fake.handlers.get('vigil:call:sources.remove')!;
    expect(await h(sender(prefix + 'index.html', false), { name: 'app' })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await h(sender('https://evil.example/'), { name: 'app' })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it('unregisters everything on dispose', () => {
    const dispose = registerIpc(handlers, () => () => undefined, () => null, appDir);
    dispose();
    expect(fake.handlers.size).toBe(0);
  });
});

describe('preload (fake Electron: binary unavailable here)', () => {
  it('exposes only call/on, restricted to contract names, with unsubscribe', async () => {
    await import('../../electron/preload/preload.js');
    const bridge = fake.exposed.get('vigilBridge') as {
      call(n: string, r: unknown): Promise<unknown>;
      on(e: string, cb: (p: unknown) => void): () => void;
    };
    expect([...fake.exposed.keys()]).toEqual(['vigilBridge']);
    expect(Object.keys(bridge).sort()).toEqual(['call', 'on']);
    expect(await bridge.call('sources.list', {})).toEqual({ ok: true, res: 'fine' });
    expect(fake.invoked).toEqual([{ channel: 'vigil:call:sources.list', req: {} }]);
    expect(await bridge.call('shell.openExternal', 'x')).toMatchObject({ ok: false });
    expect(fake.invoked).toHaveLength(1);

    const got: unknown[] = [];
    const off = bridge.on('events.appended', (p) => got.push(p));
    const [listener] = fake.listeners.get('vigil:event:events.appended')!;
    listener!({ sender: 'electron internals' }, [1]);
    expect(got).toEqual([[1]]); // the Electron event object never reaches the page
    off();
    expect(fake.listeners.get('vigil:event:events.appended')!.size).toBe(0);
    bridge.on('ipc:anything', () => undefined);
    expect(fake.listeners.has('ipc:anything')).toBe(false);
  });
});
