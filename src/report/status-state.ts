/**
 * Builds the status page state of one environment from its runs (runbook.json, oldest first):
 * only observed runs count (drills and cutover candidates are not the environment's state); the
 * current state from the latest one; open incidents from src/incidents/open.ts (the function
 * /metrics uses too); a 24-hour timeline per check.
 *
 * ReportsSource keeps the runs of each environment in memory and reads only run folders it has
 * not seen, so the daemon can answer /status and /metrics from the same data on every request.
 */
import fs from 'node:fs';
import path from 'node:path';
import { mostSevere } from '../../runbooks/severity.ts';
import { catalog, isCheckId } from '../../runbooks/catalog.ts';
import { sections } from '../../runbooks/sections.ts';
import { openIncidents } from '../incidents/open.ts';
import type { RunbookReport } from '../reporter/schema.ts';
import { readReport, runFolders } from './history.ts';
import type { EnvironmentStatus, StatusCheck, StatusIncident, StatusPageState, TimelineEntry } from './status-model.ts';

const DAY_MS = 24 * 3600_000;

function outcomes(r: RunbookReport): Map<string, { title: string; entry: TimelineEntry; section?: { title: string; anchor: string } }> {
  const at = r.startedAt;
  const m = new Map<string, { title: string; entry: TimelineEntry; section?: { title: string; anchor: string } }>();
  for (const p of r.passed) m.set(p.checkId, { title: p.title, entry: { at, status: 'passed', severity: null } });
  for (const s of r.skipped) m.set(s.checkId, { title: s.title, entry: { at, status: 'skipped', severity: null } });
  for (const f of r.flaky) m.set(f.checkId, { title: f.title, entry: { at, status: 'flaky', severity: null } });
  for (const f of r.findings) m.set(f.checkId, { title: f.title, entry: { at, status: 'failed', severity: f.severity }, section: f.section });
  return m;
}

export function sectionOf(checkId: string): { title: string; anchor: string } {
  if (!isCheckId(checkId)) return { title: 'uncatalogued', anchor: '' };
  const s = sections[catalog[checkId].section];
  return { title: s.title, anchor: s.anchor };
}

export interface StatusOptions {
  now?: Date;
  /** The latest run is older than this: state "stale" (default 1 hour). */
  staleAfterMs?: number;
}

export function statusFromRuns(env: string, all: readonly RunbookReport[], opts: StatusOptions = {}): EnvironmentStatus {
  const now = opts.now ?? new Date();
  const runs = all.filter((r) => r.kind === 'observation');
  const latest = runs.at(-1);
  if (!latest) return { env, state: 'unknown', severity: null, lastRunAt: null, openIncidents: [], checks: [] };
  const perRun = runs.map((r) => ({ r, o: outcomes(r) }));
  const since = now.getTime() - DAY_MS;
  const latestOutcomes = perRun.at(-1)!.o;
  const checks: StatusCheck[] = [...latestOutcomes.entries()].map(([checkId, cur]) => ({
    checkId,
    title: cur.title,
    section: cur.section ?? sectionOf(checkId),
    current: cur.entry.status,
    severity: cur.entry.severity,
    timeline: perRun.filter(({ r }) => Date.parse(r.startedAt) >= since).flatMap(({ o }) => (o.has(checkId) ? [o.get(checkId)!.entry] : [])),
  }));
  checks.sort((a, b) => a.checkId.localeCompare(b.checkId));
  const open: StatusIncident[] = openIncidents(runs).map((i) => ({
    id: i.id,
    title: i.title,
    severity: i.severity,
    section: i.section,
    openedAt: i.openedAt,
    lastSeenAt: i.lastSeenAt,
    rootCheckId: i.root.checkId,
    message: i.root.message,
    consequences: i.consequences,
    immediateActions: i.immediateActions,
    runId: i.runId,
  }));
  const stale = now.getTime() - Date.parse(latest.startedAt) > (opts.staleAfterMs ?? 3600_000);
  const state = stale ? 'stale' : latest.verdict.status;
  return {
    env,
    baseUrl: latest.baseUrl,
    state,
    reason: state === 'no-evidence' || state === 'interrupted' ? latest.verdict.reason : undefined,
    severity: mostSevere(open.map((i) => i.severity)),
    lastRunAt: latest.startedAt,
    lastRunId: latest.runId,
    openIncidents: open,
    checks,
  };
}

/**
 * The runs of each environment folder under a reports folder, oldest first, at most `maxRuns`
 * each, read once: later calls read only run folders that appeared since.
 */
export class ReportsSource {
  private readonly cache = new Map<string, Map<string, { mtimeMs: number; report: RunbookReport | undefined }>>();
  constructor(
    readonly reportsDir: string,
    private readonly maxRuns = 300,
  ) {}

  /** Environment folders (names not starting with "_"), sorted. */
  envs(): string[] {
    if (!fs.existsSync(this.reportsDir)) return [];
    return fs.readdirSync(this.reportsDir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('_') && !d.name.startsWith('.')).map((d) => d.name).sort();
  }

  runs(env: string): RunbookReport[] {
    const dir = path.join(this.reportsDir, env);
    const names = runFolders(dir).slice(-this.maxRuns);
    const known = this.cache.get(env) ?? new Map<string, { mtimeMs: number; report: RunbookReport | undefined }>();
    const out: RunbookReport[] = [];
    const keep = new Set(names);
    for (const n of known.keys()) if (!keep.has(n)) known.delete(n);
    for (const n of names) {
      const file = path.join(dir, n, 'runbook.json');
      let mtimeMs = -1;
      try {
        mtimeMs = fs.statSync(file).mtimeMs;
      } catch {
        continue;
      }
      // Read again when the file changed (a run folder is scrubbed after it is first written).
      let hit = known.get(n);
      if (!hit || hit.mtimeMs !== mtimeMs || !hit.report) {
        hit = { mtimeMs, report: compact(readReport(file)) };
        known.set(n, hit);
      }
      if (hit.report) out.push(hit.report);
    }
    this.cache.set(env, known);
    return out;
  }
}

/** What the status page needs of a report: evidence bodies and response lists stay on disk, not in the daemon's memory. */
function compact(r: RunbookReport | undefined): RunbookReport | undefined {
  return r && { ...r, findings: r.findings.map((f) => ({ ...f, evidence: [], responses: [] })) };
}

/** State for every environment folder under reportsDir (or the listed ones); timelines cover the last 24 h. */
export function statusFromReportsDir(
  reportsDir: string | ReportsSource,
  opts: StatusOptions & { envs?: string[]; refreshSeconds?: number; maxRuns?: number } = {},
): StatusPageState {
  const now = opts.now ?? new Date();
  const source = typeof reportsDir === 'string' ? new ReportsSource(reportsDir, opts.maxRuns ?? 300) : reportsDir;
  const envs = opts.envs ?? source.envs();
  return {
    generatedAt: now.toISOString(),
    refreshSeconds: opts.refreshSeconds ?? 30,
    environments: envs.map((env) => statusFromRuns(env, source.runs(env), { ...opts, now })),
  };
}
