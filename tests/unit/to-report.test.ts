import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_RESPONSES, toReport, type TestRecord } from '../../src/reporter/to-report.ts';
import { runbookReportSchema } from '../../src/reporter/schema.ts';
import { renderMarkdown } from '../../src/reporter/markdown.ts';
import { testRecord } from '../helpers/records.ts';
import { unknownNames } from '../../runbooks/commands.ts';

const run = { env: 'staging', runId: 'r1', baseUrl: 'https://x', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 5 };
const rec = testRecord;
const down = (id: string): TestRecord =>
  rec(id, { status: 'failed', outcome: 'unexpected', errors: ['[STATUS] (503) == 200 on GET /x (staging)'], annotations: [{ type: 'runbook', description: id }, { type: 'impact', description: '{"kind":"unavailable","status":503}' }] });

test('to-report: all passed -> healthy with null severity', () => {
  const r = toReport([rec('health.root'), rec('db.connect')], run);
  assert.deepEqual(r.verdict, { status: 'healthy', severity: null });
  assert.equal(r.counts.passed, 2);
  runbookReportSchema.parse(r);
});

test('to-report: every health endpoint down -> SEV-0 complete outage', () => {
  const r = toReport([down('health.root'), down('health.status'), down('health.api-health')], run);
  assert.equal(r.verdict.severity, 'SEV-0');
  assert.ok(r.findings.every((f) => f.severity === 'SEV-0'));
});

test('to-report: one of three down -> SEV-2; skipped endpoints do not count', () => {
  const r = toReport([down('health.root'), rec('health.status'), rec('health.api-health')], run);
  assert.equal(r.verdict.severity, 'SEV-2');
  const r2 = toReport([down('health.root'), rec('health.status', { status: 'skipped', outcome: 'skipped' })], run);
  assert.equal(r2.verdict.severity, 'SEV-0');
});

test('to-report: passed on retry is flaky, not failed; skipped carries its reason', () => {
  const r = toReport(
    [
      rec('health.root', { outcome: 'flaky', retries: 1, firstError: 'boom' }),
      rec('db.connect', { status: 'skipped', outcome: 'skipped', annotations: [{ type: 'runbook', description: 'db.connect' }, { type: 'skip', description: 'DATABASE_URL is not set' }] }),
    ],
    run,
  );
  assert.equal(r.verdict.status, 'healthy');
  assert.deepEqual(r.flaky.map((f) => f.checkId), ['health.root']);
  assert.equal(r.skipped[0]!.reason, 'DATABASE_URL is not set');
});

