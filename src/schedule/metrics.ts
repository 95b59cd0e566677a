/**
 * The daemon's /metrics, Prometheus text format 0.0.4, following Prometheus' naming rules (base
 * units: seconds, ratios 0..1; counters end in _total; descriptive text in an _info series).
 * Every sample carries `location` (where this daemon runs), so Prometheus can aggregate several
 * daemons that check the same environments (deploy/prometheus/credlink-rules.yml). Pure: state in,
 * text out. docs/scale-out.md lists every series.
 *
 * Three sources, each the one the rest of the daemon uses:
 * - renderMetrics: the daemon itself, the scheduler per environment, the alert state per check
 *   (persisted, so it survives a restart), and RunMetrics (CPU per run, probe answers counted);
 * - renderObservedMetrics: the latest observed run of each environment that is evidence, the
 *   state the status page shows (src/incidents/open.ts): open incidents, the failing checks with
 *   the incident they belong to, the latency probe per endpoint; and the incidents whose alert is
 *   triggered after flap control (the alert state), the input of the Prometheus alert rules, so
 *   that Alertmanager pages on the same decision as the daemon's own Slack/PagerDuty delivery.
 */
import type { WindowSnapshot } from './sampling.ts';
import type { CheckFreshness } from './cadence-runs.ts';
import { severityRank } from '../../runbooks/severity.ts';
import { renderCommand, unknownNames, type CommandNames } from '../../runbooks/commands.ts';
import { sections } from '../../runbooks/sections.ts';
import type { CheckState, IncidentState, OutboxItem } from '../alerting/store.ts';
import { RESPONSE_CLASSES } from '../http/response-class.ts';
import { countBySeverity } from '../incidents/open.ts';
import { BASELINE_CHECK } from '../perf/baseline.ts';
import type { StatusIncident } from '../report/status-model.ts';
import type { RunbookReport } from '../reporter/schema.ts';
import { runbookLink } from '../runbook-md/link.ts';
import type { WriteProblem } from '../state/health.ts';
import { families, joinFamilies } from './exposition.ts';
import type { EnvRunMetrics } from './run-metrics.ts';
import type { EnvStatus } from './scheduler.ts';

export interface MetricsInput {
  location: string;
  version: string;
  checks: readonly CheckState[];
  incidents: readonly IncidentState[];
  envs: readonly EnvStatus[];
  outbox: readonly OutboxItem[];
  state: { problems: readonly WriteProblem[]; errorsTotal: number };
  /** CPU and probe counters per environment (src/schedule/run-metrics.ts). */
  runs: (env: string) => EnvRunMetrics | undefined;
  process: { cpuSeconds: number; residentBytes: number; startTimeSeconds: number };
}

const seconds = (ms: number | null | undefined) => (ms ?? NaN) / 1000;
const timestamp = (iso: string | null | undefined) => (iso ? Date.parse(iso) / 1000 : NaN);

