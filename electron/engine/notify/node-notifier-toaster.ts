import notifier from 'node-notifier';
import type { Severity } from '../../../shared/types.js';
import { DeliveryError, type Toast, type Toaster } from './types.js';

/** The slice of node-notifier used here (injectable for tests). */
export interface NotifierLike {
  notify(options: Record<string, unknown>, callback: (err: unknown, response: string, metadata?: unknown) => void): unknown;
}

const URGENCY: Record<Severity, string> = { low: 'low', medium: 'normal', high: 'critical', critical: 'critical' };

/** Whether toasts go through notify-send and a freedesktop notification server. */
export const FREEDESKTOP = process.platform === 'linux' || process.platform === 'freebsd' || process.platform === 'openbsd';

/**
 * A toast's body as freedesktop notification servers read it: markup (GNOME, KDE, dunst,
 * mako and xfce render <b>, <a href> and entities in the body), so log text has its
 * `& < >` escaped, and is never shown as bold text or a link.
 */
export function freedesktopBody(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * OS toasts through node-notifier: notify-send (D-Bus) on Linux, Notification Center on
 * macOS, toasts on Windows. With `wait: true` node-notifier reports a click as the response
 * "activate" (macOS, Windows). On Linux node-notifier 10 runs notify-send without --action,
 * so clicks are not reported there; the anomaly id travels as the hint x-vigil-anomaly-id.
 */
export class NodeNotifierToaster implements Toaster {
  readonly kind = 'node-notifier';

  constructor(
    private readonly n: NotifierLike = defaultNotifier(),
    private readonly appName = 'Vigil',
    private readonly freedesktop = FREEDESKTOP,
  ) {}

  show(toast: Toast, onClick: () => void): Promise<void> {
    const options: Record<string, unknown> = {
      title: toast.title,
      message: toast.body || ' ',
      urgency: URGENCY[toast.severity],
      'app-name': this.appName,
      appID: this.appName,
      hint: `string:x-vigil-anomaly-id:${toast.anomalyId}`,
    };
    if (this.freedesktop) {
      // notify-send takes the title and body after its options, with no "--" between: a
      // text starting with "-" was read as an option ("Unknown option -> boom"), failed on
      // every retry, and held back every toast after it. The body is markup: an entity.
      options.title = toast.title.replace(/^-/, '\u2010');
      // notify-send also reads backslash escapes in the body (\t, \n, \\): a path
      // C:\temp\new showed a tab and a line break. Doubled, they read as themselves.
      options.message = freedesktopBody(toast.body || ' ')
        .replace(/\\/g, '\\\\')
        .replace(/^-/, '&#45;');
      // The server's own timeout (-1), not node-notifier's 5 or 10 s: servers keep critical
      // toasts until dismissed unless told a time. (No `wait`: notify-send reports no click.)
      options['expire-time'] = '-1';
    } else {
      options.wait = true;
    }
    return new Promise((resolve, reject) => {
      this.n.notify(options, (err: unknown, response) => {
        // On Linux node-notifier passes notify-send's stderr as `err` even when it worked
        // (warnings); only an Error means the command failed.
        if (err instanceof Error) {
          let text = err.message.replace(/^Command failed:[^\n]*\n?/, '').trim() || 'the notifier failed';
          if (/notify-send: (not found|No such file)/.test(text)) text = 'notify-send is not installed (Debian and Ubuntu: libnotify-bin; Fedora: libnotify)';
          reject(new DeliveryError(`toast failed: ${text.slice(0, 300)}`, { retryable: true }));
          return;
        }
        if (response === 'activate') onClick();
        resolve();
      });
    });
  }
}

/**
 * node-notifier's own, but on Linux one that does not look for notify-send once and
 * remember: missing when Vigil started, it stayed "must be installed" until a restart,
 * after it was installed. Each toast runs it; missing, the shell says so.
 */
function defaultNotifier(): NotifierLike {
  if (!FREEDESKTOP) return notifier as unknown as NotifierLike;
  return new notifier.NotifySend({ suppressOsdCheck: true } as never) as unknown as NotifierLike;
}
