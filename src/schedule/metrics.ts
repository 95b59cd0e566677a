/**
 * Prometheus text exposition (format 0.0.4) of the daemon: per check and environment from the
 * persisted alert state (so the numbers survive a restart), per environment from the scheduler,
 * and whether the state reaches the disk. Pure: state in, text out.
 */
import { severityRank } from '../../runbooks/severity.ts';
import type { CheckState, IncidentState, OutboxItem } from '../alerting/store.ts';
import { countBySeverity } from '../incidents/open.ts';
import type { EnvironmentStatus } from '../report/status-model.ts';
import type { WriteProblem } from '../state/health.ts';
import type { EnvStatus } from './scheduler.ts';

export interface MetricsInput {
  checks: readonly CheckState[];
  incidents: readonly IncidentState[];
  envs: readonly EnvStatus[];
  outbox: readonly OutboxItem[];
  state: { problems: readonly WriteProblem[]; errorsTotal: number };
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(l: Record<string, string>): string {
  return `{${Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`).join(',')}}`;
}

class Family {
  readonly lines: string[];
  constructor(name: string, type: 'gauge' | 'counter', help: string, private readonly metric = name) {
    this.lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  }
  add(l: Record<string, string>, value: number): void {
    this.lines.push(`${this.metric}${labels(l)} ${Number.isFinite(value) ? value : 'NaN'}`);
  }
}

export function renderMetrics({ checks, incidents, envs, outbox, state }: MetricsInput): string {
  const up = new Family('credlink_check_up', 'gauge', '1 when the check passed on its last run, 0 when it failed.');
  const sev = new Family('credlink_check_severity', 'gauge', 'Severity of the last failure: 0 = SEV-0 (critical) .. 3 = SEV-3; -1 when passing.');
  const dur = new Family('credlink_check_duration_seconds', 'gauge', 'Duration of the check on its last run.');
  const last = new Family('credlink_check_last_run_timestamp_seconds', 'gauge', 'Unix time of the last run that observed the check.');
  const fails = new Family('credlink_check_consecutive_failures', 'gauge', 'Consecutive failing runs of the check.');
  const open = new Family(
    'credlink_check_incident_open',
    'gauge',
    '1 while the check is the root or a consequence of an incident whose alert (page) is triggered and not resolved (after flap control); what the last run found: credlink_incidents_open.',
  );
  const inOpen = new Set(incidents.filter((i) => i.open).flatMap((i) => i.checks.map((c) => `${i.env}/${c}`)));
  for (const i of [...checks].sort((a, b) => `${a.env}/${a.checkId}`.localeCompare(`${b.env}/${b.checkId}`))) {
    const l = { env: i.env, check: i.checkId };
    up.add(l, i.lastSeverity === null ? 1 : 0);
    sev.add(l, i.lastSeverity === null ? -1 : severityRank(i.lastSeverity));
    dur.add(l, (i.lastDurationMs ?? NaN) / 1000);
    last.add(l, i.lastRunAt ? Date.parse(i.lastRunAt) / 1000 : NaN);
    fails.add(l, i.failures);
    open.add(l, inOpen.has(`${i.env}/${i.checkId}`) ? 1 : 0);
  }
  const runs = new Family('credlink_runs_total', 'counter', 'Scheduled runs per environment by outcome (since the daemon started).');
  const running = new Family('credlink_run_in_progress', 'gauge', '1 while a run of the environment is in progress.');
  const lastRun = new Family('credlink_last_run_timestamp_seconds', 'gauge', 'Unix time the last run of the environment started.');
  const lastDur = new Family('credlink_last_run_duration_seconds', 'gauge', 'Duration of the last run of the environment.');
  for (const e of envs) {
    for (const [outcome, n] of Object.entries(e.runs)) runs.add({ env: e.env, outcome }, n);
    running.add({ env: e.env }, e.running ? 1 : 0);
    lastRun.add({ env: e.env }, e.lastStartedAt ? Date.parse(e.lastStartedAt) / 1000 : NaN);
    lastDur.add({ env: e.env }, (e.lastDurationMs ?? NaN) / 1000);
  }
  const pending = new Family('credlink_alert_outbox_pending', 'gauge', 'Alert deliveries waiting for their receiver (retried every run).');
  const cfgErr = new Family('credlink_alert_config_errors', 'gauge', 'Queued deliveries a receiver refused with a 4xx: fix the webhook URL or routing key.');
  pending.add({}, outbox.length);
  cfgErr.add({}, outbox.filter((o) => o.configError).length);
  const saved = new Family('credlink_state_saved', 'gauge', '1 while every state file reaches the disk; 0 while one cannot be saved (credlink_state_write_failing names it).');
  saved.add({}, state.problems.length ? 0 : 1);
  const failing = new Family('credlink_state_write_failing', 'gauge', '1 while a state file cannot be saved (full or read-only disk): the daemon runs on its in-memory state; see /healthz.');
  for (const p of [...state.problems].sort((a, b) => a.file.localeCompare(b.file))) failing.add({ file: p.file }, 1);
  const writeErrors = new Family('credlink_state_write_errors_total', 'counter', 'Failed saves of state files since the daemon started.');
  writeErrors.add({}, state.errorsTotal);
  return [up, sev, dur, last, fails, open, runs, running, lastRun, lastDur, pending, cfgErr, saved, failing, writeErrors].flatMap((f) => f.lines).join('\n') + '\n';
}

/**
 * Open incidents as the status page shows them (the same EnvironmentStatus, built by
 * src/incidents/open.ts), so the page and /metrics cannot disagree:
 * credlink_incidents_open{env,severity} counts them, credlink_incident_open{env,incident,severity,section}
 * is 1 per open incident.
 */
export function renderIncidentMetrics(envs: readonly EnvironmentStatus[]): string {
  const count = new Family('credlink_incidents_open', 'gauge', 'Open incidents (root causes) of the last observed run of the environment, by severity; the status page shows the same.');
  const each = new Family('credlink_incident_open', 'gauge', '1 per open incident of the last observed run (same as the status page), with its severity and runbook section.');
  for (const e of envs) {
    for (const [severity, n] of Object.entries(countBySeverity(e.openIncidents))) count.add({ env: e.env, severity }, n);
    for (const i of e.openIncidents) each.add({ env: e.env, incident: i.id, severity: i.severity, section: i.section.anchor }, 1);
  }
  return [count, each].flatMap((f) => f.lines).join('\n') + '\n';
}
