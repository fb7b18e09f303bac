import type { CallError, CallName, EventName, Events, Req, Res, VigilApi } from '../../shared/contract.js';
import { VigilCallError } from './bridge.js';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/**
 * Calls out on the link at once, at most (the server answers 32 per page and refuses the
 * rest): calls queued during an outage went out together on reconnect, and the user's own
 * query was refused with the chart's polls ("32 calls of this page are still being
 * answered"). The rest wait here and go out as answers come.
 */
export const MAX_SENT = 16;

/**
 * The contract over the headless server's WebSocket. Reconnects with backoff; calls made
 * while disconnected wait for the connection. `onConnection` reports the link state.
 */
export function wsApi(url: string, onConnection?: (up: boolean, refused?: boolean) => void): VigilApi {
  let ws: WebSocket | null = null;
  let nextId = 1;
  let retryMs = 250;
  const pending = new Map<number, Pending>();
  /** Calls sent on the current connection: their answers die with it. */
  const sent = new Set<number>();
  const queue: { id: number; frame: string }[] = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();

  const connect = () => {
    const sock = new WebSocket(url);
    ws = sock;
    let opened = false;
    sock.onopen = () => {
      opened = true;
      retryMs = 250;
      onConnection?.(true);
      sendQueued();
    };
    sock.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data)) as { t: string; id?: number; ok?: boolean; res?: unknown; error?: CallError; event?: string; payload?: unknown };
      if (msg.t === 'res' && msg.id !== undefined) {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        sent.delete(msg.id);
        sendQueued();
        if (!p) return;
        if (msg.ok) p.resolve(msg.res);
        else p.reject(new VigilCallError(msg.error ?? { code: 'failed', message: 'unknown error' }));
      } else if (msg.t === 'event' && msg.event) {
        for (const cb of listeners.get(msg.event) ?? []) cb(msg.payload);
      }
    };
    let lost = false;
    // A socket that failed to connect: a browser reports an error, then its close; Node's
    // WebSocket (the CLI's tests) the error only. Either way, once.
    sock.onerror = () => {
      if (!opened) closed();
    };
    const closed = () => {
      if (lost) return;
      lost = true;
      onConnection?.(false);
      // Never opened: the server may be down, or up and refusing this page's token (it was
      // restarted with a new one). A browser does not tell a socket why; a call does.
      if (!opened) {
        const probe = url.replace(/^ws/, 'http').replace('/api/ws?', '/api/call/app.info?');
        void fetch(probe, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }).then(
          (res) => {
            if (res.status === 401) onConnection?.(false, true);
          },
          () => undefined,
        );
      }
      ws = null;
      // A call the server had and never answered will not be answered: say so (a button
      // waiting for it would wait for ever). Calls not sent yet go out on reconnect.
      for (const id of sent) {
        const p = pending.get(id);
        pending.delete(id);
        p?.reject(new VigilCallError({ code: 'failed', message: 'the connection to Vigil was lost before it answered; try again' }));
      }
      sent.clear();
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
    sock.onclose = closed;
  };
  const sendQueued = () => {
    while (ws && ws.readyState === WebSocket.OPEN && sent.size < MAX_SENT && queue.length) {
      const q = queue.shift()!;
      ws.send(q.frame);
      sent.add(q.id);
    }
  };
  connect();

  return {
    call<K extends CallName>(name: K, req: Req<K>): Promise<Res<K>> {
      const id = nextId++;
      const frame = JSON.stringify({ t: 'call', id, name, req });
      return new Promise<Res<K>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        queue.push({ id, frame });
        sendQueued();
      });
    },
    on<E extends EventName>(event: E, cb: (payload: Events[E]) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(cb as (p: unknown) => void);
      return () => set.delete(cb as (p: unknown) => void);
    },
  };
}
