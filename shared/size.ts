// Sizes in vigil.yml: a number of bytes, text such as "500MiB", "4G" or "1.5GB" (K, M, G, T
// with or without B or iB, all powers of 1024, as journald and Docker read them), or a
// share of the disk that holds the store ("10%"). Shared so the config validator and the
// engine read them the same way.

const UNIT: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** A size as written: bytes, or a share of a disk (0..1). */
export type SizeSpec = { bytes: number } | { share: number };

/** The size, or null when the value is not one. */
export function parseSize(value: unknown): SizeSpec | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? { bytes: value } : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (pct) {
    const n = Number(pct[1]);
    return n <= 100 ? { share: n / 100 } : null;
  }
  const m = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?$/i.exec(text);
  if (!m) return null;
  const bytes = Math.round(Number(m[1]) * UNIT[(m[2] ?? '').toLowerCase()]!);
  return Number.isSafeInteger(bytes) ? { bytes } : null;
}

/** Bytes of a size, a share taken of `diskBytes`. */
export function sizeBytes(spec: SizeSpec, diskBytes: number): number {
  return 'bytes' in spec ? spec.bytes : Math.floor(spec.share * diskBytes);
}

/** "1.5 GiB", for messages. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  let v = n;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}
