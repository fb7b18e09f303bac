import { create } from 'zustand';
import type { ConfigError } from '../../shared/types.js';
import { api } from './api-context.js';

interface ConfigState {
  text: string;
  saved: string;
  path: string;
  errors: ConfigError[];
  message: string | null;
  load(): Promise<void>;
  setText(text: string): void;
  save(): Promise<void>;
}

/** vigil.yml as text: edited in the app, refused with key + reason when invalid. */
export const useConfig = create<ConfigState>((set, get) => ({
  text: '',
  saved: '',
  path: '',
  errors: [],
  message: null,
  async load() {
    const r = await api().call('config.get', {});
    set({ text: r.text, saved: r.text, path: r.path, errors: [], message: null });
  },
  setText: (text) => set({ text }),
  async save() {
    const r = await api().call('config.set', { text: get().text });
    if (r.ok) set({ saved: get().text, errors: [], message: 'Saved; the new config is in force.' });
    else set({ errors: r.errors, message: null });
  },
}));
