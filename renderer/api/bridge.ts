import type { CallError } from '../../shared/contract.js';

/** What electron/preload exposes on window.vigilBridge (functions only, never Electron). */
export interface VigilBridge {
  call(name: string, req: unknown): Promise<{ ok: true; res: unknown } | { ok: false; error: CallError }>;
  on(event: string, cb: (payload: unknown) => void): () => void;
}

export class VigilCallError extends Error {
  constructor(readonly error: CallError) {
    super(error.message);
  }
}
