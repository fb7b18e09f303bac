import type { TemplateMiner } from '../types.js';
import { shapeHash } from './shape-hash.js';
import { WILDCARD, isValueToken, isVariableToken, render, tokenize } from './tokenize.js';

// Online template mining in the manner of Drain (He et al., ICWS 2017): messages are
// tokenized and masked, bucketed by token count and first token, and joined to the most
// similar template in the bucket when similar enough; joining turns the differing
// positions into wildcards. Ids never change: a template that generalizes keeps its id.

/** One mined template, as persisted. */
export interface MinedTemplate {
  id: number;
  tokens: string[];
  space: boolean[];
  text: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
  /** Set when this template was merged into another: the id to use instead. */
  mergedInto: number | null;
  /** In memory only: when it last matched (the miner's own counter), for setting templates aside. */
  used?: number;
  /** In memory only: set aside (see MinerOptions.maxTemplates); stored, but no longer matched. */
  evicted?: boolean;
  /** In memory only: templates merged into this one, set aside with it. */
  absorbed?: MinedTemplate[];
  /** In memory only: the characters it counts for in MinerOptions.maxTemplateChars. */
  size?: number;
}

export interface MinerOptions {
  /** Share of a template's constant tokens a message must repeat to join it (0..1). */
  similarity?: number;
  /** Same, when the message differs from the template in two or more words. */
  similarityMulti?: number;
  /**
   * Templates that differ in one word merge once this many distinct words were seen there:
   * `interface alt0` / `interface ee0` stay two templates, ten user names become one.
   */
  siblings?: number;
  /** Exact masked-message cache size; cleared when full. */
  cacheEntries?: number;
  /**
   * Templates kept in memory to match against. Past it, the tenth least recently matched
   * are set aside: they stay stored and their records keep their ids, and a message of
   * theirs that comes back later starts a new template. Logs of free text (every line its
   * own template) would otherwise grow memory by a template per line.
   */
  maxTemplates?: number;
  /** Characters of template text in memory, all templates together; past it, as past maxTemplates. */
  maxTemplateChars?: number;
  /** Templates of one length and first word kept in memory; past it the least recently matched of them is set aside. */
  maxPerBucket?: number;
  /**
   * A stored template with this text that is not in memory (set aside earlier, or not loaded
   * at start), to take back instead of making a new one: its message keeps its id.
   */
  revive?: (text: string) => MinedTemplate | undefined;
  /**
   * Keep the changed templates for takeDirty (default true). Off for a miner nothing
   * persists (vigil parse): the set would keep every template ever set aside, and memory
   * would grow with each line of free text.
   */
  trackChanges?: boolean;
}

/**
 * What a message is mined by: its first line. A multi-line record (stack trace) is known by
 * it: traces differ in depth and frames, and would otherwise make a template per occurrence.
 */
export function messageHead(message: string): string {
  const nl = message.indexOf('\n');
  const end = nl >= 0 ? Math.min(nl, MAX_HEAD_CHARS) : MAX_HEAD_CHARS;
  return message.length > end ? message.slice(0, end) : message;
}

/**
 * Characters of a message its template is mined from (as rules look at the first 4096): a
 * template kept the whole of a 100 KB line, and free text of such lines grew memory by
 * a line per template.
 */
export const MAX_HEAD_CHARS = 4096;

/** Characters of template text kept in memory to match against, all templates together (see MinerOptions.maxTemplateChars). */
export const MAX_TEMPLATE_CHARS = 16 * 1024 * 1024;

/** Templates a miner keeps in memory by default (see MinerOptions.maxTemplates). */
export const MAX_TEMPLATES = 50_000;

/** First words per message length with buckets of their own (Drain3's max_children). */
const MAX_FIRST_WORDS = 100;

