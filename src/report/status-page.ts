/**
 * The status page served by `schedule`: a pure renderer from StatusPageState
 * (src/report/status-model.ts) to one self-contained HTML document that reloads itself
 * (meta refresh). It leads with what is wrong:
 * - an overall banner with the worst state of any environment;
 * - environments ordered worst first (open incidents by severity, then environments without a
 *   current verdict, then healthy ones);
 * - per environment its open incidents: severity, runbook section, since when, the root cause,
 *   first steps, the checks it explains, and a link to the report of the run that saw it;
 * - checks that are not passing with their 24-hour timeline; passing checks folded.
 * A run that executed no check, an interrupted one, a stale or missing one is never shown healthy.
 */
import { severityLevels, severityRank } from '../../runbooks/severity.ts';
import { runbookLink, type RunbookLinks } from '../runbook-md/link.ts';
import { incidentAnchor } from './html.ts';
import { badge, esc, HEALTHY_COLOUR, page, SEVERITY_COLOUR, UNKNOWN_COLOUR } from './page.ts';
import type { EnvironmentStatus, StatusCheck, StatusIncident, StatusPageState } from './status-model.ts';
import { recentRuns, timelineStrip } from './svg.ts';

export interface StatusPageOptions {
  /** Where runbook sections link (src/runbook-md/link.ts); none = named without links. */
  links?: RunbookLinks;
  /** The address of a run's report, when the server serves run folders (e.g. /runs/<env>/<runId>/index.html). */
  runHref?: (env: string, runId: string) => string;
  /** Where the daemon serving the page runs (its location): what it shows was seen from there. */
  location?: string;
  /** The continuous sampler's window of an environment (the daemon's /window), when it has one: shown with its size and age. */
  window?: (env: string) => { seconds: number; label: string | null; endpoints: { name: string; samples: number; ageSeconds: number | null }[] } | null;
}

const NO_VERDICT = new Set(['no-evidence', 'interrupted', 'stale', 'unknown']);

/** Worst first: open incidents by severity, then no current verdict, then healthy. Ties by name. */
export function envRank(e: EnvironmentStatus): number {
  if (e.severity) return severityRank(e.severity);
  if (NO_VERDICT.has(e.state)) return 10;
  return 20;
}

export function orderWorstFirst(envs: readonly EnvironmentStatus[]): EnvironmentStatus[] {
  return [...envs].sort((a, b) => envRank(a) - envRank(b) || a.env.localeCompare(b.env));
}

const time = (iso: string) => iso.slice(0, 16).replace('T', ' ');

function ago(from: string, now: Date): string {
  const min = Math.max(0, Math.round((now.getTime() - Date.parse(from)) / 60_000));
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  return h < 48 ? `${h} h ${min % 60} min` : `${Math.floor(h / 24)} days`;
}

export function stateLine(e: EnvironmentStatus): { text: string; colour: string } {
  const age = e.lastRunAt ? ` (last run ${time(e.lastRunAt)} UTC)` : '';
  if (e.state === 'unknown') return { text: 'UNKNOWN: no run yet', colour: UNKNOWN_COLOUR };
  const open = e.openIncidents.length ? `; ${e.openIncidents.length} incident(s) still open from the last run that was evidence` : '';
  if (e.state === 'stale') return { text: `STALE: no recent run${age}${open}`, colour: e.severity ? SEVERITY_COLOUR[e.severity] : UNKNOWN_COLOUR };
  if (e.state === 'no-evidence') return { text: `NO EVIDENCE: the last run executed no check${e.reason ? ` (${e.reason})` : ''}${age}${open}`, colour: e.severity ? SEVERITY_COLOUR[e.severity] : UNKNOWN_COLOUR };
  if (e.state === 'interrupted') return { text: `INTERRUPTED: the last run did not finish${e.reason ? ` (${e.reason})` : ''}${age}${open}`, colour: e.severity ? SEVERITY_COLOUR[e.severity] : UNKNOWN_COLOUR };
  if (!e.severity) return { text: `HEALTHY${age}`, colour: HEALTHY_COLOUR };
  return { text: `${e.severity} ${severityLevels[e.severity].name}: ${e.openIncidents.length} open incident(s), response ${severityLevels[e.severity].responseTime}${age}`, colour: SEVERITY_COLOUR[e.severity] };
}

