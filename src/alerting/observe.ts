/**
 * What one run tells the alert state machines. Pure.
 * - Only a finished observation is alert input: drills and cutover candidates never page; an
 *   interrupted run saw only part of the service; a no-evidence run executed no check at all, so it
 *   neither opens nor resolves anything (and says so loudly: a monitor that sees nothing is a problem).
 * - Each incident of the run is a failure of that incident, with the incident's severity.
 * - An incident known from earlier runs and absent from this one is a pass when the run executed
 *   at least one of the checks that formed it (its root or a consequence): those checks ran and the
 *   root cause was not found. When none of them ran (not selected, skipped) the run says nothing
 *   about it: no observation, like a skipped check.
 */
import { mostSevere, type Severity } from '../../runbooks/severity.ts';
import type { Incident, RunbookReport } from '../reporter/schema.ts';
import type { Observation } from './decide.ts';

export type AlertInput = { use: true } | { use: false; level: 'info' | 'error'; reason: string };

export function alertInput(report: RunbookReport): AlertInput {
  if (report.kind !== 'observation') return { use: false, level: 'info', reason: `run ${report.runId} is a ${report.kind}, not an observation: no alert input` };
  if (report.verdict.status === 'interrupted') {
    return { use: false, level: 'info', reason: `run ${report.runId} was interrupted${report.verdict.reason ? ` (${report.verdict.reason})` : ''}: no alert input` };
  }
  if (report.verdict.status === 'no-evidence') {
    return {
      use: false,
      level: 'error',
      reason: `NO EVIDENCE: run ${report.runId} executed no check${report.verdict.reason ? ` (${report.verdict.reason})` : ''}: nothing was observed, no incident is opened or resolved; fix the environment's selection or configuration`,
    };
  }
  return { use: true };
}

/** Checks that executed in the run (passed, flaky or failed), with their worst severity (null: passed). */
export function executedChecks(report: RunbookReport): Map<string, { severity: Severity | null; durationMs: number }> {
  const out = new Map<string, { severity: Severity | null; durationMs: number }>();
  for (const p of report.passed) out.set(p.checkId, { severity: null, durationMs: p.durationMs });
  for (const f of report.flaky) if (!out.has(f.checkId)) out.set(f.checkId, { severity: null, durationMs: 0 });
  for (const f of report.findings) {
    const prev = out.get(f.checkId);
    const severity = mostSevere([f.severity, ...(prev?.severity ? [prev.severity] : [])])!;
    out.set(f.checkId, { severity, durationMs: f.durationMs });
  }
  return out;
}

export interface IncidentObservation {
  id: string;
  obs: Observation;
  /** The incident as this run reports it (failures only). */
  incident?: Incident;
}

/** The run's observation of each incident it reports, and of each known one (`known`: id -> checks that formed it). */
export function incidentObservations(report: RunbookReport, known: ReadonlyMap<string, readonly string[]>): IncidentObservation[] {
  const out: IncidentObservation[] = report.incidents.map((incident) => ({ id: incident.id, obs: { kind: 'fail', severity: incident.severity }, incident }));
  const present = new Set(report.incidents.map((i) => i.id));
  const executed = executedChecks(report);
  for (const [id, checks] of known) {
    if (present.has(id)) continue;
    if (checks.some((c) => executed.has(c))) out.push({ id, obs: { kind: 'pass' } });
  }
  return out;
}