export class DrainMiner implements TemplateMiner {
  private readonly sim: number;
  private readonly simMulti: number;
  private readonly siblings: number;
  private readonly cacheMax: number;
  private readonly maxLive: number;
  private readonly maxChars: number;
  private readonly maxPerBucket: number;
  /** Templates in the search buckets (not merged, not set aside). */
  private live = 0;
  /** Their characters (see MinedTemplate.size). */
  private liveChars = 0;
  /** Counts matches: a template's `used` is the count at its last match. */
  private tick = 0;
  private readonly byLength = new Map<number, Map<string, MinedTemplate[]>>();
  private readonly byId = new Map<number, MinedTemplate>();
  /** Message shape (see shapeHash) -> template. */
  private readonly cache = new Map<number, MinedTemplate>();
  // Changed templates; a Set, but match() skips the hash lookup for templates already in it.
  private readonly dirty = new Set<MinedTemplate>();
  private dirtyHint: MinedTemplate | null = null;
  private readonly track: boolean;
  private readonly revive: ((text: string) => MinedTemplate | undefined) | null;
  /**
   * Set aside, by text, to take back (see comeBack): since the last takeDirty (not stored as
   * they are yet), or for a miner nothing persists, the latest (a fifth of maxTemplates).
   */
  private aside = new Map<string, MinedTemplate>();
  private asideChars = 0;
  private asideSinceSweep = 0;
  private nextId = 1;

  constructor(opts: MinerOptions = {}) {
    this.sim = opts.similarity ?? 0.5;
    this.simMulti = opts.similarityMulti ?? 0.8;
    this.siblings = opts.siblings ?? 4;
    this.cacheMax = opts.cacheEntries ?? 100_000;
    this.maxLive = opts.maxTemplates ?? MAX_TEMPLATES;
    this.maxChars = opts.maxTemplateChars ?? MAX_TEMPLATE_CHARS;
    this.maxPerBucket = opts.maxPerBucket ?? 100;
    this.track = opts.trackChanges ?? true;
    this.revive = opts.revive ?? null;
  }

  private markDirty(t: MinedTemplate): void {
    if (this.track) this.dirty.add(t);
  }

  match(message: string, now = Date.now()): { id: number; template: string } {
    const head = messageHead(message);
    return this.matchHead(head, shapeHash(head), now);
  }

  /**
   * match() of a message whose head (see messageHead) hashes to `key` (see shapeHash),
   * hashed elsewhere (a decode worker, see worker-decode.ts). `head` is read only for a shape
   * the cache does not know, and any head of that shape gives the same template: that of
   * another record of the same shape will do.
   */
  matchHead(head: string, key: number, now = Date.now()): { id: number; template: string } {
    let t = this.cache.get(key);
    if (t && t.mergedInto !== null) t = this.resolve(t);
    if (t && t.evicted) t = undefined;
    if (!t) {
      // A copy: the head of a long message is a slice of it, and would keep all of it alive.
      if (head.length > 64) head = flat(head);
      t = this.place(tokenize(head).tokens, head, now);
      if (this.cache.size >= this.cacheMax) this.cache.clear();
      this.cache.set(key, t);
    }
    t.count++;
    t.used = ++this.tick;
    if (now > t.lastSeen) t.lastSeen = now;
    // Older records read later (a second source, an archive): first seen is the earliest.
    else if (now < t.firstSeen) {
      t.firstSeen = now;
      this.dirtyHint = null;
    }
    if (t !== this.dirtyHint) {
      this.markDirty(t);
      this.dirtyHint = t;
    }
    return { id: t.id, template: t.text };
  }

  /** Templates known so far. */
  templates(): MinedTemplate[] {
    return [...this.byId.values()];
  }

  /** The template with this id, following merges. */
  get(id: number): MinedTemplate | undefined {
    const t = this.byId.get(id);
    return t && this.resolve(t);
  }

  /** The template `t` was merged into, following merges; undefined when that one was set aside. */
  private resolve(t: MinedTemplate): MinedTemplate | undefined {
    let r: MinedTemplate | undefined = t;
    while (r && r.mergedInto !== null) r = this.byId.get(r.mergedInto);
    return r;
  }

