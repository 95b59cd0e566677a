/**
 * Everything a person reads about one run, rendered from its scrubbed runbook.json (scrub data,
 * not markup: no secret pattern ever runs over these files):
 * - runbook.md and index.html (with the trend of the environment's observed runs);
 * - runbook.html, the living runbook with this run's state, when CREDLINK_RUNBOOK_PATH is set;
 * - once per run, right after the run folder was scrubbed (finishRunFolder): junit.xml gets
 *   failures, sections and incidents, Allure results get computed severities, incident labels
 *   and runbook links.
 * Links to runbook sections follow src/runbook-md/link.ts: never a dead link.
 */
import fs from 'node:fs';
import path from 'node:path';
import { catalogEntries } from '../coverage/catalog-entries.ts';
import { renderMarkdown } from '../reporter/markdown.ts';
import type { RunbookReport } from '../reporter/schema.ts';
import { LIVING_RUNBOOK_FILE, runFolderLinks, type RunbookSource } from '../runbook-md/link.ts';
import { renderLivingRunbook } from '../runbook-md/living.ts';
import { applyIncidentLabels } from './allure-results.ts';
import { loadHistory } from './history.ts';
import { renderHtml } from './html.ts';
import { enrichJunit } from './junit.ts';
import { statusFromRuns } from './status-state.ts';

export interface RenderedRun {
  files: string[];
}

/** The living runbook of one run: this run's state (with "since when" from the observed runs before it). */
export function livingRunbookOfRun(report: RunbookReport, history: readonly RunbookReport[], runbook: RunbookSource & { path: string }): string {
  // A drill or a cutover candidate is shown on its own: it is not the environment's history.
  const runs = report.kind === 'observation' ? [...history, report] : [{ ...report, kind: 'observation' as const }];
  const end = new Date(Date.parse(report.startedAt) + report.durationMs);
  const status = statusFromRuns(report.env, runs, { now: end, staleAfterMs: Number.POSITIVE_INFINITY });
  return renderLivingRunbook({
    markdown: fs.readFileSync(runbook.path, 'utf8'),
    sourceName: path.basename(runbook.path),
    entries: catalogEntries(),
    environments: [{ ...status, env: report.kind === 'observation' ? report.env : `${report.env} (${report.kind})` }],
    generatedAt: end.toISOString(),
    runHref: (_env, runId) => (runId === report.runId ? 'index.html' : `../${runId}/index.html`),
    back: { href: 'index.html', text: `the report of run ${report.runId}` },
  });
}

/** Writes runbook.md, index.html and (with a runbook path) runbook.html of a run folder. */
export function renderRunReports(runDir: string, report: RunbookReport, configured: RunbookSource = {}): RenderedRun {
  // A runbook file that went away since the configuration was checked: no living runbook, and no link to one.
  const runbook = configured.path && !fs.existsSync(configured.path) ? { url: configured.url } : configured;
  const links = runFolderLinks(runbook);
  const history = loadHistory(path.dirname(runDir), report.runId);
  const files: string[] = [];
  const write = (name: string, text: string) => {
    fs.writeFileSync(path.join(runDir, name), text);
    files.push(name);
  };
  write('runbook.md', renderMarkdown(report, links));
  write('index.html', renderHtml(report, history, links));
  const living = path.join(runDir, LIVING_RUNBOOK_FILE);
  if (runbook.path) write(LIVING_RUNBOOK_FILE, livingRunbookOfRun(report, history, { ...runbook, path: runbook.path }));
  else fs.rmSync(living, { force: true });
  return { files };
}

/** Once per run, after the folder was scrubbed: JUnit and Allure carry the triage, then the reports are rendered. */
export function finishRunFolder(runDir: string, report: RunbookReport, runbook: RunbookSource = {}): RenderedRun {
  const junit = path.join(runDir, 'junit.xml');
  // JUnit travels to CI dashboards: only a web address is a link there.
  if (fs.existsSync(junit)) fs.writeFileSync(junit, enrichJunit(fs.readFileSync(junit, 'utf8'), report, { url: runbook.url }));
  // Allure's report is generated into allure-report/, one folder below the run folder.
  applyIncidentLabels(path.join(runDir, 'allure-results'), report, runFolderLinks(runbook, 1));
  return renderRunReports(runDir, report, runbook);
}
