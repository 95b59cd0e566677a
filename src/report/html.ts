/**
 * The HTML triage report of one run (reports/<env>/<run-id>/index.html): a pure function from
 * the scrubbed runbook.json (and previous runs, for the trend) to one self-contained document.
 * Sections: verdict banner with severity; findings grouped by runbook section with immediate
 * actions and evidence; latency percentiles per endpoint with a chart; trend of the last runs;
 * flaky, skipped and passed checks.
 */
import { severityLevels, severityRank, type Severity } from '../../runbooks/severity.ts';
import type { Finding, RunbookReport } from '../reporter/schema.ts';
import { runbookUrl } from './allure-labels.ts';
import { badge, esc, HEALTHY_COLOUR, page, SEVERITY_COLOUR } from './page.ts';
import { latencyChart, trendChart, type TrendPoint } from './svg.ts';

const EVIDENCE_MAX = 4000;

function banner(r: RunbookReport): string {
  const sev = r.verdict.severity;
  // No evidence or a stopped run is never shown as healthy.
  const unfinished = r.verdict.status === 'no-evidence' || r.verdict.status === 'interrupted';
  const colour = sev ? SEVERITY_COLOUR[sev] : unfinished ? SEVERITY_COLOUR['SEV-3'] : HEALTHY_COLOUR;
  const headline = unfinished
    ? `${r.verdict.status === 'no-evidence' ? 'NO EVIDENCE' : 'INTERRUPTED'} in ${r.env}: ${r.verdict.reason ?? ''}`
    : sev
      ? `${sev} ${severityLevels[sev].name}: ${r.findings.length} finding(s) in ${r.env}, response ${severityLevels[sev].responseTime}`
      : `HEALTHY: every check passed in ${r.env}`;
  const c = r.counts;
  return `<header class="banner" style="background:${colour}"><div class="inner">
<h1 id="verdict" data-verdict="${esc(r.verdict.status)}" data-severity="${esc(sev ?? '')}">${esc(headline)}</h1>
<p>${esc(r.baseUrl)} · run ${esc(r.runId)} · started ${esc(r.startedAt)} · ${(r.durationMs / 1000).toFixed(1)} s</p>
<p id="counts">${c.total} checks: ${c.passed} passed, ${c.failed} failed, ${c.flaky} flaky, ${c.skipped} skipped</p>
</div></header>`;
}

interface Group {
  title: string;
  anchor: string;
  worst: Severity;
  findings: Finding[];
}

/** Findings by runbook section, most severe section first. */
export function groupBySection(findings: readonly Finding[]): Group[] {
  const groups = new Map<string, Group>();
  for (const f of findings) {
    const g = groups.get(f.section.anchor) ?? { title: f.section.title, anchor: f.section.anchor, worst: f.severity, findings: [] };
    g.findings.push(f);
    if (severityRank(f.severity) < severityRank(g.worst)) g.worst = f.severity;
    groups.set(f.section.anchor, g);
  }
  return [...groups.values()].sort((a, b) => severityRank(a.worst) - severityRank(b.worst) || a.title.localeCompare(b.title));
}

function findingHtml(f: Finding): string {
  const evidence = f.evidence
    .map((e) => {
      const body = e.body ?? (e.path ? `(file: ${e.path})` : '');
      const cut = body.length > EVIDENCE_MAX ? `${body.slice(0, EVIDENCE_MAX)}\n... (${body.length - EVIDENCE_MAX} more characters in runbook.json)` : body;
      return `<details class="evidence"><summary>${esc(e.name)}${e.command ? ` <span class="muted">(stands for <code>${esc(e.command)}</code>)</span>` : ''}</summary><pre>${esc(cut)}</pre></details>`;
    })
    .join('');
  return `<div class="finding" data-check="${esc(f.checkId)}">
<h3>${badge(f.severity)} <code>${esc(f.checkId)}</code> ${esc(f.title)}</h3>
<p><strong>${esc(f.message.split('\n')[0])}</strong></p>
<p class="muted">expected ${esc(f.expected)} · actual ${esc(f.actual)} · why ${esc(f.severity)}: ${esc(f.severityRule)}${f.procedure ? ` · procedure: <a href="${esc(runbookUrl(f.procedure.anchor))}">${esc(f.procedure.title)}</a>` : ''}</p>
${evidence || '<p class="muted">no evidence attached</p>'}
</div>`;
}

function groupHtml(g: Group): string {
  const actions = g.findings[0]!.immediateActions;
  const steps = actions
    .map((a) => `<li>${esc(a.step)}${a.writes ? ' <span class="writes">[changes the system: a person decides]</span>' : ''}<br><code>${esc(a.command)}</code></li>`)
    .join('');
  return `<section class="card sev section-group" data-anchor="${esc(g.anchor)}" style="border-left-color:${SEVERITY_COLOUR[g.worst]}">
<h2 class="section-title">${badge(g.worst)} ${esc(g.title)} <a class="runbook-link" href="${esc(runbookUrl(g.anchor))}">RUNBOOK.md#${esc(g.anchor)}</a></h2>
<h3>Immediate actions</h3><ol class="actions">${steps}</ol>
${g.findings.map(findingHtml).join('\n')}
</section>`;
}

