/**
 * The HTML triage report of one run (reports/<env>/<run-id>/index.html): a pure function from
 * the scrubbed runbook.json (and previous runs, for the trend) to one self-contained document.
 * Sections: verdict banner; incidents, most severe first, each with its runbook section, why that
 * severity, immediate actions, the root finding with its evidence, and the failing checks it
 * explains folded under it; latency percentiles per endpoint; trend of the environment's observed
 * runs; flaky, skipped (grouped by reason) and passed checks.
 */
import { severityLevels } from '../../runbooks/severity.ts';
import type { Finding, Incident, RunbookReport } from '../reporter/schema.ts';
import { runbookLink, type RunbookLinks, type SectionRef } from '../runbook-md/link.ts';
import { badge, esc, HEALTHY_COLOUR, page, SEVERITY_COLOUR, UNKNOWN_COLOUR } from './page.ts';
import { latencyChart, trendChart, type TrendPoint } from './svg.ts';

const EVIDENCE_MAX = 4000;

/** The HTML id of an incident's card in index.html (ids may hold spaces: `route-missing:GET /x`). */
export function incidentAnchor(id: string): string {
  return `incident-${id.replace(/[^A-Za-z0-9_.:/-]/g, '_')}`;
}

/** A section named, linked when the runbook's location is configured (never a dead link). */
export function sectionHtml(s: SectionRef, links: RunbookLinks | undefined, cls = 'runbook-link'): string {
  const href = runbookLink(s, links, 'living');
  return href ? `<a class="${cls}" href="${esc(href)}">${esc(s.title)}</a>` : `<span class="${cls} unlinked">${esc(s.title)}</span>`;
}

export function verdictHeadline(r: RunbookReport): { text: string; colour: string } {
  const v = r.verdict;
  if (v.status === 'no-evidence') return { text: `NO EVIDENCE: no check executed in ${r.env}${v.reason ? ` (${v.reason})` : ''}: not a healthy verdict`, colour: UNKNOWN_COLOUR };
  if (v.status === 'interrupted') return { text: `INTERRUPTED: the run of ${r.env} did not finish${v.reason ? ` (${v.reason})` : ''}: no verdict`, colour: UNKNOWN_COLOUR };
  if (v.severity && r.incidents.length) {
    const l = severityLevels[v.severity];
    return { text: `${v.severity} ${l.name}: ${r.incidents.length} incident(s) in ${r.env} (${r.findings.length} failing check(s)), response ${l.responseTime}`, colour: SEVERITY_COLOUR[v.severity] };
  }
  return { text: `HEALTHY: every check that ran passed in ${r.env}`, colour: HEALTHY_COLOUR };
}

function banner(r: RunbookReport): string {
  const h = verdictHeadline(r);
  const c = r.counts;
  return `<header class="banner" style="background:${h.colour}"><div class="inner">
<h1 id="verdict" data-verdict="${esc(r.verdict.status)}" data-severity="${esc(r.verdict.severity ?? '')}">${esc(h.text)}</h1>
<p>${esc(r.baseUrl)}${r.location ? ` · seen from ${esc(r.location)}` : ''} · run ${esc(r.runId)} (${esc(r.kind)}) · started ${esc(r.startedAt)} · ${(r.durationMs / 1000).toFixed(1)} s</p>
<p id="counts">${c.total} checks: ${c.passed} passed, ${c.failed} failed, ${c.flaky} flaky, ${c.skipped} skipped</p>
</div></header>`;
}

function evidenceHtml(f: Finding): string {
  return f.evidence
    .map((e) => {
      // Evidence in runbook.json is already scrubbed (scrub, then cut): shortening it here is safe.
      const body = e.body ?? (e.path ? `(file: ${e.path})` : '');
      const cut = body.length > EVIDENCE_MAX ? `${body.slice(0, EVIDENCE_MAX)}\n... (${body.length - EVIDENCE_MAX} more characters in runbook.json)` : body;
      return `<details class="evidence"><summary>${esc(e.name)}${e.command ? ` <span class="muted">(stands for <code>${esc(e.command)}</code>)</span>` : ''}</summary><pre>${esc(cut)}</pre></details>`;
    })
    .join('');
}