/** The overall banner: the worst state of any environment. */
export function overall(state: StatusPageState): { text: string; colour: string; severity: string } {
  const envs = orderWorstFirst(state.environments);
  const worst = envs[0];
  const bad = envs.filter((e) => e.severity);
  const noVerdict = envs.filter((e) => !e.severity && NO_VERDICT.has(e.state));
  const healthy = envs.filter((e) => !e.severity && !NO_VERDICT.has(e.state));
  if (!worst) return { text: 'No environment is scheduled', colour: UNKNOWN_COLOUR, severity: 'none' };
  const parts: string[] = [];
  if (bad.length) {
    const incidents = bad.reduce((n, e) => n + e.openIncidents.length, 0);
    parts.push(`${incidents} open incident(s) in ${bad.map((e) => e.env).join(', ')}`);
  }
  if (noVerdict.length) parts.push(`no current verdict for ${noVerdict.map((e) => `${e.env} (${e.state})`).join(', ')}`);
  if (healthy.length) parts.push(`${healthy.length} healthy`);
  if (worst.severity) {
    const l = severityLevels[worst.severity];
    return { text: `${worst.severity} ${l.name}: ${parts.join(' · ')}; respond ${l.responseTime}`, colour: SEVERITY_COLOUR[worst.severity], severity: worst.severity };
  }
  if (noVerdict.length) return { text: `NO CURRENT VERDICT for ${[parts.slice(0, 1)[0]!.replace(/^no current verdict for /, ''), ...parts.slice(1)].join(' · ')}`, colour: UNKNOWN_COLOUR, severity: 'unknown' };
  return { text: `ALL HEALTHY: ${healthy.length} environment(s)`, colour: HEALTHY_COLOUR, severity: 'healthy' };
}

function sectionLink(s: { title: string; anchor: string }, links: RunbookLinks | undefined): string {
  const href = runbookLink(s, links, 'living');
  return href ? `<a class="runbook-link" href="${esc(href)}">${esc(s.title)}</a>` : `<span class="runbook-link unlinked">${esc(s.title)}</span>`;
}

function incidentHtml(e: EnvironmentStatus, i: StatusIncident, now: Date, o: StatusPageOptions, stepsShown: boolean): string {
  const steps = stepsShown ? '' : i.immediateActions
    .slice(0, 3)
    .map((a) => `<li>${esc(a.step)}${a.writes ? ' <span class="writes">[changes the system: a person decides]</span>' : ''}<br><code>${esc(a.command)}</code></li>`)
    .join('');
  const report = !i.runId ? ' · seen by the monitor\'s window (no report yet)' : o.runHref ? ` · <a class="report-link" href="${esc(`${o.runHref(e.env, i.runId)}#${incidentAnchor(i.id)}`)}">report of run ${esc(i.runId)}</a>` : ` · run ${esc(i.runId)}`;
  const explains = i.consequences.length ? `<p class="muted consequences">explains ${i.consequences.length} more failing check(s), not paged on their own: ${esc(i.consequences.join(', '))}</p>` : '';
  return `<div class="incident" data-incident="${esc(i.id)}" data-check="${esc(i.rootCheckId)}" style="border-left:4px solid ${SEVERITY_COLOUR[i.severity]}">
<h4>${badge(i.severity)} ${esc(i.title)}</h4>
<p>Runbook: ${sectionLink(i.section, o.links)} · <span class="since">open since ${esc(time(i.openedAt))} UTC (${esc(ago(i.openedAt, now))})</span>${report}</p>
<p class="muted">cause <code>${esc(i.rootCheckId)}</code>: ${esc(i.message)}</p>
${steps ? `<p class="first-steps-title"><strong>First steps</strong></p><ol class="actions">${steps}</ol>` : stepsShown ? '<p class="muted first-steps-title">First steps: as above (same runbook section)</p>' : ''}
${explains}
</div>`;
}

function checkRow(c: StatusCheck, now: Date): string {
  const now_ = c.current === 'failed' ? badge(c.severity, c.severity ?? 'failed') : c.current === 'passed' ? badge(null, 'ok') : `<span class="badge" style="background:${c.current === 'flaky' ? '#f9a825' : UNKNOWN_COLOUR}">${esc(c.current)}</span>`;
  return `<tr class="check" data-check="${esc(c.checkId)}" data-status="${esc(c.current)}"><td><code>${esc(c.checkId)}</code></td><td>${now_}</td><td>${recentRuns(c.timeline)}</td><td>${timelineStrip(c.timeline, now)}</td><td class="num">${c.timeline.length}</td></tr>`;
}

