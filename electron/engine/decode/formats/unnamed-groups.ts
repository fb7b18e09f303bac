// A format's regex run without the names on its groups. exec() on a regex with named groups
// also builds `groups`, a dictionary-mode object, and that is a third of the cost of a
// match; the same captures read by index into an object of fixed shape (made by a
// constructor for this regex's names) cost less to build and to read. The object has the
// same keys in the same order, the same values (undefined for a group that did not take
// part), and nothing inherited, as `groups` has.

export type FieldsOf = (m: RegExpExecArray) => Record<string, string | undefined>;

export interface UnnamedRegex {
  re: RegExp;
  fields: FieldsOf;
  /** The name of each group, by number (names[0] is group 1); null for a group without one. */
  names: (string | null)[];
}

/**
 * The regex with its named groups made plain groups, and how to build the fields of a
 * match. null when the source uses what this does not handle (backreferences by name, the
 * `v` flag, a name used twice) or when the result does not check out against the original:
 * the caller then keeps the named regex.
 */
export function unnamedGroups(named: RegExp): UnnamedRegex | null {
  const src = named.source;
  const flags = named.flags;
  if (flags.includes('v') || src.includes('\\k')) return null;
  const names: (string | null)[] = [];
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') {
      out += src.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === '[') {
      // A class runs to the first ']' not escaped ("[]" is an empty class in JavaScript).
      let j = i + 1;
      while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === '(') {
      if (src[i + 1] !== '?') {
        names.push(null);
      } else if (src[i + 2] === '<' && src[i + 3] !== '=' && src[i + 3] !== '!') {
        const end = src.indexOf('>', i + 3);
        if (end < 0) return null;
        names.push(src.slice(i + 3, end));
        out += '(';
        i = end + 1;
        continue;
      }
    }
    out += c;
    i++;
  }
  const named0 = names.filter((n): n is string => n !== null);
  if (new Set(named0).size !== named0.length) return null;
  let re: RegExp;
  try {
    re = new RegExp(out, flags);
    // Same number of groups, same names in the same order: the parse above read the source right.
    const plain = new RegExp(`(?:${out})|`, flags).exec('')!;
    const orig = new RegExp(`(?:${src})|`, flags).exec('')!;
    if (plain.length !== orig.length || plain.length - 1 !== names.length || plain.groups !== undefined) return null;
    if (Object.keys(orig.groups ?? {}).join('\u0000') !== named0.join('\u0000')) return null;
  } catch {
    return null;
  }
  // Keys are quoted (JSON) and indexes are numbers: nothing from the source runs as code.
  const body = names.map((n, k) => (n === null ? '' : `this[${JSON.stringify(n)}] = m[${k + 1}];`)).join('\n');
  const Fields = new Function('m', body) as unknown as { new (m: RegExpExecArray): Record<string, string | undefined>; prototype: object };
  Fields.prototype = Object.create(null) as object;
  return { re, fields: (m) => new Fields(m), names };
}

/** The same fields from the named regex's exec, for checking. */
export function sameFields(a: Record<string, string | undefined>, b: Record<string, string | undefined>): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let k = 0; k < ka.length; k++) if (ka[k] !== kb[k] || a[ka[k]!] !== b[ka[k]!]) return false;
  return true;
}