function findingHtml(f: Finding, links: RunbookLinks | undefined): string {
  const evidence = evidenceHtml(f);
  // A root finding sits under its incident's title: it is introduced as the cause.
  const head = f.role === 'root' ? `<h4>Cause: <code>${esc(f.checkId)}</code></h4>` : `<h4>${badge(f.severity)} <code>${esc(f.checkId)}</code> ${esc(f.title)}</h4>`;
  return `<div class="finding ${f.role}" data-check="${esc(f.checkId)}">
${head}
<p><strong>${esc(f.message.split('\n')[0])}</strong></p>
<p class="muted">expected ${esc(f.expected)} · actual ${esc(f.actual)} · why ${esc(f.severity)}: ${esc(f.severityRule)}${f.procedure ? ` · procedure: ${sectionHtml(f.procedure, links, 'procedure-link')}` : ''}</p>
${evidence || '<p class="muted">no evidence attached</p>'}
</div>`;
}

export function actionsHtml(actions: Incident['immediateActions']): string {
  return actions
    .map((a) => `<li>${esc(a.step)}${a.writes ? ' <span class="writes">[changes the system: a person decides]</span>' : ''}<br><code>${esc(a.command)}</code></li>`)
    .join('');
}

function incidentHtml(r: RunbookReport, i: Incident, links: RunbookLinks | undefined, actionsShown: boolean): string {
  const mine = r.findings.filter((f) => f.incidentId === i.id);
  const roots = mine.filter((f) => f.role === 'root');
  const consequences = mine.filter((f) => f.role === 'consequence');
  const folded = consequences.length
    ? `<details class="consequences"><summary>Explains ${consequences.length} more failing check(s), not paged on their own: ${esc(consequences.map((f) => f.checkId).join(', '))}</summary>${consequences.map((f) => findingHtml(f, links)).join('\n')}</details>`
    : '';
  return `<section class="card sev incident" id="${esc(incidentAnchor(i.id))}" data-incident="${esc(i.id)}" data-anchor="${esc(i.section.anchor)}" style="border-left-color:${SEVERITY_COLOUR[i.severity]}">
<h2 class="incident-title">${badge(i.severity)} ${esc(i.title)}</h2>
<p class="section-title">Runbook section: ${sectionHtml(i.section, links)}</p>
<p class="muted">why ${esc(i.severity)}: ${esc(i.severityRule)} · incident <code>${esc(i.id)}</code>${roots.length ? '' : ` · cause <code>${esc(i.root.checkId)}</code>: ${esc(i.root.message)}`}</p>
${(i.evidence ?? []).map((e) => `<p class="ordering">${esc(e.name)}: <code>${esc(e.body ?? '')}</code></p>`).join('\n')}
${actionsShown ? '<p class="muted actions-as-above">Immediate actions: as above (same runbook section).</p>' : `<h3>Immediate actions</h3><ol class="actions">${actionsHtml(i.immediateActions)}</ol>`}
${roots.map((f) => findingHtml(f, links)).join('\n')}
${folded}
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

const worst = (vs: (number | null)[]) => {
  const xs = vs.filter((v): v is number => v !== null);
  return xs.length ? Math.max(...xs) : null;
};

/** Trend points of the environment's observed runs (drills and candidate runs are not the environment's trend). */
export function trendPoints(history: readonly RunbookReport[], current?: RunbookReport): TrendPoint[] {
  const runs = [...history, ...(current ? [current] : [])].filter((r) => r.kind === 'observation');
  return runs.map((r) => ({
    runId: r.runId,
    startedAt: r.startedAt,
    status: r.verdict.status,
    severity: r.verdict.severity,
    incidents: r.incidents.length,
    p50: worst(r.measurements.map((m) => m.p50)),
    p95: worst(r.measurements.map((m) => m.p95)),
    current: r === current,
  }));
}

function trendHtml(r: RunbookReport, history: readonly RunbookReport[]): string {
  const points = trendPoints(history, r);
  const note = r.kind === 'observation' ? '' : `<p class="muted" id="trend-note">This run is a ${esc(r.kind)}: it is not part of the environment's trend, which shows observed runs only.</p>`;
  if (!points.length) return `<h2 id="trend">Trend</h2>${note}<p class="muted">No observed run of ${esc(r.env)} yet.</p>`;
  const rows = [...points]
    .reverse()
    .map((p) => `<tr${p.current ? ' class="current"' : ''}><td>${esc(p.startedAt.slice(0, 19).replace('T', ' '))}</td><td><code>${esc(p.runId)}</code>${p.current ? ' (this run)' : ''}</td><td>${p.status === 'findings' && p.severity ? badge(p.severity) : p.status === 'healthy' ? badge(null, 'healthy') : `<span class="badge" style="background:${UNKNOWN_COLOUR}">${esc(p.status)}</span>`}</td><td class="num">${p.incidents}</td><td class="num">${p.p50 ?? 'n/a'}</td><td class="num">${p.p95 ?? 'n/a'}</td></tr>`)
    .join('');
  return `<h2 id="trend">Trend of the last ${points.length} observed run(s)</h2>${note}
<div class="card">${trendChart(points)}
<details><summary>Runs as a table</summary><table id="trend-table"><thead><tr><th>started (UTC)</th><th>run</th><th>verdict</th><th class="num">incidents</th><th class="num">p50 ms</th><th class="num">p95 ms</th></tr></thead><tbody>${rows}</tbody></table></details></div>`;
}

