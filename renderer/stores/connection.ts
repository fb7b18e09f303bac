import { create } from 'zustand';
import type { AppInfo } from '../../shared/types.js';

interface ConnectionState {
  connected: boolean;
  /** The server is up but refuses this page's token (it was restarted with a new one). */
  refused: boolean;
  info: AppInfo | null;
  setConnected(up: boolean, refused?: boolean): void;
  setInfo(info: AppInfo): void;
}

export const useConnection = create<ConnectionState>((set) => ({
  connected: false,
  refused: false,
  info: null,
  setConnected: (connected, refused) => set(connected ? { connected, refused: false } : refused ? { connected, refused } : { connected }),
  setInfo: (info) => set({ info }),
}));
