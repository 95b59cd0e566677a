import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { errorRateQuery, latencyP95Query, ratioQuery } from '../../src/perf/promql.ts';
import { valueOf } from '../../src/probes/prometheus.ts';
import { RUNBOOK_LIMITS } from '../../load/lib/thresholds.ts';
import { PROJECT_ROOT } from '../../src/run/paths.ts';

const names = { window: '5m', selector: '', requestsMetric: 'http_requests_total', statusLabel: 'status_code', durationMetric: 'http_request_duration_seconds' };

test('promql: the 5xx ratio uses the configured status label, proves the label exists, and treats no 5xx as 0', () => {
  const q = errorRateQuery(names);
  assert.equal(q.presence, 'count(http_requests_total{status_code!=""})');
  assert.equal(q.value, '(sum(rate(http_requests_total{status_code=~"5.."}[5m])) or vector(0)) / sum(rate(http_requests_total{}[5m]))');
  const scoped = errorRateQuery({ ...names, selector: 'job="api"' });
  assert.match(scoped.value, /http_requests_total\{job="api",status_code=~"5\.\."\}/);
});

test('promql: p95 from the histogram, aggregated by le', () => {
  assert.equal(latencyP95Query(names).value, 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{}[5m])))');
  assert.equal(ratioQuery('a / b').presence, 'count(a / b)');
});

test('prometheus answers: no series and NaN are no data; several series -> the worst', () => {
  assert.deepEqual(valueOf({ resultType: 'vector', result: [] }), { kind: 'no-data', reason: 'no series' });
  assert.equal(valueOf({ resultType: 'vector', result: [{ value: [0, 'NaN'] }] }).kind, 'no-data');
  assert.deepEqual(valueOf({ resultType: 'vector', result: [{ value: [0, '0.2'] }, { value: [0, '0.7'] }] }), { kind: 'value', value: 0.7, series: 2 });
  assert.deepEqual(valueOf({ resultType: 'scalar', result: [0, '1'] }), { kind: 'value', value: 1, series: 1 });
});

test('deploy/k6-testrun.yaml: a k6-operator TestRun carrying the runbook thresholds', () => {
  const doc = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'deploy', 'k6-testrun.yaml'), 'utf8'));
  assert.equal(doc.apiVersion, 'k6.io/v1alpha1');
  assert.equal(doc.kind, 'TestRun');
  assert.ok(doc.spec.parallelism > 1);
  const env = Object.fromEntries(doc.spec.runner.env.map((e: { name: string; value: string }) => [e.name, e.value]));
  assert.equal(Number(env.CREDLINK_RESPONSE_WARN_MS), RUNBOOK_LIMITS.responseTimeMs.warning);
  assert.equal(Number(env.CREDLINK_RESPONSE_CRIT_MS), RUNBOOK_LIMITS.responseTimeMs.critical);
  assert.equal(Number(env.CREDLINK_ERROR_RATE_WARN), RUNBOOK_LIMITS.errorRate.warning);
  assert.equal(Number(env.CREDLINK_ERROR_RATE_CRIT), RUNBOOK_LIMITS.errorRate.critical);
});
