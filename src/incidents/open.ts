/**
 * Which incidents of an environment are open now, and since when: the one definition that the
 * status page, /metrics, the living runbook and alert payloads share, so their figures cannot
 * disagree. Pure.
 *
 * Open = an incident of the latest observed run of the environment (observations only: drills
 * and cutover candidates are not the environment's state). A run that is not evidence (no-evidence,
 * interrupted) leaves the incidents of the last run that was evidence open: nothing was seen
 * to resolve them. `openedAt` is the start of the first run of the unbroken streak of evidence
 * runs in which the same incident id (same root cause, same environment) appears.
 */
import type { Incident, RunbookReport } from '../reporter/schema.ts';

export interface OpenIncident extends Incident {
  env: string;
  /** Start of the first run of the current streak. */
  openedAt: string;
  /** Start of the latest run that saw it. */
  lastSeenAt: string;
  /** The run that saw it last (its report folder). */
  runId: string;
}

const isEvidence = (r: RunbookReport) => r.verdict.status === 'healthy' || r.verdict.status === 'findings';

/** The latest observed run that is evidence (the run whose incidents are open), if any. `runs`: oldest first. */
export function latestEvidence(runs: readonly RunbookReport[]): RunbookReport | undefined {
  return runs.findLast((r) => r.kind === 'observation' && isEvidence(r));
}

/** `runs`: one environment's runs, oldest first (any kind; only observations count). */
export function openIncidents(runs: readonly RunbookReport[]): OpenIncident[] {
  const evidence = runs.filter((r) => r.kind === 'observation' && isEvidence(r));
  const latest = evidence.at(-1);
  if (!latest) return [];
  return latest.incidents.map((i) => {
    let openedAt = latest.startedAt;
    for (let k = evidence.length - 1; k >= 0; k--) {
      if (!evidence[k]!.incidents.some((x) => x.id === i.id)) break;
      openedAt = evidence[k]!.startedAt;
    }
    return { ...i, env: latest.env, openedAt, lastSeenAt: latest.startedAt, runId: latest.runId };
  });
}

/** Open incidents per severity, for gauges: every severity present (0 when none). */
export function countBySeverity(open: readonly Pick<Incident, 'severity'>[]): Record<Incident['severity'], number> {
  const out = { 'SEV-0': 0, 'SEV-1': 0, 'SEV-2': 0, 'SEV-3': 0 };
  for (const i of open) out[i.severity] += 1;
  return out;
}
