import { create } from 'zustand';
import type { Anomaly, AnomalyDetail, NotificationHistoryEntry, Snooze } from '../../shared/types.js';
import { api } from './api-context.js';

type View = 'active' | 'resolved' | 'all';

interface AnomaliesState {
  list: Anomaly[];
  /** Open anomalies, whatever list is shown (up to OPEN_COUNT_MAX). */
  openCount: number;
  view: View;
  selected: number | null;
  detail: AnomalyDetail | null;
  history: NotificationHistoryEntry[];
  /** Snoozes in force (to show which hold an anomaly, and lift them). */
  snoozes: Snooze[];
  error: string | null;
  load(): Promise<void>;
  setView(view: View): void;
  select(id: number | null): Promise<void>;
  ack(id: number): Promise<void>;
  resolve(id: number): Promise<void>;
  snooze(a: Anomaly, durationMs: number): Promise<void>;
  /** Lifts the snoozes that hold this anomaly. */
  unsnooze(a: Anomaly): Promise<void>;
}

/** The snoozes in force that hold `a` (by its fingerprints, source, rule or detector). */
export function snoozesOf(a: Anomaly, snoozes: Snooze[], now = Date.now()): Snooze[] {
  return snoozes.filter(
    (s) =>
      s.until > now &&
      ((s.scope === 'fingerprint' && (s.value === a.fingerprint || (a.fingerprints ?? []).includes(s.value))) ||
        (s.scope === 'source' && s.value === a.source) ||
        (s.scope === 'detector' && s.value === a.detector) ||
        (s.scope === 'rule' && s.value === a.rule)),
  );
}

/** Anomalies: the list (open + acknowledged by default), one selected with its evidence. */
/** The open anomalies counted for the tab's badge; more shows as this with a "+". */
export const OPEN_COUNT_MAX = 1000;

export const useAnomalies = create<AnomaliesState>((set, get) => ({
  list: [],
  openCount: 0,
  view: 'active',
  selected: null,
  detail: null,
  history: [],
  snoozes: [],
  error: null,
  async load() {
    // The badge counts open anomalies apart from the list: it read none while the resolved list was shown.
    const [list, snoozes, open] = await Promise.all([
      api().call('anomalies.list', { state: get().view, limit: 200 }),
      api().call('anomalies.snoozes', {}),
      api().call('anomalies.list', { state: 'open', limit: OPEN_COUNT_MAX }),
    ]);
    set({ list, snoozes, openCount: open.length });
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
  async unsnooze(a) {
    await act(() => Promise.all(snoozesOf(a, get().snoozes).map((s) => api().call('anomalies.unsnooze', { id: s.id }))), set);
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