export function renderMetrics(i: MetricsInput): string {
  const f = families({ location: i.location });
  const info = f.gauge('credlink_daemon_info', 'The schedule daemon: its location (schedule.json location or CREDLINK_LOCATION) and version; always 1.');
  info.add({ version: i.version }, 1);
  const cpu = f.counter('process_cpu_seconds_total', "The daemon process' own user and system CPU time in seconds (its runs' child processes: credlink_run_cpu_seconds_total).");
  cpu.add({}, i.process.cpuSeconds);
  const rss = f.gauge('process_resident_memory_bytes', 'Resident memory of the daemon process in bytes.');
  rss.add({}, i.process.residentBytes);
  const start = f.gauge('process_start_time_seconds', 'Start time of the daemon process, seconds since the Unix epoch.');
  start.add({}, i.process.startTimeSeconds);

  const up = f.gauge('credlink_check_up', '1 when the check passed on its last run, 0 when it failed.');
  const sev = f.gauge('credlink_check_severity', 'Severity of the last failure: 0 = SEV-0 (critical) .. 3 = SEV-3; -1 when passing.');
  const dur = f.gauge('credlink_check_duration_seconds', 'Duration of the check on its last run.');
  const last = f.gauge('credlink_check_last_run_timestamp_seconds', 'Unix time of the last run that observed the check.');
  const fails = f.gauge('credlink_check_consecutive_failures', 'Consecutive failing runs of the check.');
  const open = f.gauge(
    'credlink_check_incident_open',
    "1 while the check is the root or a consequence of an incident whose page (the daemon's own Slack/PagerDuty delivery) is triggered and not resolved, after flap control; what the last run found: credlink_incident_open.",
  );
  const inOpen = new Set(i.incidents.filter((x) => x.open).flatMap((x) => x.checks.map((c) => `${x.env}/${c}`)));
  for (const c of [...i.checks].sort((a, b) => `${a.env}/${a.checkId}`.localeCompare(`${b.env}/${b.checkId}`))) {
    const l = { env: c.env, check: c.checkId };
    up.add(l, c.lastSeverity === null ? 1 : 0);
    sev.add(l, c.lastSeverity === null ? -1 : severityRank(c.lastSeverity));
    dur.add(l, seconds(c.lastDurationMs));
    last.add(l, timestamp(c.lastRunAt));
    fails.add(l, c.failures);
    open.add(l, inOpen.has(`${c.env}/${c.checkId}`) ? 1 : 0);
  }

  const runs = f.counter('credlink_runs_total', 'Scheduled runs per environment by outcome, since the daemon started.');
  const running = f.gauge('credlink_run_in_progress', '1 while a run of the environment is in progress.');
  const lastRun = f.gauge('credlink_last_run_timestamp_seconds', 'Unix time the last run of the environment started.');
  const lastDur = f.gauge('credlink_last_run_duration_seconds', 'Duration of the last run of the environment.');
  const lastCpu = f.gauge('credlink_last_run_cpu_seconds', "CPU seconds of the environment's last run: the daemon's own plus the run's child processes (Playwright runner and workers).");
  const cpuTotal = f.counter('credlink_run_cpu_seconds_total', "CPU seconds of the environment's runs since the daemon started (the daemon's own plus the runs' child processes).");
  const probe = f.counter(
    'credlink_probe_requests_total',
    'Latency-probe requests per endpoint by the class of their answer (success, redirect, contract, auth, route-missing, rate-limited, server-error, no-answer), summed over the observed runs since the daemon started.',
  );
  const hist = f.histogram(
    'credlink_probe_duration_seconds',
    'Latency of the probe\'s answered requests per endpoint, from the scheduled start (open model), added up over the observed runs since the daemon started: histogram_quantile() over several locations\' buckets.',
  );
  for (const e of i.envs) {
    const l = { env: e.env };
    for (const [outcome, n] of Object.entries(e.runs)) runs.add({ ...l, outcome }, n);
    running.add(l, e.running ? 1 : 0);
    lastRun.add(l, timestamp(e.lastStartedAt));
    lastDur.add(l, seconds(e.lastDurationMs));
    const r = i.runs(e.env);
    lastCpu.add(l, r?.lastCpuSeconds ?? NaN);
    cpuTotal.add(l, r?.cpuSecondsTotal ?? 0);
    for (const [endpoint, byClass] of [...(r?.probe ?? new Map())].sort((a, b) => a[0].localeCompare(b[0]))) {
      for (const c of RESPONSE_CLASSES) probe.add({ ...l, endpoint, class: c }, byClass.get(c) ?? 0);
    }
    for (const [endpoint, h] of [...(r?.latency ?? new Map())].sort((a, b) => a[0].localeCompare(b[0]))) {
      hist.addHistogram({ ...l, endpoint }, { le: h.le.map((ms: number) => ms / 1000), counts: h.counts, count: h.count, sum: h.sumMs / 1000 });
    }
  }

  const pending = f.gauge('credlink_alert_outbox_pending', 'Alert deliveries waiting for their receiver (retried every run).');
  const cfgErr = f.gauge('credlink_alert_config_errors', 'Queued deliveries a receiver refused with a 4xx: fix the webhook URL or routing key.');
  pending.add({}, i.outbox.length);
  cfgErr.add({}, i.outbox.filter((o) => o.configError).length);
  const saved = f.gauge('credlink_state_saved', '1 while every state file reaches the disk; 0 while one cannot be saved (credlink_state_write_failing names it).');
  saved.add({}, i.state.problems.length ? 0 : 1);
  const failing = f.gauge('credlink_state_write_failing', '1 while a state file cannot be saved (full or read-only disk): the daemon runs on its in-memory state; see /healthz.');
  for (const p of [...i.state.problems].sort((a, b) => a.file.localeCompare(b.file))) failing.add({ file: p.file }, 1);
  const writeErrors = f.counter('credlink_state_write_errors_total', 'Failed saves of state files since the daemon started.');
  writeErrors.add({}, i.state.errorsTotal);
  return joinFamilies([info, cpu, rss, start, up, sev, dur, last, fails, open, runs, running, lastRun, lastDur, lastCpu, cpuTotal, probe, hist, pending, cfgErr, saved, failing, writeErrors]);
}

