// What a source has said so far, per template: when first and last, how often, at which
// highest level, and the template's own rate (for surges). New-template and template-surge
// read it; it is saved in detector_templates for the templates a batch touched.

export type TemplateKey = number | string;

export interface SurgeState {
  /** Current bucket start, its count, and an exponentially weighted mean of past buckets. */
  bucketStart: number;
  count: number;
  mean: number;
  sum: number;
  weight: number;
  buckets: number;
}

export interface TemplateStats {
  firstTs: number;
  lastTs: number;
  count: number;
  maxLevel: number;
  surge: SurgeState | null;
  /** Evidence for a surge: records of the current bucket (capped). */
  samples: { id: number; ts: number }[] | null;
  firedBucket: number;
  /** Whether the template is a register/state dump (detect/dump-line.ts), decided once per template. */
  dump?: boolean;
  /** Stream time it was last saved. */
  savedAt: number;
}

/** A known template's count and last time are saved at most this often (stream time). */
const SAVE_EVERY_MS = 60_000;

export interface TemplateRow {
  template_key: string;
  first_ts: number;
  last_ts: number;
  count: number;
  max_level: number;
  baseline: string | null;
}

/** Template ids are kept as numbers in memory, `t<id>` in the database; hashes as is. */
export function keyToText(k: TemplateKey): string {
  return typeof k === 'number' ? `t${k}` : k;
}
export function keyFromText(s: string): TemplateKey {
  return s.startsWith('t') ? Number(s.slice(1)) : s;
}

/** Templates a book keeps in memory per source by default (see TemplateBook). */
export const BOOK_ENTRIES = 50_000;

function fromRow(r: TemplateRow): TemplateStats {
  return {
    firstTs: r.first_ts,
    lastTs: r.last_ts,
    count: r.count,
    maxLevel: r.max_level,
    surge: r.baseline ? (JSON.parse(r.baseline) as SurgeState) : null,
    samples: null,
    firedBucket: Number.NaN,
    savedAt: r.last_ts,
  };
}

/**
 * Bounded: past `maxEntries` templates, the tenth seen longest ago (and saved since) leave
 * memory; `stored` finds a template there again when it comes back, so it is not new.
 */
export class TemplateBook {
  readonly stats = new Map<TemplateKey, TemplateStats>();
  readonly dirty = new Set<TemplateKey>();

  constructor(
    /** A template's saved row, for one no longer (or not yet) in memory. */
    public stored: ((key: string) => TemplateRow | undefined) | null = null,
    private readonly maxEntries = BOOK_ENTRIES,
  ) {}

  load(rows: Iterable<TemplateRow>): void {
    for (const r of rows) this.stats.set(keyFromText(r.template_key), fromRow(r));
  }

  /** Counts a record; returns the template's stats (count 1: new to this source). */
  see(key: TemplateKey, ts: number, level: number): TemplateStats {
    let s = this.stats.get(key);
    if (!s) {
      const row = this.stored?.(keyToText(key));
      s = row ? fromRow(row) : { firstTs: ts, lastTs: ts, count: 0, maxLevel: level, surge: null, samples: null, firedBucket: Number.NaN, savedAt: Number.NEGATIVE_INFINITY };
      this.stats.set(key, s);
      if (this.stats.size > this.maxEntries) this.forgetOldest(Math.max(1, Math.floor(this.maxEntries / 10)), key);
    }
    s.count++;
    if (ts > s.lastTs) s.lastTs = ts;
    // Saved when new, when its level rises, and now and then: what a restart needs (that
    // it exists, how bad it gets) is never late; counts may lag a minute.
    if (level > s.maxLevel) {
      s.maxLevel = level;
      this.dirty.add(key);
    } else if (ts - s.savedAt >= SAVE_EVERY_MS) {
      this.dirty.add(key);
    }
    return s;
  }

  /** Drops the `n` templates seen longest ago from memory, except unsaved ones and `keep`. */
  private forgetOldest(n: number, keep: TemplateKey): void {
    const old = [...this.stats].filter(([k]) => k !== keep && !this.dirty.has(k)).sort((a, b) => a[1].lastTs - b[1].lastTs);
    for (let i = 0; i < n && i < old.length; i++) this.stats.delete(old[i]![0]);
  }

  takeDirty(): { key: string; stats: TemplateStats }[] {
    const out = [...this.dirty].map((k) => {
      const stats = this.stats.get(k)!;
      stats.savedAt = stats.lastTs;
      return { key: keyToText(k), stats };
    });
    this.dirty.clear();
    return out;
  }
}
