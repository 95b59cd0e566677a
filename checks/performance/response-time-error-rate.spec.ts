/**
 * Runbook "Incident: Slow Response Times", "Incident: High Error Rate (5xx Responses)" and the
 * "Alert Thresholds": every probed endpoint sampled at a fixed arrival rate (open model), exact
 * p50/p95/p99 and error rate against the thresholds, and p95 against recent healthy runs.
 * The three checks judge one shared sampling (src/perf/probe-run.ts).
 */
import path from 'node:path';
import { runbook, test, type Check } from '../fixtures.ts';
import { runConfig } from '../../config/index.ts';
import { describeMetric } from '../../src/cutover/judge.ts';
import { compareToBaseline, judgeAgainstBaseline, readBaselineRuns } from '../../src/perf/baseline.ts';
import { sampleEndpoints, probeSettings, type ProbeRun } from '../../src/perf/probe-run.ts';
import { asCurlFormat, describeRate, errorRateVerdict, hasLatency, latencyVerdict, slowPhases, statsOf, type Verdict } from '../../src/perf/probe-verdict.ts';
import { histogramOf } from '../../src/stats/histogram.ts';
import { classify, type ResponseClass } from '../../src/http/response-class.ts';
import type { Impact } from '../../src/triage/impact.ts';

const cfg = runConfig();
const settings = probeSettings(cfg);
const calls = `GET ${settings.paths.join(', ')} (${settings.samples} each at ${settings.rate}/s)`;
/** Why the probe sent fewer requests than configured (the target's rate limits), for skip reasons. */
const planNote = settings.limitedBy ? `; ${settings.limitedBy}` : '';
const skipWithoutPaths = () => {
  test.skip(settings.paths.length === 0, 'no path to probe: every health path is none and CREDLINK_PROBE_PATHS is unset or none');
  test.skip(settings.samples === 0, `no probe: ${settings.limitedBy ?? 'no request planned'}`);
};
const round = (n: number) => Math.round(n * 10) / 10;
const NAMES = { candidate: 'this run', reference: 'baseline' };
/** What the judged samples are: this run's probe, or a monitor's window (src/monitor/reuse.ts), said in every finding. */
const callsOf = (run: ProbeRun) => (run.window ? `GET ${settings.paths.join(', ')}: ${run.window}` : calls);

/** Records every endpoint's measurement once per run (the latency check owns them). */
function measureAll(check: Check, run: ProbeRun): void {
  for (const e of run.endpoints) {
    const s = statsOf(e);
    check.measure({
      name: e.name,
      samples: s.latency?.count ?? 0,
      p50: s.latency ? round(s.latency.p50) : null,
      p95: s.latency ? round(s.latency.p95) : null,
      p99: s.latency ? round(s.latency.p99) : null,
      errorRate: s.errorRate,
      answers: answersOf(e),
      histogram: histogramOf(e.samples.filter(hasLatency).map((x) => x.ms)),
      latenciesMs: e.samples.filter(hasLatency).map((x) => Math.round(x.ms * 100) / 100),
      ...(run.window ? { window: run.window } : {}),
    });
  }
}

/** Every probe request by the class of its answer (unanswered ones as no-answer): the daemon counts them per endpoint. */
function answersOf(e: ProbeRun['endpoints'][number]): Partial<Record<ResponseClass, number>> {
  const out: Partial<Record<ResponseClass, number>> = {};
  for (const s of e.samples) {
    const c = classify(s.status);
    out[c] = (out[c] ?? 0) + 1;
  }
  return out;
}

function impactOf(v: Verdict, precise = false): Impact | undefined {
  // Ratios keep their precision: rounding to one decimal printed a 4.7% rate as "0".
  if (v.status === 'warning' || v.status === 'critical') return { kind: 'threshold', tier: v.status, value: precise ? Math.round(v.value * 10_000) / 10_000 : round(v.value), limit: v.limit, scope: v.scope };
  if (v.status === 'no-data' || v.status === 'invalid') return { kind: 'gap', reason: v.reason };
  return undefined;
}