/** One environment as its latest observed run shows it (the status page's state). */
export interface ObservedEnv {
  env: string;
  /** Open incidents (src/incidents/open.ts via the status page state). */
  openIncidents: readonly StatusIncident[];
  /** The latest observed run that is evidence (healthy or findings), when there is one. */
  latest?: RunbookReport;
}

/** "1. Check pod status: kubectl get pods ..." one per line: the incident's first steps for an alert's annotation. */
export function firstSteps(actions: StatusIncident['immediateActions']): string {
  return actions.map((a, n) => `${n + 1}. ${a.step}${a.writes ? ' [changes the system]' : ''}: ${a.command}`).join('\n');
}

/**
 * Series of the latest observed runs, the same state as the status page (so the page and
 * /metrics cannot disagree): open incidents, the failing checks with the incident they belong
 * to, and the latency probe per endpoint. `runbookUrl`: CREDLINK_RUNBOOK_URL; unset = no
 * `runbook_url` label (a name without a link, never a dead one).
 */
export function renderObservedMetrics(envs: readonly ObservedEnv[], ctx: { location: string; runbookUrl?: string; alerting?: readonly IncidentState[]; names?: (env: string) => CommandNames }): string {
  const f = families({ location: ctx.location });
  const link = (section: { anchor: string }) => runbookLink(section, { url: ctx.runbookUrl }, 'url');
  const alerting = f.gauge(
    'credlink_incident_alerting',
    "1 per incident whose alert is triggered and not resolved, after the daemon's flap control (CREDLINK_ALERT_TRIGGER_AFTER, _RESOLVE_AFTER, _IMMEDIATE): the input of the Prometheus alert rules; severity is the one it was triggered or escalated with.",
  );
  const alertingIds = new Set<string>();
  for (const x of [...(ctx.alerting ?? [])].filter((a) => a.open).sort((a, b) => a.id.localeCompare(b.id))) {
    alertingIds.add(x.id);
    alerting.add({ env: x.env, incident: x.id, incident_key: x.key, severity: x.severity ?? x.lastSeverity ?? undefined, section: x.section.anchor, runbook_url: link(x.section) }, 1);
  }
  const count = f.gauge('credlink_incidents_open', 'Open incidents (root causes) of the last observed run of the environment, by severity; the status page shows the same.');
  const each = f.gauge(
    'credlink_incident_open',
    '1 per open incident of the last observed run (same as the status page): its id (env/key), key, severity, runbook section anchor and, with CREDLINK_RUNBOOK_URL, the runbook_url of the section.',
  );
  const info = f.gauge('credlink_incident_info', 'What an open incident says: its title, root check and first steps (one per line); always 1.');
  const failing = f.gauge(
    'credlink_check_failing',
    '1 per failing check of the last observed run, with the incident it belongs to (as root or consequence), that incident\'s severity and key, and the check\'s runbook section.',
  );
  const latency = f.gauge(
    'credlink_probe_latency_seconds',
    'Latency percentile (50, 95, 99: exact, nearest rank) of the probed endpoint in the last observed run, from the scheduled start (open model); across runs and locations: credlink_probe_duration_seconds.',
  );
  const samples = f.gauge('credlink_probe_latency_samples', 'Latency samples of the probed endpoint in the last observed run (p95 needs 59 or more).');
  const errors = f.gauge('credlink_probe_error_ratio', 'Share of 5xx or unanswered probe requests of the endpoint in the last observed run, 0..1.');
  const described = new Set<string>();
  for (const e of envs) {
    for (const [severity, n] of Object.entries(countBySeverity(e.openIncidents))) count.add({ env: e.env, severity }, n);
    for (const x of e.openIncidents) {
      const key = keyOf(e.env, x.id);
      each.add({ env: e.env, incident: x.id, incident_key: key, severity: x.severity, section: x.section.anchor, runbook_url: link(x.section) }, 1);
      info.add({ env: e.env, incident: x.id, title: x.title, root_check: x.rootCheckId, first_steps: firstSteps(x.immediateActions) }, 1);
      described.add(x.id);
    }
    const r = e.latest;
    if (!r) continue;
    const incidents = new Map(r.incidents.map((x) => [x.id, x]));
    for (const x of [...r.findings].sort((a, b) => a.checkId.localeCompare(b.checkId))) {
      const inc = incidents.get(x.incidentId);
      failing.add({ env: e.env, check: x.checkId, incident: x.incidentId, incident_key: inc?.key ?? keyOf(e.env, x.incidentId), role: x.role, severity: inc?.severity ?? x.severity, section: x.section.anchor }, 1);
    }
    for (const m of r.measurements.filter((x) => x.checkId === BASELINE_CHECK)) {
      const l = { env: e.env, endpoint: m.name };
      for (const [percentile, v] of [['50', m.p50], ['95', m.p95], ['99', m.p99]] as const) if (v !== null) latency.add({ ...l, percentile }, v / 1000);
      samples.add(l, m.samples);
      if (m.errorRate !== null) errors.add(l, m.errorRate);
    }
  }
  // An alert still firing while its resolve waits for more clean runs is described by its alert state.
  // (An incident the window opened, before any run reported it: its section's first steps, for its environment.)
  for (const x of (ctx.alerting ?? []).filter((a) => a.open && !described.has(a.id))) {
    const section = Object.values(sections).find((sec) => sec.anchor === x.section.anchor);
    const names = ctx.names?.(x.env) ?? unknownNames(x.env);
    const steps = section ? firstSteps(section.immediateActions.map((a) => ({ step: a.step, command: renderCommand(a.command, names), writes: 'writes' in a && a.writes === true }))) : undefined;
    info.add({ env: x.env, incident: x.id, title: x.title, root_check: x.rootCheckId, first_steps: steps }, 1);
  }
  return joinFamilies([alerting, count, each, info, failing, latency, samples, errors]);
}

