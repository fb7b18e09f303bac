import { isDeepStrictEqual as equal } from 'node:util';
import { isAlias, isMap, isNode, isScalar, isSeq, visit, type Document, type Node, type Pair, type YAMLMap } from 'yaml';

// Edits from the app change vigil.yml where the value changed and nowhere else: a whole
// node replaced lost the comments inside it, the quoting and order of its keys, and a
// shared anchor (`detectors: *common`) was written out as a copy, detached from it.

type Path = (string | number)[];

/**
 * Sets `value` (plain data) at `path`, keeping what is equal as it is: comments, quoting,
 * key order, anchors. Maps are merged key by key, lists of named items (rules, channels)
 * matched by name, scalars of the same type changed in place.
 */
export function setInPlace(doc: Document, path: Path, value: unknown): void {
  const before = anchors(doc);
  const node = doc.getIn(path, true);
  if (node === undefined || !update(doc, node, value)) doc.setIn(path, replacement(doc, node, value));
  keepSharers(doc, before);
}

/** The value of each anchor (`&name`) in the document. */
function anchors(doc: Document): Map<string, unknown> {
  const out = new Map<string, unknown>();
  visit(doc, (_key, n) => {
    if (isNode(n) && !isAlias(n) && n.anchor) out.set(n.anchor, n.toJS(doc));
  });
  return out;
}

/**
 * An anchored node the edit changed (or took away) is the edited item's own now: the other
 * items that named it (`*quiet`, `<<: *quiet`) get what it held before, written out. Edited
 * in place, one source's detectors changed every source sharing them, silently.
 */
function keepSharers(doc: Document, before: Map<string, unknown>): void {
  const now = anchors(doc);
  const changed = new Set([...before].filter(([name, v]) => !now.has(name) || !equal(now.get(name), v)).map(([name]) => name));
  if (!changed.size) return;
  visit(doc, {
    Alias: (_key, a) => (changed.has(a.source) ? (doc.createNode(before.get(a.source)) as Node) : undefined),
  });
}

/**
 * A new node for `value` where `old` was. An alias whose value is not wanted any more
 * becomes a merge of it plus what differs (`{<<: *common, burst: false}`): it stays linked
 * to its anchor.
 */
function replacement(doc: Document, old: unknown, value: unknown): Node {
  if (isAlias(old) && isPlainObject(value)) {
    const target = old.resolve(doc)?.toJS(doc) as unknown;
    if (isPlainObject(target) && Object.keys(target).every((k) => k in value)) {
      const map = doc.createNode({}) as YAMLMap;
      map.add(doc.createPair('<<', old));
      for (const [k, v] of Object.entries(value)) if (!equal(target[k], v)) map.set(doc.createNode(k), doc.createNode(v));
      return map;
    }
  }
  const node = doc.createNode(value) as Node;
  // The comments on what was there stay on what is there now ("n: 1 # count").
  if (isNode(old)) {
    node.comment = old.comment;
    node.commentBefore = old.commentBefore;
  }
  return node;
}

/** Changes `node` to hold `value`; false when it cannot be done in place (the caller replaces it). */
function update(doc: Document, node: unknown, value: unknown): boolean {
  if (isAlias(node)) {
    const target = node.resolve(doc);
    return target !== undefined && equal(target.toJS(doc), value);
  }
  if (isScalar(node)) {
    if (node.value === value) return true;
    if (value === null || typeof node.value !== typeof value || typeof value === 'object') return false;
    node.value = value;
    return true;
  }
  if (isMap(node) && isPlainObject(value)) return updateMap(doc, node, value);
  if (isSeq(node) && Array.isArray(value)) {
    const items = node.items as unknown[];
    const byName = new Map<unknown, unknown>();
    for (const it of items) {
      const name = isMap(it) ? (it.get('name') as unknown) : undefined;
      if (name !== undefined && !byName.has(name)) byName.set(name, it);
    }
    const next = value.map((v, i) => {
      const named = isPlainObject(v) && v.name !== undefined ? byName.get(v.name) : undefined;
      const old = named ?? (isPlainObject(v) && v.name !== undefined ? undefined : items[i]);
      if (old !== undefined && update(doc, old, v)) {
        byName.delete(isPlainObject(v) ? v.name : undefined);
        return old;
      }
      return doc.createNode(v);
    });
    // Kept items are not reused twice (two items of one name).
    if (new Set(next).size !== next.length) return false;
    node.items = next as never;
    return true;
  }
  return false;
}

function updateMap(doc: Document, node: YAMLMap, value: Record<string, unknown>): boolean {
  // Keys merged in (`<<: *common`): a key equal to what the merge gives needs no own entry.
  const merged: Record<string, unknown> = {};
  for (const p of node.items as Pair[]) {
    if (keyOf(p) !== '<<') continue;
    const v = isAlias(p.value) ? p.value.resolve(doc)?.toJS(doc) : (p.value as Node | null)?.toJS?.(doc);
    for (const m of Array.isArray(v) ? v : [v]) if (isPlainObject(m)) for (const [k, x] of Object.entries(m)) if (!(k in merged)) merged[k] = x;
  }
  // A key the merge gives cannot be taken away here: the whole node is replaced instead.
  for (const k of Object.keys(merged)) if (!(k in value)) return false;
  const own = new Set<string>();
  for (const p of [...(node.items as Pair[])]) {
    const k = keyOf(p);
    if (k === '<<' || k === undefined) continue;
    own.add(k);
    if (!(k in value) || value[k] === undefined) node.delete(p.key);
    else if (!update(doc, p.value, value[k])) p.value = replacement(doc, p.value, value[k]);
  }
  for (const [k, v] of Object.entries(value)) {
    if (own.has(k) || v === undefined) continue;
    if (k in merged && equal(merged[k], v)) continue;
    node.set(doc.createNode(k), doc.createNode(v));
  }
  return true;
}

function keyOf(p: Pair): string | undefined {
  const k = isScalar(p.key) ? p.key.value : p.key;
  return typeof k === 'string' ? k : k === null || k === undefined ? undefined : String(k);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
