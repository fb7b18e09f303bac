import { create } from 'zustand';
import type { RateSeries } from '../../shared/types.js';
import { api } from './api-context.js';

interface RatesState {
  series: RateSeries | null;
  spanMs: number;
  refresh(): Promise<void>;
  setSpan(spanMs: number): void;
}

/** Rates asked for so far. */
let asked = 0;

/** Error and warning rates per bucket, for the chart; refreshed on a timer by the view. */
export const useRates = create<RatesState>((set, get) => ({
  series: null,
  spanMs: 5 * 60_000,
  async refresh() {
    const mine = ++asked;
    const spanMs = get().spanMs;
    const bucketMs = Math.max(1000, Math.round(spanMs / 60 / 1000) * 1000);
    const series = await api().call('stats.rates', { spanMs, bucketMs });
    // Only the last asked is drawn: a late answer for the span before came in under the new chip.
    if (mine === asked) set({ series });
  },
  setSpan(spanMs) {
    set({ spanMs });
    get().refresh().catch(() => undefined); // the next poll tries again
  },
}));
