/**
 * Scale-out, end to end, with real processes on loopback: one reference target with a fault
 * (every health endpoint answers 503), two schedule daemons checking it from two locations,
 * "eu" (schedule.json `location`) and "us" (CREDLINK_LOCATION), a real Prometheus scraping both
 * every second and evaluating the shipped rules (deploy/prometheus/credlink-rules.yml), and a
 * real Alertmanager with the shipped example (deploy/alertmanager/alertmanager.yml: its routes,
 * grouping and inhibit rules; receivers turned into a loopback webhook, timers shortened).
 *
 * The receiver must get exactly ONE notification when the outage fires (not one per location,
 * not one per failing check: those per-check alerts fire in Prometheus and stay inhibited in
 * Alertmanager), and exactly ONE when, the fault cleared, it resolves. Everything started here is
 * stopped and every temporary directory removed, also when an assertion fails; the whole test is
 * bounded (TEST_TIMEOUT_MS).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { sections } from '../../runbooks/sections.ts';
import { readReportFile } from '../../src/reporter/read.ts';
import { PROJECT_ROOT } from '../../src/run/paths.ts';
import { startReferenceTarget, type ReferenceTarget } from '../../src/target/index.ts';
import { startAlertmanager, testAlertmanagerConfig, type TestAlertmanager } from '../helpers/alertmanager.ts';
import { HARNESS_AUTH_FAIL } from '../helpers/harness.ts';
import { isolatedTmp, removeTmp, start, type Running } from '../helpers/lifecycle.ts';
import { ALERTMANAGER, assertInstalled, PROMETHEUS, PROMTOOL, requiring } from '../helpers/programs.ts';
import { startPrometheus, type TestPrometheus } from '../helpers/prometheus.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';

const TEST_TIMEOUT_MS = 170_000;
const RULES = path.join(PROJECT_ROOT, 'deploy', 'prometheus', 'credlink-rules.yml');
const RUNBOOK_URL = 'https://git.example/ops/RUNBOOK.md';
const UNAVAILABLE = sections['service-unavailable'].anchor;
const INCIDENT = 'staging/outage';
/**
 * A short run that sees the outage (every health endpoint that runs answers 503: GET /health), and
 * the latency probe with its error rate, which the outage explains (and whose measurements feed
 * the probe metrics).
 */
const GREP = '@health\\.root\\b|@perf\\.(latency|error-rate)\\b';
const CHECKS = ['health.root', 'perf.error-rate'];

