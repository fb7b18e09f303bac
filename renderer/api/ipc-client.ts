import type { CallName, EventName, Events, Req, Res, VigilApi } from '../../shared/contract.js';
import { VigilCallError, type VigilBridge } from './bridge.js';

/** The contract over Electron IPC, through the preload's bridge. */
export function ipcApi(bridge: VigilBridge): VigilApi {
  return {
    async call<K extends CallName>(name: K, req: Req<K>): Promise<Res<K>> {
      const out = await bridge.call(name, req);
      if (!out.ok) throw new VigilCallError(out.error);
      return out.res as Res<K>;
    },
    on<E extends EventName>(event: E, cb: (payload: Events[E]) => void) {
      return bridge.on(event, cb as (p: unknown) => void);
    },
  };
}
