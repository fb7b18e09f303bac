/**
 * Comma-separated entries of a form field, trimmed, empty ones dropped. A /pattern/ (with
 * its flags) is one entry, commas and all: `/^web-\d{1,3}$/` was cut in two at its comma,
 * both halves taken as names that match nothing.
 */
export function splitEntries(text: string): string[] {
  const out: string[] = [];
  // A pattern: escapes and [classes] (a '/' or ',' inside one is the pattern's) up to a '/' that ends it.
  const re = /\s*(\/(?:\\.|\[(?:\\.|[^\]\\])*\]|[^\\[])*?\/[a-z]*(?=\s*(?:,|$))|[^,]*)\s*(?:,|$)/y;
  for (let m = re.exec(text); m && re.lastIndex <= text.length; m = re.exec(text)) {
    const entry = m[1]!.trim();
    if (entry) out.push(entry);
    if (re.lastIndex >= text.length) break;
  }
  return out;
}