test('to-report: a failure without impact keeps the catalog severity; expected/actual come from annotations', () => {
  const r = toReport(
    [rec('db.connect', { status: 'failed', outcome: 'unexpected', errors: ['x'], annotations: [{ type: 'runbook', description: 'db.connect' }, { type: 'expected', description: 'CONNECT succeeds' }, { type: 'actual', description: 'ECONNREFUSED' }] })],
    run,
  );
  const f = r.findings[0]!;
  assert.equal(f.severity, 'SEV-1');
  assert.equal(f.section.title, 'Incident: Database Connection Issues');
  assert.equal(f.expected, 'CONNECT succeeds');
  assert.equal(f.actual, 'ECONNREFUSED');
  // db.connect failing is the database-unreachable root cause (runbooks/dependencies.ts): the incident's title.
  assert.match(renderMarkdown(r), /^### SEV-1: Database unreachable: the monitor cannot connect\n\n- runbook section: Incident: Database Connection Issues$/m, "no runbook location configured: the section is named, not linked");
});

test('to-report: a test without a catalog id is listed as uncatalogued', () => {
  const r = toReport([rec(undefined)], run);
  assert.deepEqual(r.uncatalogued, ['t undefined']);
});

test('to-report: measurements recorded by checks land in runbook.json', () => {
  const m = { name: 'GET /health', samples: 100, p50: 3, p95: 9, p99: 12, errorRate: 0, unit: 'ms' };
  const r = toReport([rec('health.latency', { annotations: [{ type: 'runbook', description: 'health.latency' }, { type: 'measurement', description: JSON.stringify(m) }] })], run);
  assert.deepEqual(r.measurements, [{ checkId: 'health.latency', ...m }]);
});

test('to-report: immediate actions carry this environment\'s names, or visible placeholders; never production\'s', () => {
  const failed = testRecord('health.root', { status: 'failed', outcome: 'unexpected', errors: ['x'] });
  const plain = toReport([failed], run).findings[0]!.immediateActions.map((a) => a.command);
  assert.ok(plain.includes('kubectl get pods -n <namespace of staging> -l <label selector of staging>'), plain.join('\n'));
  assert.ok(plain.every((c) => !c.includes('credlink-production') && !c.includes('{{')), plain.join('\n'));
  const names = { ...unknownNames('staging'), namespace: 'credlink-staging', deployment: 'api', selector: 'app=api' };
  const named = toReport([failed], run, names).findings[0]!.immediateActions.map((a) => a.command);
  assert.ok(named.includes('kubectl get pods -n credlink-staging -l app=api'), named.join('\n'));
  assert.ok(named.some((c) => c.startsWith('kubectl logs -f deployment/api -n credlink-staging')));
  assert.ok(named.every((c) => !c.includes('credlink-production')));
});

const answer = (call: string, status: number | null, count = 1) => ({ type: 'response', description: JSON.stringify({ call, status, class: status === null ? 'no-answer' : status >= 500 ? 'server-error' : status === 404 ? 'route-missing' : 'auth', count }) });
const failing = (id: string, annotations: { type: string; description: string }[], error = '[X] (y) x on z (staging)'): TestRecord =>
  rec(id, { status: 'failed', outcome: 'unexpected', errors: [error], annotations: [{ type: 'runbook', description: id }, ...annotations] });

test('to-report: the answers a failing check saw become finding.responses (merged, counted) and its impact is kept', () => {
  const r = toReport([failing('security.no-key-rejected', [answer('POST /api/v1/sign', 503, 2), answer('POST /api/v1/sign', 503), answer('GET /health', null), { type: 'response', description: 'not json' }, { type: 'impact', description: '{"kind":"security","class":"issue"}' }])], run);
  const f = r.findings[0]!;
  assert.deepEqual(f.responses, [
    { call: 'POST /api/v1/sign', status: 503, class: 'server-error', count: 3 },
    { call: 'GET /health', status: null, class: 'no-answer', count: 1 },
  ]);
  assert.deepEqual(f.impact, { kind: 'security', class: 'issue' });
  runbookReportSchema.parse(r);
});

test('to-report: a complete outage is ONE incident; the other checks that got 503 are its consequences, a check that passed is not', () => {
  const r = toReport(
    [
      ...['health.root', 'health.status', 'health.api-health'].map((id) => failing(id, [answer(`GET /${id}`, 503, 3), { type: 'impact', description: '{"kind":"unavailable","status":503}' }])),
      failing('security.valid-key-accepted', [answer('POST /api/v1/sign', 503, 3)]),
      failing('security.cors-disallowed-not-5xx', [answer('GET /health', 503, 3), { type: 'impact', description: '{"kind":"security","class":"issue"}' }]),
      rec('security.headers'),
    ],
    run,
  );
  assert.equal(r.incidents.length, 1);
  const i = r.incidents[0]!;
  assert.equal(i.id, 'staging/outage');
  assert.equal(i.severity, 'SEV-0');
  assert.equal(i.root.checkId, 'health.root');
  assert.deepEqual([...i.consequences].sort(), ['health.api-health', 'health.status', 'security.cors-disallowed-not-5xx', 'security.valid-key-accepted']);
  assert.deepEqual(r.verdict, { status: 'findings', severity: 'SEV-0' });
  assert.ok(r.findings.every((f) => f.incidentId === i.id));
  assert.equal(r.findings.filter((f) => f.role === 'root').length, 1);
});

test('to-report: intermittent errors of a one-shot check are SEV-3 in High Error Rate, not "1 of 3 health endpoints down"', () => {
  const r = toReport(
    [failing('health.root', [answer('GET /health', 500), { type: 'impact', description: '{"kind":"intermittent","call":"GET /health","failed":1,"attempts":2}' }]), rec('health.status'), rec('health.api-health')],
    run,
  );
  const f = r.findings[0]!;
  assert.equal(f.severity, 'SEV-3');
  assert.equal(f.section.anchor, 'incident-high-error-rate-5xx-responses');
  assert.doesNotMatch(f.severityRule, /health endpoints down|partial outage/);
  assert.deepEqual(r.incidents.map((i) => i.key), ['symptom:error-rate']);
});

test('to-report: responses a failing check recorded are classified in its finding, merged by call and status (bounded)', () => {
  const annotations = [{ type: 'runbook', description: 'security.no-key-rejected' }];
  for (let i = 0; i < 30; i++) annotations.push({ type: 'response', description: JSON.stringify({ call: 'POST /sign', status: 429, class: 'rate-limited' }) });
  for (let i = 0; i < 60; i++) annotations.push({ type: 'response', description: JSON.stringify({ call: `GET /p${i}`, status: 404, class: 'route-missing' }) });
  const r = toReport([testRecord('security.no-key-rejected', { status: 'failed', outcome: 'unexpected', errors: ['x'], annotations })], run);
  assert.equal(r.findings[0]!.responses.length, MAX_RESPONSES);
  assert.deepEqual(r.findings[0]!.responses[0], { call: 'POST /sign', status: 429, class: 'rate-limited', count: 30 });
});

test('to-report: no check executed -> no-evidence, never healthy (none selected, or every check skipped)', () => {
  const none = toReport([], run);
  assert.deepEqual(none.verdict, { status: 'no-evidence', severity: null, reason: 'no check was selected' });
  const skip = (id: string, why: string) => rec(id, { status: 'skipped', outcome: 'skipped', annotations: [{ type: 'runbook', description: id }, { type: 'skip', description: why }] });
  const all = toReport([skip('prom.cpu', 'PROMETHEUS_URL is not set'), skip('prom.memory', 'PROMETHEUS_URL is not set'), skip('db.connect', 'DATABASE_URL is not set')], run);
  assert.equal(all.verdict.status, 'no-evidence');
  assert.equal(all.verdict.severity, null);
  assert.match(all.verdict.reason!, /^every check was skipped \(3\): PROMETHEUS_URL is not set \(2 checks\); DATABASE_URL is not set$/);
  runbookReportSchema.parse(all);
  // One check that ran is evidence.
  assert.equal(toReport([skip('prom.cpu', 'x'), rec('health.root')], run).verdict.status, 'healthy');
});

test('to-report: a stopped run is interrupted, never healthy; checks cut short are not findings', () => {
  const cut = rec('health.status', { status: 'interrupted', outcome: 'unexpected', errors: ['Test was interrupted.'] });
  const stopped = { why: 'interrupted' as const, detail: 'the run was interrupted' };
  const r = toReport([rec('health.root'), cut], { ...run, stopped });
  assert.equal(r.verdict.status, 'interrupted');
  assert.match(r.verdict.reason!, /1 of 2 checks ran/);
  assert.equal(r.findings.length, 0);
  assert.match(r.skipped[0]!.reason, /^cut short: the run was interrupted/);
  // With an incident found before the stop: still interrupted (it saw part of the environment), severity kept.
  const r2 = toReport([down('health.root'), cut], { ...run, stopped });
  assert.equal(r2.verdict.status, 'interrupted');
  assert.equal(r2.verdict.severity, 'SEV-2');
  // The run deadline: findings stand (with the reason); without any, not healthy.
  const deadline = { why: 'deadline' as const, detail: 'the run deadline of 600 s (CREDLINK_RUN_TIMEOUT_MS) passed' };
  assert.equal(toReport([down('health.root'), cut], { ...run, stopped: deadline }).verdict.status, 'findings');
  assert.equal(toReport([rec('health.root'), cut], { ...run, stopped: deadline }).verdict.status, 'interrupted');
});

test('to-report: runbook.md and index.html never call a run without evidence, or a stopped one, healthy', async () => {
  const { renderHtml } = await import('../../src/report/html.ts');
  const none = toReport([], run);
  const stopped = toReport([rec('health.root')], { ...run, stopped: { why: 'interrupted', detail: 'the run was interrupted' } });
  for (const r of [none, stopped]) {
    const md = renderMarkdown(r);
    assert.match(md, /Verdict: \*\*(NO EVIDENCE|INTERRUPTED)\*\*: /);
    assert.doesNotMatch(md, /\*\*healthy\*\*/);
    const html = renderHtml(r, []);
    assert.match(html, /<h1 id="verdict"[^>]*>(NO EVIDENCE|INTERRUPTED): /);
    assert.doesNotMatch(html, /HEALTHY/);
  }
});
