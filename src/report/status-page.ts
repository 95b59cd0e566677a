/**
 * The status page served by `schedule`: a pure renderer from StatusPageState
 * (src/report/status-model.ts) to one self-contained HTML document that reloads itself
 * (meta refresh). Per environment: current state, open incidents with their runbook section,
 * and a 24-hour timeline per check.
 */
import { severityLevels } from '../../runbooks/severity.ts';
import { runbookUrl } from './allure-labels.ts';
import { badge, esc, HEALTHY_COLOUR, page, SEVERITY_COLOUR, UNKNOWN_COLOUR } from './page.ts';
import type { EnvironmentStatus, StatusPageState } from './status-model.ts';
import { recentRuns, timelineStrip } from './svg.ts';

function stateLine(e: EnvironmentStatus): { text: string; colour: string } {
  if (e.state === 'unknown') return { text: 'UNKNOWN: no run yet', colour: UNKNOWN_COLOUR };
  const age = e.lastRunAt ? ` (last run ${e.lastRunAt.slice(0, 16).replace('T', ' ')} UTC)` : '';
  if (e.state === 'stale') return { text: `STALE: no recent run${age}`, colour: UNKNOWN_COLOUR };
  if (e.state === 'no-evidence') return { text: `NO EVIDENCE: the last run executed no check${age}`, colour: UNKNOWN_COLOUR };
  if (e.state === 'interrupted') return { text: `INTERRUPTED: the last run did not finish${age}`, colour: UNKNOWN_COLOUR };
  if (e.state === 'healthy' || !e.severity) return { text: `HEALTHY${age}`, colour: HEALTHY_COLOUR };
  return { text: `${e.severity} ${severityLevels[e.severity].name}: ${e.openIncidents.length} open incident(s), response ${severityLevels[e.severity].responseTime}${age}`, colour: SEVERITY_COLOUR[e.severity] };
}

function envHtml(e: EnvironmentStatus, now: Date): string {
  const s = stateLine(e);
  const incidents = e.openIncidents.length
    ? `<table class="incidents"><thead><tr><th>severity</th><th>check</th><th>runbook section</th><th>open since (UTC)</th><th>last failure</th></tr></thead><tbody>${e.openIncidents
        .map((i) => `<tr class="incident" data-check="${esc(i.checkId)}"><td>${badge(i.severity)}</td><td><code>${esc(i.checkId)}</code><br>${esc(i.title)}</td><td><a href="${esc(runbookUrl(i.section.anchor))}">${esc(i.section.title)}</a></td><td>${esc(i.openedAt.slice(0, 19).replace('T', ' '))}</td><td>${esc(i.message)}</td></tr>`)
        .join('')}</tbody></table>`
    : '<p class="muted no-incidents">No open incidents.</p>';
  const checks = e.checks
    .map((c) => `<tr class="check" data-check="${esc(c.checkId)}" data-status="${esc(c.current)}"><td><code>${esc(c.checkId)}</code></td><td>${c.current === 'failed' ? badge(c.severity, c.severity ?? 'failed') : c.current === 'passed' ? badge(null, 'ok') : esc(c.current)}</td><td>${recentRuns(c.timeline)}</td><td>${timelineStrip(c.timeline, now)}</td><td class="num">${c.timeline.length}</td></tr>`)
    .join('');
  return `<section class="card sev env" id="env-${esc(e.env)}" data-env="${esc(e.env)}" data-state="${esc(e.state)}" style="border-left-color:${s.colour}">
<h2>${esc(e.env)} <span class="badge state" style="background:${s.colour}">${esc(s.text)}</span></h2>
${e.baseUrl ? `<p class="muted">${esc(e.baseUrl)}${e.lastRunId ? ` · run ${esc(e.lastRunId)}` : ''}</p>` : ''}
<h3>Open incidents</h3>${incidents}
<h3>Last 24 hours per check</h3>
${e.checks.length ? `<table class="timelines"><thead><tr><th>check</th><th>now</th><th>last runs (oldest left)</th><th>24 h (left: 24 h ago, right: now; marks every 6 h)</th><th class="num">runs</th></tr></thead><tbody>${checks}</tbody></table>` : '<p class="muted">No checks have run.</p>'}
</section>`;
}

export function renderStatusPage(state: StatusPageState): string {
  const now = new Date(state.generatedAt);
  const worst = state.environments.map((e) => e.severity).filter((s) => s !== null);
  const unseen = state.environments.filter((e) => e.state === 'unknown' || e.state === 'stale').length;
  const title = worst.length ? `status: ${worst.sort()[0]}` : unseen ? `status: ${unseen} environment(s) without a current run` : 'status: all healthy';
  const body = `<header class="banner" style="background:#263238"><div class="inner"><h1>credlink-checks status</h1>
<p>updated ${esc(state.generatedAt.slice(0, 19).replace('T', ' '))} UTC · reloads every ${state.refreshSeconds} s</p></div></header>
<main>${state.environments.length ? state.environments.map((e) => envHtml(e, now)).join('\n') : '<p>No environment has been checked yet.</p>'}</main>`;
  return page(title, body, `<meta http-equiv="refresh" content="${Math.max(5, Math.round(state.refreshSeconds))}">\n`);
}
