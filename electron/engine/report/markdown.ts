import * as W from './words.js';

// The report as Markdown (CommonMark + GitHub tables): pastes into an issue, a ticket, a chat.

const BARS = '▁▂▃▄▅▆▇█';

export function markdownReport(r: W.WrittenReport): string {
  const a = r.anomaly;
  const days = W.crossesDays(r);
  const t = W.timeOf(r);
  const offs = W.crossesOffsets(r);
  const zone = t.label(a.firstTs, offs);
  const out: string[] = [];
  out.push(`# Incident: ${inline(a.title)}`, '');
  out.push(`**${a.severity.toUpperCase()}** · ${a.state} · source ${inline(a.source)} · Vigil anomaly #${a.id}`, '');
  if (a.message && a.message !== a.title) out.push(quote(a.message), '');

  out.push('| | |', '|---|---|');
  for (const [k, v] of W.facts(r)) out.push(`| ${k} | ${k === 'Fingerprint' ? (a.fingerprints ?? [a.fingerprint]).map(code).join(', ') : cell(v)} |`);
  out.push('');

  const details = W.detailsJson(r);
  if (details) out.push('## Details', '', ...fenced(details, 'json'), '');

  out.push(`## Timeline (${zone})`, '', '| time | what |', '|---|---|');
  for (const e of r.timeline) out.push(`| ${t.clock(e.ts, days, offs)} | ${cell(e.what)} |`);
  out.push('');

  if (r.rates.points.length) {
    const pts = r.rates.points;
    out.push(`## Lines around the incident (${W.bucketWords(r.rates.bucketMs)}, ${zone})`, '');
    const peak = W.peakWords(r);
    if (peak) out.push(peak, '');
    out.push(`Errors: \`${spark(pts.map((p) => p.errors))}\`  `, `All lines: \`${spark(pts.map((p) => p.total))}\``, '');
    out.push('| from | lines | errors | warnings | usual errors at most | |', '|---|--:|--:|--:|--:|---|');
    for (const row of W.rateRows(r)) {
      if (row.kind === 'empty') out.push(`| ${t.clock(row.from, days, offs)} to ${t.clock(row.to, days, offs)} | 0 | 0 | 0 | | no lines |`);
      else out.push(`| ${t.clock(row.p.t, days, offs)} | ${row.p.total} | ${row.p.errors} | ${row.p.warnings} | ${row.p.upper ?? '—'} | ${W.bucketMark(r, row.p)} |`);
    }
    out.push('');
  }

  if (r.templates.length) {
    out.push('## Messages in the evidence', '', '| records | in the store | template | seen |', '|--:|--:|---|---|');
    for (const tp of r.templates) out.push(`| ${tp.count} | ${tp.total ?? '—'} | ${code(tp.template)} | ${cell(W.templateSeenWords(r, tp))} |`);
    out.push('');
  }

  const evidence = r.lines.filter((l) => l.role === 'evidence').length;
  out.push('## Evidence', '');
  if (!r.lines.length) out.push('No evidence records are stored any more (the store removed them to keep within its bound).', '');
  else {
    out.push(`${W.evidenceWords(r, evidence)} marked \`>\`${W.aroundWords(r)}. Times ${zone}.`, '');
    const body = r.lines.map((l) => {
      const head = `${l.role === 'evidence' ? '>' : ' '} ${t.stamp(l.ts)} ${(l.level ?? '-').padEnd(8)} `;
      return head + l.raw.replace(/\r/g, '').split('\n').join('\n' + ' '.repeat(head.length));
    });
    out.push(...fenced(body.join('\n'), 'text'), '');
    out.push(`Every evidence record, in Vigil's SQL view or \`vigil query\`: ${code(W.evidenceSql(r))}`, '');
  }

  out.push('## Notifications', '');
  if (!r.notifications.length) out.push('None were sent for this anomaly.', '');
  else {
    out.push('| channel | message | status | attempts | when, or the error |', '|---|---|---|--:|---|');
    for (const n of r.notifications) {
      const when = n.status === 'sent' ? t.full(n.sentAt ?? n.updatedAt) : (n.error ?? t.full(n.createdAt));
      out.push(`| ${cell(n.channel)} | ${n.kind} | ${n.status} | ${n.attempts} | ${cell(when)} |`);
    }
    out.push('');
  }

  out.push('---', '');
  out.push(`Written by Vigil ${r.vigilVersion} on ${inline(r.host)} at ${t.full(r.generatedAt)}.`);
  const red = W.redactionWords(r);
  if (red) out.push('', red);
  return out.join('\n') + '\n';
}

function spark(values: number[]): string {
  const max = Math.max(...values);
  if (max <= 0) return BARS[0]!.repeat(values.length);
  return values.map((v) => (v <= 0 ? ' ' : BARS[Math.min(BARS.length - 1, Math.floor((v / max) * (BARS.length - 1) + 0.5))])).join('');
}

/** Text in a table cell: one line, pipes escaped, Markdown's own characters left inert. */
function cell(s: string): string {
  return inline(s).replace(/\|/g, '\\|');
}

/** Text in a line of prose: one line, Markdown markup characters escaped (& too: `&amp;` in a log is that text, not an entity). */
function inline(s: string): string {
  return oneLine(s).replace(/([\\`*_[\]<>#!|~&])/g, '\\$1');
}

function oneLine(s: string): string {
  const line = s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}

function quote(s: string): string {
  return s
    .replace(/\r/g, '')
    .split('\n')
    .map((l) => `> ${inline(l)}`)
    .join('\n');
}

/** Inline code that holds any text: the fence is longer than any run of backticks in it. */
function code(s: string): string {
  const t = oneLine(s).replace(/\|/g, '\\|');
  const run = Math.max(0, ...(t.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(run + 1);
  const padded = t.startsWith('`') || t.endsWith('`') ? ` ${t} ` : t;
  return `${fence}${padded}${fence}`;
}

/** A fenced block that holds any text: the fence is longer than any run of backticks in it. */
function fenced(text: string, lang: string): string[] {
  const run = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(run + 1);
  return [`${fence}${lang}`, text, fence];
}
