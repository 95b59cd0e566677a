/** The gate's pure decisions: exit code per (finding severity, --fail-on), and what is worth one re-run. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SEVERITIES, type Severity } from '../../runbooks/severity.ts';
import { exitCodeFor } from '../../src/commands/common.ts';
import { isNetworkLevel, renderGate, shouldRetry } from '../../src/gate/verdict.ts';
import type { RunbookReport } from '../../src/reporter/schema.ts';
import { assembleReport, type FindingInput } from '../helpers/records.ts';

function finding(severity: Severity, actual: string, message = `[STATUS] (${actual}) == 200 on GET /health (staging)`, checkId = 'health.root'): FindingInput {
  return {
    checkId,
    title: 'GET /health answers 200',
    status: 'failed',
    severity,
    severityRule: 'r',
    section: { title: 'Incident: Service Unavailable (503/502 Errors)', anchor: 'incident-service-unavailable-503502-errors' },
    expected: '== 200',
    actual,
    message,
    immediateActions: [],
    evidence: [],
    durationMs: 1,
  };
}

function report(findings: FindingInput[]): RunbookReport {
  return assembleReport({
    env: 'staging',
    runId: 'r1',
    baseUrl: 'https://staging.example',
    startedAt: '2026-01-01T00:00:00Z',
    durationMs: 1,
    counts: { total: 3, passed: 3 - findings.length, failed: findings.length, skipped: 0, flaky: 0 },
    findings,
    passed: [],
    skipped: [],
    flaky: [],
    measurements: [],
    uncatalogued: [],
  });
}

test('gate: exit code for every finding severity x --fail-on', () => {
  for (const found of SEVERITIES) {
    for (const failOn of SEVERITIES) {
      const expected = SEVERITIES.indexOf(found) <= SEVERITIES.indexOf(failOn) ? 1 : 0;
      assert.equal(exitCodeFor(report([finding(found, '503')]), failOn), expected, `${found} with --fail-on ${failOn}`);
    }
    assert.equal(exitCodeFor(report([]), found), 0);
  }
});

const network: [actual: string, isNetwork: boolean][] = [
  ['connect ECONNREFUSED 127.0.0.1:9', true],
  ['read ECONNRESET', true],
  ['getaddrinfo ENOTFOUND staging.example', true],
  ['socket hang up', true],
  ['503', false],
  ['500', false],
  ['body: status: expected string', false],
  ['2400 ms > 2000 ms', false],
];

for (const [actual, expected] of network) {
  test(`gate: "${actual}" is ${expected ? '' : 'not '}network-level`, () => {
    assert.equal(isNetworkLevel({ ...finding('SEV-0', actual), responses: [] }), expected);
  });
}

test('gate: a finding that saw no answer at all is network-level, whatever its text (table)', () => {
  const seen = (...classes: ('no-answer' | 'server-error' | 'success')[]) => classes.map((c) => ({ call: 'POST /api/v1/sign', status: c === 'no-answer' ? null : c === 'success' ? 200 : 503, class: c }));
  const cases: [string, string, ReturnType<typeof seen>, boolean][] = [
    ['no key: no answer', '[STATUS] (no key: no answer) == 401 on POST /api/v1/sign (down)', seen('no-answer'), true],
    ['no data: 0 answered requests', '[P95] (no data: 0 answered requests) <= 2000 ms', seen('no-answer', 'no-answer', 'no-answer'), true],
    ['no answer, then a 503', '[STATUS] (503) == 200', seen('no-answer', 'server-error'), false],
    ['a 200 among no answers', '[STATUS] (no answer) == 401', seen('success', 'no-answer'), false],
    ['no data, no responses recorded', '[P95] (no data: 0 answered requests) <= 2000 ms', [], false],
  ];
  for (const [actual, message, responses, expected] of cases) assert.equal(isNetworkLevel({ actual, message, responses }), expected, actual);
});

test('gate: re-run only when every blocking finding is network-level', () => {
  assert.equal(shouldRetry(report([finding('SEV-0', 'connect ECONNREFUSED 127.0.0.1:9')]), 'SEV-2'), true);
  assert.equal(shouldRetry(report([finding('SEV-0', 'connect ECONNREFUSED 127.0.0.1:9'), finding('SEV-1', '503', undefined, 'health.status')]), 'SEV-2'), false);
  // A network finding below the threshold blocks nothing: no re-run.
  assert.equal(shouldRetry(report([finding('SEV-3', 'read ECONNRESET')]), 'SEV-2'), false);
  assert.equal(shouldRetry(report([]), 'SEV-3'), false);
});

test('gate: the verdict names the threshold, the blocking incidents, those that do not block by name, both report paths, and ends with the verdict', () => {
  const text = renderGate({ report: report([finding('SEV-1', '503'), finding('SEV-3', '404', '[STATUS] (404) == 200 on GET /api/v1/status (staging)', 'health.status')]), runDir: '/r/staging/r1', failOn: 'SEV-2', retried: false });
  assert.match(text, /^GATE FAILED staging: 1 incident\(s\) at or above SEV-2 block; 1 below do not$/m);
  assert.match(text, /^blocking \(at or above SEV-2\):\n {2}SEV-1 GET \/health answers 200\n/m);
  assert.match(text, /cause health\.root: \[STATUS\] \(503\)/);
  assert.match(text, /^not blocking \(below SEV-2\):\n {2}SEV-3 GET \/health answers 200\n[\s\S]*cause health\.status: \[STATUS\] \(404\)/m, 'what does not block is named');
  assert.match(text, /^junit: +\/r\/staging\/r1\/junit\.xml$/m);
  assert.match(text, /^runbook\.md: \/r\/staging\/r1\/runbook\.md$/m);
  assert.equal(text.trim().split('\n').at(-1), 'GATE FAILED staging: 1 incident(s) at or above SEV-2 block; 1 below do not', 'the verdict is the last line');
  for (const line of text.split('\n')) assert.ok(line.length <= 100, `fits 100 columns: ${line}`);
});
