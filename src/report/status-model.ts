/**
 * The status page's input: what the `schedule` daemon knows about each environment, built by
 * `statusFromRuns` (src/report/status-state.ts) from the runbook.json files of its observed runs.
 * Open incidents come from src/incidents/open.ts, the same function /metrics uses.
 */
import type { Severity } from '../../runbooks/severity.ts';
import type { Incident } from '../reporter/schema.ts';
import type { TimelineEntry } from './svg.ts';

export type { TimelineEntry };

export interface StatusIncident {
  /** Stable incident id (`<env>/<key>`). */
  id: string;
  title: string;
  severity: Severity;
  /** Runbook section a responder opens. */
  section: { title: string; anchor: string };
  /** ISO time of the first run of the current streak. */
  openedAt: string;
  /** ISO time of the latest run that saw it. */
  lastSeenAt: string;
  /** The root cause: check id and its failure message (already scrubbed). */
  rootCheckId: string;
  message: string;
  /** Check ids explained by the root cause. */
  consequences: string[];
  immediateActions: Incident['immediateActions'];
  /** The run that saw it last: its report is /runs/<env>/<runId>/ on the daemon. */
  runId: string;
}

export interface StatusCheck {
  checkId: string;
  title: string;
  section: { title: string; anchor: string };
  /** Outcome in the latest run. */
  current: TimelineEntry['status'];
  severity: Severity | null;
  /** Runs of the last 24 hours, oldest first: `{ at, status, severity }`. */
  timeline: TimelineEntry[];
}

export type EnvironmentState = 'healthy' | 'findings' | 'no-evidence' | 'interrupted' | 'stale' | 'unknown';

export interface EnvironmentStatus {
  env: string;
  baseUrl?: string;
  /**
   * From the latest observed run: healthy, findings, no-evidence (no check executed),
   * interrupted; stale = the latest run is too old; unknown = no run yet. Only "healthy" is healthy.
   */
  state: EnvironmentState;
  /** Why the latest run is not evidence, when it is not. */
  reason?: string;
  /** Worst severity among open incidents. */
  severity: Severity | null;
  lastRunAt: string | null;
  lastRunId?: string;
  openIncidents: StatusIncident[];
  checks: StatusCheck[];
}

export interface StatusPageState {
  /** ISO time the state was built. */
  generatedAt: string;
  /** The page reloads itself after this many seconds (meta refresh). */
  refreshSeconds: number;
  environments: EnvironmentStatus[];
}
