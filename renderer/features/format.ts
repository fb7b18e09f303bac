/** Small display helpers shared by the screens. */
export function fmtTime(ts: number | null | undefined): string {
  if (!ts) return '—';
  const d = new Date(ts);
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  return sameDay ? d.toLocaleTimeString([], { hour12: false }) : d.toLocaleString([], { hour12: false });
}

export function fmtAgo(ts: number | null | undefined, now = Date.now()): string {
  if (!ts) return '—';
  const s = Math.round((now - ts) / 1000);
  // A time ahead of this clock (a host whose clock is fast, an alert stamped ahead): "in".
  if (s < -5) return `in ${span(-s)}`;
  return `${span(Math.max(0, s))} ago`;
}

function span(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

/**
 * A record's time of day (with milliseconds when `ms`), its date before it when that is not
 * today (a line three weeks old must not read as this morning's), its year when not this year.
 */
export function fmtClock(ts: number, ms = false, now = new Date()): string {
  const d = new Date(ts);
  let out = d.toLocaleTimeString([], { hour12: false });
  if (ms) out += '.' + String(d.getMilliseconds()).padStart(3, '0');
  if (d.toDateString() === now.toDateString()) return out;
  const date = d.toLocaleDateString([], d.getFullYear() === now.getFullYear() ? { month: 'short', day: 'numeric' } : { year: 'numeric', month: 'short', day: 'numeric' });
  return `${date} ${out}`;
}
