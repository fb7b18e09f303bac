import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

const PATHS = ['/api/orders', '/api/users', '/api/cart', '/health', '/api/search'];
const WARN = ['slow query took 1432 ms on orders', 'cache miss ratio above 40%', 'retrying upstream payments-api (attempt 2)'];
const ERRORS = [
  'upstream payments-api timed out after 5000 ms',
  'database connection refused: 127.0.0.1:5432',
  'failed to charge card for order 8812: card_declined',
];

/**
 * Writes a plausible service log into the user-data folder so a newcomer sees lines
 * arrive and the error chart move within seconds. Every minute or so, a short error
 * burst. Stops with close().
 */
export class DemoWriter {
  private timer: NodeJS.Timeout | null = null;
  private n = 0;
  private burstLeft = 0;

  constructor(
    readonly path: string,
    private readonly intervalMs = 400,
  ) {}

  async start(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    this.timer = setInterval(() => void this.write().catch(() => undefined), this.intervalMs);
    this.timer.unref?.();
  }

  private line(): string {
    const ts = new Date().toISOString();
    this.n++;
    if (this.burstLeft === 0 && this.n % 150 === 20) this.burstLeft = 12;
    if (this.burstLeft > 0) {
      this.burstLeft--;
      // Each burst opens with a stack trace: one multi-line record, an anomaly at once.
      if (this.burstLeft === 11) {
        return [
          `${ts} ERROR [payments] unhandled exception while charging order ${8800 + (this.n % 97)}`,
          'java.lang.IllegalStateException: payment provider returned 503',
          '\tat com.example.payments.Gateway.charge(Gateway.java:118)',
          '\tat com.example.orders.Checkout.complete(Checkout.java:64)',
          '\tat java.base/java.lang.Thread.run(Thread.java:1583)',
        ].join('\n');
      }
      return `${ts} ERROR [payments] ${ERRORS[this.n % ERRORS.length]}`;
    }
    if (this.n % 17 === 0) return `${ts} WARN  [db] ${WARN[this.n % WARN.length]}`;
    const ms = 3 + ((this.n * 37) % 180);
    return `${ts} INFO  [http] GET ${PATHS[this.n % PATHS.length]} 200 ${ms}ms`;
  }

  private async write(): Promise<void> {
    await appendFile(this.path, this.line() + '\n');
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
