import type { ReportBucket } from '../../../shared/types.js';
import * as W from './words.js';
import type { ZoneTime } from './zone-time.js';

// The report as one self-contained HTML file: no script, no remote resource, so it opens
// anywhere (a mail attachment, a ticket) and prints to PDF as it shows.

export function htmlReport(r: W.WrittenReport): string {
  const a = r.anomaly;
  const days = W.crossesDays(r);
  const t = W.timeOf(r);
  const offs = W.crossesOffsets(r);
  const zone = t.label(a.firstTs, offs);
  const evidence = r.lines.filter((l) => l.role === 'evidence').length;
  const red = W.redactionWords(r);
  const details = W.detailsJson(r);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Incident: ${esc(a.title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>Incident: ${esc(a.title)}</h1>
<p class="head"><span class="sev sev-${esc(a.severity)}">${esc(a.severity)}</span> ${esc(a.state)} · source ${esc(a.source)} · Vigil anomaly #${a.id}</p>
${a.message && a.message !== a.title ? `<p class="msg">${esc(a.message)}</p>` : ''}
<table class="facts">${W.facts(r)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join('')}</table>
${details ? `<h2>Details</h2>\n<pre class="details">${esc(details)}</pre>` : ''}
<h2>Timeline (${esc(zone)})</h2>
<table>${r.timeline.map((e) => `<tr><td class="t">${esc(t.clock(e.ts, days, offs))}</td><td>${esc(e.what)}</td></tr>`).join('')}</table>
${r.rates.points.length ? rates(r, days, t, zone, offs) : ''}
${
  r.templates.length
    ? `<h2>Messages in the evidence</h2>
<table><tr><th class="n">records</th><th class="n">in the store</th><th>template</th><th>seen</th></tr>${r.templates
        .map((tp) => `<tr${tp.newInIncident ? ' class="new"' : ''}><td class="n">${tp.count}</td><td class="n">${tp.total ?? '—'}</td><td><code>${esc(tp.template)}</code></td><td>${esc(W.templateSeenWords(r, tp))}</td></tr>`)
        .join('')}</table>`
    : ''
}
<h2>Evidence</h2>
${
  r.lines.length
    ? `<p>${esc(W.evidenceWords(r, evidence))}, highlighted${esc(W.aroundWords(r))}. Times ${esc(zone)}.</p>
<pre class="lines">${r.lines
        .map(
          (l) =>
            `<span class="line ${l.role}${l.level ? ` lvl-${esc(l.level)}` : ''}"><span class="ts">${esc(t.stamp(l.ts))}</span> <span class="lvl">${esc((l.level ?? '-').padEnd(8))}</span> ${esc(l.raw.replace(/\r/g, ''))}</span>`,
        )
        .join('\n')}</pre>
<p>Every evidence record, in Vigil's SQL view or <code>vigil query</code>: <code>${esc(W.evidenceSql(r))}</code></p>`
    : '<p>No evidence records are stored any more (the store removed them to keep within its bound).</p>'
}
<h2>Notifications</h2>
${
  r.notifications.length
    ? `<table><tr><th>channel</th><th>message</th><th>status</th><th class="n">attempts</th><th>when, or the error</th></tr>${r.notifications
        .map(
          (n) =>
            `<tr><td>${esc(n.channel)}</td><td>${esc(n.kind)}</td><td class="st-${esc(n.status)}">${esc(n.status)}</td><td class="n">${n.attempts}</td><td>${esc(
              n.status === 'sent' ? t.full(n.sentAt ?? n.updatedAt) : (n.error ?? t.full(n.createdAt)),
            )}</td></tr>`,
        )
        .join('')}</table>`
    : '<p>None were sent for this anomaly.</p>'
}
<footer>Written by Vigil ${esc(r.vigilVersion)} on ${esc(r.host)} at ${esc(t.full(r.generatedAt))}.${red ? `<br>${esc(red)}` : ''}</footer>
</body>
</html>
`;
}

function rates(r: W.WrittenReport, days: boolean, t: ZoneTime, zone: string, offs: boolean): string {
  const pts = r.rates.points;
  const bucketMs = r.rates.bucketMs;
  const a = r.anomaly;
  const peak = W.peakWords(r);
  return `<h2>Lines around the incident (${esc(W.bucketWords(bucketMs))}, ${esc(zone)})</h2>
${peak ? `<p>${esc(peak)}</p>` : ''}
${chart(pts, a.firstTs, a.lastTs, bucketMs, days, t, offs)}
<table class="rates"><tr><th>from</th><th class="n">lines</th><th class="n">errors</th><th class="n">warnings</th><th class="n">usual errors at most</th><th></th></tr>${W.rateRows(r)
    .map((row) => {
      if (row.kind === 'empty')
        return `<tr class="empty"><td class="t">${esc(t.clock(row.from, days, offs))} to ${esc(t.clock(row.to, days, offs))}</td><td class="n">0</td><td class="n">0</td><td class="n">0</td><td></td><td>no lines</td></tr>`;
      const p = row.p;
      return `<tr${W.during(r, p.t) ? ' class="during"' : ''}><td class="t">${esc(t.clock(p.t, days, offs))}</td><td class="n">${p.total}</td><td class="n">${p.errors}</td><td class="n">${p.warnings}</td><td class="n">${p.upper ?? '—'}</td><td>${W.bucketMark(r, p)}</td></tr>`;
    })
    .join('')}</table>`;
}

/** Errors (red) and warnings (amber) per bucket, the band's top dashed, the incident shaded. */
function chart(pts: ReportBucket[], first: number, last: number, bucketMs: number, days: boolean, t: ZoneTime, offs: boolean): string {
  const w = 720;
  const h = 160;
  const left = 40;
  const bottom = 20;
  const max = Math.max(1, ...pts.map((p) => Math.max(p.errors + p.warnings, p.upper ?? 0)));
  const bw = (w - left) / pts.length;
  const y = (v: number) => h - bottom - (v / max) * (h - bottom - 10);
  const x = (i: number) => left + i * bw;
  const iFirst = pts.findIndex((p) => p.t + bucketMs > first);
  const iLast = pts.findIndex((p) => p.t > last);
  const shadeTo = iLast < 0 ? pts.length : iLast;
  const parts: string[] = [];
  if (iFirst >= 0) parts.push(`<rect class="span" x="${x(iFirst).toFixed(1)}" y="0" width="${(x(shadeTo) - x(iFirst)).toFixed(1)}" height="${h - bottom}"/>`);
  pts.forEach((p, i) => {
    const bx = (x(i) + 1).toFixed(1);
    const bwid = Math.max(1, bw - 2).toFixed(1);
    if (p.errors) parts.push(`<rect class="err" x="${bx}" y="${y(p.errors).toFixed(1)}" width="${bwid}" height="${(h - bottom - y(p.errors)).toFixed(1)}"/>`);
    if (p.warnings)
      parts.push(`<rect class="warn" x="${bx}" y="${y(p.errors + p.warnings).toFixed(1)}" width="${bwid}" height="${(y(p.errors) - y(p.errors + p.warnings)).toFixed(1)}"/>`);
  });
  const band = pts.map((p, i) => (p.upper === null ? null : `${(x(i) + bw / 2).toFixed(1)},${y(p.upper).toFixed(1)}`));
  let run: string[] = [];
  for (const pt of [...band, null]) {
    if (pt) run.push(pt);
    else if (run.length) {
      parts.push(`<polyline class="band" points="${run.join(' ')}"/>`);
      run = [];
    }
  }
  parts.push(`<line class="axis" x1="${left}" y1="${h - bottom}" x2="${w}" y2="${h - bottom}"/>`);
  parts.push(`<text x="${left - 4}" y="${y(max) + 4}" text-anchor="end">${max}</text><text x="${left - 4}" y="${h - bottom}" text-anchor="end">0</text>`);
  const label = (i: number, anchor: string) => `<text x="${x(i).toFixed(1)}" y="${h - 4}" text-anchor="${anchor}">${esc(t.clock(pts[i]!.t, days, offs))}</text>`;
  parts.push(label(0, 'start'), label(pts.length - 1, 'end'));
  return `<svg class="chart" viewBox="0 0 ${w} ${h}" role="img" aria-label="errors and warnings per bucket">${parts.join('')}</svg>
<p class="legend"><span class="k err"></span> errors <span class="k warn"></span> warnings <span class="k band"></span> usual errors at most <span class="k span"></span> the incident</p>`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;max-width:1000px;margin:24px auto;padding:0 16px}
h1{font-size:22px;margin:0 0 6px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #dde1e8;padding-bottom:4px}
.head{color:#555;margin:0 0 10px}.msg{background:#f5f6f8;border-left:3px solid #9aa3b2;padding:8px 12px;white-space:pre-wrap}
.sev{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;text-transform:uppercase;font-size:12px;color:#fff;background:#6b7280}
.sev-critical{background:#9b1c1c}.sev-high{background:#d9480f}.sev-medium{background:#b7791f}.sev-low{background:#2b6cb0}
table{border-collapse:collapse;margin:6px 0}th,td{text-align:left;padding:3px 10px 3px 0;vertical-align:top;border-bottom:1px solid #eef0f3}
th{font-weight:600;color:#444}.facts th{width:140px}.n{text-align:right}.t{white-space:nowrap;font-variant-numeric:tabular-nums}
tr.during td{background:#fff4f4}tr.empty td{color:#9aa3b2}tr.new td{background:#fffbe6}.st-failed{color:#b42318}.st-sent{color:#2f6f3e}
code,pre{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre.details{background:#f7f8fa;border:1px solid #e3e6eb;padding:8px;overflow-x:auto}
pre.lines{background:#f7f8fa;border:1px solid #e3e6eb;padding:8px;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
.line{display:block}.line.context{color:#6b7280}.line.evidence{background:#fde8e8}.line.evidence.lvl-warn{background:#fff3d6}
.line .ts{color:#6b7280}.lvl-error .lvl,.lvl-critical .lvl,.lvl-fatal .lvl{color:#b42318;font-weight:600}.lvl-warn .lvl{color:#a15c07}
svg.chart{width:100%;max-width:720px;height:auto;display:block}svg .err{fill:#d64545}svg .warn{fill:#e8a33d}
svg .band{fill:none;stroke:#3b6fb6;stroke-width:1.5;stroke-dasharray:4 3}svg .span{fill:#fbe3e3}svg .axis{stroke:#9aa3b2}
svg text{font-size:10px;fill:#6b7280}.legend{color:#555;font-size:12px}.k{display:inline-block;width:10px;height:10px;margin:0 3px 0 10px}
.k.err{background:#d64545}.k.warn{background:#e8a33d}.k.band{border-top:2px dashed #3b6fb6;height:0}.k.span{background:#fbe3e3}
footer{margin-top:32px;color:#6b7280;font-size:12px;border-top:1px solid #dde1e8;padding-top:8px}
@media print{body{margin:0}pre.lines{white-space:pre-wrap}}
`;