test('p95 response time of every probed endpoint stays under the warning threshold', runbook('perf.latency'), async ({ check, config }) => {
  skipWithoutPaths();
  const limits = config.thresholds.responseTimeMs;
  const run = await sampleEndpoints(config);
  measureAll(check, run);
  const v = latencyVerdict(run.endpoints, limits);
  test.skip(v.status === 'insufficient', v.status === 'insufficient' ? `${v.reason}${run.window ? ` (${run.window})` : planNote}` : '');
  const table = run.endpoints.map((e) => {
    const s = statsOf(e);
    return { endpoint: e.name, samples: s.latency?.count ?? 0, p50: s.latency && round(s.latency.p50), p95: s.latency && round(s.latency.p95), p99: s.latency && round(s.latency.p99), max: s.latency && round(s.latency.max), dropped: s.dropped, rateLimited: s.rateLimited };
  });
  if (v.status !== 'ok') {
    const slow = run.endpoints.map((e) => ({ endpoint: e.name, slowest: slowPhases(e.samples) }));
    await check.evidence('latency per endpoint (ms, from the scheduled start)', { rate: run.rate, thresholds: limits, endpoints: table }, 'time curl -s <endpoint>');
    await check.evidence(
      'timing breakdown of the slowest 5% (ms; curl-format seconds)',
      slow.map((s) => ({ ...s, curlFormat: s.slowest && asCurlFormat(s.slowest) })),
      'curl -w "@curl-format.txt" -s {{baseUrl}}{{healthPath}}',
    );
  }
  check.that({
    label: 'P95',
    ok: v.status === 'ok',
    actual: 'scope' in v ? `${round(v.value)} ms p95 on ${v.scope}` : 'reason' in v ? v.reason : `${round(v.value)} ms`,
    expected: `<= ${limits.warning} ms (critical above ${limits.critical} ms)`,
    call: callsOf(run),
    impact: impactOf(v),
  });
});

test('the share of 5xx or unanswered probe requests stays under the warning threshold', runbook('perf.error-rate'), async ({ check, config }) => {
  skipWithoutPaths();
  const limits = config.thresholds.errorRate;
  const run = await sampleEndpoints(config);
  const v = errorRateVerdict(run.endpoints, limits);
  test.skip(v.status === 'insufficient', v.status === 'insufficient' ? `${v.reason}${run.window ? ` (${run.window})` : planNote}` : '');
  const pct = (r: number) => `${round(r * 100)}%`;
  if (v.status !== 'ok') {
    await check.evidence(
      'answers per endpoint',
      run.endpoints.map((e) => {
        const s = statsOf(e);
        const row = v.endpoints.find((r) => r.scope === e.name);
        return { endpoint: e.name, requests: s.requests, errors: s.errors, rateLimited: s.rateLimited, errorRate: s.errorRate === null ? null : pct(s.errorRate), tier: row?.tier, outcomes: s.outcomes };
      }),
      'rate(http_requests_total{status=~"5.."}[5m])',
    );
  }
  // Every endpoint is listed (the worst first), the overall rate beside them.
  const rows = [...v.endpoints].sort((a, b) => (b.rate ?? -1) - (a.rate ?? -1));
  const listed = `${rows.map((r) => describeRate(r, limits)).join('; ')}; overall ${describeRate(v.overall, limits).replace(/^all endpoints /, '')}`;
  check.that({
    label: 'ERROR RATE',
    ok: v.status === 'ok',
    actual: v.status === 'no-data' || v.status === 'insufficient' ? v.reason : v.status === 'invalid' ? `${v.reason}; ${listed}` : listed,
    expected: `<= ${pct(limits.warning)} on every endpoint (critical above ${pct(limits.critical)})`,
    call: callsOf(run),
    impact: v.status === 'ok' ? undefined : impactOf(v, true),
  });
});

