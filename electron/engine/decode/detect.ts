import type { CompiledFormat } from './formats/compile.js';
import { looksLikeContinuation } from './multiline/continuation.js';
import type { TimeContext } from './time/timestamp.js';

// Format detection: every format reads the sample lines; the one that reads the most wins,
// then the one that found more timestamps and levels in them, then the more specific one
// (priority). Lines that look like stack-trace continuations do not count against anyone.

export interface Candidate {
  format: string;
  /** Sample lines this format read. */
  matched: number;
  /** Of those, lines with a timestamp / a level it could read. */
  withTime: number;
  withLevel: number;
}

export interface Detection {
  format: CompiledFormat | null;
  /** Lines that could start a record (not continuation-looking). */
  considered: number;
  total: number;
  candidates: Candidate[];
}

export function detectFormat(lines: readonly string[], formats: readonly CompiledFormat[], ctx: TimeContext): Detection {
  let considered = 0;
  for (const l of lines) if (!looksLikeContinuation(l)) considered++;
  const scored: { f: CompiledFormat; c: Candidate }[] = [];
  for (const f of formats) {
    const c: Candidate = { format: f.name, matched: 0, withTime: 0, withLevel: 0 };
    // A first line without a message, whose body line follows (see FormatDefinition.body).
    let awaitsBody = false;
    for (const l of lines) {
      if (l.length === 0) continue;
      if (awaitsBody) {
        awaitsBody = false;
        const b = f.body!(l);
        if (b) {
          c.matched++;
          if (b.level !== null) c.withLevel++;
          continue;
        }
      }
      const p = f.parse(l, ctx);
      if (!p) continue;
      c.matched++;
      if (p.ts !== null) c.withTime++;
      if (p.level !== null) c.withLevel++;
      awaitsBody = f.body !== null && p.message === '';
    }
    scored.push({ f, c });
  }
  scored.sort(
    (a, b) =>
      b.c.matched - a.c.matched || b.c.withTime + b.c.withLevel - (a.c.withTime + a.c.withLevel) || b.f.priority - a.f.priority || a.f.name.localeCompare(b.f.name),
  );
  const best = scored[0];
  // Half of the lines that can start a record must be read, else the generic fallback does better.
  const ok = !!best && best.c.matched > 0 && best.c.matched * 2 >= considered;
  return { format: ok ? best.f : null, considered, total: lines.length, candidates: scored.filter((s) => s.c.matched > 0).map((s) => s.c) };
}

export function explain(d: Detection, chosen: string): string {
  const top = d.candidates.slice(0, 6).map((c) => `${c.format} ${c.matched}/${d.total}`);
  const head = d.format
    ? `detected ${chosen}: it read ${d.candidates[0]!.matched} of ${d.total} sample lines (${d.considered} could start a record)`
    : `no format read at least half of the ${d.considered} sample lines that could start a record; using ${chosen} (leading timestamp, level word)`;
  return top.length ? `${head}; matches: ${top.join(', ')}` : head;
}
