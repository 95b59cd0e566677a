import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toReport, type TestRecord } from '../../src/reporter/to-report.ts';
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
  assert.match(renderMarkdown(r), /^### SEV-1: t db.connect\n\n- runbook section: Incident: Database Connection Issues$/m, "no runbook location configured: the section is named, not linked");
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

test('to-report: responses a failing check recorded are classified in its finding (bounded)', () => {
  const annotations = [{ type: 'runbook', description: 'security.no-key-rejected' }];
  for (let i = 0; i < 30; i++) annotations.push({ type: 'response', description: JSON.stringify({ call: 'POST /sign', status: 429, class: 'rate-limited' }) });
  const r = toReport([testRecord('security.no-key-rejected', { status: 'failed', outcome: 'unexpected', errors: ['x'], annotations })], run);
  assert.equal(r.findings[0]!.responses.length, 20);
  assert.deepEqual(r.findings[0]!.responses[0], { call: 'POST /sign', status: 429, class: 'rate-limited' });
});