function listsHtml(r: RunbookReport): string {
  const out: string[] = [];
  if (r.flaky.length) out.push(`<h2 id="flaky">Flaky (passed on retry)</h2><ul>${r.flaky.map((f) => `<li><code>${esc(f.checkId)}</code> ${esc(f.title)}: ${esc(f.firstError.split('\n')[0])}</li>`).join('')}</ul>`);
  if (r.skipped.length) {
    const byReason = new Map<string, RunbookReport['skipped']>();
    for (const s of r.skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s]);
    const items = [...byReason]
      .sort((a, b) => b[1].length - a[1].length)
      .map(([reason, list]) => `<li class="skip-reason">${esc(reason)} <span class="muted">(${list.length})</span>: ${list.map((s) => `<code title="${esc(s.title)}">${esc(s.checkId)}</code>`).join(', ')}</li>`);
    out.push(`<h2 id="skipped">Skipped (${r.skipped.length})</h2><ul>${items.join('')}</ul>`);
  }
  if (r.passed.length) out.push(`<details><summary><strong>Passed (${r.passed.length})</strong></summary><ul id="passed">${r.passed.map((p) => `<li><code>${esc(p.checkId)}</code> ${esc(p.title)} <span class="muted">${p.durationMs} ms</span></li>`).join('')}</ul></details>`);
  if (r.uncatalogued.length) out.push(`<h2>Uncatalogued tests</h2><ul>${r.uncatalogued.map((t) => `<li>${esc(t)}</li>`).join('')}</ul>`);
  return out.join('\n');
}

/**
 * Where the run spent its time (runbook.json `timings`): phases on one axis with a bar each, the
 * run's CPU seconds and each process's peak memory. Rendering this page comes after it: that
 * phase is in runbook.json only.
 */
