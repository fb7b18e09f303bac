import type { VigilApi } from '../../shared/contract.js';

// The api is created once at start (main.tsx) and handed to the stores here, so stores
// stay testable and nothing reaches for a global.
let current: VigilApi | null = null;

export function provideApi(api: VigilApi): void {
  current = api;
}

export function api(): VigilApi {
  if (!current) throw new Error('api not provided yet');
  return current;
}
