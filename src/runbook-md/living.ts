/**
 * The living runbook: the team's own runbook document rendered as it is, with the current state
 * of the checks that cover each section next to its heading: per environment the open incidents
 * of that section (severity, since when, a link to the report of the run that saw it) and the
 * last result of every covering check. A checkable section no check covers says so; sections a
 * person checks name their catalog entries. Pure: markdown + states in, one HTML page out (no
 * script; the page's CSP loads nothing).
 */
import { computeCoverage, type CoverageEntry, type SectionCoverage } from '../coverage/coverage.ts';
import { incidentAnchor } from '../report/html.ts';
import { badge, esc, HEALTHY_COLOUR, page, SEVERITY_COLOUR, UNKNOWN_COLOUR } from '../report/page.ts';
import type { EnvironmentStatus, StatusCheck, StatusIncident } from '../report/status-model.ts';
import { severityRank } from '../../runbooks/severity.ts';
import { parseRunbook } from './parse.ts';
import { renderRunbookMarkdown } from './render.ts';

export interface LivingRunbookOptions {
  markdown: string;
  /** Shown as the document's origin, e.g. the file name. */
  sourceName: string;
  /** The catalog as coverage entries (src/coverage/catalog-entries.ts). */
  entries: readonly CoverageEntry[];
  environments: readonly EnvironmentStatus[];
  generatedAt: string;
  /** Address of a run's report, when reachable from the page. */
  runHref?: (env: string, runId: string) => string;
  /** A link back (status page, the run's index.html). */
  back?: { href: string; text: string };
  /** Meta refresh in seconds (the daemon's page); none for a file. */
  refreshSeconds?: number;
}

const time = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

const STATUS_COLOUR: Record<StatusCheck['current'], string> = { passed: HEALTHY_COLOUR, failed: SEVERITY_COLOUR['SEV-2'], skipped: UNKNOWN_COLOUR, flaky: '#f9a825' };

function chip(c: StatusCheck | undefined, id: string, explainedBy: StatusIncident | undefined): string {
  if (!c) return `<span class="chip not-run" title="${esc(`${id}: not in the last run`)}">${esc(id)}: not run</span>`;
  const colour = c.current === 'failed' && c.severity ? SEVERITY_COLOUR[c.severity] : STATUS_COLOUR[c.current];
  const last = c.timeline.at(-1)?.at;
  const what = c.current === 'failed' ? `${c.severity ?? 'failed'}${explainedBy ? `, explained by ${explainedBy.title}` : ''}` : c.current;
  const title = `${id} ${c.title}: ${what}${last ? ` (last run ${time(last)})` : ''}`;
  return `<span class="chip ${esc(c.current)}" data-check="${esc(id)}" style="background:${colour}" title="${esc(title)}">${esc(id)}: ${esc(c.current === 'failed' ? (c.severity ?? 'failed') : c.current === 'passed' ? 'ok' : c.current)}</span>`;
}

function envLine(s: SectionCoverage, e: EnvironmentStatus, o: LivingRunbookOptions): string {
  const incidents = e.openIncidents.filter((i) => i.section.anchor === s.anchor).sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
  const checks = new Map(e.checks.map((c) => [c.checkId, c]));
  const explainer = (id: string) => e.openIncidents.find((i) => i.consequences.includes(id) || i.rootCheckId === id);
  const failing = s.checks.filter((id) => checks.get(id)?.current === 'failed');
  let state: string;
  let colour: string;
  if (e.state === 'unknown') [state, colour] = ['no run yet', UNKNOWN_COLOUR];
  else if (incidents.length) [state, colour] = [`${incidents[0]!.severity}: ${incidents.length} open incident(s)`, SEVERITY_COLOUR[incidents[0]!.severity]];
  else if (failing.length) {
    const by = explainer(failing[0]!);
    [state, colour] = [by ? `failing, explained by ${by.severity} ${by.title}` : 'failing', by ? SEVERITY_COLOUR[by.severity] : SEVERITY_COLOUR['SEV-2']];
  } else {
    const ran = s.checks.filter((id) => checks.get(id) && checks.get(id)!.current !== 'skipped');
    const passed = ran.filter((id) => checks.get(id)!.current === 'passed');
    if (ran.length === 0) [state, colour] = ['no check ran', UNKNOWN_COLOUR];
    else if (passed.length === ran.length) [state, colour] = [ran.length === s.checks.length ? 'ok' : `ok (${ran.length} of ${s.checks.length} checks ran)`, HEALTHY_COLOUR];
    else [state, colour] = ['flaky', '#f9a825'];
  }
  if (e.state === 'stale' || e.state === 'no-evidence' || e.state === 'interrupted') state = `${state} (${e.state}: the last run is no current verdict)`;
  const since = incidents
    .map((i) => {
      const report = o.runHref ? ` <a class="report-link" href="${esc(`${o.runHref(e.env, i.runId)}#${incidentAnchor(i.id)}`)}">report</a>` : '';
      return `<li class="living-incident" data-incident="${esc(i.id)}">${badge(i.severity)} ${esc(i.title)} <span class="since">open since ${esc(time(i.openedAt))}</span>${report}<br><span class="muted">cause <code>${esc(i.rootCheckId)}</code>: ${esc(i.message)}</span></li>`;
    })
    .join('');
  const last = e.lastRunAt ? `last run ${time(e.lastRunAt)}` : '';
  // Checks the last run did not include are counted, not listed one by one.
  const ran = s.checks.filter((id) => checks.has(id));
  const notRun = s.checks.length - ran.length;
  const chips = ran.map((id) => chip(checks.get(id), id, checks.get(id)?.current === 'failed' ? explainer(id) : undefined)).join(' ');
  return `<div class="env-state" data-env="${esc(e.env)}" style="border-left-color:${colour}">
<strong>${esc(e.env)}</strong> <span class="badge" style="background:${colour}">${esc(state)}</span> <span class="muted">${esc(last)}</span>
${since ? `<ul class="living-incidents">${since}</ul>` : ''}
${chips || notRun ? `<div class="chips">${chips}${notRun && ran.length ? ' ' : ''}${notRun ? `<span class="muted not-run">${ran.length ? `+${notRun} not in the last run` : `none of its ${notRun} check(s) in the last run`}</span>` : ''}</div>` : ''}
</div>`;
}

