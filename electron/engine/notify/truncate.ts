// Cutting text to a receiver's limit. Limits are counted in UTF-16 code units (JavaScript
// length), which is never less than the code points Slack and Discord count, so a text
// that fits here fits there.

export const ELLIPSIS = '…';

/** At most `max` units; a cut text ends with an ellipsis and never splits a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let cut = max - ELLIPSIS.length;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1; // keep a high surrogate with its low half, or drop both
  return text.slice(0, Math.max(0, cut)) + ELLIPSIS;
}

/** Removes control characters that receivers render badly (keeps tab and newline). */
export function clean(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

/**
 * Escapes text for Slack mrkdwn (&, <, > — so a log line cannot write `<!channel>`) and
 * cuts it to `max` escaped units without splitting an entity or a surrogate pair.
 */
export function slackEscape(text: string, max = Infinity): string {
  const full = text.replace(/[&<>]/g, slackEntity);
  if (full.length <= max) return full;
  let out = '';
  for (const ch of text) {
    const piece = slackEntity(ch);
    if (out.length + piece.length > max - ELLIPSIS.length) break;
    out += piece;
  }
  return out + ELLIPSIS;
}

function slackEntity(ch: string): string {
  return ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch;
}

/**
 * Escapes Discord markdown in text from logs (a backslash before each mark), so a log line
 * cannot write a masked link (`[Re-authenticate](https://…)`), a heading or a spoiler, nor
 * break the bold around a title. Code blocks are not for this: they show text as it is.
 */
export function discordEscape(text: string): string {
  // A URL stays as written: Discord links it itself, and a backslash in it broke the link
  // (`db\_down`). Around it, `[` and `]` are escaped, so no masked link can form.
  return text
    .split(/(https?:\/\/[^\s<>]+)/)
    .map((part, i) => (i % 2 ? part : part.replace(/[\\*_~`|[\]()<>]/g, '\\$&')))
    .join('')
    .replace(/^(\s*)(#)/gm, '$1\\$2');
}
