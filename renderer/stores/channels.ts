import { create } from 'zustand';
import type { ChannelView, DeadLetter, NotificationHistoryEntry } from '../../shared/types.js';
import { api } from './api-context.js';

interface ChannelsState {
  channels: ChannelView[];
  dead: DeadLetter[];
  history: NotificationHistoryEntry[];
  message: { ok: boolean; text: string } | null;
  load(): Promise<void>;
  test(name: string): Promise<void>;
  upsert(channel: Record<string, unknown>): Promise<boolean>;
  remove(name: string): Promise<void>;
  retry(ids: number[] | 'all'): Promise<void>;
}

export const useChannels = create<ChannelsState>((set, get) => ({
  channels: [],
  dead: [],
  history: [],
  message: null,
  async load() {
    const [channels, dead, history] = await Promise.all([
      api().call('channels.list', {}),
      api().call('notifications.deadLetters', { limit: 100 }),
      api().call('notifications.history', { limit: 50 }),
    ]);
    set({ channels, dead, history });
  },
  async test(name) {
    try {
      const r = await api().call('channels.test', { name });
      set({ message: r.ok ? { ok: true, text: `Test sent to ${name}.` } : { ok: false, text: `Test to ${name} failed: ${r.error ?? r.statusCode}` } });
    } catch (err) {
      set({ message: { ok: false, text: (err as Error).message } });
    }
  },
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
  async remove(name) {
    try {
      const r = await api().call('channels.remove', { name });
      // Refused (a notify rule names it, vigil.yml is invalid): say why, as adding does.
      set({ message: r.ok ? { ok: true, text: `Removed ${name}.` } : { ok: false, text: `${name} was not removed: ${r.errors.map((e) => `${e.key}: ${e.reason}`).join('; ')}` } });
    } catch (err) {
      set({ message: { ok: false, text: (err as Error).message } });
    }
    await get().load();
  },
  async retry(ids) {
    const r = await api().call('notifications.retry', ids === 'all' ? { all: true } : { ids });
    set({ message: { ok: true, text: `${r.retried} deliveries queued again.` } });
    await get().load();
  },
}));
