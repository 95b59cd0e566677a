/**
 * /metrics of the schedule daemon, rendered from its state (src/schedule/metrics.ts) and counted
 * over its runs (src/schedule/run-metrics.ts): every sample says where it was seen, counters add
 * up across runs, the alert rules' input follows the flap-controlled alert state, and no label
 * holds a dead link. promtool's linter runs on the real output in tests/integration/scale-out.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IncidentState } from '../../src/alerting/store.ts';
import type { RunbookReport } from '../../src/reporter/schema.ts';
import { renderMetrics, renderObservedMetrics, type MetricsInput } from '../../src/schedule/metrics.ts';
import { addHistograms, RunMetrics } from '../../src/schedule/run-metrics.ts';
import type { ScheduleEnv } from '../../src/schedule/config.ts';
import { histogramOf } from '../../src/stats/histogram.ts';

const env = { env: 'staging' } as ScheduleEnv;
const SECTION = { title: 'Incident: Service Unavailable (503/502 Errors)', anchor: 'incident-service-unavailable-503502-errors' };

function report(kind: RunbookReport['kind'], status: RunbookReport['verdict']['status'], latencies: number[], answers: Record<string, number>): RunbookReport {
  return {
    schemaVersion: 2,
    env: 'staging',
    kind,
    runId: 'r1',
    baseUrl: 'https://staging.example',
    location: 'eu',
    startedAt: '2026-03-01T10:00:00.000Z',
    durationMs: 1000,
    verdict: { status, severity: status === 'findings' ? 'SEV-0' : null },
    counts: { total: 2, passed: 0, failed: 2, skipped: 0, flaky: 0 },
    incidents: [
      { id: 'staging/outage', key: 'outage', rule: 'outage', title: 'Service unavailable', severity: 'SEV-0', severityRule: 'r', section: SECTION, immediateActions: [], root: { checkId: 'health.root', message: 'm' }, consequences: ['perf.error-rate'] },
    ],
    findings: (['health.root', 'perf.error-rate'] as const).map((checkId, i) => ({
      checkId,
      incidentId: 'staging/outage',
      role: i === 0 ? ('root' as const) : ('consequence' as const),
      title: checkId,
      status: 'failed' as const,
      severity: i === 0 ? ('SEV-0' as const) : ('SEV-1' as const),
      severityRule: 'r',
      section: SECTION,
      expected: 'e',
      actual: 'a',
      message: 'm',
      immediateActions: [],
      evidence: [],
      responses: [],
      durationMs: 10,
    })),
    passed: [],
    skipped: [],
    flaky: [],
    measurements: [{ checkId: 'perf.latency', name: 'GET /health', samples: latencies.length, p50: 3, p95: 9, p99: 12, errorRate: 0.5, answers, histogram: histogramOf(latencies), unit: 'ms' }],
    uncatalogued: [],
  };
}

test('RunMetrics: CPU per run (also a run that fails), probe answers and latencies added up over observed runs only', async () => {
  let cpu = 10;
  const m = new RunMetrics(() => cpu);
  const runner = m.instrument(async () => {
    cpu += 2.5;
    return report('observation', 'findings', [3, 7, 40], { success: 1, 'server-error': 2 });
  });
  await runner(env, new AbortController().signal);
  await runner(env, new AbortController().signal);
  const failing = m.instrument(async () => {
    cpu += 1;
    throw new Error('crashed');
  });
  await assert.rejects(failing(env, new AbortController().signal));
  m.observe('staging', report('drill', 'findings', [1], { success: 100 }));
  m.observe('staging', report('observation', 'interrupted', [1], { success: 100 }));
  const s = m.get('staging')!;
  assert.equal(s.lastCpuSeconds, 1);
  assert.equal(s.cpuSecondsTotal, 6);
  assert.equal(s.probe.get('GET /health')!.get('server-error'), 4, 'two observed runs; drills and interrupted runs are no observation');
  assert.equal(s.probe.get('GET /health')!.get('success'), 2);
  const h = s.latency.get('GET /health')!;
  assert.equal(h.count, 6);
  assert.equal(h.sumMs, 100);
  assert.deepEqual(h.counts.slice(0, 4), [2, 4, 4, 6], 'cumulative per bound: <= 5, 10, 25, 50 ms');
  assert.deepEqual(addHistograms(h, histogramOf([1], [1, 2])), { le: [1, 2], counts: [1, 1], count: 1, sumMs: 1 }, 'other bounds: the sum starts again');
});

const input = (runs: RunMetrics): MetricsInput => ({
  location: 'eu',
  version: '0.1.0',
  checks: [{ env: 'staging', checkId: 'health.root', failures: 2, lastRunAt: '2026-03-01T10:00:00.000Z', lastSeverity: 'SEV-0', lastDurationMs: 30 }],
  incidents: [],
  envs: [{ env: 'staging', schedule: 'every 60 s', running: false, runs: { healthy: 1, findings: 2, 'no-evidence': 0, interrupted: 0, error: 0, timeout: 0, 'skipped-overlap': 0, 'skipped-stopping': 0 }, lastStartedAt: '2026-03-01T10:00:00.000Z', lastDurationMs: 1500, lastOutcome: 'findings', lastError: null, nextRunAt: null }],
  outbox: [],
  state: { problems: [], errorsTotal: 0 },
  runs: (e) => runs.get(e),
  process: { cpuSeconds: 1.25, residentBytes: 1e8, startTimeSeconds: 1_772_000_000 },
});

test('renderMetrics: every sample carries the location; counters end in _total; the probe histogram is cumulative with +Inf, _sum and _count', async () => {
  const runs = new RunMetrics(() => 0);
  runs.observe('staging', report('observation', 'findings', [3, 7, 40], { success: 1, 'server-error': 2 }));
  const text = renderMetrics(input(runs));
  const samples = text.split('\n').filter((l) => l && !l.startsWith('#'));
  assert.ok(samples.every((l) => /[{,]location="eu"[,}]/.test(l)), samples.find((l) => !l.includes('location="eu"')));
  for (const m of text.matchAll(/^# TYPE (\S+) counter$/gm)) assert.match(m[1]!, /_total$/);
  assert.match(text, /^credlink_daemon_info\{location="eu",version="0\.1\.0"\} 1$/m);
  assert.match(text, /^credlink_check_up\{env="staging",location="eu",check="health\.root"\} 0$/m);
  assert.match(text, /^credlink_probe_requests_total\{env="staging",location="eu",endpoint="GET \/health",class="server-error"\} 2$/m);
  assert.match(text, /^credlink_probe_requests_total\{env="staging",location="eu",endpoint="GET \/health",class="no-answer"\} 0$/m, 'every class, zeros included');
  assert.match(text, /^credlink_probe_duration_seconds_bucket\{env="staging",location="eu",endpoint="GET \/health",le="0\.005"\} 1$/m);
  assert.match(text, /^credlink_probe_duration_seconds_bucket\{env="staging",location="eu",endpoint="GET \/health",le="10"\} 3$/m);
  assert.match(text, /^credlink_probe_duration_seconds_bucket\{env="staging",location="eu",endpoint="GET \/health",le="\+Inf"\} 3$/m);
  assert.match(text, /^credlink_probe_duration_seconds_sum\{env="staging",location="eu",endpoint="GET \/health"\} 0\.05$/m);
  assert.match(text, /^credlink_probe_duration_seconds_count\{env="staging",location="eu",endpoint="GET \/health"\} 3$/m);
  assert.match(text, /^credlink_last_run_cpu_seconds\{env="staging",location="eu"\} NaN$/m, 'no run measured yet: not known, not 0');
});

const alertState = (over: Partial<IncidentState>): IncidentState => ({
  id: 'staging/outage',
  env: 'staging',
  key: 'outage',
  dedupKey: 'credlink-checks/staging/outage',
  failures: 1,
  successes: 0,
  open: true,
  severity: 'SEV-0',
  openedAt: '2026-03-01T10:00:00.000Z',
  channels: [],
  title: 'Service unavailable',
  section: SECTION,
  rootCheckId: 'health.root',
  checks: ['health.root', 'perf.error-rate'],
  lastSeenAt: '2026-03-01T10:00:00.000Z',
  lastSeverity: 'SEV-0',
  reportRunId: 'r1',
  ...over,
});

test('renderObservedMetrics: the alert rules\' input is the triggered alert state; failing checks carry their incident; no URL, no runbook_url', () => {
  const latest = report('observation', 'findings', [3], { success: 1 });
  const open = [{ id: 'staging/outage', title: 'Service unavailable', severity: 'SEV-0' as const, section: SECTION, openedAt: '', lastSeenAt: '', rootCheckId: 'health.root', message: 'm', consequences: [], immediateActions: [{ step: 'Check pod status', command: 'kubectl get pods', writes: false }, { step: 'Restart', command: 'kubectl rollout restart', writes: true }], runId: 'r1' }];
  const text = renderObservedMetrics([{ env: 'staging', openIncidents: open, latest }], {
    location: 'us',
    alerting: [alertState({}), alertState({ id: 'staging/symptom:slow-responses', key: 'symptom:slow-responses', open: false, severity: null }), alertState({ id: 'staging/cpu', key: 'cpu', severity: 'SEV-1', title: 'CPU', rootCheckId: 'k8s.cpu-usage' })],
  });
  assert.match(text, new RegExp(`^credlink_incident_alerting\\{env="staging",location="us",incident="staging/outage",incident_key="outage",severity="SEV-0",section="${SECTION.anchor}"\\} 1$`, 'm'));
  assert.doesNotMatch(text, /^credlink_incident_alerting\{[^}]*slow-responses/m, 'seen but not triggered (or resolved): no alert input');
  assert.match(text, /^credlink_incident_info\{env="staging",location="us",incident="staging\/outage",title="Service unavailable",root_check="health\.root",first_steps="1\. Check pod status: kubectl get pods\\n2\. Restart \[changes the system\]: kubectl rollout restart"\} 1$/m);
  // Still alerting, no longer in the last run (or opened by the window before any run): described by its alert state, with its section's first steps.
  assert.match(
    text,
    /^credlink_incident_info\{env="staging",location="us",incident="staging\/cpu",title="CPU",root_check="k8s\.cpu-usage",first_steps="1\. Check pod status: kubectl get pods -n <namespace of staging>(?:[^"\\]|\\.)*"\} 1$/m,
    'still alerting, no longer in the last run: described by its alert state',
  );
  assert.match(text, new RegExp(`^credlink_check_failing\\{env="staging",location="us",check="perf\\.error-rate",incident="staging/outage",incident_key="outage",role="consequence",severity="SEV-0",section="${SECTION.anchor}"\\} 1$`, 'm'), "the incident's severity, not the check's own");
  assert.match(text, /^credlink_probe_latency_seconds\{env="staging",location="us",endpoint="GET \/health",percentile="95"\} 0\.009$/m);
  assert.match(text, /^credlink_probe_error_ratio\{env="staging",location="us",endpoint="GET \/health"\} 0\.5$/m);
  assert.doesNotMatch(text, /runbook_url="/);
});
