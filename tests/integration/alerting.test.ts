/**
 * Alert delivery end to end, with local HTTP receivers standing in for Slack and PagerDuty:
 * runs (hand-built runbook.json reports with their incidents) -> per-incident state transitions ->
 * exact request bodies received, and the delivery journal in alerts.json.
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
import { asOneIncident } from '../helpers/incidents.ts';
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
    reportLink: (env, runId) => `reports/${env}/${runId}/index.html`,
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
/** Failures the outage explains: evidence under the incident, never paged on their own. */
const consequences: FindingInput[] = [
  { ...failing, checkId: 'health.status', title: 'GET /api/v1/status answers 200', severity: 'SEV-2', message: '[STATUS] (503) == 200 on GET /api/v1/status (staging)', evidence: [] },
  {
    ...failing,
    checkId: 'security.cors-allowed-origins',
    title: 'each allowed origin passes the preflight with its methods, headers and Vary: Origin',
    severity: 'SEV-2',
    section: { title: sections.cors.title, anchor: sections.cors.anchor },
    message: 'preflight from https://app.credlink.com answered 503',
    evidence: [],
  },
];
const INCIDENT = 'staging/outage';
const TITLE = 'Service unavailable: the health endpoints answer 503';

type RunSpec = { fail: boolean; severity?: Finding['severity']; kind?: RunbookReport['kind']; verdict?: RunbookReport['verdict']; passed?: string[] };

function report(spec: RunSpec | boolean, severity: Finding['severity'] = 'SEV-1'): RunbookReport {
  const o: RunSpec = typeof spec === 'boolean' ? { fail: spec, severity } : spec;
  minute += 5;
  const all = ['health.root', 'health.status', 'security.cors-allowed-origins'];
  const r = assembleReport({
    env: 'staging',
    kind: o.kind,
    runId: `run-${minute}`,
    baseUrl: 'https://staging.credlink.example',
    startedAt: clock().toISOString(),
    durationMs: 1000,
    counts: { total: 4, passed: o.fail ? 1 : 4, failed: o.fail ? 3 : 0, skipped: 0, flaky: 0 },
    findings: o.fail ? [{ ...failing, severity: o.severity ?? 'SEV-1' }, ...consequences] : [],
    passed: [
      { checkId: 'db.connect', title: 'the monitor role connects', durationMs: 5 },
      ...(o.fail ? [] : (o.passed ?? all).map((checkId) => ({ checkId, title: `t ${checkId}`, durationMs: 4 }))),
    ],
    skipped: [],
    flaky: [],
    measurements: [],
    uncatalogued: [],
    verdict: o.verdict,
  });
  return o.fail ? { ...asOneIncident(r, { key: 'outage', root: 'health.root', title: TITLE }), ...(o.verdict ? { verdict: o.verdict } : {}) } : r;
}

async function runs(m: AlertMonitor, pattern: string): Promise<void> {
  for (const c of pattern) {
    m.observe('staging', report(c === 'F'));
    await m.flush();
  }
}

const actions = (r: Receiver) => r.requests.map((q) => (q.body as { event_action?: string; text?: string }).event_action ?? (q.body as { text: string }).text.split(' ')[0]);
const saved = () => JSON.parse(fs.readFileSync(path.join(stateDir, 'alerts.json'), 'utf8'));

const FIRST_STEPS = [
  '1. Check pod status: kubectl get pods -n credlink-production -l app=credlink-api',
  '2. Read the last 100 log lines: kubectl logs -f deployment/credlink-api -n credlink-production --tail=100',
  '3. Check resource usage of pods and nodes: kubectl top pods -n credlink-production; kubectl describe nodes | grep -A 10 "Allocated resources"',
  '4. Restart the deployment and watch it roll out [changes the system]: kubectl rollout restart deployment/credlink-api -n credlink-production',
];

