import { create } from 'zustand';
import type { ConfigError } from '../../shared/types.js';
import { api } from './api-context.js';

interface ConfigState {
  text: string;
  saved: string;
  path: string;
  errors: ConfigError[];
  /** Why vigil.yml as it is on disk is not in force (edited by hand into something invalid); empty when it is. */
  fileErrors: ConfigError[];
  message: string | null;
  /** The file changed (another window, the app) under the draft: its save would be refused. */
  stale: boolean;
  /** `keep`: keep the last message (a save's confirmation, when the save itself made the file change). */
  load(keep?: boolean): Promise<void>;
  /** Loads unless the editor holds unsaved text (coming back to the view must not drop a draft). */
  loadIfClean(): Promise<void>;
  /**
   * After a reconnect: loads when there is no draft; with one, keeps it, and marks it stale if
   * the file changed while the link was down (its save would be refused).
   */
  reconnected(): Promise<void>;
  /** The engine reported the file invalid, or a new config in force: reload unless the editor holds unsaved text. */
  fileChanged(errors: ConfigError[]): void;
  setText(text: string): void;
  save(): Promise<void>;
}

/** A save of this window is out (the file changes because of it). */
let saving = false;
/** Loads asked for so far: only the answer to the last one is taken. */
let loads = 0;

/** vigil.yml as text: edited in the app, refused with key + reason when invalid. */
export const useConfig = create<ConfigState>((set, get) => ({
  text: '',
  saved: '',
  path: '',
  errors: [],
  fileErrors: [],
  message: null,
  stale: false,
  async load(keep = false) {
    const mine = ++loads;
    const before = get().text;
    const r = await api().call('config.get', {});
    // Loads cross (one on connect, one as the view opens, one per change): the last asked answers.
    if (mine !== loads) return;
    const s = get();
    if (s.path && s.text !== before && s.text !== s.saved) {
      // Typed while the file was being read: the draft stays (it was replaced by the file's text),
      // and if the file is not what the draft started from, its save will be refused, so say so.
      set({ path: r.path, fileErrors: r.fileErrors, stale: s.stale || r.text !== s.saved });
      return;
    }
    set({ text: r.text, saved: r.text, path: r.path, errors: [], fileErrors: r.fileErrors, message: keep ? get().message : null, stale: false });
  },
  async loadIfClean() {
    if (!get().path || get().text === get().saved) await get().load();
  },
  async reconnected() {
    if (!get().path || get().text === get().saved) return get().load();
    const mine = ++loads;
    const r = await api().call('config.get', {});
    if (mine !== loads) return;
    const s = get();
    // The file holds the draft: a save whose answer the dropped link lost was made.
    if (r.text === s.text) return set({ saved: r.text, path: r.path, fileErrors: r.fileErrors, errors: [], stale: false, message: 'Saved; the new config is in force.' });
    set({ path: r.path, fileErrors: r.fileErrors, stale: s.stale || r.text !== s.saved });
  },
  fileChanged(errors) {
    set({ fileErrors: errors });
    if (get().text === get().saved) void get().load(true);
    // A draft stays, but its author must know that Save would now be refused (this window's
    // own save changes the file too: that is no news).
    else if (!errors.length && !saving) set({ stale: true });
  },
  setText: (text) => set({ text }),
  async save() {
    saving = true;
    // What is sent is what gets saved: text typed while the save is out stays a draft.
    const sent = get().text;
    let r;
    try {
      r = await api().call('config.set', { text: sent, base: get().saved });
    } catch (err) {
      // The link dropped before the answer: the save may have been made. Once the link is
      // back, reconnected() sees whether the file holds the draft.
      set({ errors: [{ key: 'connection', reason: `${(err as Error).message}; whether it was saved shows once Vigil is reached again` }], message: null });
      return;
    } finally {
      saving = false;
    }
    if (r.ok) set({ saved: sent, errors: [], fileErrors: [], message: 'Saved; the new config is in force.', stale: false });
    else set({ errors: r.errors, message: null });
  },
}));