interface Notification {
  path: string;
  status: 'firing' | 'resolved';
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined | false>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${Math.round(ms / 1000)} s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

test('two locations, one faulty target, Prometheus and Alertmanager: one notification when the outage fires, one when it resolves; per-check alerts stay inhibited', { ...requiring(PROMETHEUS, PROMTOOL, ALERTMANAGER), timeout: TEST_TIMEOUT_MS }, async () => {
  assertInstalled(PROMETHEUS, PROMTOOL, ALERTMANAGER);
  const t0 = Date.now();
  const tmp = isolatedTmp();
  const daemons: Running[] = [];
  let target: ReferenceTarget | undefined;
  let hook: Receiver | undefined;
  let am: TestAlertmanager | undefined;
  let prom: TestPrometheus | undefined;
  try {
    hook = await startReceiver('slack');
    am = await startAlertmanager(testAlertmanagerConfig(hook.url, { groupWait: '1s', groupInterval: '2s', repeatInterval: '1h', resolveTimeout: '1m' }));
    target = await startReferenceTarget({ faults: { 'service-unavailable': true }, authFailLimit: HARNESS_AUTH_FAIL });

    // One environment file for both locations (its secrets only in this mode-600 temporary file).
    const envFile = path.join(tmp, 'staging.env');
    fs.writeFileSync(
      envFile,
      [
        'CREDLINK_TARGET=remote',
        `CREDLINK_BASE_URL=${target.url}`,
        `CREDLINK_API_KEYS=${target.apiKeys.join(',')}`,
        `CREDLINK_RESTRICTED_API_KEY=${target.restrictedApiKey}`,
        `CREDLINK_ALLOWED_ORIGINS=${target.allowedOrigins.join(',')}`,
        'CREDLINK_RATE_LIMIT=none',
        'CREDLINK_PROBE_SAMPLES=60',
        'CREDLINK_PROBE_RATE=60',
        // The flap control the Prometheus rules follow: SEV-0 triggers at once; one clean run resolves.
        'CREDLINK_ALERT_RESOLVE_AFTER=1',
        `CREDLINK_RUNBOOK_URL=${RUNBOOK_URL}`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const urls: Record<string, string> = {};
    const locations = [['eu', 'eu', {}], ['us', undefined, { CREDLINK_LOCATION: 'us' }]] as const;
    for (const [name, location, env] of locations) {
      const dir = path.join(tmp, name);
      fs.mkdirSync(dir);
      fs.writeFileSync(
        path.join(dir, 'schedule.json'),
        JSON.stringify({
          ...(location ? { location } : {}),
          listen: { host: '127.0.0.1', port: 0 },
          stateDir: path.join(dir, 'state'),
          reportsDir: path.join(dir, 'reports'),
          environments: [{ env: 'staging', envFile: '../staging.env', intervalSeconds: 10, grep: GREP }],
        }),
      );
      daemons.push(start(['schedule', '--config', path.join(dir, 'schedule.json')], { tmp, cwd: dir, env }));
    }
    await Promise.all(daemons.map((d) => d.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+/, 60_000)));
    locations.forEach(([name], i) => {
      const log = daemons[i]!.stderr();
      urls[name] = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log)![1]!;
      assert.match(log, new RegExp(`location ${name};`), 'the daemon says where it runs');
    });
    prom = await startPrometheus({ jobs: { 'credlink-checks': [urls.eu!, urls.us!] }, ruleFiles: [RULES], alertmanagerUrl: am.url });
    const started = Date.now();

    const notifications = () =>
      hook!.requests.map((q): Notification => {
        const b = q.body as { status: Notification['status']; alerts: Notification['alerts'] };
        return { path: q.path, status: b.status, alerts: b.alerts };
      });
    const about = (status: Notification['status']) => notifications().filter((n) => n.status === status && n.alerts.some((a) => a.labels.incident === INCIDENT));

    // Fires: one notification, from whichever location saw it first.
    const [fired] = await until('the firing notification', 60_000, async () => (about('firing').length ? about('firing') : undefined));
    const firedAfterMs = Date.now() - started;
    assert.equal(fired!.path, '/pagerduty', 'SEV-0 routes to PagerDuty');
    assert.equal(fired!.alerts.length, 1, JSON.stringify(fired!.alerts));
    const alert = fired!.alerts[0]!;
    assert.deepEqual(alert.labels, {
      alertname: 'CredlinkIncident',
      env: 'staging',
      incident: INCIDENT,
      incident_key: 'outage',
      severity: 'SEV-0',
      section: UNAVAILABLE,
      runbook_url: `${RUNBOOK_URL}#${UNAVAILABLE}`,
    });
    assert.equal(alert.annotations.summary, 'SEV-0 staging: Service unavailable: every health endpoint answers 5xx or nothing');
    assert.equal(alert.annotations.runbook_url, `${RUNBOOK_URL}#${UNAVAILABLE}`);
    assert.match(alert.annotations.first_steps ?? '', /^1\. Check pod status: kubectl get pods -n <namespace of staging>/, "the section's first steps, for this environment");

    // Both locations see it, both have triggered it: still one alert, which says so.
    await prom.waitFor(`count(credlink_incident_alerting{incident="${INCIDENT}"})`, 2, 40_000);
    const firing = await until('both locations in the alert, and the per-check alerts', 60_000, async () => {
      const res = (await (await fetch(`${prom!.url}/api/v1/alerts`)).json()) as { data: { alerts: { labels: Record<string, string>; annotations: Record<string, string>; state: string }[] } };
      const list = res.data.alerts.filter((a) => a.state === 'firing');
      const incident = list.filter((a) => a.labels.alertname === 'CredlinkIncident');
      // The per-check alerts come with the first run's report (the window may page the outage before it).
      const checksIn = new Set(list.filter((a) => a.labels.alertname === 'CredlinkCheckFailing').map((a) => a.labels.check));
      return incident.length === 1 && /seen from eu, us;/.test(incident[0]!.annotations.description ?? '') && CHECKS.every((c) => checksIn.has(c)) && list;
    });
    const checkAlerts = firing.filter((a) => a.labels.alertname === 'CredlinkCheckFailing');
    const checks = checkAlerts.map((a) => a.labels.check).sort();
    assert.deepEqual([...new Set(checks)], checks, 'one alert per check, not per location');
    assert.deepEqual(checks, CHECKS, 'the root and its consequence, each once');
    assert.ok(checkAlerts.every((a) => a.labels.location === undefined && a.labels.incident === INCIDENT));

    // The per-check alerts reach Alertmanager and stay inhibited by the incident they belong to.
    const assertInhibited = async () => {
      const held = (await am!.alerts()).filter((a) => a.labels.alertname === 'CredlinkCheckFailing');
      assert.deepEqual(held.map((a) => a.labels.check).sort(), CHECKS, 'Alertmanager holds the check alerts');
      for (const a of held) assert.ok(a.status.state === 'suppressed' && a.status.inhibitedBy.length === 1, `${a.labels.check}: ${JSON.stringify(a.status)}`);
      const incident = (await am!.alerts()).filter((a) => a.labels.alertname === 'CredlinkIncident');
      assert.equal(incident.length, 1);
      assert.equal(incident[0]!.status.state, 'active');
    };
    await until('the check alerts in Alertmanager', 15_000, async () => (await am!.alerts()).filter((a) => a.labels.alertname === 'CredlinkCheckFailing').length >= CHECKS.length);
    await assertInhibited();

    // The real /metrics of both daemons, during the incident: promtool's linter passes, every sample says where it was seen.
    for (const [name, url] of Object.entries(urls)) {
      const text = await (await fetch(`${url}/metrics`)).text();
      const lint = spawnSync(PROMTOOL.path, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      assert.equal(lint.status, 0, `${name}: ${lint.stdout}${lint.stderr}`);
      const samples = text.split('\n').filter((l) => l && !l.startsWith('#'));
      assert.ok(samples.every((l) => l.includes(`location="${name}"`)), `${name}: a sample without its location`);
      for (const series of ['credlink_incident_alerting', 'credlink_incident_open', 'credlink_incident_info', 'credlink_check_failing', 'credlink_probe_requests_total', 'credlink_probe_duration_seconds_bucket', 'credlink_probe_latency_seconds', 'credlink_run_cpu_seconds_total']) {
        assert.match(text, new RegExp(`^${series}\\{`, 'm'), `${name}: ${series}`);
      }
      assert.match(text, new RegExp(`^credlink_probe_requests_total\\{env="staging",location="${name}",endpoint="GET /health",class="server-error"\\} [1-9]`, 'm'), 'the probe counted the 503s');
      assert.match(text, new RegExp(`^credlink_last_run_cpu_seconds\\{env="staging",location="${name}"\\} (0\\.\\d*[1-9]|[1-9])`, 'm'), 'a run costs CPU');
    }
    // runbook.json records the location its run was seen from.
    for (const name of ['eu', 'us']) {
      const dir = path.join(tmp, name, 'reports', 'staging');
      const run = fs.readdirSync(dir).find((r) => fs.existsSync(path.join(dir, r, 'runbook.json')));
      assert.equal(readReportFile(path.join(dir, run!, 'runbook.json'))?.location, name);
    }

    // Let each location run again with the incident open: no second notification.
    await prom.waitFor('min(credlink_runs_total{outcome="findings"})', 2, 40_000);
    await new Promise((r) => setTimeout(r, 3000));
    await assertInhibited();
    assert.equal(about('firing').length, 1, JSON.stringify(notifications()));

    // Clear the fault: the next clean run of each location resolves it; the last one resolves the alert.
    await target.setFaults({});
    const cleared = Date.now();
    await until('the resolved notification', 60_000, async () => about('resolved').length > 0);
    const resolvedAfterMs = Date.now() - cleared;
    // Two more group intervals and rule evaluations: nothing more arrives.
    await new Promise((r) => setTimeout(r, 5000));
    const all = notifications();
    assert.equal(about('firing').length, 1, JSON.stringify(all));
    assert.equal(about('resolved').length, 1, JSON.stringify(all));
    assert.equal(all.length, 2, `only the incident's two notifications: ${JSON.stringify(all.map((n) => [n.path, n.status, n.alerts.map((a) => a.labels.alertname)]))}`);
    assert.deepEqual(about('resolved')[0]!.alerts.map((a) => [a.labels.alertname, a.status]), [['CredlinkIncident', 'resolved']]);
    assert.ok(all.every((n) => n.alerts.every((a) => a.labels.alertname !== 'CredlinkCheckFailing')), 'no per-check alert was ever notified');
    process.stdout.write(
      `# scale-out: fired ${Math.round(firedAfterMs / 100) / 10} s after Prometheus started, resolved ${Math.round(resolvedAfterMs / 100) / 10} s after the fault cleared; ` +
        `receiver: ${about('firing').length} firing, ${about('resolved').length} resolved; ${checks.length} check alerts inhibited; whole test ${Math.round((Date.now() - t0) / 1000)} s\n`,
    );

    // The daemons stop on SIGTERM (exit 0).
    for (const d of daemons) d.child.kill('SIGTERM');
    for (const d of daemons) assert.equal(await d.exited, 0, d.stderr().slice(-2000));
  } catch (e) {
    // What the daemons did (one line per run), Prometheus and Alertmanager said, for the failure message.
    const logs = daemons.map((d, i) => `daemon ${i}:\n${d.stderr().split('\n').filter((l) => / run |listening|ERROR/.test(l)).join('\n')}`);
    if (e instanceof Error) e.message += `\n${logs.join('\n')}\nprometheus: ${prom?.log() ?? ''}\nalertmanager: ${am?.log() ?? ''}`;
    throw e;
  } finally {
    for (const d of daemons) if (d.child.exitCode === null) d.child.kill('SIGKILL');
    await Promise.all(daemons.map((d) => Promise.race([d.exited, new Promise((r) => setTimeout(r, 5000))])));
    await prom?.stop();
    await am?.stop();
    await hook?.close();
    await target?.stop();
    removeTmp(tmp);
  }
});
