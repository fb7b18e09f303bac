// Retry pacing: doubling delays between a floor and a ceiling, and a sleep that a stop cuts short.

export class Backoff {
  private failures = 0;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {}

  /** The delay before the next attempt; each call doubles it, up to the ceiling. */
  next(): number {
    const ms = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.failures, 20));
    this.failures++;
    return ms;
  }

  reset(): void {
    this.failures = 0;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
