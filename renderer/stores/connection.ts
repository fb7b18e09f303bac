import { create } from 'zustand';
import type { AppInfo } from '../../shared/types.js';

interface ConnectionState {
  connected: boolean;
  info: AppInfo | null;
  setConnected(up: boolean): void;
  setInfo(info: AppInfo): void;
}

export const useConnection = create<ConnectionState>((set) => ({
  connected: false,
  info: null,
  setConnected: (connected) => set({ connected }),
  setInfo: (info) => set({ info }),
}));