  /** Restores persisted templates (ids and counts included). */
  /** `nextId`: at least this for new templates (ids of templates stored but not loaded stay taken). */
  load(templates: Iterable<MinedTemplate>, nextId = 1): void {
    if (nextId > this.nextId) this.nextId = nextId;
    const live: MinedTemplate[] = [];
    for (const t of templates) {
      // The same shape as templates made here (one hidden class for the match path).
      t.used = 0;
      t.evicted = false;
      t.absorbed = undefined;
      this.byId.set(t.id, t);
      if (t.mergedInto === null) live.push(t);
      if (t.id >= this.nextId) this.nextId = t.id + 1;
    }
    // Matched last as they were seen last; buckets hold what they held before the restart,
    // maxPerBucket at most. Loaded without that bound, buckets of free text held 8,000
    // templates where they had held 100, and each new message was compared with all of them
    // (ingest 20 to 40 times slower after a restart, for good).
    live.sort((a, b) => a.lastSeen - b.lastSeen || a.id - b.id);
    for (const t of live) {
      t.used = ++this.tick;
      t.size = t.text.length;
      this.bucket(t.tokens).push(t);
      this.live++;
      this.liveChars += t.size;
    }
    for (const inner of this.byLength.values()) {
      for (const [first, list] of inner) {
        if (list.length <= this.maxPerBucket) continue;
        list.sort((a, b) => a.used! - b.used!);
        for (const t of list.splice(0, list.length - this.maxPerBucket)) this.setAside(t);
        list.sort((a, b) => a.id - b.id);
        inner.set(first, list);
      }
    }
    this.cache.clear();
    if (this.liveChars > this.maxChars) this.setAsideLeastUsed(this.live - this.fitting());
  }

  /** How many of the most recently matched templates fit in maxTemplateChars. */
  private fitting(): number {
    const all = this.liveList().sort((a, b) => b.used! - a.used!);
    let chars = 0;
    let n = 0;
    for (const t of all) {
      chars += t.size!;
      if (chars > this.maxChars * 0.9) break;
      n++;
    }
    return n;
  }

  private liveList(): MinedTemplate[] {
    const all: MinedTemplate[] = [];
    for (const inner of this.byLength.values()) for (const list of inner.values()) for (const t of list) all.push(t);
    return all;
  }

  /** Templates in memory to match against (see MinerOptions.maxTemplates). */
  get liveTemplates(): number {
    return this.live;
  }

  /** Templates changed since the last call (new, generalized or counted). */
  takeDirty(): MinedTemplate[] {
    const out = [...this.dirty];
    this.dirty.clear();
    this.aside.clear();
    this.asideChars = 0;
    this.dirtyHint = null;
    return out;
  }

  /** Puts changed templates back (the transaction that was to save them rolled back). */
  restoreDirty(templates: Iterable<MinedTemplate>): void {
    for (const t of templates) this.dirty.add(t);
  }

  private bucket(tokens: readonly string[]): MinedTemplate[] {
    let inner = this.byLength.get(tokens.length);
    if (!inner) this.byLength.set(tokens.length, (inner = new Map()));
    let first = tokens.length === 0 || isVariableToken(tokens[0]!) ? WILDCARD : tokens[0]!;
    let list = inner.get(first);
    if (!list) {
      // Past MAX_FIRST_WORDS first words for one length, the first word is taken for a
      // value (a user, a host): later ones share the wildcard bucket, where similarity and
      // sibling merges find "<*> logged in" instead of a template per name.
      if (inner.size >= MAX_FIRST_WORDS && first !== WILDCARD) {
        first = WILDCARD;
        list = inner.get(first);
      }
      if (!list) inner.set(first, (list = []));
    }
    return list;
  }

