import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sample } from '../../src/probes/open-model.ts';
import { asCurlFormat, describeRate, errorRateVerdict, latencyVerdict, slowPhases, type EndpointSamples } from '../../src/perf/probe-verdict.ts';
import { exceedancesDeciding, summarize } from '../../src/stats/percentiles.ts';

const limits = { warning: 2000, critical: 5000 };
const ok = (ms: number): Sample => ({ ms, status: 200, phases: { dns: 0, connect: 0, tls: 0, ttfb: ms - 1, download: 1 } });
const ep = (name: string, samples: Sample[], dropped = 0): EndpointSamples => ({ name, samples, dropped, scheduled: samples.length + dropped });
const many = (n: number, f: (i: number) => Sample) => Array.from({ length: n }, (_, i) => f(i));

const latencyTable: [name: string, endpoints: EndpointSamples[], expected: string][] = [
  ['fast', [ep('a', many(100, () => ok(20)))], 'ok'],
  ['all slow beyond warning', [ep('a', many(100, () => ok(2500)))], 'warning'],
  ['all slow beyond critical', [ep('a', many(100, () => ok(6000)))], 'critical'],
  ['8% long tail: p50 fast, p95 critical', [ep('a', many(100, (i) => ok(i % 12 === 0 ? 6000 : 20)))], 'critical'],
  ['5% tail stays under p95', [ep('a', many(100, (i) => ok(i < 5 ? 6000 : 20)))], 'ok'],
  ['one endpoint slow among fast ones', [ep('a', many(100, () => ok(20))), ep('b', many(100, () => ok(3000)))], 'warning'],
  ['zero samples: no data', [ep('a', [])], 'no-data'],
  ['only refused connections: no data', [ep('a', many(100, () => ({ ms: 1, status: null, error: 'connect ECONNREFUSED' })))], 'no-data'],
  ['timeouts count as latency', [ep('a', many(100, () => ({ ms: 10_000, status: null, error: 'no answer within 10000 ms' })))], 'critical'],
  ['58 samples: insufficient', [ep('a', many(58, () => ok(20)))], 'insufficient'],
  ['58 slow samples: insufficient, not a page', [ep('a', many(58, () => ok(9000)))], 'insufficient'],
  ['drops with a passing p95: invalid', [ep('a', many(100, () => ok(20)), 3)], 'invalid'],
  ['drops with a failing p95: the finding stands', [ep('a', many(100, () => ok(6000)), 3)], 'critical'],
];
for (const [name, endpoints, expected] of latencyTable) {
  test(`latency verdict: ${name} -> ${expected}`, () => {
    assert.equal(latencyVerdict(endpoints, limits).status, expected);
  });
}

const errorTable: [pct: number, expected: string][] = [[0, 'ok'], [1, 'ok'], [3, 'warning'], [5, 'warning'], [10, 'critical']];
for (const [pct, expected] of errorTable) {
  test(`error-rate verdict: ${pct}% 5xx over two endpoints -> ${expected}`, () => {
    const mk = (name: string) => ep(name, many(100, (i) => (i < pct ? { ms: 5, status: 500 } : ok(5))));
    const v = errorRateVerdict([mk('a'), mk('b')], { warning: 0.01, critical: 0.05 });
    assert.equal(v.status, expected);
    if (v.status === 'warning' || v.status === 'critical') assert.equal(v.value, pct / 100);
  });
}

test('error-rate verdict: no samples is no data', () => {
  assert.equal(errorRateVerdict([ep('a', [])], { warning: 0.01, critical: 0.05 }).status, 'no-data');
});

test('slow phases: the slowest 5% in curl-format names', () => {
  const samples = many(100, (i) => ok(i < 5 ? 3000 : 10));
  const p = slowPhases(samples)!;
  assert.equal(p.count, 5);
  assert.equal(p.ttfb, 2999);
  assert.deepEqual(asCurlFormat(p), { time_namelookup: 0, time_connect: 0, time_appconnect: 0, time_starttransfer: 2.999, time_total: 3 });
});

test('early stop: 4 exceedances decide the p95 of 60; the rule holds against the exact percentile', () => {
  assert.equal(exceedancesDeciding(60, 0.95), 4);
  assert.equal(exceedancesDeciding(100, 0.95), 6);
  for (const n of [20, 59, 60, 100, 137]) {
    const k = exceedancesDeciding(n, 0.95);
    const decided = [...Array(n - k).fill(1), ...Array(k).fill(100)];
    assert.equal(summarize(decided)!.p95, 100, `n=${n}: ${k} exceedances decide`);
    const notYet = [...Array(n - k + 1).fill(1), ...Array(k - 1).fill(100)];
    assert.equal(summarize(notYet)!.p95, 1, `n=${n}: ${k - 1} do not`);
  }
});

test('error-rate verdict: judged per endpoint; two endpoints above 5% beside a healthy one are critical though the average is 4.7%', () => {
  const mk = (name: string, errors: number) => ep(name, many(100, (i) => (i < errors ? { ms: 5, status: 500 } : ok(5))));
  const limits = { warning: 0.01, critical: 0.05 };
  const v = errorRateVerdict([mk('GET /health', 6), mk('GET /api/v1/status', 8), mk('GET /api/v1/health', 0)], limits);
  assert.equal(v.status, 'critical');
  assert.ok(v.status === 'critical' && v.scope === 'GET /api/v1/status' && v.value === 0.08 && v.limit === 0.05);
  assert.deepEqual(v.endpoints.map((r) => [r.scope, r.errors, r.tier]), [['GET /health', 6, 'critical'], ['GET /api/v1/status', 8, 'critical'], ['GET /api/v1/health', 0, 'ok']]);
  assert.equal(v.overall.errors, 14);
  assert.equal(Math.round(v.overall.rate! * 1000) / 10, 4.7);
  assert.equal(v.overall.tier, 'warning');
  assert.equal(describeRate(v.endpoints[1]!, limits), 'GET /api/v1/status 8% (8/100) > 5%');
  assert.equal(describeRate(v.overall, limits), 'all endpoints 4.7% (14/300) > 1%');
});

test('error-rate verdict: an endpoint with too few requests is listed but not judged alone; the overall rate still is', () => {
  const v = errorRateVerdict([ep('a', many(30, (i) => (i < 4 ? { ms: 5, status: 500 } : ok(5)))), ep('b', many(30, () => ok(5)))], { warning: 0.01, critical: 0.05 });
  assert.deepEqual(v.endpoints.map((r) => r.tier), ['insufficient', 'insufficient']);
  assert.equal(v.status, 'critical');
  assert.ok(v.status === 'critical' && v.scope === 'all endpoints');
});
