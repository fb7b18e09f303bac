// Static check for user regexes that could backtrack catastrophically. V8's regex engine
// backtracks, and a rule runs on every record: one `(\w+\s?)*$` on a long line would stall
// ingestion. Rather than bounding time (Node offers no regex timeout short of a worker per
// match), Vigil refuses the shapes that make backtracking exponential, and callers bound
// the text a rule sees (polynomial cases then stay bounded too). Pure: the UI can use it
// to explain a refusal while the user types.
//
// Refused:
//  - a repeated group whose body can split the same text between iterations in more than
//    one way (star height 2 with ambiguity): (a+)+, (\w+\s?)*, (.*,)*, (x+x+)+, and so
//    with a bounded repeat outside: (.*,){5} (polynomial of degree 5), (a{1,10}){1,10}
//  - a repeated alternation whose alternatives can start with the same character: (a|ab)*,
//    (\w|\d)+
//  - two unbounded repeats side by side over overlapping characters: \d+\d+, .*.*
//    (polynomial, but cubic once the engine retries each start position); rules only (see
//    RegexSafetyOptions.adjacent)
//  - unbounded repeats over the same characters with only a wildcard for them between:
//    \d+.\d+ x; three with literals between, under a leading .* tried at every start:
//    .*foo.*bar.*baz (seconds to minutes on a line of a few thousand characters)
// Allowed, because each character has one place to go: (\w+\s)*, ([a-z]+,)*, (.|\n)*,
// (\d{1,3}\.){3}, a.*b.*c.

type Range = [number, number];
/** A set of code points as sorted, disjoint, inclusive ranges. */
type CharSet = Range[];

const MAX_CP = 0x10ffff;
const ALL: CharSet = [[0, MAX_CP]];
const DIGIT: CharSet = [[48, 57]];
const WORD: CharSet = [[48, 57], [65, 90], [95, 95], [97, 122]];
const SPACE: CharSet = [[9, 13], [32, 32], [160, 160], [0x1680, 0x1680], [0x2000, 0x200a], [0x2028, 0x2029], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff]];
const DOT: CharSet = [[0, 9], [11, 12], [14, 0x2027], [0x202a, MAX_CP]];

function norm(s: CharSet): CharSet {
  const sorted = s.filter((r) => r[0] <= r[1]).sort((a, b) => a[0] - b[0]);
  const out: CharSet = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}
function union(a: CharSet, b: CharSet): CharSet {
  return norm([...a, ...b]);
}
function complement(a: CharSet): CharSet {
  const out: CharSet = [];
  let next = 0;
  for (const [lo, hi] of norm(a)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}
function overlaps(a: CharSet, b: CharSet): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x[1] < y[0]) i++;
    else if (y[1] < x[0]) j++;
    else return true;
  }
  return false;
}
function caseFold(a: CharSet): CharSet {
  const extra: CharSet = [];
  for (const [lo, hi] of a) {
    const l1 = Math.max(lo, 65);
    const h1 = Math.min(hi, 90);
    if (l1 <= h1) extra.push([l1 + 32, h1 + 32]);
    const l2 = Math.max(lo, 97);
    const h2 = Math.min(hi, 122);
    if (l2 <= h2) extra.push([l2 - 32, h2 - 32]);
  }
  return union(a, extra);
}

type Node =
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; alts: Node[] }
  | { t: 'group'; body: Node; look: boolean }
  | { t: 'rep'; body: Node; min: number; max: number }
  | { t: 'chars'; set: CharSet }
  | { t: 'empty' }; // anchors, word boundaries, back-references (treated as zero-width)