const EXPECTED_PD_TRIGGER = (timestamp: string, runId: string) => ({
  routing_key: ROUTING_KEY,
  event_action: 'trigger',
  dedup_key: 'credlink-checks/staging/outage',
  payload: {
    summary: `[SEV-1] staging: ${TITLE}: [STATUS] (503) == 200 on GET /health (staging)`,
    source: 'credlink-checks/staging',
    severity: 'error',
    timestamp,
    component: 'health.root',
    group: 'staging',
    class: 'Incident: Service Unavailable (503/502 Errors)',
    custom_details: {
      incident: INCIDENT,
      severity: 'SEV-1',
      severity_rule: '2 of 3 health endpoints down (67%): partial outage affecting more than half (SEV-1)',
      respond: 'within 15 minutes',
      runbook_section: 'https://git.example/credlink/RUNBOOK.md#incident-service-unavailable-503502-errors',
      immediate_actions: FIRST_STEPS,
      root_check: 'health.root',
      consequences: [
        'health.status: GET /api/v1/status answers 200',
        'security.cors-allowed-origins: each allowed origin passes the preflight with its methods, headers and Vary: Origin',
      ],
      evidence: ['response of GET /health: {"status":503,"body":"{\\"error\\":\\"unavailable\\"}"}'],
      run_id: runId,
      report: `reports/staging/${runId}/index.html`,
      base_url: 'https://staging.credlink.example',
    },
  },
  client: 'credlink-checks',
  links: [{ href: 'https://git.example/credlink/RUNBOOK.md#incident-service-unavailable-503502-errors', text: 'Runbook: Incident: Service Unavailable (503/502 Errors)' }],
});

const EXPECTED_PD_RESOLVE = { routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: 'credlink-checks/staging/outage' };

const EXPECTED_SLACK_TRIGGER = (runId: string) => ({
  text: `SEV-1 staging: ${TITLE}: Incident: Service Unavailable (503/502 Errors)`,
  blocks: [
    { type: 'header', text: { type: 'plain_text', text: `SEV-1 staging: ${TITLE}` } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: '*Severity*\nSEV-1 (High, respond within 15 minutes)' },
        { type: 'mrkdwn', text: '*Environment*\nstaging' },
        { type: 'mrkdwn', text: '*Incident*\n`staging/outage` (root check `health.root`)' },
        { type: 'mrkdwn', text: '*Runbook*\n<https://git.example/credlink/RUNBOOK.md#incident-service-unavailable-503502-errors|Incident: Service Unavailable (503/502 Errors)>' },
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: '[STATUS] (503) == 200 on GET /health (staging)\n_why SEV-1: 2 of 3 health endpoints down (67%): partial outage affecting more than half (SEV-1)_' } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: [
          '*First steps*',
          '1. Check pod status: `kubectl get pods -n credlink-production -l app=credlink-api`',
          '2. Read the last 100 log lines: `kubectl logs -f deployment/credlink-api -n credlink-production --tail=100`',
          '3. Check resource usage of pods and nodes: `kubectl top pods -n credlink-production; kubectl describe nodes | grep -A 10 "Allocated resources"`',
          '4. Restart the deployment and watch it roll out *[changes the system]*: `kubectl rollout restart deployment/credlink-api -n credlink-production`',
        ].join('\n'),
      },
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: [
          '*Consequences* (2: explained by this incident, not paged on their own)',
          '• health.status: GET /api/v1/status answers 200',
          '• security.cors-allowed-origins: each allowed origin passes the preflight with its methods, headers and Vary: Origin',
        ].join('\n'),
      },
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Evidence: response of GET /health: {"status":503,"body":"{\\"error\\":\\"unavailable\\"}"} · run ${runId} · report reports/staging/${runId}/index.html` }] },
  ],
});

test('N-1 failing runs then a pass: no page', async () => {
  await runs(monitor(), 'FFP');
  assert.equal(pd.requests.length, 0);
  assert.equal(slack.requests.length, 0);
});

test('N failing runs of one incident with consequences: exactly one trigger per channel, naming the incident and listing its consequences', async () => {
  const m = monitor();
  await runs(m, 'FFFFF');
  assert.equal(pd.requests.length, 1, 'one page for the incident, none per consequence');
  assert.equal(slack.requests.length, 1);
  assert.equal(pd.requests[0]!.path, '/v2/enqueue');
  assert.equal(pd.requests[0]!.contentType, 'application/json');
  assert.deepEqual(pd.requests[0]!.body, EXPECTED_PD_TRIGGER('2026-11-26T10:15:00.000Z', 'run-15'));
  assert.equal(slack.requests[0]!.path, `/services/${WEBHOOK_SECRET}`);
  assert.deepEqual(slack.requests[0]!.body, EXPECTED_SLACK_TRIGGER('run-15'));
  assert.deepEqual(Object.keys(m.incidents()), [INCIDENT]);
  assert.equal(m.incidents()[INCIDENT]!.open, true);
  assert.equal(m.outbox().length, 0);
});

test('M passing runs: exactly one resolve per channel, to the channels that were paged, naming the incident', async () => {
  await runs(monitor(), 'FFFPPPP');
  assert.deepEqual(actions(pd), ['trigger', 'resolve']);
  assert.deepEqual(pd.requests[1]!.body, EXPECTED_PD_RESOLVE);
  assert.equal(slack.requests.length, 2);
  assert.deepEqual(slack.requests[1]!.body, {
    text: `RESOLVED staging: ${TITLE}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `RESOLVED staging: ${TITLE}` } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: 'Incident `staging/outage` (Incident: Service Unavailable (503/502 Errors)) is over on staging (open since 2026-11-26T10:15:00.000Z, resolved 2026-11-26T10:25:00.000Z).' },
      },
    ],
  });
  assert.deepEqual(saved().incidents, {}, 'a resolved incident leaves no state behind');
});

