import { create } from 'zustand';
import type { Anomaly, AnomalyDetail, NotificationHistoryEntry, Snooze } from '../../shared/types.js';
import { api } from './api-context.js';
import { oneAtATime } from './busy.js';

type View = 'active' | 'resolved' | 'all';

interface AnomaliesState {
  list: Anomaly[];
  /** How many the list shows (PAGE more each time the user asks). */
  shown: number;
  /** The last page was full: older ones may follow. */
  more: boolean;
  /** Open anomalies, whatever list is shown (up to OPEN_COUNT_MAX). */
  openCount: number;
  view: View;
  selected: number | null;
  detail: AnomalyDetail | null;
  history: NotificationHistoryEntry[];
  /** Snoozes in force (to show which hold an anomaly, and lift them). */
  snoozes: Snooze[];
  error: string | null;
  /** Snoozes out, as `snooze:ID`: their buttons wait (a double click stored two snoozes). */
  busy: string[];
  load(): Promise<void>;
  /** Shows PAGE more, older ones. */
  loadMore(): Promise<void>;
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
/** Anomalies listed at first, and added by "Older anomalies". */
export const PAGE = 200;

/** The newest `count` anomalies of a view, asked for in pages the contract allows (at most 1,000 each). */
async function listOf(view: View, count: number): Promise<{ list: Anomaly[]; more: boolean }> {
  const list: Anomaly[] = [];
  let more = true;
  while (list.length < count && more) {
    const limit = Math.min(1000, count - list.length);
    const page = await api().call('anomalies.list', { state: view, limit, ...(list.length ? { beforeId: list[list.length - 1]!.id } : {}) });
    list.push(...page);
    more = page.length === limit;
  }
  return { list, more };
}

/** Lists and pages asked for so far: only the answer to the last of each is taken. */
let loads = 0;
let selects = 0;

export const useAnomalies = create<AnomaliesState>((set, get) => ({
  busy: [],
  list: [],
  shown: PAGE,
  more: false,
  openCount: 0,
  view: 'active',
  selected: null,
  detail: null,
  history: [],
  snoozes: [],
  error: null,
  async load() {
    // The badge counts open anomalies apart from the list: it read none while the resolved list was shown.
    // The newest PAGE at first; "Older anomalies" shows PAGE more (the list stopped at 200).
    const mine = ++loads;
    const view = get().view;
    const [{ list, more }, snoozes] = await Promise.all([listOf(view, get().shown), api().call('anomalies.snoozes', {})]);
    // The active list holds every open one when it is whole: counted there, not asked for again at each change.
    const openCount =
      view === 'active' && !more
        ? list.filter((a) => a.state === 'open').length
        : (await api().call('anomalies.list', { state: 'open', limit: OPEN_COUNT_MAX })).length;
    // Loads cross (a chip clicked, then another; an event): the last asked answers. A resolved
    // list takes two round trips, and came in over the active one asked for after it.
    if (mine !== loads) return;
    set({ list, more, snoozes, openCount });
    const sel = get().selected;
    if (sel !== null) await get().select(sel);
  },
  async loadMore() {
    set({ shown: get().list.length + PAGE });
    await get().load();
  },
  setView(view) {
    set({ view, shown: PAGE });
    void get().load();
  },
  async select(id) {
    if (id === null) return set({ selected: null, detail: null, history: [] });
    const mine = ++selects;
    // Another one chosen: the last one's page (and its Acknowledge, Resolve, Snooze) goes at
    // once, not when this one's answer comes; a click meanwhile acted on the one shown before.
    if (get().selected !== id) set({ selected: id, detail: null, history: [] });
    const [detail, history] = await Promise.all([
      api().call('anomalies.get', { id, maxEvidence: 200 }),
      api().call('notifications.history', { anomalyId: id, limit: 100 }),
    ]);
    // null: it is gone (its source's records aged out of the store).
    if (mine === selects && get().selected === id) set(detail ? { detail, history } : { selected: null, detail: null, history: [] });
  },
  async ack(id) {
    await act(() => api().call('anomalies.ack', { id }), set);
    await get().load();
  },
  async resolve(id) {
    await act(() => api().call('anomalies.resolve', { id }), set);
    await get().load();
  },
  snooze: (a, durationMs) =>
    oneAtATime(get, set)(`snooze:${a.id}`, async () => {
      await act(() => api().call('anomalies.snooze', { scope: 'fingerprint', value: a.fingerprint, durationMs, note: a.title }), set);
      await get().load();
    }),
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
