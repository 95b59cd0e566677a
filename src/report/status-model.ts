/**
 * The status page's input: what the `schedule` daemon knows about each environment. The daemon
 * may build it from its own incident state, or with `statusFromRuns` (src/report/status-state.ts)
 * from the runbook.json files of the last runs.
 */
import type { Severity } from '../../runbooks/severity.ts';
import type { TimelineEntry } from './svg.ts';

export type { TimelineEntry };

export interface StatusIncident {
  checkId: string;
  title: string;
  severity: Severity;
  /** Runbook section a responder opens. */
  section: { title: string; anchor: string };
  /** ISO time of the first failing run of the current streak. */
  openedAt: string;
  /** ISO time of the latest failing run. */
  lastSeenAt: string;
  /** The check's failure message (already scrubbed). */
  message: string;
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

export interface EnvironmentStatus {
  env: string;
  baseUrl?: string;
  /** healthy / findings from the latest run; stale = the latest run is too old; unknown = no run yet. */
  state: 'healthy' | 'findings' | 'no-evidence' | 'interrupted' | 'stale' | 'unknown';
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