  private place(tokens: string[], head: string, now: number): MinedTemplate {
    const list = this.bucket(tokens);
    let best: MinedTemplate | null = null;
    let bestScore = -1;
    let bestConsts = -1;
    for (const c of list) {
      const s = similarity(c.tokens, tokens);
      // Equally similar: the more specific one (fewer wildcards), so that a message goes to
      // the template it went to before, whatever the order of the bucket: "node red tomorrow"
      // went to its own template, and after a restart to "node <*> <*>" made later.
      if (s > bestScore || (s === bestScore && s > 0 && constants(c.tokens) > bestConsts)) {
        bestScore = s;
        best = c;
        bestConsts = constants(c.tokens);
      }
    }
    if (best) {
      const d = differingWords(best.tokens, tokens);
      if (d === 0 || (d > 1 && bestScore >= this.simMulti)) {
        if (generalize(best.tokens, tokens)) best.text = render(best.tokens, best.space);
        return best;
      }
      if (d === 1 && bestScore >= this.sim) {
        const merged = this.mergeSiblings(list, best, tokens);
        if (merged) return merged;
      }
    }
    // The spacing is only needed to render a new template's text: tokenize once more for it.
    const space: boolean[] = [];
    tokenize(head, space);
    const text = render(tokens, space);
    const back = this.comeBack(text, tokens.length);
    const t: MinedTemplate = back ?? { id: this.nextId++, tokens, space, text, count: 0, firstSeen: now, lastSeen: now, mergedInto: null, used: this.tick, evicted: false, absorbed: undefined, size: text.length };
    if (back) {
      back.used = this.tick;
      back.evicted = false;
      back.absorbed = undefined;
      back.size = back.text.length;
    }
    list.push(t);
    this.byId.set(t.id, t);
    this.markDirty(t);
    this.live++;
    this.liveChars += t.size!;
    if (list.length > this.maxPerBucket) {
      let old = list[0]!;
      for (const c of list) if ((c.used ?? 0) < (old.used ?? 0)) old = c;
      list.splice(list.indexOf(old), 1);
      this.setAside(old);
    }
    if (this.live > this.maxLive) this.setAsideLeastUsed(Math.max(1, Math.floor(this.maxLive / 10)));
    else if (this.liveChars > this.maxChars) this.setAsideLeastUsed(Math.max(1, this.live - this.fitting()));
    return t;
  }

  /**
   * A template set aside whose message came back: the same template, so the same id (as a
   * new one, detection called a message new to its source that it had written before).
   * Set aside since the last save, it is taken from memory (its row may lag behind it).
   */
  private comeBack(text: string, length: number): MinedTemplate | undefined {
    const mine = this.aside.get(text);
    if (mine) {
      this.aside.delete(text);
      this.asideChars -= mine.size ?? 0;
      return mine;
    }
    const stored = this.revive?.(text);
    if (!stored || stored.mergedInto !== null || stored.tokens.length !== length || this.byId.has(stored.id)) return undefined;
    return stored;
  }

  private setAside(t: MinedTemplate): void {
    if (!this.aside.has(t.text)) {
      this.aside.set(t.text, t);
      this.asideChars += t.size ?? 0;
      // A fifth of what is matched against: past it, the older half goes, at once (one at a
      // time from the front, a Map is walked over its holes each time).
      if (this.aside.size > this.maxLive / 5 || this.asideChars > this.maxChars / 5) {
        const kept = [...this.aside].slice(this.aside.size >> 1);
        this.aside = new Map(kept);
        this.asideChars = kept.reduce((n, [, k]) => n + (k.size ?? 0), 0);
      }
    }
    t.evicted = true;
    this.byId.delete(t.id);
    for (const a of t.absorbed ?? []) this.byId.delete(a.id);
    t.absorbed = undefined;
    this.live--;
    this.liveChars -= t.size ?? 0;
    // The cache would keep what is set aside alive (up to cacheEntries of them: free text
    // held some 400 MB so): drop its entries now and then.
    if (++this.asideSinceSweep >= Math.max(1000, this.maxLive / 10)) {
      this.asideSinceSweep = 0;
      for (const [k, c] of this.cache) if (c.evicted || (c.mergedInto !== null && this.resolve(c)?.evicted !== false)) this.cache.delete(k);
    }
  }

