/**
 * A per-channel circuit breaker: after `threshold` consecutive failures the channel rests
 * for `cooldownMs`; then one request probes it (half-open). A success closes it. State is
 * in memory: after a restart a channel starts closed and learns again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;

  constructor(
    private threshold: number,
    private cooldownMs: number,
  ) {}

  configure(threshold: number, cooldownMs: number): void {
    this.threshold = threshold;
    this.cooldownMs = cooldownMs;
  }

  /** Earliest time a request may go out (0 when closed). */
  allowedAt(): number {
    return this.openUntil;
  }

  state(now: number): 'closed' | 'open' | 'half-open' {
    if (this.failures < this.threshold) return 'closed';
    return now < this.openUntil ? 'open' : 'half-open';
  }

  success(): void {
    this.failures = 0;
    this.openUntil = 0;
  }

  failure(now: number): void {
    this.failures++;
    if (this.failures >= this.threshold) this.openUntil = now + this.cooldownMs;
  }
}
