// OS toast: one notification per message, naming the worst anomaly; a click opens Vigil
// at that anomaly.
import { byImportance, itemLine, messageTitle, SEVERITY_LABEL, worstSeverity } from '../message.js';
import { clean, truncate } from '../truncate.js';
import type { ChannelSender, NotificationMessage, SendContext, Toast, Toaster } from '../types.js';

export const TOAST_LIMITS = { title: 120, body: 400 } as const;

export function toastFor(msg: NotificationMessage): Toast {
  const items = byImportance(msg.items);
  const first = items[0]!.anomaly;
  // Over by the time it goes out (found already over, resolved in the group window or while
  // the toast waited): it says so, quietly, instead of "CRITICAL" at critical urgency.
  const over = msg.kind === 'resolved' || msg.items.every((i) => i.anomaly.state === 'resolved');
  const severity = over ? 'low' : worstSeverity(msg.items);
  const title = over ? messageTitle({ ...msg, kind: 'resolved' }) : msg.test ? messageTitle(msg) : `${SEVERITY_LABEL[severity]}: ${messageTitle(msg)}`;
  const body =
    items.length === 1
      ? `${first.message && first.message !== first.title ? `${first.message}\n` : ''}${first.source}${first.category ? ` / ${first.category}` : ''}${first.count > 1 ? ` · ×${first.count}` : ''}`
      : items.slice(0, 4).map(itemLine).join('\n') + (items.length > 4 ? `\n…and ${items.length - 4} more` : '');
  return { title: truncate(clean(title).replace(/\n/g, ' '), TOAST_LIMITS.title), body: truncate(clean(body), TOAST_LIMITS.body), severity, anomalyId: first.id };
}

export function toastSender(toaster: Toaster, onClick: (anomalyId: number) => void): ChannelSender {
  return {
    type: 'toast',
    // A toast saying "resolved" at 3 a.m. helps nobody; opt in with sendResolved: true.
    resolvedByDefault: false,
    async send(msg: NotificationMessage, _ctx: SendContext) {
      const toast = toastFor(msg);
      // A test toast has no anomaly to open.
      await toaster.show(toast, () => (msg.test ? undefined : onClick(toast.anomalyId)));
      return {};
    },
  };
}
