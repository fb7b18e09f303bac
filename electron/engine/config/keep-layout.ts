import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';

// An edit from the app is made on the parsed document, which the yaml library writes out in
// its own layout: a comment aligned by the user ("path: x      # main log") lost its
// spaces, two blank lines between groups became one. Only the lines the edit changed
// should change. So the edited text is laid over the user's: the lines the library writes
// the same as before the edit (up to spaces) are the user's own lines again.

/** Lines per text above which the layout is not looked for (the library's text is kept). */
const MAX_LINES = 2000;

/**
 * `edited` (the library's text of the edited document) with the user's layout where
 * nothing changed: `original` is the user's text, `unedited` the library's text of it
 * before the edit. Falls back to `edited` when the result would not read the same.
 */
export function keepLayout(original: string, unedited: string, edited: string): string {
  if (original === unedited) return edited;
  // Line ends as the user's file has them (the library writes \n).
  const crlf = original.includes('\r\n');
  const o = (crlf ? original.replace(/\r\n/g, '\n') : original).split('\n');
  const r = unedited.split('\n');
  const e = edited.split('\n');
  if (Math.max(o.length, r.length, e.length) > MAX_LINES) return edited;
  // The user's line for each of the library's lines, where they differ in spaces only.
  const userLine = new Int32Array(r.length).fill(-1);
  for (const [i, k] of common(r.map(spaced), o.map(spaced))) userLine[i] = k;
  const kept = common(r, e);
  const keptAt = new Int32Array(r.length).fill(-1);
  for (const [i, k] of kept) keptAt[i] = k;
  // Runs of the library's lines that differ from the user's in more than spaces (an anchor
  // written `key: &a # note` comes out as three lines), which the edit kept whole, with what
  // is around them: the user's lines between the same neighbours stand for them.
  const runs = new Map<number, { end: number; from: number; to: number }>();
  for (let a = 0; a < r.length; a++) {
    if (userLine[a]! >= 0 || (a > 0 && userLine[a - 1]! < 0)) continue;
    let b = a;
    while (b < r.length && userLine[b]! < 0) b++;
    const from = a > 0 ? userLine[a - 1]! + 1 : 0;
    const to = b < r.length ? userLine[b]! : o.length;
    let whole = to > from;
    for (let x = Math.max(0, a - 1); whole && x < Math.min(b, r.length - 1); x++) whole = keptAt[x]! >= 0 && keptAt[x + 1] === keptAt[x]! + 1;
    if (whole) runs.set(a, { end: b, from, to });
  }
  // A file without a line end after its last line keeps it that way.
  const open = original !== '' && !original.endsWith('\n');
  for (const useRuns of [true, false]) {
    let text = merge(o, r, e, userLine, kept, useRuns ? runs : new Map()).join(crlf ? '\r\n' : '\n');
    if (open) text = text.replace(/\r?\n$/, '');
    if (readsAs(text, edited)) return text;
  }
  return edited;
}

function merge(
  o: string[],
  r: string[],
  e: string[],
  userLine: Int32Array,
  kept: [number, number][],
  runs: Map<number, { end: number; from: number; to: number }>,
): string[] {
  const out: string[] = [];
  let next = 0;
  /** The user's lines up to `k` that the library dropped: blank lines and comments stay. */
  const through = (k: number) => {
    for (; next < k; next++) if (/^\s*(#.*)?$/.test(o[next]!)) out.push(o[next]!);
    next = k + 1;
  };
  // How much further right the user indents than the library, where the last line both have
  // is: lines the library adds there are moved by as much (a list at its key's own indent,
  // `sources:` then `- name:`, which the library writes two further right).
  let delta = 0;
  const shifted = (line: string) => {
    if (delta === 0 || line.trim() === '') return line;
    if (delta > 0) return ' '.repeat(delta) + line;
    const cut = Math.min(-delta, line.length - line.trimStart().length);
    return line.slice(cut);
  };
  let i = 0;
  let j = 0;
  let skipTo = 0;
  for (const [ki, kj] of [...kept, [r.length, e.length] as const]) {
    // Lines of the library's text the edit took away, then those it added.
    for (; i < ki; i++) if (userLine[i]! >= 0) through(userLine[i]!);
    for (; j < kj; j++) out.push(shifted(e[j]!));
    if (ki === r.length) break;
    const run = runs.get(ki);
    if (run) {
      for (; next < run.to; next++) out.push(o[next]!);
      skipTo = run.end;
    } else if (ki < skipTo) {
      // Within a run written as the user wrote it.
    } else if (userLine[ki]! >= 0) {
      const mine = o[userLine[ki]!]!;
      through(userLine[ki]!);
      out.push(mine);
      if (mine.trim() !== '') delta = mine.length - mine.trimStart().length - (r[ki]!.length - r[ki]!.trimStart().length);
    } else out.push(shifted(r[ki]!));
    i = ki + 1;
    j = kj + 1;
  }
  through(o.length);
  return out;
}

/** A line up to spaces: runs of blanks, and blanks inside a flow's brackets (`{a: 1}` is `{ a: 1 }`). */
function spaced(line: string): string {
  return line.trim().replace(/\s+/g, ' ').replace(/([{[]) /g, '$1').replace(/ ([}\]])/g, '$1');
}

/** Whether `text` is valid YAML holding what `edited` holds, comments aside. */
function readsAs(text: string, edited: string): boolean {
  const a = parseDocument(text, { uniqueKeys: true, merge: true });
  if (a.errors.length) return false;
  return isDeepStrictEqual(a.toJS(), parseDocument(edited, { merge: true }).toJS());
}

/** The pairs of equal lines of a longest common subsequence of `a` and `b`, in order. */
function common(a: readonly string[], b: readonly string[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  // len[i * (m + 1) + j]: the length for a[i..] and b[j..].
  const len = new Uint16Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      len[i * (m + 1) + j] = a[i] === b[j] ? len[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(len[(i + 1) * (m + 1) + j]!, len[i * (m + 1) + j + 1]!);
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) pairs.push([i++, j++]);
    else if (len[(i + 1) * (m + 1) + j]! >= len[i * (m + 1) + j + 1]!) i++;
    else j++;
  }
  return pairs;
}
