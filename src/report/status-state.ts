/**
 * Builds the status page state of one environment from its runs (runbook.json, oldest first):
 * current state from the latest run, open incidents = checks failing in the latest run (opened
 * at the first run of the current failing streak), and a 24-hour timeline per check.
 */
import fs from 'node:fs';
import path from 'node:path';
import { mostSevere } from '../../runbooks/severity.ts';
import { catalog, isCheckId } from '../../runbooks/catalog.ts';
import { sections } from '../../runbooks/sections.ts';
import type { RunbookReport } from '../reporter/schema.ts';
import { loadHistory } from './history.ts';
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

function sectionOf(checkId: string): { title: string; anchor: string } {
  if (!isCheckId(checkId)) return { title: 'uncatalogued', anchor: '' };
  const s = sections[catalog[checkId].section];
  return { title: s.title, anchor: s.anchor };
}

export interface StatusOptions {
  now?: Date;
  /** The latest run is older than this: state "stale" (default 1 hour). */
  staleAfterMs?: number;
}

export function statusFromRuns(env: string, runs: readonly RunbookReport[], opts: StatusOptions = {}): EnvironmentStatus {
  const now = opts.now ?? new Date();
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
  const openIncidents: StatusIncident[] = latest.findings.map((f) => {
    let openedAt = latest.startedAt;
    for (let i = perRun.length - 1; i >= 0; i--) {
      if (perRun[i]!.o.get(f.checkId)?.entry.status !== 'failed') break;
      openedAt = perRun[i]!.r.startedAt;
    }
    return { checkId: f.checkId, title: f.title, severity: f.severity, section: f.section, openedAt, lastSeenAt: latest.startedAt, message: f.message.split('\n')[0]! };
  });
  const stale = now.getTime() - Date.parse(latest.startedAt) > (opts.staleAfterMs ?? 3600_000);
  return {
    env,
    baseUrl: latest.baseUrl,
    state: stale ? 'stale' : latest.verdict.status,
    severity: mostSevere(openIncidents.map((i) => i.severity)),
    lastRunAt: latest.startedAt,
    lastRunId: latest.runId,
    openIncidents,
    checks,
  };
}

/** State for every environment folder under reportsDir (or the listed ones); timelines cover the last 24 h. */
export function statusFromReportsDir(reportsDir: string, opts: StatusOptions & { envs?: string[]; refreshSeconds?: number; maxRuns?: number } = {}): StatusPageState {
  const now = opts.now ?? new Date();
  const envs = opts.envs ?? (fs.existsSync(reportsDir) ? fs.readdirSync(reportsDir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('_')).map((d) => d.name).sort() : []);
  return {
    generatedAt: now.toISOString(),
    refreshSeconds: opts.refreshSeconds ?? 30,
    // Bounded: at most maxRuns runbook.json files per environment are read per call.
    environments: envs.map((env) => statusFromRuns(env, loadHistory(path.join(reportsDir, env), undefined, opts.maxRuns ?? 300), { ...opts, now })),
  };
}
