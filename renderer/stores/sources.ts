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
  /** Enabled or not as the user last asked, while that is not in force yet (the box shows it). */
  pending: Record<string, boolean>;
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
    pending: {},
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
    // A box pressed again while its first change is out is not dropped: the last state asked
    // for is shown at once and put in force when the call out is back (two quick presses of
    // Space toggled the source once).
    async setEnabled(name, enabled) {
      set({ pending: { ...get().pending, [name]: enabled } });
      if (get().busy.includes(name)) return;
      try {
        for (;;) {
          const want = get().pending[name];
          const now = get().sources.find((s) => s.config.name === name)?.config.enabled !== false;
          if (want === undefined || want === now) break;
          await once(name, async () => {
            const r = await api().call('sources.setEnabled', { name, enabled: want });
            set({ error: explain(r) });
            await get().load();
          });
          if (get().error) break;
        }
      } finally {
        const { [name]: _, ...rest } = get().pending;
        set({ pending: rest });
      }
    },
    clearError: () => set({ error: null }),
  };
});
