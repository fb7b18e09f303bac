import type { AnyChannelConfig, QuietHoursConfig } from '../../../shared/types.js';

/**
 * Whether `now` falls in the quiet window (local time; a window may cross midnight) and
 * when that window ends. start == end is an empty window.
 */
export function quietState(now: number, q: QuietHoursConfig): { active: boolean; endsAt: number } {
  const [sh, sm] = q.start.split(':').map(Number) as [number, number];
  const [eh, em] = q.end.split(':').map(Number) as [number, number];
  const d = new Date(now);
  const minute = d.getHours() * 60 + d.getMinutes();
  const start = sh * 60 + sm;
  const end = eh * 60 + em;
  const at = (dayOffset: number) => {
    const t = new Date(now);
    t.setDate(t.getDate() + dayOffset);
    t.setHours(eh, em, 0, 0);
    return t.getTime();
  };
  if (start === end) return { active: false, endsAt: now };
  if (start < end) return minute >= start && minute < end ? { active: true, endsAt: at(0) } : { active: false, endsAt: now };
  if (minute >= start) return { active: true, endsAt: at(1) };
  if (minute < end) return { active: true, endsAt: at(0) };
  return { active: false, endsAt: now };
}

/** Quiet hours hold the channels they name by type or by name; by default toasts only. */
export function quietHolds(q: QuietHoursConfig, channel: Pick<AnyChannelConfig, 'name' | 'type'>): boolean {
  const hold = q.hold ?? ['toast'];
  return hold.includes(channel.type) || hold.includes(channel.name);
}
