// The Live view's search, read the same way by the store (SQL over stored lines) and by the
// UI (new lines as they arrive): words that must all be in a message, `"a phrase"` kept
// whole, and `-word` / `-"a phrase"` for what must not be (lnav's filter-out). Case is
// ignored. A lone `-` is a word like any other.

export interface SearchTerms {
  /** Every one must be in the message (as typed: each side folds case as it can). */
  include: string[];
  /** None may be in the message. */
  exclude: string[];
}

export function parseSearch(q: string): SearchTerms {
  const include: string[] = [];
  const exclude: string[] = [];
  const s = q.trim();
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length) break;
    let neg = false;
    if (s[i] === '-' && i + 1 < s.length && !/\s/.test(s[i + 1]!)) {
      neg = true;
      i++;
    }
    let term: string;
    if (s[i] === '"') {
      const end = s.indexOf('"', i + 1);
      // An unclosed quote takes the rest of the text.
      term = end < 0 ? s.slice(i + 1) : s.slice(i + 1, end);
      i = end < 0 ? s.length : end + 1;
    } else {
      const start = i;
      while (i < s.length && !/\s/.test(s[i]!)) i++;
      term = s.slice(start, i);
    }
    if (!term) continue;
    (neg ? exclude : include).push(term);
  }
  return { include, exclude };
}

export function matchesSearch(message: string, terms: SearchTerms): boolean {
  if (!terms.include.length && !terms.exclude.length) return true;
  const m = message.toLowerCase();
  for (const t of terms.include) if (!m.includes(t.toLowerCase())) return false;
  for (const t of terms.exclude) if (m.includes(t.toLowerCase())) return false;
  return true;
}