test('p95 response time is not more than 20% worse than the baseline runs', runbook('perf.degradation'), async ({ check, config }) => {
  const base = config.baseline ?? { env: config.env, runs: 5, minDeltaMs: 50 };
  skipWithoutPaths();
  test.skip(!config.runDir, 'no reports folder for this run: no baseline to read');
  const reportsDir = path.dirname(path.dirname(config.runDir!));
  const runs = readBaselineRuns(reportsDir, base.env, base.runs, config.runId);
  test.skip(runs.length === 0, `no baseline: no healthy run of "${base.env}" with latency measurements in ${reportsDir}`);
  const run = await sampleEndpoints(config);
  const expected = `latency and p95 not 20% or more worse than the last ${runs.length} healthy run(s) of "${base.env}" (Mann-Whitney U and p95 ratio, one-sided p < 0.05; differences under ${base.minDeltaMs} ms are not counted)`;
  // The same comparison as cutover's (src/cutover/judge.ts), this run against the pooled baseline runs.
  const judged = judgeAgainstBaseline(
    run.endpoints.map((e) => ({ name: e.name, latenciesMs: e.samples.filter(hasLatency).map((x) => x.ms) })),
    runs,
    base.minDeltaMs,
  );
  if (judged.endpoints.length) {
    const w = judged.worst!;
    test.skip(w.metric.band === 'inconclusive', `${w.endpoint.name} ${describeMetric(w.metric, NAMES)}`);
    const degraded = w.metric.band === 'SEV-2' || w.metric.band === 'SEV-1';
    if (degraded) {
      await check.evidence(
        `latency against the baseline of "${base.env}"`,
        {
          baselineRuns: runs.map((r) => r.runId),
          minDeltaMs: base.minDeltaMs,
          endpoints: judged.endpoints.map((e) => ({ endpoint: e.name, baselineRuns: e.runs, baselineSamples: e.baselineSamples, samples: e.currentSamples, verdicts: e.metrics.map((m) => describeMetric(m, NAMES)) })),
        },
        'histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[5m])) against last week',
      );
    }
    check.that({
      label: 'DEGRADATION',
      ok: !degraded,
      actual: `${w.endpoint.name} ${describeMetric(w.metric, NAMES)}`,
      expected,
      call: calls,
      impact: degraded ? { kind: 'degradation', percent: (w.metric.effect - 1) * 100 } : undefined,
    });
    return;
  }
  // Baseline runs from before raw latencies were kept: their p95s, as before.
  const current = run.endpoints.map((e) => {
    const lat = statsOf(e).latency;
    return { name: e.name, p95: lat?.p95 ?? null, samples: lat?.count ?? 0 };
  });
  const d = compareToBaseline(current, runs, base.minDeltaMs);
  test.skip(d.rows.length === 0, `no endpoint has both current latencies (59+ samples) and a baseline from ${runs.length} run(s) of "${base.env}"`);
  const degraded = d.worstPercent >= 20;
  if (degraded) {
    await check.evidence(
      `p95 against the baseline of "${base.env}" (ms)`,
      { baselineRuns: runs.map((r) => r.runId), minDeltaMs: base.minDeltaMs, endpoints: d.rows.map((r) => ({ ...r, current: round(r.current), baseline: round(r.baseline), percent: Math.round(r.percent) })) },
      'histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[5m])) against last week',
    );
  }
  const w = d.worst;
  check.that({
    label: 'DEGRADATION',
    ok: !degraded,
    actual: w ? `${w.name} p95 ${round(w.current)} ms vs ${round(w.baseline)} ms baseline (+${Math.round(w.percent)}%; baseline runs without raw latencies: p95 against their median)` : 'within the noise floor',
    expected: `< 20% worse than the median p95 of the last ${runs.length} healthy run(s) of "${base.env}"`,
    call: callsOf(run),
    impact: degraded ? { kind: 'degradation', percent: Math.round(d.worstPercent) } : undefined,
  });
});