function checksTable(rows: string, id: string): string {
  return `<table class="timelines" id="${id}"><thead><tr><th>check</th><th>now</th><th>last runs (oldest left)</th><th>24 h (left: 24 h ago, right: now; marks every 6 h)</th><th class="num">runs</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function envHtml(e: EnvironmentStatus, now: Date, o: StatusPageOptions): string {
  const s = stateLine(e);
  const incidents = e.openIncidents.length
    ? `<div class="incidents">${e.openIncidents.map((i, n) => incidentHtml(e, i, now, o, e.openIncidents.slice(0, n).some((x) => x.section.anchor === i.section.anchor))).join('\n')}</div>`
    : `<p class="muted no-incidents">No open incidents${e.state === 'healthy' ? '.' : ' seen, but there is no current verdict (see above).'}</p>`;
  const notOk = e.checks.filter((c) => c.current !== 'passed');
  const ok = e.checks.filter((c) => c.current === 'passed');
  const report = e.lastRunId && o.runHref ? ` · <a class="report-link" href="${esc(o.runHref(e.env, e.lastRunId))}">report of the last run</a>` : e.lastRunId ? ` · run ${esc(e.lastRunId)}` : '';
  return `<section class="card sev env" id="env-${esc(e.env)}" data-env="${esc(e.env)}" data-state="${esc(e.state)}" data-severity="${esc(e.severity ?? '')}" style="border-left-color:${s.colour}">
<h2>${esc(e.env)} <span class="badge state" style="background:${s.colour}">${esc(s.text)}</span></h2>
${e.baseUrl ? `<p class="muted">${esc(e.baseUrl)}${report}</p>` : ''}
${windowHtml(e.env, o)}
${incidents}
${notOk.length ? `<h3>Checks not passing (${notOk.length})</h3>${checksTable(notOk.map((c) => checkRow(c, now)).join(''), `not-passing-${esc(e.env)}`)}` : ''}
${ok.length ? `<details class="healthy-checks"><summary>${ok.length} passing check(s)</summary>${checksTable(ok.map((c) => checkRow(c, now)).join(''), `passing-${esc(e.env)}`)}</details>` : e.checks.length ? '' : '<p class="muted">No checks have run.</p>'}
</section>`;
}

/** One line: the window's length and judgement, and per endpoint its samples and the age of the newest. */
function windowHtml(env: string, o: StatusPageOptions): string {
  const w = o.window?.(env);
  if (!w) return '';
  const eps = w.endpoints.map((x) => `${esc(x.name)}: ${x.samples} sample(s)${x.ageSeconds === null ? '' : `, newest ${Math.round(x.ageSeconds)} s old`}`).join(' · ');
  return `<p class="muted window" data-window-seconds="${w.seconds}">${esc(w.label ?? `window: last ${w.seconds} s, filling`)} · ${eps}</p>`;
}

export function renderStatusPage(state: StatusPageState, o: StatusPageOptions = {}): string {
  const now = new Date(state.generatedAt);
  const head = overall(state);
  const envs = orderWorstFirst(state.environments);
  const living = o.links?.living ? ` · <a href="${esc(o.links.living)}">the runbook with the current state of its checks</a>` : '';
  const body = `<header class="banner" style="background:${head.colour}"><div class="inner"><h1 id="overall" data-severity="${esc(head.severity)}">${esc(head.text)}</h1>
<p>credlink-checks status${o.location ? ` · seen from ${esc(o.location)}` : ''} · updated ${esc(state.generatedAt.slice(0, 19).replace('T', ' '))} UTC · reloads every ${state.refreshSeconds} s${living}</p></div></header>
<main>${envs.length ? envs.map((e) => envHtml(e, now, o)).join('\n') : '<p>No environment has been checked yet.</p>'}</main>`;
  return page(`${head.text}: credlink-checks status`, body, `<meta http-equiv="refresh" content="${Math.max(5, Math.round(state.refreshSeconds))}">\n`);
}