class Parser {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly fold: boolean,
  ) {}

  parse(): Node {
    const n = this.alternation();
    return n;
  }

  private alternation(): Node {
    const alts: Node[] = [this.sequence()];
    while (this.s[this.i] === '|') {
      this.i++;
      alts.push(this.sequence());
    }
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') {
      let atom = this.atom();
      for (;;) {
        const q = this.quantifier();
        if (!q) break;
        atom = { t: 'rep', body: atom, min: q.min, max: q.max };
      }
      items.push(atom);
    }
    return { t: 'seq', items };
  }

  private quantifier(): { min: number; max: number } | null {
    const c = this.s[this.i];
    let q: { min: number; max: number } | null = null;
    if (c === '*') q = { min: 0, max: Infinity };
    else if (c === '+') q = { min: 1, max: Infinity };
    else if (c === '?') q = { min: 0, max: 1 };
    if (q) {
      this.i++;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.i, this.i + 24));
      if (!m) return null;
      this.i += m[0].length;
      const min = Number(m[1]);
      q = { min, max: m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]) };
    } else {
      return null;
    }
    if (this.s[this.i] === '?') this.i++; // lazy: same ambiguity
    return q;
  }

  private atom(): Node {
    const c = this.s[this.i++]!;
    switch (c) {
      case '^':
      case '$':
        return { t: 'empty' };
      case '.':
        return { t: 'chars', set: DOT };
      case '(': {
        let look = false;
        if (this.s[this.i] === '?') {
          const rest = this.s.slice(this.i, this.i + 3);
          if (rest.startsWith('?:')) this.i += 2;
          else if (rest.startsWith('?=') || rest.startsWith('?!')) (this.i += 2), (look = true);
          else if (rest.startsWith('?<=') || rest.startsWith('?<!')) (this.i += 3), (look = true);
          else if (rest.startsWith('?<')) this.i = this.s.indexOf('>', this.i) + 1;
          else this.i = this.s.indexOf(':', this.i) + 1; // modifiers (?i:...)
        }
        const body = this.alternation();
        this.i++; // ')'
        return { t: 'group', body, look };
      }
      case '[':
        return { t: 'chars', set: this.cls() };
      case '\\':
        return this.escape(false) as Node;
      default:
        return { t: 'chars', set: this.lit(c.codePointAt(0)!) };
    }
  }

  private lit(cp: number): CharSet {
    const s: CharSet = [[cp, cp]];
    return this.fold ? caseFold(s) : s;
  }

  /** After a backslash. In a class, returns the set; outside, a node. */
  private escape(inClass: boolean): Node | CharSet {
    const c = this.s[this.i++]!;
    const wrap = (set: CharSet): Node | CharSet => (inClass ? set : { t: 'chars', set });
    switch (c) {
      case 'd': return wrap(DIGIT);
      case 'D': return wrap(complement(DIGIT));
      case 'w': return wrap(this.fold ? caseFold(WORD) : WORD);
      case 'W': return wrap(complement(WORD));
      case 's': return wrap(SPACE);
      case 'S': return wrap(complement(SPACE));
      case 'n': return wrap([[10, 10]]);
      case 'r': return wrap([[13, 13]]);
      case 't': return wrap([[9, 9]]);
      case 'f': return wrap([[12, 12]]);
      case 'v': return wrap([[11, 11]]);
      case 'p':
      case 'P': {
        // Unicode property: treat as any character (conservative for overlap).
        if (this.s[this.i] === '{') this.i = this.s.indexOf('}', this.i) + 1;
        return wrap(ALL);
      }
      case 'x': {
        const h = this.s.slice(this.i, this.i + 2);
        this.i += 2;
        return wrap(this.lit(parseInt(h, 16) || 0));
      }
      case 'u': {
        let cp: number;
        if (this.s[this.i] === '{') {
          const end = this.s.indexOf('}', this.i);
          cp = parseInt(this.s.slice(this.i + 1, end), 16);
          this.i = end + 1;
        } else {
          cp = parseInt(this.s.slice(this.i, this.i + 4), 16);
          this.i += 4;
        }
        return wrap(this.lit(Number.isFinite(cp) ? cp : 0));
      }
      case 'c':
        this.i++;
        return wrap(ALL);
      case 'b':
        return inClass ? [[8, 8]] : { t: 'empty' };
      case 'B':
        return inClass ? this.lit(66) : { t: 'empty' };
      case 'k':
        if (this.s[this.i] === '<') this.i = this.s.indexOf('>', this.i) + 1;
        return inClass ? this.lit(107) : { t: 'empty' };
      default:
        if (c >= '1' && c <= '9' && !inClass) {
          while (this.s[this.i]! >= '0' && this.s[this.i]! <= '9') this.i++;
          return { t: 'empty' };
        }
        if (c === '0') return wrap([[0, 0]]);
        return wrap(this.lit(c.codePointAt(0)!));
    }
  }

  private cls(): CharSet {
    let negate = false;
    if (this.s[this.i] === '^') {
      negate = true;
      this.i++;
    }
    let set: CharSet = [];
    // In JavaScript a ']' right after '[' or '[^' closes the class (unlike PCRE): `[]` is
    // no character, `[^]` is any character.
    while (this.i < this.s.length && this.s[this.i] !== ']') {
      const lo = this.classAtom();
      if (this.s[this.i] === '-' && this.s[this.i + 1] !== ']' && this.i + 1 < this.s.length && lo.length === 1 && lo[0]![0] === lo[0]![1]) {
        this.i++;
        const hi = this.classAtom();
        const a = lo[0]![0];
        const b = hi.length ? hi[hi.length - 1]![1] : a;
        set = union(set, this.fold ? caseFold([[a, b]]) : [[a, b]]);
      } else {
        set = union(set, lo);
      }
    }
    this.i++; // ']'
    return negate ? complement(set) : set;
  }

  private classAtom(): CharSet {
    const c = this.s[this.i++]!;
    if (c === '\\') return this.escape(true) as CharSet;
    const cp = c.codePointAt(0)!;
    if (cp > 0xffff) this.i++;
    return [[cp, cp]];
  }
}

