// The preload exposes the contract and nothing else: one `call` restricted to the declared
// call names and one `on` restricted to the declared event names. Electron objects never
// cross (listeners are wrapped, and `on` returns an unsubscribe function).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CALL_NAME_LIST, EVENT_NAME_LIST } from '../../shared/contract-names.js';

const calls = new Set<string>(CALL_NAME_LIST);
const events = new Set<string>(EVENT_NAME_LIST);

contextBridge.exposeInMainWorld('vigilBridge', {
  call(name: string, req: unknown): Promise<unknown> {
    if (!calls.has(name)) return Promise.resolve({ ok: false, error: { code: 'unknown-call', message: `unknown call ${String(name)}` } });
    return ipcRenderer.invoke(`vigil:call:${name}`, req);
  },
  on(event: string, cb: (payload: unknown) => void): () => void {
    if (!events.has(event) || typeof cb !== 'function') return () => undefined;
    const channel = `vigil:event:${event}`;
    const listener = (_e: IpcRendererEvent, payload: unknown) => cb(payload);
    ipcRenderer.on(channel, listener);
    return () => {
      ipcRenderer.removeListener(channel, listener);
    };
  },
});