  /** Sets aside the `n` least recently matched templates, in one pass over the buckets. */
  private setAsideLeastUsed(n: number): void {
    const all = this.liveList();
    all.sort((a, b) => (a.used ?? 0) - (b.used ?? 0));
    for (let i = 0; i < n && i < all.length; i++) this.setAside(all[i]!);
    for (const [len, inner] of this.byLength) {
      for (const [first, list] of inner) {
        const kept = list.filter((t) => !t.evicted);
        if (kept.length) inner.set(first, kept);
        else inner.delete(first);
      }
      if (!inner.size) this.byLength.delete(len);
    }
  }

  /**
   * The message differs from `best` in one word. When enough templates differ from each
   * other only there, that word is a value: merge them into the oldest, which keeps its id.
   */
  private mergeSiblings(list: MinedTemplate[], best: MinedTemplate, tokens: readonly string[]): MinedTemplate | null {
    let p = -1;
    for (let i = 0; i < tokens.length; i++) {
      if (!sameToken(best.tokens[i]!, tokens[i]!)) {
        p = i;
        break;
      }
    }
    const group = list.filter((c) => c === best || sameExcept(c.tokens, best.tokens, p));
    if (group.length + 1 < this.siblings) return null;
    group.sort((a, b) => a.id - b.id);
    const keep = group[0]!;
    for (const c of group) {
      if (c === keep) continue;
      generalize(keep.tokens, c.tokens);
      keep.count += c.count;
      if (c.firstSeen < keep.firstSeen) keep.firstSeen = c.firstSeen;
      if (c.lastSeen > keep.lastSeen) keep.lastSeen = c.lastSeen;
      c.mergedInto = keep.id;
      list.splice(list.indexOf(c), 1);
      this.live--;
      this.liveChars -= c.size ?? 0;
      this.markDirty(c);
      (keep.absorbed ??= []).push(c);
      // Templates merged into c earlier now point at keep directly.
      for (const o of this.byId.values()) if (o.mergedInto === c.id) {
        o.mergedInto = keep.id;
        keep.absorbed.push(o);
        this.markDirty(o);
      }
      c.absorbed = undefined;
    }
    generalize(keep.tokens, tokens);
    keep.text = render(keep.tokens, keep.space);
    return keep;
  }
}

/** A string of its own: not a slice keeping a longer one alive (V8 flattens the concatenation). */
function flat(s: string): string {
  return (' ' + s).slice(1);
}

function constants(tokens: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < tokens.length; i++) if (tokens[i] !== WILDCARD) n++;
  return n;
}

function sameToken(a: string, b: string): boolean {
  return a === b || a === WILDCARD || (isValueToken(a) && isValueToken(b));
}

/** Number of positions where the template has a word and the message another. */
function differingWords(tpl: readonly string[], msg: readonly string[]): number {
  let d = 0;
  for (let i = 0; i < tpl.length; i++) if (!sameToken(tpl[i]!, msg[i]!)) d++;
  return d;
}

function sameExcept(a: readonly string[], b: readonly string[], p: number): boolean {
  if (a[p] === WILDCARD) return false;
  for (let i = 0; i < a.length; i++) if (i !== p && a[i] !== b[i] && !(isValueToken(a[i]!) && isValueToken(b[i]!))) return false;
  return true;
}

/** Share of the template's constant positions that the message repeats; 1 for all-wildcard. */
export function similarity(tpl: readonly string[], msg: readonly string[]): number {
  let consts = 0;
  let same = 0;
  for (let i = 0; i < tpl.length; i++) {
    const t = tpl[i]!;
    if (t === WILDCARD) continue;
    const m = msg[i]!;
    consts++;
    if (t === m || (isValueToken(t) && isValueToken(m))) same++;
  }
  return consts === 0 ? 1 : same / consts;
}

/** Turns differing positions into wildcards; true when the template changed. */
function generalize(tpl: string[], msg: readonly string[]): boolean {
  let changed = false;
  for (let i = 0; i < tpl.length; i++) {
    if (tpl[i] !== WILDCARD && tpl[i] !== msg[i]) {
      tpl[i] = WILDCARD;
      changed = true;
    }
  }
  return changed;
}
