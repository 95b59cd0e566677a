import assert from 'node:assert/strict';
import { test } from 'node:test';
import { k6Thresholds, limitsFromEnv, RUNBOOK_LIMITS, thresholdRules } from '../../load/lib/thresholds.ts';
import { alertThresholds } from '../../runbooks/thresholds.ts';
import { findingsFromSummary, k6Outcome, k6SummarySchema } from '../../src/load/summary.ts';
import { sections } from '../../runbooks/sections.ts';

test('k6 thresholds are generated from the runbook thresholds, each rule tagged with a catalog id', () => {
  assert.deepEqual(RUNBOOK_LIMITS.responseTimeMs, alertThresholds.responseTimeMs);
  const t = k6Thresholds(thresholdRules(RUNBOOK_LIMITS));
  assert.deepEqual(t, {
    'http_req_duration{credlink_probe:yes}': ['p(95)<2000', 'p(95)<5000'],
    'http_req_failed{credlink_probe:yes}': ['rate<0.01', 'rate<0.05'],
    dropped_iterations: ['count<1'],
  });
  for (const r of thresholdRules(RUNBOOK_LIMITS)) assert.match(r.checkId, /^perf\.(latency|error-rate)$/);
});

test('k6 limits come from __ENV when set and valid, the runbook otherwise', () => {
  assert.deepEqual(limitsFromEnv({}), RUNBOOK_LIMITS);
  const l = limitsFromEnv({ CREDLINK_RESPONSE_WARN_MS: '150', CREDLINK_RESPONSE_CRIT_MS: 'x', CREDLINK_ERROR_RATE_WARN: '0.02' });
  assert.deepEqual(l.responseTimeMs, { warning: 150, critical: 5000 });
  assert.equal(l.errorRate.warning, 0.02);
});

/** The shape k6 passes to handleSummary (trimmed from a k6 v1.x run: metrics with values and thresholds). */
const recorded = (p95: number, failRate: number, dropped: number) => ({
  scenario: 'p95',
  root_group: { name: '', checks: [] },
  options: { summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'] },
  state: { isStdOutTTY: false, testRunDurationMs: 300_123 },
  metrics: {
    http_reqs: { type: 'counter', contains: 'default', values: { count: 6000, rate: 20 } },
    'http_req_duration{credlink_probe:yes}': {
      type: 'trend',
      contains: 'time',
      values: { avg: p95 / 2, min: 1, med: p95 / 3, max: p95 * 2, 'p(90)': p95 * 0.9, 'p(95)': p95 },
      thresholds: { 'p(95)<2000': { ok: p95 < 2000 }, 'p(95)<5000': { ok: p95 < 5000 } },
    },
    'http_req_failed{credlink_probe:yes}': {
      type: 'rate',
      contains: 'default',
      values: { rate: failRate, passes: 60, fails: 5940 },
      thresholds: { 'rate<0.01': { ok: failRate < 0.01 }, 'rate<0.05': { ok: failRate < 0.05 } },
    },
    dropped_iterations: { type: 'counter', contains: 'default', values: { count: dropped, rate: dropped / 300 }, thresholds: { 'count<1': { ok: dropped < 1 } } },
  },
});

const table: [name: string, summary: ReturnType<typeof recorded>, expected: [string, string, string][]][] = [
  ['all thresholds held', recorded(120, 0, 0), []],
  ['p95 over warning', recorded(2400, 0, 0), [['perf.latency', 'SEV-2', 'slow-responses']]],
  ['p95 over critical (only the critical finding)', recorded(6100, 0, 0), [['perf.latency', 'SEV-1', 'slow-responses']]],
  ['3% errors', recorded(100, 0.03, 0), [['perf.error-rate', 'SEV-2', 'high-error-rate']]],
  ['10% errors', recorded(100, 0.1, 0), [['perf.error-rate', 'SEV-1', 'high-error-rate']]],
  ['dropped iterations invalidate the run', recorded(100, 0, 12), [['perf.latency', 'SEV-3', 'slow-responses']]],
];

for (const [name, summary, expected] of table) {
  test(`k6 summary mapping: ${name}`, () => {
    const f = findingsFromSummary(k6SummarySchema.parse(summary), RUNBOOK_LIMITS);
    assert.deepEqual(
      f.map((x) => [x.checkId, x.severity, x.section.title]),
      expected.map(([id, sev, sec]) => [id, sev, sections[sec as keyof typeof sections].title]),
    );
  });
}

test('k6 summary mapping: the dropped-iterations finding says the run is invalid', () => {
  const [f] = findingsFromSummary(k6SummarySchema.parse(recorded(100, 0, 12)), RUNBOOK_LIMITS);
  assert.ok(f?.invalid);
  assert.match(f.rule, /load run invalid: 12 iterations dropped/);
});

test('k6 exit codes: 0 passed, 99 thresholds failed, others are k6 errors', () => {
  assert.equal(k6Outcome(0), 'passed');
  assert.equal(k6Outcome(99), 'thresholds-failed');
  assert.equal(k6Outcome(107), 'k6-error');
});