export function timingsHtml(r: RunbookReport): string {
  const t = r.timings;
  if (!t) return '';
  const span = Math.max(1, t.totalMs);
  const pct = (ms: number) => ((ms / span) * 100).toFixed(2);
  const rows = t.phases
    .map(
      (p) =>
        `<tr><td>${esc(p.name)}</td><td class="num">${(p.startMs / 1000).toFixed(2)}</td><td class="num">${(p.ms / 1000).toFixed(2)}</td><td class="bar-cell"><span class="bar" style="margin-left:${pct(p.startMs)}%;width:${pct(Math.max(p.ms, span / 400))}%"></span></td></tr>`,
    )
    .join('');
  const cpu = t.cpu;
  const cpuLine =
    t.cpuSeconds === undefined
      ? ''
      : `<p id="cpu-seconds">CPU: ${t.cpuSeconds.toFixed(2)} s${cpu ? ` (checks: Playwright runner and workers ${cpu.checks.toFixed(2)} s${cpu.tool !== undefined ? `, this tool ${cpu.tool.toFixed(2)} s` : ''}${cpu.children !== undefined ? `, other processes ${cpu.children.toFixed(2)} s` : ''})${cpu.shared ? '; another run shared the process: the tool\'s share includes its work' : ''}` : ''}</p>`;
  const procs = t.processes?.length
    ? `<p id="processes">Peak memory (resident) per process: ${t.processes.map((p) => `${esc(p.role)} ${p.peakRssMiB} MiB (${p.cpuSeconds.toFixed(2)} s CPU)`).join(', ')}</p>`
    : '';
  return `<details id="timings"><summary><strong>Where the run spent its time</strong> (${(t.totalMs / 1000).toFixed(1)} s${t.cpuSeconds !== undefined ? `, ${t.cpuSeconds.toFixed(1)} s CPU` : ''})</summary>
<div class="card"><table id="timings-table"><thead><tr><th>phase</th><th class="num">from s</th><th class="num">took s</th><th></th></tr></thead><tbody>${rows}</tbody></table>
${cpuLine}${procs}<p class="muted">Seconds from ${esc(t.origin)}. "diagnostics" is the time checks spent collecting or waiting for diagnostics, summed; rendering this page is in runbook.json only.</p></div></details>`;
}

/** An earlier incident already lists the same immediate actions (same runbook section). */
function sameActions(before: readonly Incident[], i: Incident): boolean {
  const key = JSON.stringify(i.immediateActions);
  return before.some((x) => JSON.stringify(x.immediateActions) === key);
}

/**
 * The whole report. `history`: previous runs of the same environment, oldest first.
 * `links`: where runbook sections link to (src/runbook-md/link.ts); none = sections named only.
 */
export function renderHtml(r: RunbookReport, history: readonly RunbookReport[] = [], links?: RunbookLinks): string {
  const incidents = r.incidents.length
    ? `<h2 id="incidents">Incidents (${r.incidents.length}, most severe first)</h2>${r.incidents.map((i, n) => incidentHtml(r, i, links, sameActions(r.incidents.slice(0, n), i))).join('\n')}`
    : `<h2 id="incidents">Incidents</h2><p>${r.verdict.status === 'healthy' ? 'None: every check that ran passed.' : 'None found, but this run is no evidence of health (see the banner).'}</p>`;
  const living = links?.living ? ` · <a href="${esc(links.living)}">the runbook with the current state of its checks</a>` : '';
  const body = `${banner(r)}<main>
${incidents}
${latencyHtml(r)}
${trendHtml(r, history)}
${listsHtml(r)}
${timingsHtml(r)}
<p class="muted">Generated by credlink-checks from runbook.json (secrets scrubbed). Other formats in this folder: runbook.md, junit.xml, allure-results/${living}.</p>
</main>`;
  const title = r.verdict.status === 'findings' && r.verdict.severity ? r.verdict.severity : r.verdict.status === 'healthy' ? 'HEALTHY' : r.verdict.status.toUpperCase();
  return page(`${title} ${r.env} ${r.runId}: credlink-checks`, body);
}
