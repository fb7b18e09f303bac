import { create } from 'zustand';

export type Tab = 'live' | 'anomalies' | 'notifications' | 'query' | 'config';

interface UiState {
  tab: Tab;
  setTab(tab: Tab): void;
}

export const useUi = create<UiState>((set) => ({
  tab: 'live',
  setTab: (tab) => set({ tab }),
}));