function annotation(s: SectionCoverage | undefined, o: LivingRunbookOptions): string | undefined {
  if (!s) return undefined;
  if (s.status === 'covered') {
    const head = `<div class="living-head">Checked by ${s.checks.length} check(s)${s.manual.length ? `; by a person: ${esc(s.manual.join(', '))}` : ''}</div>`;
    const seen = o.environments.filter((e) => e.checks.some((c) => s.checks.includes(c.checkId)) || e.openIncidents.some((i) => i.section.anchor === s.anchor));
    // Not one of its checks ran anywhere: one line, not a row of "not run" per environment.
    const lines = seen.length
      ? o.environments.map((e) => envLine(s, e, o)).join('\n')
      : `<div class="env-state none" style="border-left-color:${UNKNOWN_COLOUR}"><span class="muted">None of its checks was in the last run of ${esc(o.environments.map((e) => e.env).join(', ') || 'any environment')}: ${esc(s.checks.join(', '))}</span></div>`;
    return `<div class="living" data-anchor="${esc(s.anchor)}" data-status="covered">${head}${lines}</div>`;
  }
  if (s.status === 'manual') return `<div class="living" data-anchor="${esc(s.anchor)}" data-status="manual"><div class="living-head">Checked by a person, not automated: ${esc(s.manual.join(', '))}</div></div>`;
  if (s.status === 'uncovered') return `<div class="living" data-anchor="${esc(s.anchor)}" data-status="uncovered"><div class="living-head">No automated check covers this section.</div></div>`;
  return undefined;
}

const STYLE = `<style>
.runbook{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:8px 24px 24px;margin:16px 0}
.runbook h2{border-bottom:1px solid #e3e6ea;padding-bottom:4px;margin-top:32px}
.runbook pre{max-height:none}
.runbook code{background:#f6f8fa;padding:0 3px;border-radius:3px}
.living{background:#f8fafc;border:1px solid #dde1e6;border-radius:6px;padding:6px 10px;margin:4px 0 12px;font-size:13px}
.living-head{color:#555;margin-bottom:4px}
.env-state{border-left:4px solid #999;padding:3px 0 3px 8px;margin:4px 0}
.env-state ul{margin:4px 0 2px;padding-left:18px}
.chips{margin-top:3px;line-height:1.9}
.chip{display:inline-block;color:#fff;border-radius:10px;padding:0 8px;font:11px/1.6 ui-monospace,Menlo,Consolas,monospace}
.chip.not-run{background:#b0bec5}
</style>`;

export function renderLivingRunbook(o: LivingRunbookOptions): string {
  const coverage = computeCoverage(parseRunbook(o.markdown), o.entries);
  const bySection = new Map(coverage.sections.map((s) => [s.anchor, s]));
  const { html, headings } = renderRunbookMarkdown(o.markdown, (h) => annotation(bySection.get(h.anchor), o));
  const title = headings.find((h) => h.level === 1)?.title ?? o.sourceName;
  const envs = o.environments.map((e) => e.env).join(', ') || 'no environment';
  const back = o.back ? ` · <a href="${esc(o.back.href)}">${esc(o.back.text)}</a>` : '';
  const body = `<header class="banner" style="background:#263238"><div class="inner"><h1>${esc(title)}</h1>
<p>the runbook (${esc(o.sourceName)}) with the state of its checks in ${esc(envs)} as of ${esc(time(o.generatedAt))} · ${coverage.covered} of ${coverage.checkable} checkable sections covered${back}</p></div></header>
<main><article class="runbook">${html}</article></main>`;
  const head = `${o.refreshSeconds ? `<meta http-equiv="refresh" content="${Math.max(5, Math.round(o.refreshSeconds))}">\n` : ''}${STYLE}\n`;
  return page(`${title}: living runbook`, body, head);
}
