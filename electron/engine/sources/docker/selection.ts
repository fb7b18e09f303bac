// Which containers a docker source follows: by name or /regex/ (any may match), and by
// labels (all must match). Nothing given: every container.

export interface ContainerIdentity {
  /** Without Docker's leading '/'. */
  name: string;
  labels: Record<string, string>;
}

/** `/body/flags` -> a RegExp; a plain string -> null (an exact name). Throws on a bad pattern. */
export function namePattern(entry: string): RegExp | null {
  const m = /^\/(.+)\/([a-z]*)$/.exec(entry);
  // 'g' and 'y' would make test() stateful between containers.
  return m ? new RegExp(m[1]!, m[2]!.replace(/[gy]/g, '')) : null;
}

export class Selection {
  private readonly names = new Set<string>();
  private readonly patterns: RegExp[] = [];
  private readonly labels: { key: string; value: string | null }[];
  /** Patterns that do not compile (the config schema refuses them; this is the fallback). */
  readonly problems: string[] = [];

  constructor(containers: string[] | undefined, labels: string[] | undefined) {
    for (const c of containers ?? []) {
      let re: RegExp | null;
      try {
        re = namePattern(c);
      } catch (err) {
        this.problems.push(`containers: ${c} is not a valid regular expression (${(err as Error).message})`);
        continue;
      }
      if (re) this.patterns.push(re);
      else this.names.add(c.replace(/^\//, ''));
    }
    this.labels = (labels ?? []).map((l) => {
      const eq = l.indexOf('=');
      return eq === -1 ? { key: l, value: null } : { key: l.slice(0, eq), value: l.slice(eq + 1) };
    });
  }

  matches(c: ContainerIdentity): boolean {
    const byName = (this.names.size === 0 && this.patterns.length === 0) || this.names.has(c.name) || this.patterns.some((p) => p.test(c.name));
    return byName && this.labels.every((l) => (l.value === null ? l.key in c.labels : c.labels[l.key] === l.value));
  }

  /** For status messages: "containers web, /api-\d+/ with label a=b". */
  describe(): string {
    const parts = [...this.names, ...this.patterns.map((p) => String(p))];
    const who = parts.length ? `containers ${parts.join(', ')}` : 'any container';
    const labels = this.labels.map((l) => (l.value === null ? l.key : `${l.key}=${l.value}`));
    return labels.length ? `${who} with label${labels.length > 1 ? 's' : ''} ${labels.join(', ')}` : who;
  }
}

/** Docker's `Names` / event attributes -> identity. */
export function identityOf(names: string[] | string | undefined, labels: Record<string, string> | undefined): ContainerIdentity {
  const first = Array.isArray(names) ? names[0] : names;
  return { name: (first ?? '').replace(/^\//, ''), labels: labels ?? {} };
}
