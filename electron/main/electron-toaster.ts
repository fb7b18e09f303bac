import { Notification } from 'electron';
import type { Toast, Toaster } from '../engine/notify/types.js';
import { DeliveryError } from '../engine/notify/types.js';
import { FREEDESKTOP, freedesktopBody } from '../engine/notify/node-notifier-toaster.js';

/** Toasts held for their click (see ElectronToaster.live). */
const MAX_LIVE = 200;
const URGENCY = { low: 'low', medium: 'normal', high: 'critical', critical: 'critical' } as const;

/**
 * In the desktop app, toasts go through Electron's Notification: OS-native on every
 * platform and, unlike notify-send on Linux, it reports the click, so a click opens Vigil
 * at the anomaly. Headless hosts keep node-notifier.
 */
export class ElectronToaster implements Toaster {
  readonly kind = 'electron';
  /**
   * The toasts still on screen or in the notification centre. Electron holds a main-process
   * Notification weakly: once collected, its click did nothing, so a toast clicked some
   * time after it came opened no Vigil. Held until clicked, the newest 200: not until
   * 'close', which Windows also sends when a toast times out into the Action Center, where
   * it can still be clicked.
   */
  readonly live = new Set<Notification>();

  constructor(private readonly iconPath: string) {}

  show(toast: Toast, onClick: () => void): Promise<void> {
    if (!Notification.isSupported()) return Promise.reject(new DeliveryError('toasts are not supported on this system', { retryable: false }));
    return new Promise((resolve, reject) => {
      // On Linux, Electron hands the body to libnotify as it is, and the server reads markup.
      const body = FREEDESKTOP ? freedesktopBody(toast.body) : toast.body;
      const n = new Notification({ title: toast.title, body, urgency: URGENCY[toast.severity], icon: this.iconPath });
      this.live.add(n);
      if (this.live.size > MAX_LIVE) this.live.delete(this.live.values().next().value!);
      n.on('click', () => {
        this.live.delete(n);
        onClick();
      });
      n.on('show', () => resolve());
      n.on('failed', (_e, error) => {
        this.live.delete(n);
        reject(new DeliveryError(`toast failed: ${error}`, { retryable: true }));
      });
      n.show();
      // Some platforms never emit 'show'; once shown without failure within a moment, it counts.
      setTimeout(resolve, 1500);
    });
  }
}
