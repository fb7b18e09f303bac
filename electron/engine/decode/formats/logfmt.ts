// logfmt (key=value key2="quoted value" flag): the text format of logrus, Heroku, Grafana
// tools and many Go programs. Returns null when the line has no key=value pair at all.

export function parseLogfmt(text: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  const n = text.length;
  let i = 0;
  let pairs = 0;
  while (i < n) {
    while (i < n && text.charCodeAt(i) === 32) i++;
    const ks = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 61 || c === 32 || c === 34) break;
      i++;
    }
    if (i === ks) {
      // A stray quote or '=': not logfmt.
      if (i < n) return null;
      break;
    }
    const key = text.slice(ks, i);
    if (text.charCodeAt(i) !== 61) {
      out[key] = 'true';
      continue;
    }
    i++;
    if (text.charCodeAt(i) === 34) {
      i++;
      let v = '';
      let start = i;
      while (i < n && text.charCodeAt(i) !== 34) {
        if (text.charCodeAt(i) === 92 && i + 1 < n) {
          v += text.slice(start, i);
          const e = text[i + 1]!;
          v += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          i += 2;
          start = i;
          continue;
        }
        i++;
      }
      if (i >= n) return null;
      out[key] = v + text.slice(start, i);
      i++;
    } else {
      const vs = i;
      while (i < n && text.charCodeAt(i) !== 32) i++;
      out[key] = text.slice(vs, i);
    }
    pairs++;
  }
  return pairs > 0 ? out : null;
}
