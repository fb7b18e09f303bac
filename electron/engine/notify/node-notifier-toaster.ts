import notifier from 'node-notifier';
import type { Severity } from '../../../shared/types.js';
import { DeliveryError, type Toast, type Toaster } from './types.js';

/** The slice of node-notifier used here (injectable for tests). */
export interface NotifierLike {
  notify(options: Record<string, unknown>, callback: (err: unknown, response: string, metadata?: unknown) => void): unknown;
}

const URGENCY: Record<Severity, string> = { low: 'low', medium: 'normal', high: 'critical', critical: 'critical' };

/**
 * OS toasts through node-notifier: notify-send (D-Bus) on Linux, Notification Center on
 * macOS, toasts on Windows. With `wait: true` node-notifier reports a click as the response
 * "activate" (macOS, Windows). On Linux node-notifier 10 runs notify-send without --action,
 * so clicks are not reported there; the anomaly id travels as the hint x-vigil-anomaly-id.
 */
export class NodeNotifierToaster implements Toaster {
  readonly kind = 'node-notifier';

  constructor(
    private readonly n: NotifierLike = notifier as unknown as NotifierLike,
    private readonly appName = 'Vigil',
  ) {}

  show(toast: Toast, onClick: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.n.notify(
        {
          title: toast.title,
          message: toast.body || ' ',
          urgency: URGENCY[toast.severity],
          'app-name': this.appName,
          appID: this.appName,
          hint: `string:x-vigil-anomaly-id:${toast.anomalyId}`,
          wait: true,
        },
        (err: unknown, response) => {
          // On Linux node-notifier passes notify-send's stderr as `err` even when it worked
          // (warnings); only an Error means the command failed.
          if (err instanceof Error) {
            const text = err.message.replace(/^Command failed:[^\n]*\n?/, '').trim() || 'the notifier failed';
            reject(new DeliveryError(`toast failed: ${text.slice(0, 300)}`, { retryable: true }));
            return;
          }
          if (response === 'activate') onClick();
          resolve();
        },
      );
    });
  }
}
