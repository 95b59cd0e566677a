/**
 * The schedule daemon. Its core (tick: run -> alert transitions -> deliveries -> history) is
 * driven with a fake runner and clock, no timers; one short test starts the real daemon
 * through the CLI (/healthz, /metrics, SIGTERM).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sections } from '../../runbooks/sections.ts';
import { ConfigError } from '../../src/errors.ts';
import type { Finding, RunbookReport } from '../../src/reporter/schema.ts';
import { parseSchedule, type ScheduleConfig } from '../../src/schedule/config.ts';
import { startDaemon, type Daemon } from '../../src/schedule/daemon.ts';
import type { Runner } from '../../src/schedule/scheduler.ts';
import { BIN, tempDir } from '../helpers/harness.ts';
import { assembleReport, pagerDutyEnv, type FindingInput } from '../helpers/records.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';

let pd: Receiver;
before(async () => {
  pd = await startReceiver('pagerduty');
});
after(async () => {
  await pd.close();
});

const envConfig = (env: string) => pagerDutyEnv(env, pd.url, { CREDLINK_ALERT_ROUTES: 'SEV-0=pagerduty,SEV-1=pagerduty,SEV-2=pagerduty' });

function schedule(stateDir: string, over: Partial<ScheduleConfig> = {}): ScheduleConfig {
  const parsed = parseSchedule(
    {
      stateDir,
      reportsDir: path.join(stateDir, 'reports'),
      historySize: 2,
      environments: [
        // Never due while the test runs: the test drives tick() itself.
        { env: 'staging', cron: '0 0 1 1 *' },
        { env: 'production', cron: '0 0 1 1 *' },
      ],
    },
    'schedule.test.json',
  );
  // Overrides beyond the file's limits (a 50 ms run timeout) are for tests only.
  return { ...parsed, ...over };
}

const s = sections['service-unavailable'];
function report(env: string, fail: boolean): RunbookReport {
  const finding: FindingInput = {
    checkId: 'health.root',
    title: 'GET /health answers 200',
    status: 'failed',
    severity: 'SEV-1',
    severityRule: 'catalog default (SEV-1)',
    section: { title: s.title, anchor: s.anchor },
    expected: '== 200',
    actual: '503',
    message: `[STATUS] (503) == 200 on GET /health (${env})`,
    immediateActions: [],
    evidence: [],
    durationMs: 30,
  };
  return assembleReport({
    env,
    runId: `r-${Math.random().toString(36).slice(2, 8)}`,
    baseUrl: `https://${env}.credlink.example`,
    startedAt: new Date().toISOString(),
    durationMs: 100,
    counts: { total: 1, passed: fail ? 0 : 1, failed: fail ? 1 : 0, skipped: 0, flaky: 0 },
    findings: fail ? [finding] : [],
    passed: fail ? [] : [{ checkId: 'health.root', title: 'GET /health answers 200', durationMs: 20 }],
    skipped: [],
    flaky: [],
    measurements: [{ checkId: 'health.latency', name: 'GET /health', samples: 100, p50: 3, p95: 9, p99: 12, errorRate: 0, unit: 'ms' }],
    uncatalogued: [],
  });
}

async function daemonWith(runner: Runner, over: Partial<ScheduleConfig> = {}): Promise<{ d: Daemon; stateDir: string; logs: string[] }> {
  const stateDir = tempDir('credlink-schedule-');
  const config = schedule(stateDir, over);
  const configs = new Map(config.environments.map((e) => [e.env, envConfig(e.env)]));
  const logs: string[] = [];
  const d = await startDaemon({ config, configs, runner, log: (l) => logs.push(l), listen: false });
  return { d, stateDir, logs };
}

test('tick: N failing runs -> one trigger; metrics and bounded history follow', async () => {
  pd.requests.length = 0;
  const { d, stateDir } = await daemonWith(async (env) => report(env.env, env.env === 'staging'));
  try {
    for (let i = 0; i < 4; i++) {
      await d.scheduler.tick('staging');
      await d.scheduler.tick('production');
    }
    assert.equal(pd.requests.length, 1);
    // Paged per incident: the dedup key is derived from the incident id of runbook.json.
    assert.equal((pd.requests[0]!.body as { dedup_key: string }).dedup_key, `credlink-checks/${report('staging', true).incidents[0]!.id}`);
    const metrics = await fetchRoute(d, '/metrics');
    assert.match(metrics, /^credlink_check_up\{env="staging",check="health\.root"\} 0$/m);
    assert.match(metrics, /^credlink_check_up\{env="production",check="health\.root"\} 1$/m);
    assert.match(metrics, /^credlink_check_severity\{env="staging",check="health\.root"\} 1$/m);
    assert.match(metrics, /^credlink_check_consecutive_failures\{env="staging",check="health\.root"\} 4$/m);
    assert.match(metrics, /^credlink_check_incident_open\{env="staging",check="health\.root"\} 1$/m);
    assert.match(metrics, /^credlink_check_duration_seconds\{env="staging",check="health\.root"\} 0\.03$/m);
    assert.match(metrics, /^credlink_runs_total\{env="staging",outcome="findings"\} 4$/m);
    assert.match(metrics, /^credlink_alert_outbox_pending\{\} 0$/m);
    // The exposition format, checked by Prometheus' own linter when it is installed (Debian "prometheus").
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
    if (!promtool.error) assert.equal(promtool.status, 0, `${promtool.stdout}${promtool.stderr}`);
    const hist = JSON.parse(fs.readFileSync(path.join(stateDir, 'history', 'staging.json'), 'utf8'));
    assert.equal(hist.length, 2, 'history is bounded by historySize');
    assert.equal(hist[1].outcome, 'findings');
    assert.equal(hist[1].measurements[0].p95, 9);
  } finally {
    await d.stop();
  }
});

test('tick: a crash in one environment is recorded there; the other keeps running', async () => {
  const { d } = await daemonWith(async (env) => {
    if (env.env === 'staging') throw new Error('embedded PostgreSQL did not start');
    return report(env.env, false);
  });
  try {
    const [a, b] = await Promise.all([d.scheduler.tick('staging'), d.scheduler.tick('production')]);
    assert.equal(a.outcome, 'error');
    assert.match(a.error!, /embedded PostgreSQL did not start/);
    assert.equal(b.outcome, 'healthy');
    const st = Object.fromEntries(d.scheduler.statuses().map((x) => [x.env, x]));
    assert.equal(st.staging!.lastOutcome, 'error');
    assert.equal(st.production!.runs.healthy, 1);
    assert.equal(d.history.list('staging')[0]!.outcome, 'error');
  } finally {
    await d.stop();
  }
});

test('tick: never two runs of one environment; a hung run is abandoned and holds its environment until it ends', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let aborted = false;
  const { d } = await daemonWith(
    async (env, signal) => {
      if (env.env === 'production') return report(env.env, false);
      // A hang that honours abort only after `gate` opens, like a child process slow to die.
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => { aborted = true; resolve(); }, { once: true }));
      await gate;
      throw new Error('aborted');
    },
    { runTimeoutSeconds: 0.05 },
  );
  try {
    const first = d.scheduler.tick('staging');
    const overlapping = await d.scheduler.tick('staging');
    assert.equal(overlapping.outcome, 'skipped-overlap');
    assert.equal((await first).outcome, 'timeout');
    assert.equal(aborted, true, 'the hung run was told to stop');
    assert.equal((await d.scheduler.tick('staging')).outcome, 'skipped-overlap', 'still held until the runner ends');
    assert.equal((await d.scheduler.tick('production')).outcome, 'healthy', 'the other environment is unaffected');
    release();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(d.scheduler.statuses().find((x) => x.env === 'staging')!.running, false);
  } finally {
    release();
    await d.stop();
  }
});

test('stop(): a run in progress gets the grace period, then is abandoned; no new runs start', async () => {
  let aborted: unknown = null;
  const { d, logs } = await daemonWith(
    (_env, signal) =>
      new Promise<RunbookReport>((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          aborted = signal.reason;
          reject(new Error(`abandoned: ${String(signal.reason)}`));
        }, { once: true });
      }),
    { shutdownGraceSeconds: 0 },
  );
  const running = d.scheduler.tick('staging');
  await d.stop();
  assert.equal(aborted, 'daemon shutting down');
  assert.equal((await running).outcome, 'timeout');
  assert.equal((await d.scheduler.tick('production')).outcome, 'skipped-stopping');
  assert.match(logs.join('\n'), /abandoning 1 run\(s\): staging/);
});

test('schedule.json: every problem at once', () => {
  assert.throws(
    () =>
      parseSchedule(
        {
          environments: [
            { env: 'staging', cron: '*/5 * * * *', intervalSeconds: 60 },
            { env: 'prod', cron: 'every five minutes' },
            { env: 'prod', intervalSeconds: 300 },
            { env: 'Bad Name', intervalSeconds: 300 },
          ],
        },
        'schedule.json',
      ),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      const text = e.lines.join('\n');
      assert.match(text, /environments\.0: give exactly one of "cron" or "intervalSeconds"/);
      assert.match(text, /environments\.3\.env: must be an environment name/);
      return true;
    },
  );
  assert.throws(
    () => parseSchedule({ environments: [{ env: 'prod', cron: 'every five minutes' }, { env: 'prod', intervalSeconds: 300 }] }, 'schedule.json'),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.lines.length, 2, e.lines.join('\n'));
      assert.match(e.lines.join('\n'), /"prod" is listed twice/);
      assert.match(e.lines.join('\n'), /environments\.0\.cron: "every five minutes" has 3 field\(s\): use 5/);
      return true;
    },
  );
});

