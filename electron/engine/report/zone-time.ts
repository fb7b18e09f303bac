// Times in a report, in the zone it was asked for (UTC by default). Every full time carries
// its offset, so a reader in another zone can still match it to their own logs.

interface Parts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  ms: number;
  /** Minutes east of UTC. */
  offset: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(zone, f);
  }
  return f;
}

function partsIn(zone: string, ts: number): Parts {
  const ms = ((ts % 1000) + 1000) % 1000;
  if (zone === 'UTC') {
    const d = new Date(ts);
    return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(), ms, offset: 0 };
  }
  const p: Record<string, number> = {};
  for (const { type, value } of formatter(zone).formatToParts(ts)) if (type !== 'literal') p[type] = Number(value);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!, ms);
  return { y: p.year!, mo: p.month!, d: p.day!, h: p.hour!, mi: p.minute!, s: p.second!, ms, offset: Math.round((wall - ts) / 60_000) };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function offsetText(min: number): string {
  const sign = min < 0 ? '-' : '+';
  const a = Math.abs(min);
  return `${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** The times of one report: `zone` is an IANA name or "UTC". */
export class ZoneTime {
  constructor(readonly zone: string) {}

  /** 2026-11-22 10:00:01 UTC, or 2026-11-22 11:00:01 +01:00 */
  full(ts: number | null | undefined): string {
    if (ts == null) return '—';
    const p = partsIn(this.zone, ts);
    return `${p.y}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)} ${this.zone === 'UTC' ? 'UTC' : offsetText(p.offset)}`;
  }

  /** 2026-11-22T10:00:01.123Z, or with its offset, as log lines carry it. */
  stamp(ts: number): string {
    const p = partsIn(this.zone, ts);
    return `${p.y}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}.${pad(p.ms, 3)}${this.zone === 'UTC' ? 'Z' : offsetText(p.offset)}`;
  }

  /** 10:00:30, or with its date, or with its offset (the report's times straddle a daylight-saving change). */
  clock(ts: number, withDate: boolean, withOffset = false): string {
    const p = partsIn(this.zone, ts);
    let t = `${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;
    if (withDate) t = `${this.day(ts)} ${t}`;
    return withOffset && this.zone !== 'UTC' ? `${t} ${offsetText(p.offset)}` : t;
  }

  /** The UTC offset at `ts`, in minutes. */
  offset(ts: number): number {
    return partsIn(this.zone, ts).offset;
  }

  /** 2026-11-22 */
  day(ts: number): string {
    const p = partsIn(this.zone, ts);
    return `${p.y}-${pad(p.mo)}-${pad(p.d)}`;
  }

  /** 20261122-1000, for file names. */
  compact(ts: number): string {
    const p = partsIn(this.zone, ts);
    return `${p.y}${pad(p.mo)}${pad(p.d)}-${pad(p.h)}${pad(p.mi)}`;
  }

  /**
   * What headings say the times are in: "UTC", or "Europe/Paris, UTC+01:00" (the offset at
   * `ts`), or only the zone when its offset changes within the report (each time gives its own).
   */
  label(ts: number, offsetChanges = false): string {
    if (this.zone === 'UTC') return 'UTC';
    return offsetChanges ? `${this.zone}, each time with its offset` : `${this.zone}, UTC${offsetText(partsIn(this.zone, ts).offset)}`;
  }
}
