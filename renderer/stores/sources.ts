import { create } from 'zustand';
import type { ConfigSetResult } from '../../shared/contract.js';
import type { SourceConfig, SourceView } from '../../shared/types.js';
import { api } from './api-context.js';

interface SourcesState {
  sources: SourceView[];
  error: string | null;
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

export const useSources = create<SourcesState>((set, get) => ({
  sources: [],
  error: null,
  async load() {
    set({ sources: await api().call('sources.list', {}) });
  },
  set(sources) {
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
  async remove(name) {
    const r = await api().call('sources.remove', { name });
    set({ error: explain(r) });
    await get().load();
  },
  async setEnabled(name, enabled) {
    const r = await api().call('sources.setEnabled', { name, enabled });
    set({ error: explain(r) });
    await get().load();
  },
  clearError: () => set({ error: null }),
}));
