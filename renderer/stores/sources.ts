import { create } from 'zustand';
import type { ConfigSetResult } from '../../shared/contract.js';
import type { SourceConfig, SourceView } from '../../shared/types.js';
import { api } from './api-context.js';
import { oneAtATime } from './busy.js';

interface SourcesState {
  sources: SourceView[];
  error: string | null;
  /** Sources with a removal or an enable/disable out: their buttons wait (a double click said the removal failed). */
  busy: string[];
  load(): Promise<void>;
  set(sources: SourceView[]): void;
  add(source: SourceConfig): Promise<boolean>;
  remove(name: string): Promise<void>;
  setEnabled(name: string, enabled: boolean): Promise<void>;
  clearError(): void;
}

function explain(r: ConfigSetResult): string | null {
  return r.ok ? null : r.errors.map((e) => `${e.key}: ${e.reason}`).join('; ');
}

/** Lists asked for or sent so far: a list asked for before the newest one came is not taken. */
let lists = 0;

export const useSources = create<SourcesState>((set, get) => {
  const once = oneAtATime(get, set);
  return {
    sources: [],
    error: null,
    busy: [],
    async load() {
      const mine = ++lists;
      const sources = await api().call('sources.list', {});
      if (mine === lists) set({ sources });
    },
    set(sources) {
      ++lists;
      set({ sources });
    },
    async add(source) {
      try {
        const r = await api().call('sources.add', source);
        set({ error: explain(r) });
        if (r.ok) await get().load();
        return r.ok;
      } catch (err) {
        set({ error: (err as Error).message });
        return false;
      }
    },
    remove: (name) =>
      once(name, async () => {
        const r = await api().call('sources.remove', { name });
        set({ error: explain(r) });
        await get().load();
      }),
    setEnabled: (name, enabled) =>
      once(name, async () => {
        const r = await api().call('sources.setEnabled', { name, enabled });
        set({ error: explain(r) });
        await get().load();
      }),
    clearError: () => set({ error: null }),
  };
});
