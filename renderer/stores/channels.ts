import { create } from 'zustand';
import type { ChannelView, DeadLetter, NotificationHistoryEntry } from '../../shared/types.js';
import { api } from './api-context.js';
import { oneAtATime } from './busy.js';

interface ChannelsState {
  channels: ChannelView[];
  dead: DeadLetter[];
  history: NotificationHistoryEntry[];
  message: { ok: boolean; text: string } | null;
  /** Calls out, as `test:NAME`, `remove:NAME` and retryKey: their buttons wait (a double click sent two tests, and said a removal failed). */
  busy: string[];
  load(): Promise<void>;
  test(name: string): Promise<void>;
  upsert(channel: Record<string, unknown>): Promise<boolean>;
  remove(name: string): Promise<void>;
  retry(ids: number[] | 'all'): Promise<void>;
}

/** The busy key of a retry (its button waits: a double click said "0 deliveries queued again"). */
export const retryKey = (ids: number[] | 'all') => `retry:${ids === 'all' ? 'all' : ids.join(',')}`;

/** Loads asked for so far: only the answer to the last one is taken. */
let loads = 0;

export const useChannels = create<ChannelsState>((set, get) => {
  const once = oneAtATime(get, set);
  return {
    channels: [],
    dead: [],
    history: [],
    message: null,
    busy: [],
    async load() {
      const mine = ++loads;
      const [channels, dead, history] = await Promise.all([
        api().call('channels.list', {}),
        api().call('notifications.deadLetters', { limit: 100 }),
        api().call('notifications.history', { limit: 50 }),
      ]);
      if (mine === loads) set({ channels, dead, history });
    },
    test: (name) => once(`test:${name}`, async () => {
      try {
        const r = await api().call('channels.test', { name });
        set({ message: r.ok ? { ok: true, text: `Test sent to ${name}.` } : { ok: false, text: `Test to ${name} failed: ${r.error ?? r.statusCode}` } });
      } catch (err) {
        set({ message: { ok: false, text: (err as Error).message } });
      }
    }),
    async upsert(channel) {
      try {
        const r = await api().call('channels.upsert', { channel: channel as never, storeSecrets: true });
        set({ message: r.ok ? { ok: true, text: `Saved ${String(channel.name)}.` } : { ok: false, text: r.errors.map((e) => `${e.key}: ${e.reason}`).join('; ') } });
        await get().load();
        return r.ok;
      } catch (err) {
        set({ message: { ok: false, text: (err as Error).message } });
        return false;
      }
    },
    remove: (name) => once(`remove:${name}`, async () => {
      try {
        const r = await api().call('channels.remove', { name });
        // Refused (a notify rule names it, vigil.yml is invalid): say why, as adding does.
        set({ message: r.ok ? { ok: true, text: `Removed ${name}.` } : { ok: false, text: `${name} was not removed: ${r.errors.map((e) => `${e.key}: ${e.reason}`).join('; ')}` } });
      } catch (err) {
        set({ message: { ok: false, text: (err as Error).message } });
      }
      await get().load();
    }),
    retry: (ids) =>
      once(retryKey(ids), async () => {
        const r = await api().call('notifications.retry', ids === 'all' ? { all: true } : { ids });
        set({ message: { ok: true, text: `${r.retried} ${r.retried === 1 ? 'delivery' : 'deliveries'} queued again.` } });
        await get().load();
      }),
  };
});
