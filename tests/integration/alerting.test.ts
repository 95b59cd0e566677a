/**
 * Alert delivery end to end, with local HTTP receivers standing in for Slack and PagerDuty:
 * runs (synthetic runbook.json reports) -> state transitions -> exact request bodies received.
 * No real time: the clock and the retry sleep are injected.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { parseEnv, secretsOf, type ResolvedConfig } from '../../config/index.ts';
import { EnvironmentError } from '../../src/errors.ts';
import { sections } from '../../runbooks/sections.ts';
import { renderCommand, unknownNames } from '../../runbooks/commands.ts';
import { AlertMonitor } from '../../src/alerting/monitor.ts';
import { AlertStore } from '../../src/alerting/store.ts';
import type { Finding, RunbookReport } from '../../src/reporter/schema.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { tempDir } from '../helpers/harness.ts';
import { assembleReport, type FindingInput } from '../helpers/records.ts';

const ROUTING_KEY = 'R0UTINGKEY0123456789abcdefabcdef';
const WEBHOOK_SECRET = 'T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX';
let slack: Receiver;
let pd: Receiver;
let stateDir: string;
let delays: number[];
const T0 = Date.parse('2026-11-26T10:00:00.000Z');
let minute = 0;
const clock = () => new Date(T0 + minute * 60_000);

before(async () => {
  slack = await startReceiver('slack');
  pd = await startReceiver('pagerduty');
});
after(async () => {
  await slack.close();
  await pd.close();
});
beforeEach(() => {
  stateDir = tempDir('credlink-state-');
  slack.requests.length = 0;
  pd.requests.length = 0;
  slack.script([200]);
  pd.script([202]);
  delays = [];
  minute = 0;
});

function configFor(vars: Record<string, string> = {}): ResolvedConfig {
  return parseEnv(
    {
      CREDLINK_BASE_URL: 'https://staging.credlink.example',
      CREDLINK_API_KEYS: 'k-probe-123456',
      CREDLINK_SLACK_WEBHOOK_URL: `${slack.url}/services/${WEBHOOK_SECRET}`,
      CREDLINK_PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
      CREDLINK_PAGERDUTY_EVENTS_URL: `${pd.url}/v2/enqueue`,
      CREDLINK_RUNBOOK_URL: 'https://git.example/credlink/RUNBOOK.md',
      ...vars,
    },
    { env: 'staging', file: 'environments/staging.env', processEnv: {} },
  );
}

function monitor(vars: Record<string, string> = {}, logs: string[] = []): AlertMonitor {
  const config = configFor(vars);
  return new AlertMonitor({
    store: new AlertStore(stateDir),
    configFor: () => config,
    clock,
    retry: { attempts: 3, baseDelayMs: 500, maxDelayMs: 5000, timeoutMs: 5000 },
    sleep: async (ms) => void delays.push(ms),
    log: (level, line) => logs.push(`${level}: ${line}`),
  });
}

const s = sections['service-unavailable'];
const names = { ...unknownNames('staging'), namespace: 'credlink-production', deployment: 'credlink-api', selector: 'app=credlink-api' };
const failing: FindingInput = {
  checkId: 'health.root',
  title: 'GET /health answers 200',
  status: 'failed',
  severity: 'SEV-1',
  severityRule: '2 of 3 health endpoints down (67%): partial outage affecting more than half (SEV-1)',
  section: { title: s.title, anchor: s.anchor },
  expected: '== 200',
  actual: '503',
  message: '[STATUS] (503) == 200 on GET /health (staging)',
  immediateActions: s.immediateActions.map((a) => ({ step: a.step, command: renderCommand(a.command, names), writes: 'writes' in a && a.writes === true })),
  evidence: [{ name: 'response of GET /health', contentType: 'application/json', body: '{"status":503,"body":"{\\"error\\":\\"unavailable\\"}"}' }],
  durationMs: 12,
};

function report(fail: boolean, severity: Finding['severity'] = 'SEV-1'): RunbookReport {
  minute += 5;
  return assembleReport({
    env: 'staging',
    runId: `run-${minute}`,
    baseUrl: 'https://staging.credlink.example',
    startedAt: clock().toISOString(),
    durationMs: 1000,
    counts: { total: 2, passed: fail ? 1 : 2, failed: fail ? 1 : 0, skipped: 0, flaky: 0 },
    findings: fail ? [{ ...failing, severity }] : [],
    passed: [{ checkId: 'health.status', title: 'GET /api/v1/status answers 200', durationMs: 5 }, ...(fail ? [] : [{ checkId: 'health.root', title: 'GET /health answers 200', durationMs: 4 }])],
    skipped: [],
    flaky: [],
    measurements: [],
    uncatalogued: [],
  });
}

async function runs(m: AlertMonitor, pattern: string): Promise<void> {
  for (const c of pattern) {
    m.observe('staging', report(c === 'F'));
    await m.flush();
  }
}

const EXPECTED_PD_TRIGGER = (timestamp: string, runId: string) => ({
  routing_key: ROUTING_KEY,
  event_action: 'trigger',
  dedup_key: 'credlink-checks/staging/health.root',
  payload: {
    summary: '[SEV-1] staging: GET /health answers 200: [STATUS] (503) == 200 on GET /health (staging)',
    source: 'credlink-checks/staging',
    severity: 'error',
    timestamp,
    component: 'health.root',
    group: 'staging',
    class: 'Incident: Service Unavailable (503/502 Errors)',
    custom_details: {
      severity: 'SEV-1',
      severity_rule: '2 of 3 health endpoints down (67%): partial outage affecting more than half (SEV-1)',
      respond: 'within 15 minutes',
      runbook_section: 'https://git.example/credlink/RUNBOOK.md#incident-service-unavailable-503502-errors',
      immediate_actions: [
        '1. Check pod status: kubectl get pods -n credlink-production -l app=credlink-api',
        '2. Read the last 100 log lines: kubectl logs -f deployment/credlink-api -n credlink-production --tail=100',
        '3. Check resource usage of pods and nodes: kubectl top pods -n credlink-production; kubectl describe nodes | grep -A 10 "Allocated resources"',
        '4. Restart the deployment and watch it roll out [changes the system]: kubectl rollout restart deployment/credlink-api -n credlink-production',
      ],
      evidence: ['response of GET /health: {"status":503,"body":"{\\"error\\":\\"unavailable\\"}"}'],
      run_id: runId,
      base_url: 'https://staging.credlink.example',
    },
  },
  client: 'credlink-checks',
  links: [{ href: 'https://git.example/credlink/RUNBOOK.md#incident-service-unavailable-503502-errors', text: 'Runbook: Incident: Service Unavailable (503/502 Errors)' }],
});

const EXPECTED_PD_RESOLVE = { routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: 'credlink-checks/staging/health.root' };

const EXPECTED_SLACK_TRIGGER = (runId: string) => ({
  text: 'SEV-1 staging: Incident: Service Unavailable (503/502 Errors): GET /health answers 200',
  blocks: [
    { type: 'header', text: { type: 'plain_text', text: 'SEV-1 staging: Incident: Service Unavailable (503/502 Errors)' } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: '*Severity*\nSEV-1 (High, respond within 15 minutes)' },
        { type: 'mrkdwn', text: '*Environment*\nstaging' },
        { type: 'mrkdwn', text: '*Check*\n`health.root` GET /health answers 200' },
        { type: 'mrkdwn', text: '*Runbook*\n<https://git.example/credlink/RUNBOOK.md#incident-service-unavailable-503502-errors|Incident: Service Unavailable (503/502 Errors)>' },
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: '[STATUS] (503) == 200 on GET /health (staging)\n_why SEV-1: 2 of 3 health endpoints down (67%): partial outage affecting more than half (SEV-1)_' } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: [
          '*Immediate actions*',
          '1. Check pod status: `kubectl get pods -n credlink-production -l app=credlink-api`',
          '2. Read the last 100 log lines: `kubectl logs -f deployment/credlink-api -n credlink-production --tail=100`',
          '3. Check resource usage of pods and nodes: `kubectl top pods -n credlink-production; kubectl describe nodes | grep -A 10 "Allocated resources"`',
          '4. Restart the deployment and watch it roll out *[changes the system]*: `kubectl rollout restart deployment/credlink-api -n credlink-production`',
        ].join('\n'),
      },
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Evidence: response of GET /health: {"status":503,"body":"{\\"error\\":\\"unavailable\\"}"} · run ${runId}` }] },
  ],
});

test('N-1 failures then a pass: no page', async () => {
  await runs(monitor(), 'FFP');
  assert.equal(pd.requests.length, 0);
  assert.equal(slack.requests.length, 0);
});

test('N failures: exactly one trigger, with the exact PagerDuty and Slack payloads', async () => {
  const m = monitor();
  await runs(m, 'FFFFF');
  assert.equal(pd.requests.length, 1);
  assert.equal(slack.requests.length, 1);
  assert.equal(pd.requests[0]!.path, '/v2/enqueue');
  assert.equal(pd.requests[0]!.contentType, 'application/json');
  assert.deepEqual(pd.requests[0]!.body, EXPECTED_PD_TRIGGER('2026-11-26T10:15:00.000Z', 'run-15'));
  assert.equal(slack.requests[0]!.path, `/services/${WEBHOOK_SECRET}`);
  assert.deepEqual(slack.requests[0]!.body, EXPECTED_SLACK_TRIGGER('run-15'));
  assert.equal(m.incidents()['staging/health.root']!.open, true);
  assert.equal(m.outbox().length, 0);
});

test('M successes: exactly one resolve, to the channels that were paged', async () => {
  await runs(monitor(), 'FFFPPPP');
  assert.deepEqual(pd.requests.map((r) => (r.body as { event_action: string }).event_action), ['trigger', 'resolve']);
  assert.deepEqual(pd.requests[1]!.body, EXPECTED_PD_RESOLVE);
  assert.equal(slack.requests.length, 2);
  assert.deepEqual(slack.requests[1]!.body, {
    text: 'RESOLVED staging: health.root',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'RESOLVED staging: health.root' } },
      { type: 'section', text: { type: 'mrkdwn', text: '`health.root` passes again on staging (open since 2026-11-26T10:15:00.000Z, resolved 2026-11-26T10:25:00.000Z).' } },
    ],
  });
});

test('a daemon restart between trigger and resolve: still one incident, resolved once', async () => {
  await runs(monitor(), 'FFFF');
  // A new process: a fresh monitor over the same state directory.
  const restarted = monitor();
  assert.equal(restarted.incidents()['staging/health.root']!.open, true);
  await runs(restarted, 'FPPP');
  assert.deepEqual(pd.requests.map((r) => (r.body as { event_action: string }).event_action), ['trigger', 'resolve']);
  assert.equal((pd.requests[0]!.body as { dedup_key: string }).dedup_key, (pd.requests[1]!.body as { dedup_key: string }).dedup_key);
  const saved = JSON.parse(fs.readFileSync(path.join(stateDir, 'alerts.json'), 'utf8'));
  assert.equal(saved.incidents['staging/health.root'].open, false);
  assert.equal(JSON.stringify(saved).includes(ROUTING_KEY), false, 'the routing key is never persisted');
  assert.equal(JSON.stringify(saved).includes(WEBHOOK_SECRET), false, 'the webhook URL is never persisted');
});

test('alternating fail/pass: no page', async () => {
  await runs(monitor(), 'FPFPFPFPFP');
  assert.equal(pd.requests.length + slack.requests.length, 0);
});

test('SEV-0 triggers at the first failure (critical)', async () => {
  const m = monitor();
  m.observe('staging', report(true, 'SEV-0'));
  await m.flush();
  assert.equal(pd.requests.length, 1);
  assert.equal((pd.requests[0]!.body as { payload: { severity: string } }).payload.severity, 'critical');
});

test('routing by severity is configuration: SEV-2 to Slack only', async () => {
  const m = monitor({ CREDLINK_ALERT_ROUTES: 'SEV-0=pagerduty+slack,SEV-1=pagerduty,SEV-2=slack,SEV-3=none', CREDLINK_ALERT_TRIGGER_AFTER: '1' });
  m.observe('staging', report(true, 'SEV-2'));
  await m.flush();
  assert.equal(pd.requests.length, 0);
  assert.equal(slack.requests.length, 1);
});

test('receiver 503 then 202: delivered once, after a backoff', async () => {
  pd.script([503, 202]);
  const m = monitor({ CREDLINK_ALERT_TRIGGER_AFTER: '1', CREDLINK_ALERT_ROUTES: 'SEV-1=pagerduty' });
  m.observe('staging', report(true));
  const results = await m.flush();
  assert.equal(pd.requests.length, 2, 'one refused attempt, one accepted');
  assert.deepEqual(pd.requests[0]!.body, pd.requests[1]!.body);
  assert.deepEqual(delays, [500]);
  assert.equal(results.length, 1);
  assert.equal(results[0]!.result.ok, true);
  assert.equal(m.outbox().length, 0);
  await runs(m, 'FF');
  assert.equal(pd.requests.length, 2, 'no second trigger');
});

test('receiver down for a whole run: queued, delivered on the next run, never lost', async () => {
  pd.script([503, 503, 503, 202]);
  const m = monitor({ CREDLINK_ALERT_TRIGGER_AFTER: '1', CREDLINK_ALERT_ROUTES: 'SEV-1=pagerduty' });
  m.observe('staging', report(true));
  const first = await m.flush();
  assert.equal(first[0]!.result.ok, false);
  assert.equal(m.outbox().length, 1);
  // Restart in between: the queue is on disk.
  const restarted = monitor({ CREDLINK_ALERT_TRIGGER_AFTER: '1', CREDLINK_ALERT_ROUTES: 'SEV-1=pagerduty' });
  assert.equal(restarted.outbox().length, 1);
  restarted.observe('staging', report(true));
  await restarted.flush();
  assert.equal(pd.requests.length, 4);
  assert.equal(restarted.outbox().length, 0);
  assert.deepEqual(pd.requests.map((r) => (r.body as { event_action: string }).event_action), ['trigger', 'trigger', 'trigger', 'trigger']);
});

test('receiver 400: a configuration error, reported loudly, not retried, kept queued, no secret in the message', async () => {
  pd.script([400]);
  slack.script([404]);
  const logs: string[] = [];
  const m = monitor({ CREDLINK_ALERT_TRIGGER_AFTER: '1' }, logs);
  m.observe('staging', report(true));
  const results = await m.flush();
  assert.equal(pd.requests.length, 1, '4xx is not retried');
  assert.equal(slack.requests.length, 1);
  assert.deepEqual(delays, []);
  for (const r of results) {
    assert.equal(r.result.ok, false);
    assert.ok(!r.result.ok && r.result.configError);
  }
  const errors = logs.filter((l) => l.startsWith('error: CONFIGURATION ERROR'));
  assert.equal(errors.length, 2, logs.join('\n'));
  assert.match(errors.join('\n'), /pagerduty refused the trigger of staging\/health\.root: 400 Bad Request/);
  assert.match(errors.join('\n'), /slack refused the trigger of staging\/health\.root: 404 Not Found/);
  assert.equal(logs.join('\n').includes(ROUTING_KEY), false);
  assert.equal(logs.join('\n').includes(WEBHOOK_SECRET), false);
  assert.equal(m.outbox().length, 2);
  // Fixed configuration: delivered on the next run.
  pd.script([202]);
  slack.script([200]);
  await m.flush();
  assert.equal(m.outbox().length, 0);
});

test('webhook URL and routing key are secrets: scrubbed everywhere the configuration is', () => {
  const secrets = secretsOf(configFor());
  assert.ok(secrets.includes(ROUTING_KEY));
  assert.ok(secrets.includes(`${slack.url}/services/${WEBHOOK_SECRET}`));
  assert.ok(secrets.includes(`/services/${WEBHOOK_SECRET}`));
});

test('state file: written atomically (no temp file left), a damaged one stops the daemon with its path', async () => {
  await runs(monitor(), 'FFF');
  assert.deepEqual(fs.readdirSync(stateDir), ['alerts.json']);
  fs.writeFileSync(path.join(stateDir, 'alerts.json'), '{"version":1,"incid');
  assert.throws(() => monitor(), (e: unknown) => e instanceof EnvironmentError && /alerts\.json: not valid JSON .*move it aside/.test(e.message));
});