function latencyHtml(r: RunbookReport): string {
  if (r.measurements.length === 0) return '<h2 id="latency">Latency</h2><p class="muted">No check recorded a latency measurement in this run.</p>';
  const rows = r.measurements
    .map((m) => `<tr><td><code>${esc(m.checkId)}</code></td><td>${esc(m.name)}</td><td class="num">${m.samples}</td><td class="num">${m.p50 ?? 'n/a'}</td><td class="num">${m.p95 ?? 'n/a'}</td><td class="num">${m.p99 ?? 'n/a'}</td><td class="num">${m.errorRate === null ? 'n/a' : `${(m.errorRate * 100).toFixed(1)} %`}</td></tr>`)
    .join('');
  return `<h2 id="latency">Latency per endpoint</h2>
<div class="card">${latencyChart(r.measurements)}
<table id="latency-table"><thead><tr><th>check</th><th>endpoint</th><th class="num">samples</th><th class="num">p50 ms</th><th class="num">p95 ms</th><th class="num">p99 ms</th><th class="num">errors</th></tr></thead><tbody>${rows}</tbody></table>
<p class="muted">p95 and p99 need at least 59 samples; fewer are shown as n/a rather than guessed.</p></div>`;
}

export function trendPoints(history: readonly RunbookReport[], current?: RunbookReport): TrendPoint[] {
  const runs = current ? [...history, current] : [...history];
  return runs.map((r) => ({
    runId: r.runId,
    startedAt: r.startedAt,
    severity: r.verdict.severity,
    findings: r.findings.length,
    p50: r.measurements[0]?.p50 ?? null,
    current: r === current,
  }));
}

function trendHtml(r: RunbookReport, history: readonly RunbookReport[]): string {
  const points = trendPoints(history, r);
  const rows = [...points]
    .reverse()
    .map((p) => `<tr${p.current ? ' class="current"' : ''}><td>${esc(p.startedAt.slice(0, 19).replace('T', ' '))}</td><td><code>${esc(p.runId)}</code>${p.current ? ' (this run)' : ''}</td><td>${p.severity ? badge(p.severity) : badge(null, 'healthy')}</td><td class="num">${p.findings}</td><td class="num">${p.p50 ?? 'n/a'}</td></tr>`)
    .join('');
  return `<h2 id="trend">Trend of the last ${points.length} run(s)</h2>
<div class="card">${trendChart(points)}
<table id="trend-table"><thead><tr><th>started (UTC)</th><th>run</th><th>verdict</th><th class="num">findings</th><th class="num">p50 ms</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function listsHtml(r: RunbookReport): string {
  const out: string[] = [];
  if (r.flaky.length) out.push(`<h2 id="flaky">Flaky (passed on retry)</h2><ul>${r.flaky.map((f) => `<li><code>${esc(f.checkId)}</code> ${esc(f.title)}: ${esc(f.firstError.split('\n')[0])}</li>`).join('')}</ul>`);
  if (r.skipped.length) out.push(`<h2 id="skipped">Skipped</h2><ul>${r.skipped.map((s) => `<li><code>${esc(s.checkId)}</code> ${esc(s.title)}: <span class="muted">${esc(s.reason)}</span></li>`).join('')}</ul>`);
  if (r.passed.length) out.push(`<details><summary><strong>Passed (${r.passed.length})</strong></summary><ul id="passed">${r.passed.map((p) => `<li><code>${esc(p.checkId)}</code> ${esc(p.title)} <span class="muted">${p.durationMs} ms</span></li>`).join('')}</ul></details>`);
  if (r.uncatalogued.length) out.push(`<h2>Uncatalogued tests</h2><ul>${r.uncatalogued.map((t) => `<li>${esc(t)}</li>`).join('')}</ul>`);
  return out.join('\n');
}

/** The whole report. `history`: previous runs of the same environment, oldest first. */
export function renderHtml(r: RunbookReport, history: readonly RunbookReport[] = []): string {
  const groups = groupBySection(r.findings);
  const findings = groups.length
    ? `<h2 id="findings">Findings by runbook section</h2>${groups.map(groupHtml).join('\n')}`
    : '<h2 id="findings">Findings</h2><p>None: every check that ran passed.</p>';
  const body = `${banner(r)}<main>
${findings}
${latencyHtml(r)}
${trendHtml(r, history)}
${listsHtml(r)}
<p class="muted">Generated by credlink-checks from runbook.json (secrets scrubbed). Other formats in this folder: runbook.md, junit.xml, allure-results/.</p>
</main>`;
  const title = r.verdict.status === 'no-evidence' ? 'NO EVIDENCE' : r.verdict.status === 'interrupted' ? 'INTERRUPTED' : (r.verdict.severity ?? 'HEALTHY');
  return page(`${title} ${r.env} ${r.runId}: credlink-checks`, body);
}
