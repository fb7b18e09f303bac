import { validateRequest, type CallError, type Handlers } from '../../shared/contract.js';

export type CallOutcome = { ok: true; res: unknown } | { ok: false; error: CallError };

/**
 * The one door every transport (Electron IPC, HTTP, WebSocket) goes through: validate the
 * request against shared/schema.ts, then run the handler. Handler errors become a
 * message, never a crash of the host.
 */
export async function dispatch(handlers: Handlers, name: unknown, req: unknown): Promise<CallOutcome> {
  const v = validateRequest(name, req);
  if (!v.ok) return v;
  try {
    const handler = handlers[v.name] as (r: unknown) => unknown;
    return { ok: true, res: await handler(v.value) };
  } catch (err) {
    return { ok: false, error: { code: 'failed', message: (err as Error)?.message ?? String(err) } };
  }
}