async function fetchRoute(d: Daemon, route: string): Promise<string> {
  const url = await d.server.listen('127.0.0.1', 0);
  try {
    return await (await fetch(`${url}${route}`)).text();
  } finally {
    await d.server.close();
  }
}

test('the real daemon: /healthz, /metrics, /status, SIGTERM ends it with exit 0', async () => {
  const dir = tempDir('credlink-daemon-');
  const file = path.join(dir, 'schedule.json');
  // Its own reports and state: never the checkout's (a user's `npm start` leaves runs in reports/).
  fs.writeFileSync(
    file,
    JSON.stringify({ listen: { port: 0 }, stateDir: path.join(dir, 'state'), reportsDir: path.join(dir, 'reports'), environments: [{ env: 'local', cron: '0 0 1 1 *', jitterSeconds: 5 }] }),
  );
  const child = spawn(process.execPath, ['--', BIN, 'schedule', '--config', file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (c) => {
        stderr += c;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      void exited.then(() => reject(new Error(`daemon exited: ${stderr}`)));
    });
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    const h = (await health.json()) as { status: string; environments: { env: string; schedule: string; nextRunAt: string }[] };
    assert.equal(h.status, 'ok');
    assert.equal(h.environments[0]!.env, 'local');
    assert.equal(h.environments[0]!.schedule, 'cron "0 0 1 1 *" UTC');
    assert.match(h.environments[0]!.nextRunAt, /^\d{4}-01-01T00:00:00\.000Z$/);
    const metrics = await fetch(`${url}/metrics`);
    assert.match(metrics.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    assert.match(text, /^# TYPE credlink_check_up gauge$/m);
    assert.match(text, /^credlink_runs_total\{env="local",outcome="healthy"\} 0$/m);
    assert.equal((await fetch(`${url}/nope`)).status, 404);
    // The status page is mounted on the daemon: the scheduled environment is listed, not yet run.
    const page = await fetch(`${url}/status`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /^text\/html/);
    const html = await page.text();
    assert.match(html, /http-equiv="refresh"/);
    assert.match(html, /<h2>local <span[^>]*>UNKNOWN: no run yet/);
    assert.match(html, /<title>NO CURRENT VERDICT for local \(unknown\): credlink-checks status<\/title>/);
    const state = (await (await fetch(`${url}/status.json`)).json()) as { environments: { env: string; state: string }[] };
    assert.deepEqual(state.environments.map((e) => [e.env, e.state]), [['local', 'unknown']]);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /SIGTERM: shutting down/);
    assert.match(stderr, /schedule: stopped/);
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