test('a daemon restart between trigger and resolve: still one incident, resolved once under the same dedup key', async () => {
  await runs(monitor(), 'FFFF');
  const restarted = monitor();
  assert.equal(restarted.incidents()[INCIDENT]!.open, true);
  await runs(restarted, 'FPPP');
  assert.deepEqual(actions(pd), ['trigger', 'resolve']);
  assert.equal((pd.requests[0]!.body as { dedup_key: string }).dedup_key, (pd.requests[1]!.body as { dedup_key: string }).dedup_key);
  const text = JSON.stringify(saved());
  assert.equal(text.includes(ROUTING_KEY), false, 'the routing key is never persisted');
  assert.equal(text.includes(WEBHOOK_SECRET), false, 'the webhook URL is never persisted');
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

test('a more severe run of an open incident escalates once on the same dedup key; a milder one does not', async () => {
  const m = monitor({ CREDLINK_ALERT_TRIGGER_AFTER: '1' });
  for (const sev of ['SEV-2', 'SEV-2', 'SEV-0', 'SEV-0', 'SEV-1'] as const) {
    m.observe('staging', report(true, sev));
    await m.flush();
  }
  assert.deepEqual(pd.requests.map((r) => [(r.body as { event_action: string }).event_action, (r.body as { payload: { severity: string } }).payload.severity]), [['trigger', 'warning'], ['trigger', 'critical']]);
  assert.equal(new Set(pd.requests.map((r) => (r.body as { dedup_key: string }).dedup_key)).size, 1);
  assert.deepEqual(slack.requests.map((r) => (r.body as { text: string }).text.split(':')[0]), ['SEV-2 staging', 'ESCALATED SEV-0 staging']);
});

test('routing by severity is configuration: SEV-2 to Slack only', async () => {
  const m = monitor({ CREDLINK_ALERT_ROUTES: 'SEV-0=pagerduty+slack,SEV-1=pagerduty,SEV-2=slack,SEV-3=none', CREDLINK_ALERT_TRIGGER_AFTER: '1' });
  m.observe('staging', report(true, 'SEV-2'));
  await m.flush();
  assert.equal(pd.requests.length, 0);
  assert.equal(slack.requests.length, 1);
});

test('only observations are alert input: drills and candidates never page, an interrupted run observes nothing', async () => {
  const logs: string[] = [];
  const m = monitor({ CREDLINK_ALERT_TRIGGER_AFTER: '1' }, logs);
  for (const kind of ['drill', 'candidate'] as const) {
    const r = m.observe('staging', report({ fail: true, severity: 'SEV-0', kind }));
    assert.match(r.ignored ?? '', new RegExp(`is a ${kind}, not an observation`));
  }
  m.observe('staging', report({ fail: true, severity: 'SEV-0', verdict: { status: 'interrupted', severity: 'SEV-0', reason: 'SIGINT' } }));
  await m.flush();
  assert.equal(pd.requests.length + slack.requests.length, 0);
  assert.deepEqual(m.incidents(), {});
  assert.deepEqual(m.checks(), {}, 'not even the per-check metrics move');
  assert.match(logs.join('\n'), /was interrupted \(SIGINT\): no alert input/);
});

test('a no-evidence run is logged loudly and resolves nothing; nor does a run that executed none of the incident\'s checks', async () => {
  const logs: string[] = [];
  const m = monitor({ CREDLINK_ALERT_TRIGGER_AFTER: '1', CREDLINK_ALERT_RESOLVE_AFTER: '1' }, logs);
  m.observe('staging', report(true));
  await m.flush();
  for (let i = 0; i < 3; i++) {
    m.observe('staging', report({ fail: false, passed: [], verdict: { status: 'no-evidence', severity: null, reason: 'no check matches --grep "nomatch"' } }));
  }
  // Healthy, but none of health.root, health.status, security.cors-allowed-origins ran (e.g. a grep on @db\.).
  m.observe('staging', report({ fail: false, passed: [] }));
  await m.flush();
  assert.deepEqual(actions(pd), ['trigger'], 'still open');
  assert.equal(m.incidents()[INCIDENT]!.open, true);
  const loud = logs.filter((l) => l.startsWith('error: staging: NO EVIDENCE'));
  assert.equal(loud.length, 3, logs.join('\n'));
  assert.match(loud[0]!, /executed no check \(no check matches --grep "nomatch"\): nothing was observed, no incident is opened or resolved/);
  // One of its checks ran and the root cause is gone: resolved.
  m.observe('staging', report({ fail: false, passed: ['health.status'] }));
  await m.flush();
  assert.deepEqual(actions(pd), ['trigger', 'resolve']);
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
  assert.deepEqual(saved().delivered.map((d: { action: string; attempts: number }) => [d.action, d.attempts]), [['trigger', 2]], 'the journal records the delivery and its attempts');
  await runs(m, 'FF');
  assert.equal(pd.requests.length, 2, 'no second trigger');
});

test('receiver down for a whole run: queued, delivered on the next run, never lost; its resolve waits behind it', async () => {
  pd.script([503, 503, 503, 202]);
  const vars = { CREDLINK_ALERT_TRIGGER_AFTER: '1', CREDLINK_ALERT_RESOLVE_AFTER: '1', CREDLINK_ALERT_ROUTES: 'SEV-1=pagerduty' };
  const m = monitor(vars);
  m.observe('staging', report(true));
  const first = await m.flush();
  assert.equal(first[0]!.result.ok, false);
  assert.deepEqual(saved().outbox.map((i: { state: string; attempts: number }) => [i.state, i.attempts]), [['failed', 3]]);
  // The incident is over before the trigger got through; restart in between: the queue is on disk.
  const restarted = monitor(vars);
  restarted.observe('staging', report(false));
  assert.deepEqual(restarted.outbox().map((i) => i.action), ['trigger', 'resolve']);
  assert.deepEqual([...restarted.linkedRuns('staging')], ['run-5'], 'the waiting trigger\'s report is kept by retention although the incident is over');
  await restarted.flush();
  assert.deepEqual(actions(pd), ['trigger', 'trigger', 'trigger', 'trigger', 'resolve'], 'the resolve never overtakes its trigger');
  assert.equal(restarted.outbox().length, 0);
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
  assert.match(errors.join('\n'), /pagerduty refused the trigger of staging\/outage: 400 Bad Request/);
  assert.match(errors.join('\n'), /slack refused the trigger of staging\/outage: 404 Not Found/);
  assert.equal(logs.join('\n').includes(ROUTING_KEY), false);
  assert.equal(logs.join('\n').includes(WEBHOOK_SECRET), false);
  assert.equal(m.outbox().length, 2);
  pd.script([202]);
  slack.script([200]);
  await m.flush();
  assert.equal(m.outbox().length, 0);
});

test('journal: the item is saved as "sending" with its attempt count before the request leaves', async () => {
  const m = monitor({ CREDLINK_ALERT_TRIGGER_AFTER: '1', CREDLINK_ALERT_ROUTES: 'SEV-1=pagerduty' });
  m.observe('staging', report(true));
  assert.deepEqual(saved().outbox.map((i: { state: string; attempts: number }) => [i.state, i.attempts]), [['queued', 0]], 'queued and saved before any send');
  const held = pd.hold();
  const flushing = m.flush();
  await held.arrived;
  // The request is at the receiver, unanswered: a kill -9 now would find it on disk as in flight.
  assert.deepEqual(saved().outbox.map((i: { state: string; attempts: number; action: string }) => [i.action, i.state, i.attempts]), [['trigger', 'sending', 1]]);
  held.release();
  await flushing;
  assert.deepEqual(saved().outbox, []);
  assert.deepEqual(saved().delivered.map((d: { action: string; mayBeDuplicate: boolean }) => [d.action, d.mayBeDuplicate]), [['trigger', false]]);
});

test('journal: an item queued while a flush is in flight is never dropped, and concurrent flushes send each item once', async () => {
  const m = monitor({ CREDLINK_ALERT_TRIGGER_AFTER: '1', CREDLINK_ALERT_RESOLVE_AFTER: '1', CREDLINK_ALERT_ROUTES: 'SEV-1=pagerduty' });
  m.observe('staging', report(true));
  const held = pd.hold();
  const first = m.flush();
  await held.arrived;
  // The next run ends while the trigger is still in flight: its resolve is queued, and its flush overlaps.
  m.observe('staging', report(false));
  const second = m.flush();
  const third = m.flush();
  held.release();
  await Promise.all([first, second, third]);
  assert.deepEqual(actions(pd), ['trigger', 'resolve'], 'each once, in order');
  assert.deepEqual(m.outbox(), []);
  assert.deepEqual(saved().outbox, [], 'nothing left on disk either');
});

test('journal: an item found "sending" at start (the process died mid-request) is sent again once and marked as a possible duplicate', async () => {
  const m = monitor({ CREDLINK_ALERT_TRIGGER_AFTER: '1', CREDLINK_ALERT_ROUTES: 'SEV-1=pagerduty' });
  m.observe('staging', report(true));
  const held = pd.hold();
  void m.flush();
  await held.arrived;
  // Simulated kill -9: the file on disk is what the next process finds (the held request is never answered to this monitor).
  const onDisk = fs.readFileSync(path.join(stateDir, 'alerts.json'), 'utf8');
  const crashDir = tempDir('credlink-state-crash-');
  fs.writeFileSync(path.join(crashDir, 'alerts.json'), onDisk);
  const logs: string[] = [];
  const config = configFor({ CREDLINK_ALERT_TRIGGER_AFTER: '1', CREDLINK_ALERT_ROUTES: 'SEV-1=pagerduty' });
  const restarted = new AlertMonitor({ store: new AlertStore(crashDir), configFor: () => config, clock, sleep: async () => {}, log: (l, line) => logs.push(`${l}: ${line}`) });
  held.release();
  await restarted.flush();
  assert.match(logs.join('\n'), /the trigger of staging\/outage to pagerduty was in flight when the daemon stopped: sending it again/);
  const delivered = JSON.parse(fs.readFileSync(path.join(crashDir, 'alerts.json'), 'utf8')).delivered;
  assert.deepEqual(delivered.map((d: { action: string; mayBeDuplicate: boolean; attempts: number }) => [d.action, d.mayBeDuplicate, d.attempts]), [['trigger', true, 2]]);
  await restarted.flush();
  assert.equal(pd.requests.length, 2, 'the in-flight trigger once more, nothing else');
});

test('state version 1 (per check) is upgraded: an open per-check incident resolves under its old dedup key, its queued delivery first', async () => {
  fs.writeFileSync(
    path.join(stateDir, 'alerts.json'),
    JSON.stringify({
      version: 1,
      incidents: {
        'staging/health.root': { env: 'staging', checkId: 'health.root', failures: 4, successes: 0, open: true, severity: 'SEV-1', openedAt: '2026-11-26T09:00:00.000Z', channels: ['pagerduty', 'slack'], lastRunAt: '2026-11-26T09:55:00.000Z', lastSeverity: 'SEV-1', lastDurationMs: 12 },
        'staging/db.connect': { env: 'staging', checkId: 'db.connect', failures: 0, successes: 9, open: false, severity: null, openedAt: null, channels: [], lastRunAt: '2026-11-26T09:55:00.000Z', lastSeverity: null, lastDurationMs: 3 },
      },
      outbox: [
        { id: 'old-1', env: 'staging', checkId: 'health.root', channel: 'pagerduty', action: 'escalate', payload: { event_action: 'trigger', dedup_key: 'credlink-checks/staging/health.root' }, createdAt: '2026-11-26T09:50:00.000Z', attempts: 4, lastError: '503 Service Unavailable', configError: false },
      ],
    }),
  );
  const logs: string[] = [];
  const m = monitor({ CREDLINK_ALERT_RESOLVE_AFTER: '1' }, logs);
  assert.match(logs.join('\n'), /alert state of version 1 \(per check\) upgraded to version 2 \(per incident\); 1 open incident\(s\) keep their PagerDuty dedup key/);
  assert.ok(fs.existsSync(path.join(stateDir, 'alerts.v1.json')), 'the old file is kept');
  assert.equal(saved().version, 2);
  assert.equal(m.incidents()['staging/check:health.root']!.dedupKey, 'credlink-checks/staging/health.root');
  assert.equal(m.checks()['staging/db.connect']!.lastDurationMs, 3, 'per-check metrics survive');
  m.observe('staging', report({ fail: false, passed: ['health.root'] }));
  await m.flush();
  assert.deepEqual(pd.requests.map((r) => [(r.body as { event_action: string }).event_action, (r.body as { dedup_key: string }).dedup_key]), [
    ['trigger', 'credlink-checks/staging/health.root'],
    ['resolve', 'credlink-checks/staging/health.root'],
  ]);
  assert.deepEqual(slack.requests.map((r) => (r.body as { text: string }).text), ['RESOLVED staging: GET /health answers 200']);
  assert.deepEqual(m.incidents(), {});
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
  fs.writeFileSync(path.join(stateDir, 'alerts.json'), '{"version":2,"incid');
  assert.throws(() => monitor(), (e: unknown) => e instanceof EnvironmentError && /alerts\.json: not valid JSON .*move it aside/.test(e.message));
  fs.writeFileSync(path.join(stateDir, 'alerts.json'), '{"version":2,"incidents":[]}');
  assert.throws(() => monitor(), (e: unknown) => e instanceof EnvironmentError && /alerts\.json: not an alert state file \(incidents: /.test(e.message));
  fs.writeFileSync(path.join(stateDir, 'alerts.json'), '{"version":3}');
  assert.throws(() => monitor(), (e: unknown) => e instanceof EnvironmentError && /version 3 was written by a newer credlink-checks/.test(e.message));
});
