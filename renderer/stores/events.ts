import { create } from 'zustand';
import type { LogEvent } from '../../shared/types.js';
import { api } from './api-context.js';

const KEEP = 2000;

interface EventsState {
  lines: LogEvent[];
  paused: boolean;
  /** Lines that arrived while paused. */
  missed: number;
  load(): Promise<void>;
  append(events: LogEvent[]): void;
  setPaused(paused: boolean): void;
}

/** The live tail: loaded from the store at start, then fed by `events.appended`. */
export const useEvents = create<EventsState>((set, get) => ({
  lines: [],
  paused: false,
  missed: 0,
  async load() {
    const lines = await api().call('events.tail', { limit: 500 });
    set({ lines, missed: 0 });
  },
  append(events) {
    if (get().paused) {
      set({ missed: get().missed + events.length });
      return;
    }
    const lastId = get().lines.at(-1)?.id ?? 0;
    const fresh = events.filter((e) => e.id > lastId);
    if (!fresh.length) return;
    const lines = get().lines.concat(fresh);
    set({ lines: lines.length > KEEP ? lines.slice(-KEEP) : lines });
  },
  setPaused(paused) {
    set({ paused });
    if (!paused) void get().load();
  },
}));
