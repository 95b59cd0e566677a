/**
 * Only observations make history: drills and cutover's candidate runs are stored apart
 * (reports/_drill/<env>/, reports/_candidate/<env>/) and, wherever a report is found, only a
 * complete observation counts for trends, baselines, the status page and alerts. An
 * interrupted run is recorded as interrupted, never healthy (signals-runs.test.ts stops real runs).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { parseEnv } from '../../config/index.ts';
import { sections } from '../../runbooks/sections.ts';
import { readBaselineRuns } from '../../src/perf/baseline.ts';
import { loadHistory } from '../../src/report/history.ts';
import { statusFromReportsDir } from '../../src/report/status-state.ts';
import { makesHistory, readReportFile } from '../../src/reporter/read.ts';
import type { RunbookReport } from '../../src/reporter/schema.ts';
import { runDirFor } from '../../src/run/paths.ts';
import { parseSchedule } from '../../src/schedule/config.ts';
import { startDaemon } from '../../src/schedule/daemon.ts';
import { cli, tempDir } from '../helpers/harness.ts';
import { assembleReport, type FindingInput } from '../helpers/records.ts';

const dir = tempDir('credlink-kinds-');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const s = sections['service-unavailable'];
const down: FindingInput = {
  checkId: 'health.root',
  title: 'GET /health answers 200',
  status: 'failed',
  severity: 'SEV-0',
  severityRule: 'every health endpoint down',
  section: { title: s.title, anchor: s.anchor },
  expected: '== 200',
  actual: '503',
  message: '[STATUS] (503) == 200 on GET /health (staging)',
  immediateActions: [],
  evidence: [],
  durationMs: 30,
};

let seq = 0;
function report(o: { kind?: RunbookReport['kind']; p95: number; fail?: boolean; verdict?: RunbookReport['verdict'] }): RunbookReport {
  seq += 1;
  return assembleReport({
    env: 'staging',
    kind: o.kind,
    runId: `20260101T0000${String(seq).padStart(2, '0')}Z-k${seq}`,
    baseUrl: 'https://staging.example',
    startedAt: new Date(Date.now() - (10 - seq) * 60_000).toISOString(),
    durationMs: 100,
    counts: { total: 2, passed: o.fail ? 1 : 2, failed: o.fail ? 1 : 0, skipped: 0, flaky: 0 },
    findings: o.fail ? [down] : [],
    passed: [{ checkId: 'perf.latency', title: 'p95', durationMs: 5 }],
    skipped: [],
    flaky: [],
    measurements: [{ checkId: 'perf.latency', name: 'GET /health', samples: 100, p50: o.p95 / 2, p95: o.p95, p99: o.p95, errorRate: 0, unit: 'ms' }],
    uncatalogued: [],
    verdict: o.verdict,
  });
}

function store(reportsDir: string, r: RunbookReport): void {
  // Written into reports/<env>/ whatever their kind: history must not depend on where a report lands.
  const runDir = path.join(reportsDir, r.env, r.runId);
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(path.join(runDir, 'runbook.json'), JSON.stringify(r));
}

test('runDirFor: observations in reports/<env>/, drills and candidates apart', () => {
  assert.equal(runDirFor('/r', 'local', 'x'), '/r/local/x');
  assert.equal(runDirFor('/r', 'local', 'x', 'drill'), '/r/_drill/local/x');
  assert.equal(runDirFor('/r', 'green', 'x', 'candidate'), '/r/_candidate/green/x');
});

test('trend, baseline and status page read only complete observations', () => {
  const reportsDir = path.join(dir, 'history');
  const observation = report({ p95: 10 });
  const drill = report({ kind: 'drill', p95: 900, fail: true });
  const candidate = report({ kind: 'candidate', p95: 800, fail: true });
  // Interrupted after it had found something: still not history.
  const interrupted = report({ p95: 700, fail: true, verdict: { status: 'interrupted', severity: 'SEV-0', reason: 'stopped before every check finished (SIGINT)' } });
  for (const r of [observation, drill, candidate, interrupted]) store(reportsDir, r);
  assert.deepEqual([observation, drill, candidate, interrupted].map(makesHistory), [true, false, false, false]);

  assert.deepEqual(loadHistory(path.join(reportsDir, 'staging')).map((r) => r.runId), [observation.runId]);
  assert.deepEqual(readBaselineRuns(reportsDir, 'staging', 5).map((r) => r.runId), [observation.runId]);
  const status = statusFromReportsDir(reportsDir, { envs: ['staging'] }).environments[0]!;
  assert.equal(status.lastRunId, observation.runId);
  assert.equal(status.state, 'healthy');
  assert.deepEqual(status.openIncidents, []);
});

test('schedule: an interrupted or no-evidence run is no alert input (no trigger, no resolve)', async () => {
  const config = parseSchedule({ stateDir: path.join(dir, 'state'), reportsDir: path.join(dir, 'sched-reports'), environments: [{ env: 'staging', cron: '0 0 1 1 *' }] }, 'kinds.json');
  const envConfig = parseEnv(
    { CREDLINK_BASE_URL: 'https://staging.example', CREDLINK_API_KEYS: 'k-probe-123456', CREDLINK_ALERT_IMMEDIATE: 'SEV-0' },
    { env: 'staging', file: 'environments/staging.env', processEnv: {} },
  );
  const queue: RunbookReport[] = [
    report({ p95: 10, fail: true, verdict: { status: 'interrupted', severity: 'SEV-0', reason: 'stopped' } }),
    assembleReport({ ...report({ p95: 10 }), counts: { total: 0, passed: 0, failed: 0, skipped: 0, flaky: 0 }, passed: [], findings: [], verdict: { status: 'no-evidence', severity: null, reason: 'no check was selected' } }),
    report({ p95: 10, fail: true }),
  ];
  const d = await startDaemon({ config, configs: new Map([['staging', envConfig]]), runner: async () => queue.shift()!, log: () => {}, listen: false });
  try {
    const interrupted = await d.scheduler.tick('staging');
    assert.equal(interrupted.outcome, 'interrupted');
    assert.deepEqual(interrupted.transitions, []);
    const none = await d.scheduler.tick('staging');
    assert.equal(none.outcome, 'no-evidence');
    assert.deepEqual(none.transitions, []);
    // A complete observation with a SEV-0 is alert input at once (CREDLINK_ALERT_IMMEDIATE=SEV-0).
    const real = await d.scheduler.tick('staging');
    assert.equal(real.outcome, 'findings');
    assert.ok(real.transitions.length > 0, 'the observation opens an incident');
  } finally {
    await d.stop();
  }
});

test('drill: stored under reports/_drill/<env>/ as kind "drill", never in reports/<env>/', async () => {
  const reportsDir = path.join(dir, 'drill-reports');
  const r = await cli(['drill', 'service-unavailable', '--grep', '@health\\.root', '--json', '--reports-dir', reportsDir]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal((JSON.parse(r.stdout) as RunbookReport).kind, 'drill');
  assert.ok(!fs.existsSync(path.join(reportsDir, 'local')), 'nothing in reports/local');
  const runs = fs.readdirSync(path.join(reportsDir, '_drill', 'local'));
  assert.equal(runs.length, 1);
  assert.equal(readReportFile(path.join(reportsDir, '_drill', 'local', runs[0]!, 'runbook.json'))?.kind, 'drill');
  // The status page lists environments, never the folders kept apart.
  assert.deepEqual(statusFromReportsDir(reportsDir).environments.map((e) => e.env), []);
});
