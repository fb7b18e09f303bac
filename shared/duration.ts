// Durations in vigil.yml: a number of milliseconds, or text such as "30s", "5m", "4h", "1d",
// "1h30m". Shared so the config validator and the engine read them the same way.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, or null when the value is not a duration. */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Number(text);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    at = re.lastIndex;
  }
  return at === text.length ? Math.round(total) : null;
}

/** parseDuration with a fallback for absent values (the validator refused bad ones already). */
export function durationMs(value: unknown, fallback: number): number {
  return value === undefined || value === null ? fallback : (parseDuration(value) ?? fallback);
}
