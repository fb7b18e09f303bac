import { create } from 'zustand';
import type { Anomaly, AnomalyDetail, NotificationHistoryEntry } from '../../shared/types.js';
import { api } from './api-context.js';

type View = 'active' | 'resolved' | 'all';

interface AnomaliesState {
  list: Anomaly[];
  view: View;
  selected: number | null;
  detail: AnomalyDetail | null;
  history: NotificationHistoryEntry[];
  error: string | null;
  load(): Promise<void>;
  setView(view: View): void;
  select(id: number | null): Promise<void>;
  ack(id: number): Promise<void>;
  resolve(id: number): Promise<void>;
  snooze(a: Anomaly, durationMs: number): Promise<void>;
}

/** Anomalies: the list (open + acknowledged by default), one selected with its evidence. */
export const useAnomalies = create<AnomaliesState>((set, get) => ({
  list: [],
  view: 'active',
  selected: null,
  detail: null,
  history: [],
  error: null,
  async load() {
    const list = await api().call('anomalies.list', { state: get().view, limit: 200 });
    set({ list });
    const sel = get().selected;
    if (sel !== null) await get().select(sel);
  },
  setView(view) {
    set({ view });
    void get().load();
  },
  async select(id) {
    if (id === null) return set({ selected: null, detail: null, history: [] });
    set({ selected: id });
    const [detail, history] = await Promise.all([
      api().call('anomalies.get', { id, maxEvidence: 200 }),
      api().call('notifications.history', { anomalyId: id, limit: 100 }),
    ]);
    if (get().selected === id) set({ detail, history });
  },
  async ack(id) {
    await act(() => api().call('anomalies.ack', { id }), set);
    await get().load();
  },
  async resolve(id) {
    await act(() => api().call('anomalies.resolve', { id }), set);
    await get().load();
  },
  async snooze(a, durationMs) {
    await act(() => api().call('anomalies.snooze', { scope: 'fingerprint', value: a.fingerprint, durationMs, note: a.title }), set);
    await get().load();
  },
}));

async function act(fn: () => Promise<unknown>, set: (s: Partial<AnomaliesState>) => void): Promise<void> {
  try {
    await fn();
    set({ error: null });
  } catch (err) {
    set({ error: (err as Error).message });
  }
}