/** The incident key of an id `<env>/<key>`. */
function keyOf(env: string, id: string): string {
  return id.startsWith(`${env}/`) ? id.slice(env.length + 1) : id;
}

/** The continuous samplers' windows (src/schedule/sampling.ts): size, age and what they judge, per endpoint. */
export function renderWindowMetrics(snaps: readonly WindowSnapshot[], freshness: readonly { env: string; checks: readonly CheckFreshness[] }[], location: string): string {
  const f = families({ location });
  const stale = f.gauge('credlink_check_stale', '1 when the check\'s last result is older than its validity (2 x its cadence + 60 s, runbooks/cadence.ts): stale, never passed.');
  const every = f.gauge('credlink_check_cadence_seconds', 'Seconds between runs of the check under the daemon (0: judged by the window at every sampler round).');
  for (const e of freshness) {
    for (const c of e.checks) {
      stale.add({ env: e.env, check: c.checkId }, c.stale ? 1 : 0);
      every.add({ env: e.env, check: c.checkId }, c.window ? 0 : c.everySeconds);
    }
  }
  const size = f.gauge('credlink_window_samples', 'Samples in the rolling window of the endpoint (the sampler\'s; outage samples included).');
  const span = f.gauge('credlink_window_span_seconds', 'Age of the oldest sample of the window, s: how much of the window is filled.');
  const age = f.gauge('credlink_window_age_seconds', 'Age of the newest sample of the window, s: a growing value means the sampler stopped.');
  const length = f.gauge('credlink_window_length_seconds', 'The configured window length, s (schedule.json window.seconds).');
  const ratio = f.gauge('credlink_window_error_ratio', 'Share of 5xx or unanswered samples of the endpoint over the window (outage samples and 429s left out), 0..1.');
  const down = f.gauge('credlink_window_endpoint_down', '1 when the newest sample of the endpoint failed and was confirmed (asked again, failed again).');
  const requests = f.counter('credlink_sampler_requests_total', 'Requests the sampler sent (re-asks included).');
  for (const s of snaps) {
    length.add({ env: s.env }, s.windowSeconds);
    requests.add({ env: s.env }, s.counts.requests);
    for (const e of s.endpoints) {
      const l = { env: s.env, endpoint: e.name };
      size.add(l, e.samples);
      span.add(l, e.spanSeconds ?? NaN);
      age.add(l, e.ageSeconds ?? NaN);
      ratio.add(l, e.errorRate ?? NaN);
      down.add(l, e.down ? 1 : 0);
    }
  }
  return joinFamilies([length, size, span, age, ratio, down, requests, every, stale].filter((x) => x.lines.length > 2));
}
