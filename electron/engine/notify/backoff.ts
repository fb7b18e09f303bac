import { durationMs } from '../../../shared/duration.js';
import type { NotifyConfig } from '../../../shared/types.js';

export interface RetryPolicy {
  /** Attempts before a delivery goes to the dead letters. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is cut to it. */
  maxRetryAfterMs: number;
}

export function retryPolicy(notify: NotifyConfig | undefined): RetryPolicy {
  const r = notify?.retry;
  return {
    maxAttempts: r?.maxAttempts ?? 10,
    initialDelayMs: durationMs(r?.initialDelay, 5_000),
    maxDelayMs: durationMs(r?.maxDelay, 15 * 60_000),
    maxRetryAfterMs: durationMs(r?.maxRetryAfter, 3_600_000),
  };
}

/**
 * Exponential backoff with "equal jitter": after the n-th failure wait between half and
 * all of initial * 2^(n-1) (capped), so many Vigils retrying one receiver spread out.
 */
export function backoffDelay(failures: number, p: RetryPolicy, random: () => number = Math.random): number {
  const exp = Math.min(p.maxDelayMs, p.initialDelayMs * 2 ** Math.max(0, failures - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** Retry-After as delta-seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
