// The UI's api on a real engine, in process (its calls go to the engine's handlers and its
// events come from the engine, as over IPC or the server's WebSocket), with a slow link
// made to order: answers to the calls named in `hold` wait until the test lets each go, in
// the order it chooses. The answer is made when asked: what changes after is not in it.
import type { CallName, VigilApi } from '../../shared/contract.js';
import type { Engine } from '../../electron/engine/engine.js';
import { waitFor } from './tmp.js';

export interface HeldApi {
  api: VigilApi;
  /** Holds the answers to these calls from now on (none: holds nothing). */
  hold(...names: CallName[]): void;
  /** Answers held so far, oldest first, for each call name; calling one hands its answer over. */
  held(name: CallName): (() => void)[];
  /** The same answers, lost instead (the link dropped after the engine had answered). */
  lost(name: CallName): (() => void)[];
  /** Waits until `count` answers to `name` are held. */
  waitHeld(name: CallName, count: number): Promise<void>;
  /** Calls made so far of `name`. */
  calls(name: CallName): unknown[];
}

export function heldApi(engine: Engine): HeldApi {
  let holding = new Set<string>();
  const held = new Map<string, (() => void)[]>();
  const lost = new Map<string, (() => void)[]>();
  const calls = new Map<string, unknown[]>();
  const api: VigilApi = {
    call: async (name, req) => {
      (calls.get(name) ?? calls.set(name, []).get(name)!).push(req);
      const res = await (engine.handlers[name] as (r: unknown) => Promise<never>)(req);
      if (holding.has(name)) {
        await new Promise<void>((resolve, reject) => {
          (held.get(name) ?? held.set(name, []).get(name)!).push(resolve);
          (lost.get(name) ?? lost.set(name, []).get(name)!).push(() => reject(new Error('the connection to Vigil was lost before it answered; try again')));
        });
      }
      return res;
    },
    on: (event, cb) => engine.events.on(event as never, cb as never),
  };
  return {
    api,
    hold: (...names) => (holding = new Set(names)),
    held: (name) => held.get(name) ?? [],
    lost: (name) => lost.get(name) ?? [],
    waitHeld: (name, count) => waitFor(() => (held.get(name)?.length ?? 0) >= count, { what: `${count} answers to ${name} held` }).then(() => undefined),
    calls: (name) => calls.get(name) ?? [],
  };
}