// ---- analysis ----------------------------------------------------------------------

function nullable(n: Node): boolean {
  switch (n.t) {
    case 'seq': return n.items.every(nullable);
    case 'alt': return n.alts.some(nullable);
    case 'group': return n.look || nullable(n.body);
    case 'rep': return n.min === 0 || nullable(n.body);
    case 'chars': return false;
    case 'empty': return true;
  }
}

/** Characters that can start a non-empty match. */
function first(n: Node): CharSet {
  switch (n.t) {
    case 'seq': {
      let s: CharSet = [];
      for (const it of n.items) {
        s = union(s, first(it));
        if (!nullable(it)) break;
      }
      return s;
    }
    case 'alt': return n.alts.reduce<CharSet>((s, a) => union(s, first(a)), []);
    case 'group': return n.look ? [] : first(n.body);
    case 'rep': return n.max === 0 ? [] : first(n.body);
    case 'chars': return n.set;
    case 'empty': return [];
  }
}

/** Every character the node can consume anywhere. */
function chars(n: Node): CharSet {
  switch (n.t) {
    case 'seq': return n.items.reduce<CharSet>((s, it) => union(s, chars(it)), []);
    case 'alt': return n.alts.reduce<CharSet>((s, a) => union(s, chars(a)), []);
    case 'group': return n.look ? [] : chars(n.body);
    case 'rep': return chars(n.body);
    case 'chars': return n.set;
    case 'empty': return [];
  }
}

function unwrap(n: Node): Node {
  while (n.t === 'group' && !n.look) n = n.body;
  while (n.t === 'seq' && n.items.length === 1) n = unwrap(n.items[0]!);
  return n;
}

const isLoop = (n: Node): n is Extract<Node, { t: 'rep' }> => n.t === 'rep' && n.max > 1;
/** Repeats whose alternations matter for blowup (2^max paths): unbounded, or bounded but large. */
const isBigLoop = (n: Node): n is Extract<Node, { t: 'rep' }> => n.t === 'rep' && n.max > 16;

/**
 * Walks `n` with `follow` = the characters that may come right after it. Reports loops
 * inside a big loop's body that can hand characters to what follows them (or to the next
 * iteration of the outer loop): the text then splits between iterations in many ways.
 */
