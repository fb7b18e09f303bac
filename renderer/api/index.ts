import type { VigilApi } from '../../shared/contract.js';
import type { VigilBridge } from './bridge.js';
import { ipcApi } from './ipc-client.js';
import { wsApi } from './ws-client.js';

export { VigilCallError } from './bridge.js';

/**
 * The one client of the contract. In the desktop app the preload put a bridge on window;
 * in a browser (vigil serve) we talk to the server that served this page, by WebSocket,
 * with the token from the URL (no cookie: one for 127.0.0.1 would go to every port of it).
 */
export function createApi(onConnection?: (up: boolean, refused?: boolean) => void): VigilApi {
  const bridge = (globalThis as { vigilBridge?: VigilBridge }).vigilBridge;
  if (bridge) {
    // Told once the caller holds the api (the listener loads through it): told at once, the
    // desktop window's first loads ran before main.tsx had provided it, threw, and the
    // window stayed blank.
    if (onConnection) queueMicrotask(() => onConnection(true));
    return ipcApi(bridge);
  }
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return wsApi(`${scheme}//${location.host}/api/ws?token=${encodeURIComponent(token)}`, onConnection);
}
