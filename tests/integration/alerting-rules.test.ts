/**
 * The shipped Prometheus rules and Alertmanager configuration, checked by the tools that will run
 * them (Debian's prometheus and prometheus-alertmanager): promtool check rules, promtool test
 * rules (deploy/prometheus/credlink-rules.test.yml: must fire / must not fire), amtool
 * check-config and its routing by severity, and the generated inhibit rules in a real
 * Alertmanager that is sent alerts as Prometheus sends them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { PROJECT_ROOT } from '../../src/run/paths.ts';
import { ALERTMANAGER_EXAMPLE, startAlertmanager, testAlertmanagerConfig, type TestAlertmanager } from '../helpers/alertmanager.ts';
import { tempDir } from '../helpers/harness.ts';
import { ALERTMANAGER, AMTOOL, assertInstalled, PROMTOOL, requiring } from '../helpers/programs.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';

const RULES_DIR = path.join(PROJECT_ROOT, 'deploy', 'prometheus');
const RULES = path.join(RULES_DIR, 'credlink-rules.yml');

function run(cmd: string, args: string[], cwd = PROJECT_ROOT) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

test('promtool check rules: the shipped rules are valid and lint-clean', requiring(PROMTOOL), () => {
  assertInstalled(PROMTOOL);
  const r = run(PROMTOOL.path, ['check', 'rules', RULES]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /SUCCESS: 5 rules found/);
});

test('promtool test rules: one alert per incident across locations, flap control from the daemon, no link without a runbook URL', requiring(PROMTOOL), () => {
  assertInstalled(PROMTOOL);
  const r = run(PROMTOOL.path, ['test', 'rules', 'credlink-rules.test.yml'], RULES_DIR);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /SUCCESS/);
});

test('promtool test rules fails on rules that alert per location: the unit tests can tell', requiring(PROMTOOL), () => {
  assertInstalled(PROMTOOL);
  const dir = tempDir('credlink-rules-');
  try {
    const perLocation = fs.readFileSync(RULES, 'utf8').replace('max by (env, incident, incident_key,', 'max by (env, location, incident, incident_key,');
    assert.notEqual(perLocation, fs.readFileSync(RULES, 'utf8'));
    fs.writeFileSync(path.join(dir, 'credlink-rules.yml'), perLocation);
    fs.copyFileSync(path.join(RULES_DIR, 'credlink-rules.test.yml'), path.join(dir, 'credlink-rules.test.yml'));
    const r = run(PROMTOOL.path, ['test', 'rules', 'credlink-rules.test.yml'], dir);
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /one alert per incident across locations/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('amtool check-config: the shipped Alertmanager example is valid; SEV-0/1 route to PagerDuty, SEV-2/3 and per-check alerts to Slack', requiring(AMTOOL), () => {
  assertInstalled(AMTOOL);
  const r = run(AMTOOL.path, ['check-config', ALERTMANAGER_EXAMPLE]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /SUCCESS/);
  const route = (...labels: string[]) => run(AMTOOL.path, ['config', 'routes', 'test', `--config.file=${ALERTMANAGER_EXAMPLE}`, ...labels]).out.split('\n').filter((l) => l && !l.startsWith('Warning')).join(',');
  assert.equal(route('alertname=CredlinkIncident', 'severity=SEV-0'), 'pagerduty');
  assert.equal(route('alertname=CredlinkIncident', 'severity=SEV-1'), 'pagerduty');
  assert.equal(route('alertname=CredlinkIncident', 'severity=SEV-2'), 'slack');
  assert.equal(route('alertname=CredlinkIncident', 'severity=SEV-3'), 'slack');
  assert.equal(route('alertname=CredlinkCheckFailing', 'severity=SEV-0'), 'slack', 'a check alone never pages');
  assert.equal(route('alertname=CredlinkMonitorDown', 'severity=SEV-3'), 'slack');
});

let am: TestAlertmanager | undefined;
let hook: Receiver | undefined;
after(async () => {
  await am?.stop();
  await hook?.close();
});

test('a real Alertmanager with the shipped inhibit rules: the root cause speaks, what it explains elsewhere and its checks are inhibited', requiring(ALERTMANAGER), async () => {
  assertInstalled(ALERTMANAGER);
  hook = await startReceiver('slack');
  am = await startAlertmanager(testAlertmanagerConfig(hook.url, { groupWait: '1s', groupInterval: '2s', repeatInterval: '1h', resolveTimeout: '1m' }));
  const section = 'incident-service-unavailable-503502-errors';
  const incident = (env: string, key: string, severity: string) => ({ labels: { alertname: 'CredlinkIncident', env, incident: `${env}/${key}`, incident_key: key, severity, section } });
  const check = (env: string, key: string, checkId: string) => ({ labels: { alertname: 'CredlinkCheckFailing', env, check: checkId, incident: `${env}/${key}`, incident_key: key, role: 'root', severity: 'SEV-1', section } });
  await am.post([
    incident('staging', 'outage', 'SEV-0'),
    // Another location saw the same incident less severe, and one saw only the error rate.
    incident('staging', 'outage', 'SEV-1'),
    incident('staging', 'symptom:error-rate', 'SEV-1'),
    check('staging', 'outage', 'health.root'),
    check('staging', 'symptom:error-rate', 'perf.error-rate'),
    // Another environment: nothing there explains it.
    incident('production', 'symptom:error-rate', 'SEV-1'),
  ]);
  const until = Date.now() + 20_000;
  let state: Awaited<ReturnType<TestAlertmanager['alerts']>> = [];
  while (Date.now() < until) {
    state = await am.alerts();
    if (state.length === 6 && hook.requests.length >= 2) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const of = (alertname: string, env: string, key: string, severity?: string) =>
    state.find((a) => a.labels.alertname === alertname && a.labels.env === env && a.labels.incident_key === key && (!severity || a.labels.severity === severity));
  const active = (a: (typeof state)[number] | undefined) => a?.status.state === 'active' && a.status.inhibitedBy.length === 0;
  const inhibited = (a: (typeof state)[number] | undefined) => a?.status.state === 'suppressed' && a.status.inhibitedBy.length > 0;
  assert.ok(active(of('CredlinkIncident', 'staging', 'outage', 'SEV-0')), JSON.stringify(state, null, 1));
  assert.ok(inhibited(of('CredlinkIncident', 'staging', 'outage', 'SEV-1')), 'the less severe view of the same incident');
  assert.ok(inhibited(of('CredlinkIncident', 'staging', 'symptom:error-rate')), 'the error rate another location saw: explained by the outage');
  assert.ok(inhibited(of('CredlinkCheckFailing', 'staging', 'outage')), "the outage's own check");
  assert.ok(inhibited(of('CredlinkCheckFailing', 'staging', 'symptom:error-rate')), 'a check of an explained incident');
  assert.ok(active(of('CredlinkIncident', 'production', 'symptom:error-rate')), 'another environment is not explained by staging');
  // Notified: the staging outage and the production error rate, once each, both to PagerDuty.
  await new Promise((r) => setTimeout(r, 3000));
  const sent = hook.requests.map((q) => ({ path: q.path, alerts: (q.body as { alerts: { labels: Record<string, string> }[] }).alerts.map((a) => `${a.labels.alertname} ${a.labels.incident} ${a.labels.severity}`) }));
  assert.deepEqual(
    sent.sort((a, b) => a.alerts[0]!.localeCompare(b.alerts[0]!)),
    [
      { path: '/pagerduty', alerts: ['CredlinkIncident production/symptom:error-rate SEV-1'] },
      { path: '/pagerduty', alerts: ['CredlinkIncident staging/outage SEV-0'] },
    ],
  );
});
