// Zone names written after a timestamp: PostgreSQL's `%m` in its log_timezone ("CET"), PHP's
// error log in its date.timezone ("Europe/Berlin"). Read as the offset they name, so a log
// written in another zone than the machine's lands at the right instant.

/**
 * Abbreviations that name one offset (minutes east of UTC). Ambiguous ones are left out
 * (CST: US Central or China; IST: India, Ireland or Israel; BST; AST): a time in one of
 * them is read in the local zone, and says so, as a time without a zone is.
 */
const FIXED: Record<string, number> = {
  UTC: 0, UT: 0, GMT: 0, Z: 0, WET: 0, WEST: 60, CET: 60, CEST: 120, MET: 60, MEST: 120, EET: 120, EEST: 180, MSK: 180,
  EST: -300, EDT: -240, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420, AKST: -540, AKDT: -480, HST: -600,
  NST: -210, NDT: -150, ADT: -180, JST: 540, KST: 540, HKT: 480, SGT: 480, AWST: 480, ACST: 570, ACDT: 630,
  AEST: 600, AEDT: 660, NZST: 720, NZDT: 780, SAST: 120, WIB: 420, PKT: 300, NPT: 345,
};

/** Whether `c` may continue a zone name after its first letter (IANA: `America/Port-au-Prince`, `Etc/GMT+5`). */
export function isZoneChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 47 && c <= 57) || c === 95 || c === 45 || c === 43;
}

/**
 * The offset in ms (local civil time minus UTC) that zone `name` has at the civil time
 * given (month 0-based), or null when the name is not known or is ambiguous.
 */
export function zoneOffsetMs(name: string, y: number, mo: number, d: number, h: number, mi: number, s: number): number | null {
  const fixed = FIXED[name];
  if (fixed !== undefined) return fixed * 60_000;
  if (name.indexOf('/') === -1) return null;
  // An IANA zone: its offset at the instant the civil time is there (found from a guess,
  // then once more from the corrected instant, which settles it outside a DST gap).
  const civil = Date.UTC(y, mo, d, h, mi, s);
  const first = ianaOffset(name, civil);
  if (first === null) return null;
  return ianaOffset(name, civil - first);
}

const formats = new Map<string, Intl.DateTimeFormat | null>();
/** Offsets by zone and UTC hour: zones change offset on the hour or half-hour, and lines come in runs. */
const offsets = new Map<string, number>();

function ianaOffset(zone: string, utcMs: number): number | null {
  // Half-hours: a zone may change offset at :30 (Lord Howe); none changes within one.
  const key = `${zone}@${Math.floor(utcMs / 1_800_000)}`;
  const hit = offsets.get(key);
  if (hit !== undefined) return hit;
  let f = formats.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
    } catch {
      f = null; // not a zone this runtime knows
    }
    formats.set(zone, f);
  }
  if (!f) return null;
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(utcMs)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  const off = wall - Math.floor(utcMs / 1000) * 1000;
  if (offsets.size > 10_000) offsets.clear();
  offsets.set(key, off);
  return off;
}