function checkInner(n: Node, follow: CharSet, problems: string[]): void {
  switch (n.t) {
    case 'seq':
      n.items.forEach((it, i) => {
        let f: CharSet = [];
        let reachesEnd = true;
        for (const next of n.items.slice(i + 1)) {
          f = union(f, first(next));
          if (!nullable(next)) {
            reachesEnd = false;
            break;
          }
        }
        checkInner(it, reachesEnd ? union(f, follow) : f, problems);
      });
      return;
    case 'alt':
      for (const a of n.alts) checkInner(a, follow, problems);
      return;
    case 'group':
      if (!n.look) checkInner(n.body, follow, problems);
      return;
    case 'rep':
      if (isLoop(n) && (n.max === Infinity || n.max - n.min > 1) && overlaps(chars(n.body), follow)) {
        problems.push('a repeated group contains a repeat that can take the same characters as what follows it (nested quantifier)');
        return;
      }
      checkInner(n.body, union(follow, first(n.body)), problems);
      return;
    default:
      return;
  }
}

/** `top`: `n` is the whole pattern, unanchored (its first repeat is tried at every start). */
function check(n: Node, problems: string[], adjacent: boolean, top = false): void {
  switch (n.t) {
    case 'seq': {
      n.items.forEach((it) => check(it, problems, adjacent));
      if (adjacent) checkAdjacent(n.items, problems);
      checkChains(n.items, problems, top);
      return;
    }
    case 'alt':
      n.alts.forEach((a) => check(a, problems, adjacent));
      return;
    case 'group':
      check(n.body, problems, adjacent);
      return;
    case 'rep': {
      // A nested repeat blows up under any repeat: (.*,){5} tries each way of cutting the
      // text into five (a 430-byte line took 68 s), (a{1,10}){1,10} each of 10^10 splits.
      if (isLoop(n)) {
        const body = unwrap(n.body);
        // (a|ab)*: alternatives that begin alike give each character two paths (2^k for a small k is fine).
        if (isBigLoop(n) && body.t === 'alt') {
          for (let i = 0; i < body.alts.length; i++)
            for (let j = i + 1; j < body.alts.length; j++)
              if (overlaps(first(body.alts[i]!), first(body.alts[j]!)) || (nullable(body.alts[i]!) && nullable(body.alts[j]!))) {
                problems.push('a repeated alternation has alternatives that can match the same text');
                return;
              }
        }
        // (a*)*, (\w+\s?)*: an inner repeat that can trade characters across iterations.
        if (body.t === 'rep' && isLoop(body)) {
          problems.push('a repeat directly inside another repeat (nested quantifier)');
          return;
        }
        const before = problems.length;
        checkInner(n.body, first(n.body), problems);
        if (problems.length > before) return;
      }
      check(n.body, problems, adjacent);
      return;
    }
    default:
      return;
  }
}

/** \d+\d+, .*.*: unbounded repeats side by side over overlapping characters (polynomial). */
function checkAdjacent(items: Node[], problems: string[]): void {
  for (let i = 0; i < items.length; i++) {
    const a = unwrap(items[i]!);
    if (!(a.t === 'rep' && a.max === Infinity)) continue;
    const ca = chars(a.body);
    const next = items[i + 1];
    const b = next && unwrap(next);
    if (b && b.t === 'rep' && b.max === Infinity && overlaps(ca, chars(b.body))) {
      problems.push('two unbounded repeats next to each other can match the same characters');
      return;
    }
  }
}

function intersect(a: CharSet, b: CharSet): CharSet {
  const out: CharSet = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    const lo = Math.max(x[0], y[0]);
    const hi = Math.min(x[1], y[1]);
    if (lo <= hi) out.push([lo, hi]);
    if (x[1] < y[1]) i++;
    else j++;
  }
  return out;
}

/** Is every character of `c` in `a`? */
function covers(a: CharSet, c: CharSet): boolean {
  return intersect(a, c).reduce((n, r) => n + r[1] - r[0], 0) === c.reduce((n, r) => n + r[1] - r[0], 0);
}

/** A sequence's items, with groups and sequences inside it opened: (\d+.\d+).\d+ is five items. */
function flat(items: Node[]): Node[] {
  const out: Node[] = [];
  for (const it of items) {
    const u = unwrap(it);
    if (u.t === 'seq') out.push(...flat(u.items));
    else out.push(u);
  }
  return out;
}

/**
 * Can `n` stand between two repeats over the characters `c` and let them trade those
 * characters: it matches nothing, or a character of `c` (`wild`: any character of `c`, as
 * `.` between two `\d+`). A literal between (`-` in `\d+-\d+`) pins where one ends.
 */
