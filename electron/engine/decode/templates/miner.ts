import type { TemplateMiner } from '../types.js';
import { WILDCARD, isVariableToken, render, tokenize } from './tokenize.js';

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
}

export interface MinerOptions {
  /** Share of a template's constant tokens a message must repeat to join it (0..1). */
  similarity?: number;
  /** Exact masked-message cache size; cleared when full. */
  cacheEntries?: number;
}

export class DrainMiner implements TemplateMiner {
  private readonly sim: number;
  private readonly cacheMax: number;
  private readonly byLength = new Map<number, Map<string, MinedTemplate[]>>();
  private readonly byId = new Map<number, MinedTemplate>();
  private readonly cache = new Map<string, MinedTemplate>();
  private readonly dirty = new Set<MinedTemplate>();
  private nextId = 1;

  constructor(opts: MinerOptions = {}) {
    this.sim = opts.similarity ?? 0.5;
    this.cacheMax = opts.cacheEntries ?? 100_000;
  }

  match(message: string, now = Date.now()): { id: number; template: string } {
    const { tokens, space } = tokenize(message);
    const key = tokens.join('\u001f');
    let t = this.cache.get(key);
    if (!t) {
      t = this.place(tokens, space, now);
      if (this.cache.size >= this.cacheMax) this.cache.clear();
      this.cache.set(key, t);
    }
    t.count++;
    if (now > t.lastSeen) t.lastSeen = now;
    this.dirty.add(t);
    return { id: t.id, template: t.text };
  }

  /** Templates known so far. */
  templates(): MinedTemplate[] {
    return [...this.byId.values()];
  }

  get(id: number): MinedTemplate | undefined {
    return this.byId.get(id);
  }

  /** Restores persisted templates (ids and counts included). */
  load(templates: Iterable<MinedTemplate>): void {
    for (const t of templates) {
      this.byId.set(t.id, t);
      this.bucket(t.tokens).push(t);
      if (t.id >= this.nextId) this.nextId = t.id + 1;
    }
    this.cache.clear();
  }

  /** Templates changed since the last call (new, generalized or counted). */
  takeDirty(): MinedTemplate[] {
    const out = [...this.dirty];
    this.dirty.clear();
    return out;
  }

  /** Puts changed templates back (the transaction that was to save them rolled back). */
  restoreDirty(templates: Iterable<MinedTemplate>): void {
    for (const t of templates) this.dirty.add(t);
  }

  private bucket(tokens: readonly string[]): MinedTemplate[] {
    let inner = this.byLength.get(tokens.length);
    if (!inner) this.byLength.set(tokens.length, (inner = new Map()));
    const first = tokens.length === 0 || isVariableToken(tokens[0]!) ? WILDCARD : tokens[0]!;
    let list = inner.get(first);
    if (!list) inner.set(first, (list = []));
    return list;
  }

  private place(tokens: string[], space: boolean[], now: number): MinedTemplate {
    const list = this.bucket(tokens);
    let best: MinedTemplate | null = null;
    let bestScore = -1;
    for (const c of list) {
      const s = similarity(c.tokens, tokens);
      if (s > bestScore) {
        bestScore = s;
        best = c;
      }
    }
    if (best && bestScore >= this.sim) {
      if (generalize(best.tokens, tokens)) best.text = render(best.tokens, best.space);
      return best;
    }
    const t: MinedTemplate = { id: this.nextId++, tokens, space, text: render(tokens, space), count: 0, firstSeen: now, lastSeen: now };
    list.push(t);
    this.byId.set(t.id, t);
    return t;
  }
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
    if (t === m || (isVariableToken(t) && isVariableToken(m))) same++;
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
