import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { CALL_NAMES, EVENT_NAMES, type EventName, type Events, type Handlers } from '../../shared/contract.js';
import { dispatch } from '../engine/dispatch.js';
import { isTrustedSender } from './sender.js';

/**
 * The only place that touches ipcMain. Each contract call gets a channel; a request is
 * answered only for the main frame of our own window, loaded from our own files (`appDir`), and only
 * after the payload passed shared/schema.ts (dispatch validates).
 */
export function registerIpc(
  handlers: Handlers,
  subscribe: <E extends EventName>(event: E, cb: (payload: Events[E]) => void) => () => void,
  target: () => WebContents | null,
  appDir: string,
): () => void {
  for (const name of CALL_NAMES) {
    ipcMain.handle(`vigil:call:${name}`, async (e: IpcMainInvokeEvent, req: unknown) => {
      const frame = e.senderFrame;
      const isMain = !!frame && frame === e.sender.mainFrame;
      if (!isTrustedSender(frame?.url, isMain, appDir)) {
        return { ok: false, error: { code: 'unauthorized', message: 'call refused: untrusted sender' } };
      }
      return dispatch(handlers, name, req);
    });
  }
  const unsubs = EVENT_NAMES.map((event) =>
    subscribe(event, (payload) => {
      const wc = target();
      if (wc && !wc.isDestroyed()) wc.send(`vigil:event:${event}`, payload);
    }),
  );
  return () => {
    for (const name of CALL_NAMES) ipcMain.removeHandler(`vigil:call:${name}`);
    for (const u of unsubs) u();
  };
}
