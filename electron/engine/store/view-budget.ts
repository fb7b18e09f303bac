import { RECORD_FLAGS, type LogEvent } from '../../../shared/types.js';

// What one answer or push to a view carries of lines' text. The newest 200 records of a
// source writing 1 MB lines (or 100 KB stack traces) made a 40 MB page: past the server's
// 32 MiB send buffer the socket was closed, the UI reloaded the same page, and Live never
// loaded. A line is sent cut to VIEW_FIELD_LIMIT characters (flagged: the store keeps it
// whole), and a page or a push holds the newest lines whose text fits VIEW_PAGE_BUDGET
// (at least one); the view pages on for the rest, as for any page.

/** Characters of a line's message, and of its raw text, sent to a view. */
export const VIEW_FIELD_LIMIT = 256 * 1024;
/** Characters of text (messages and raw lines) in one page or push. */
export const VIEW_PAGE_BUDGET = 8 * 1024 * 1024;

/** The line as a view gets it: message and raw cut to VIEW_FIELD_LIMIT, flagged cutForView. */
export function forView<T extends LogEvent>(e: T): T {
  if (e.message.length <= VIEW_FIELD_LIMIT && e.raw.length <= VIEW_FIELD_LIMIT) return e;
  return { ...e, message: cut(e.message), raw: cut(e.raw), flags: (e.flags ?? 0) | RECORD_FLAGS.cutForView };
}

function cut(s: string): string {
  if (s.length <= VIEW_FIELD_LIMIT) return s;
  // Not between the halves of a surrogate pair.
  const end = s.charCodeAt(VIEW_FIELD_LIMIT - 1) >= 0xd800 && s.charCodeAt(VIEW_FIELD_LIMIT - 1) <= 0xdbff ? VIEW_FIELD_LIMIT - 1 : VIEW_FIELD_LIMIT;
  return s.slice(0, end);
}

/** The newest of `events` (oldest first) whose text fits the budget, at least the newest one. */
export function newestWithin<T extends LogEvent>(events: T[], budget = VIEW_PAGE_BUDGET): T[] {
  let used = 0;
  let k = events.length;
  while (k > 0) {
    const e = events[k - 1]!;
    used += e.message.length + (e.raw === e.message ? 0 : e.raw.length);
    if (used > budget && k < events.length) break;
    k--;
  }
  return k === 0 ? events : events.slice(k);
}