function bridges(n: Node, c: CharSet, wild: boolean): boolean {
  if (nullable(n)) return true;
  const u = unwrap(n);
  switch (u.t) {
    case 'chars': return wild ? covers(u.set, c) : overlaps(u.set, c);
    case 'rep': return bridges(u.body, c, wild);
    case 'alt': return u.alts.some((a) => bridges(a, c, wild));
    case 'seq': return u.items.every((i) => bridges(i, c, wild));
    default: return false;
  }
}

/**
 * Unbounded repeats over the same characters with only a wildcard for them between them
 * split a run of those characters in every way before the match can fail: `\d+.\d+.\d+ x`
 * on a line of 2,000 digits took 8 minutes, and `\d+.\d+ refused` a second (a format's
 * regex meets lines of a MiB). Literals between them pin where each may end (`\d+-\d+-\d+`, `a.*b.*c`), unless
 * the first is a leading `.*` of an unanchored pattern, which the engine tries again at
 * every start: `.*foo.*bar.*baz` took 30 s on 2,000 characters. Only when something after
 * the last one can fail: a trailing `.*` ends every match where it starts.
 */
function checkChains(items: Node[], problems: string[], leading: boolean): void {
  const xs = flat(items);
  const reps: number[] = [];
  xs.forEach((x, i) => {
    if (x.t === 'rep' && x.max === Infinity) reps.push(i);
  });
  if (reps.length < 2) return;
  const canFailAfter = (i: number) => xs.slice(i + 1).some((x) => !nullable(x));
  const set = (i: number) => chars((xs[i] as Extract<Node, { t: 'rep' }>).body);
  const between = (a: number, b: number, c: CharSet, wild: boolean) => xs.slice(a + 1, b).every((x) => bridges(x, c, wild));
  for (let x = 0; x < reps.length; x++) {
    for (let y = x + 1; y < reps.length; y++) {
      const [i, j] = [reps[x]!, reps[y]!];
      const c = intersect(set(i), set(j));
      if (!c.length || !canFailAfter(j)) continue;
      if (j > i + 1 && between(i, j, c, true)) {
        problems.push('two unbounded repeats over the same characters with only a wildcard between them can split a long run of those characters in every way (write \\. for a literal dot)');
        return;
      }
      // Literals between pin the cuts, but not under a leading repeat tried at every start.
      const wild = !(leading && i === 0);
      if (!between(i, j, c, wild)) continue;
      for (let z = y + 1; z < reps.length; z++) {
        const k = reps[z]!;
        const cc = intersect(c, set(k));
        if (cc.length && canFailAfter(k) && between(i, j, cc, wild) && between(j, k, cc, wild)) {
          problems.push('three or more unbounded repeats over the same characters, with only such characters between them, try every way of splitting a line (a long one stalls Vigil); make them match different characters, or anchor them');
          return;
        }
      }
    }
  }
}

export interface RegexSafety {
  ok: boolean;
  /** Why it was refused, for the user. */
  reason?: string;
}

export interface RegexSafetyOptions {
  /**
   * Also refuse the polynomial shape (unbounded repeats side by side, `\s+.*`). On by
   * default, for rules that may meet any text. Off for format regexes, where `\s+(?<msg>.*)`
   * is the common way to write a line and the exponential shapes are what would hang.
   */
  adjacent?: boolean;
}

/** Is this pattern safe to run on every record? `flags` as for RegExp. */
export function checkRegexSafety(pattern: string, flags = '', opts: RegexSafetyOptions = {}): RegexSafety {
  try {
    new RegExp(pattern, flags);
  } catch (err) {
    return { ok: false, reason: `is not a valid regular expression (${(err as Error).message})` };
  }
  let ast: Node;
  try {
    ast = new Parser(pattern, flags.includes('i')).parse();
  } catch {
    return { ok: false, reason: 'could not be analysed for catastrophic backtracking' };
  }
  const problems: string[] = [];
  check(ast, problems, opts.adjacent ?? true, !pattern.startsWith('^'));
  if (problems.length) return { ok: false, reason: `could backtrack catastrophically: ${problems[0]}; rewrite it so each character can be matched only one way` };
  return { ok: true };
}
