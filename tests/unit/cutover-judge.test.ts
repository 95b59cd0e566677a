/**
 * The cutover judge against its goals, on generated samples (seeded, so every run sees the same
 * draws): identical colours GO in >= 99% of 200 comparisons; 30% slower (every request, or only
 * the tail) in the SEV-2 band and 60% slower in the SEV-1 band in >= 95%, for a 3 ms, a 30 ms and
 * an 800 ms blue, at the default sample size; 2 error points over a 0% blue NO-GO. And the
 * statistics themselves against reference values (scipy 1.17).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparisonOrder } from '../../src/cutover/cutover.ts';
import { describeMetric, judgeErrors, judgeLatency, type Band, type MetricVerdict } from '../../src/cutover/judge.ts';
import { DEFAULT_SAMPLES, errorGoalSamples, errorPower, planComparison } from '../../src/cutover/plan.ts';
import { harrellDavis } from '../../src/stats/harrell-davis.ts';
import { mannWhitney } from '../../src/stats/mann-whitney.ts';
import { normalCdf, normalQuantile } from '../../src/stats/normal.ts';
import { compareRates } from '../../src/stats/proportions.ts';
import { errorCount, latencies, rng, type Shape } from '../helpers/latency-samples.ts';

const SIMULATIONS = 200;
const order: Record<Band, number> = { OK: 0, inconclusive: 1, 'SEV-2': 2, 'SEV-1': 3 };
const worst = (v: MetricVerdict[]) => v.reduce((a, b) => (order[b.band] > order[a.band] ? b : a)).band;

function bands(seed: number, blue: Shape, green: Shape, n = DEFAULT_SAMPLES): Record<Band, number> {
  const r = rng(seed);
  const out: Record<Band, number> = { OK: 0, inconclusive: 0, 'SEV-2': 0, 'SEV-1': 0 };
  for (let i = 0; i < SIMULATIONS; i++) out[worst(judgeLatency(latencies(r, n, blue), latencies(r, n, green)))]++;
  return out;
}

for (const medianMs of [3, 800]) {
  test(`identical colours (${medianMs} ms): GO in >= 99% of ${SIMULATIONS} comparisons`, () => {
    const b = bands(medianMs, { medianMs }, { medianMs });
    assert.ok(b.OK >= 0.99 * SIMULATIONS, JSON.stringify(b));
  });
}

for (const medianMs of [3, 30, 800]) {
  for (const where of ['all', 'tail'] as const) {
    test(`green 30% slower (${where === 'all' ? 'every request' : 'the tail'}, ${medianMs} ms blue): SEV-2 in >= 95%`, () => {
      const b = bands(medianMs * 10 + 1, { medianMs }, { medianMs, slower: 0.3, where });
      assert.ok(b['SEV-2'] >= 0.95 * SIMULATIONS, JSON.stringify(b));
    });
    test(`green 60% slower (${where === 'all' ? 'every request' : 'the tail'}, ${medianMs} ms blue): SEV-1 in >= 95%`, () => {
      const b = bands(medianMs * 10 + 2, { medianMs }, { medianMs, slower: 0.6, where });
      assert.ok(b['SEV-1'] >= 0.95 * SIMULATIONS, JSON.stringify(b));
    });
  }
}

test('error rate 2 points above a 0% blue: NO-GO at the default sample size, with the confidence stated', () => {
  assert.ok(errorGoalSamples(0.02, 0.95) <= DEFAULT_SAMPLES);
  assert.ok(errorPower(DEFAULT_SAMPLES, 0.02) >= 0.95);
  const r = rng(5);
  let nogo = 0;
  for (let i = 0; i < SIMULATIONS; i++) {
    const v = judgeErrors({ errors: 0, n: DEFAULT_SAMPLES }, { errors: errorCount(r, DEFAULT_SAMPLES, 0.02), n: DEFAULT_SAMPLES });
    if (v.band === 'SEV-2' || v.band === 'SEV-1') nogo++;
  }
  assert.ok(nogo >= 0.95 * SIMULATIONS, `${nogo}`);
  const line = describeMetric(judgeErrors({ errors: 0, n: 1000 }, { errors: 20, n: 1000 }));
  assert.match(line, /^error-rate green vs blue: 20\/1000 vs 0\/1000 errors; \+2\.0 points \(95% CI 1\.\d to 3\.\d\), p < 0\.001 \[Fisher's exact test, Newcombe interval\]: SEV-2 band, more than the warning 1\.0 points worse$/);
});

test('identical error rates (1% each) stay GO: significance and the band are both needed', () => {
  const r = rng(6);
  let go = 0;
  for (let i = 0; i < SIMULATIONS; i++) {
    if (judgeErrors({ errors: errorCount(r, DEFAULT_SAMPLES, 0.01), n: DEFAULT_SAMPLES }, { errors: errorCount(r, DEFAULT_SAMPLES, 0.01), n: DEFAULT_SAMPLES }).band === 'OK') go++;
  }
  assert.ok(go >= 0.99 * SIMULATIONS, `${go}`);
});

test('a line states the test, the effect with its interval, the p-value and the band', () => {
  const r = rng(9);
  const [loc, tail] = judgeLatency(latencies(r, 1000, { medianMs: 30 }), latencies(r, 1000, { medianMs: 30, slower: 0.6 }));
  assert.equal(loc!.band, 'SEV-1');
  assert.match(describeMetric(loc!), /^latency green vs blue: median \d+\.\d vs \d+\.\d ms; \+6\d% \(95% CI \+\d+% to \+\d+%\), p < 0\.001 \[Mann-Whitney U on log latency, Hodges-Lehmann ratio\]: SEV-1 band, worse by more than 50%$/);
  assert.match(describeMetric(tail!), /^tail green vs blue: p95 \d+\.\d vs \d+\.\d ms; \+\d+% .*\[p95 ratio \(Harrell-Davis\), order-statistic interval\]: SEV-1 band/);
});

test('the jitter floor: a sub-millisecond service doubling by 0.2 ms is OK, and says why', () => {
  const r = rng(10);
  const v = judgeLatency(latencies(r, 1000, { medianMs: 0.2, jitterMs: 0.01 }), latencies(r, 1000, { medianMs: 0.2, jitterMs: 0.01, slower: 1 }));
  assert.equal(v[0]!.band, 'OK');
  assert.match(v[0]!.why, /ms apart, under the 0\.5 ms jitter floor/);
  const strict = judgeLatency(latencies(r, 1000, { medianMs: 0.2, jitterMs: 0.01 }), latencies(r, 1000, { medianMs: 0.2, jitterMs: 0.01, slower: 1 }), { ...judgeDefaults(), floorMs: 0 });
  assert.equal(strict[0]!.band, 'SEV-1');
});

test('too few samples for the spread: inconclusive (blocks), never OK', () => {
  const r = rng(11);
  const v = judgeLatency(latencies(r, 30, { medianMs: 30, sigma: 1 }), latencies(r, 30, { medianMs: 30, sigma: 1 }));
  assert.ok(v.some((m) => m.band === 'inconclusive'), JSON.stringify(v.map((m) => [m.metric, m.band, m.high])));
  assert.equal(v.find((m) => m.band === 'inconclusive')!.severity, 'SEV-2');
});

test('a faster green is not a regression', () => {
  const r = rng(12);
  const v = judgeLatency(latencies(r, 1000, { medianMs: 30, slower: 0.5 }), latencies(r, 1000, { medianMs: 30 }));
  assert.deepEqual(v.map((m) => m.band), ['OK', 'OK']);
  assert.match(describeMetric(v[0]!), /: OK, no significant difference$/);
});

test('the comparison plan fits declared rate limits and says so', () => {
  const cfg = (client: { limit: number; windowS: number } | null) => ({ rateLimits: { client, paths: [] }, security: { authFailLimit: { max: 20, windowS: 60, per: 'client' } }, probe: undefined, paths: {}, timeouts: { checkMs: 60_000 } }) as never;
  const free = planComparison(cfg(null), cfg(null), { paths: ['/health'], samples: 1000, rate: 100 });
  assert.deepEqual([free.samples, free.rate, free.seconds, free.limitedBy], [1000, 100, 10, undefined]);
  const tight = planComparison(cfg(null), cfg({ limit: 100, windowS: 60 }), { paths: ['/health'], samples: 1000, rate: 100 });
  assert.ok(tight.samples <= 40, JSON.stringify(tight));
  assert.match(tight.limitedBy ?? '', /CREDLINK_RATE_LIMIT=100/);
});

const judgeDefaults = () => ({ alpha: 0.05, confidence: 0.95, bands: { sev2: 0.2, sev1: 0.5 }, floorMs: 0.5, tailQuantile: 0.95, errorRate: { warning: 0.01, critical: 0.05 } });

// Reference values: scipy.stats.mannwhitneyu(y, x, alternative='greater', method='asymptotic'),
// numpy median of the pairwise differences, scipy.stats.fisher_exact, scipy.special.betainc,
// scipy.stats.mstats.hdquantiles, scipy.stats.norm.
test('statistics match reference implementations', () => {
  const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3, 2.2, 1.1, 0.9, 1.9, 2.0, 1.3];
  const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29, 2.6, 2.7, 3.0, 2.2, 1.3, 2.5, 2.8];
  const mw = mannWhitney(x, y);
  assert.equal(mw.u, 126.5);
  assert.ok(Math.abs(mw.pGreater - 0.4061971524414743) < 1e-6);
  assert.ok(Math.abs(mw.shift - 0.1335) < 1e-8);
  assert.ok(mw.low < 0 && mw.high > 0);
  assert.ok(Math.abs(compareRates({ errors: 0, n: 300 }, { errors: 6, n: 300 }).pGreater - 0.015235687986656815) < 1e-9);
  assert.ok(Math.abs(compareRates({ errors: 3, n: 200 }, { errors: 9, n: 250 }).pGreater - 0.13969840319070778) < 1e-9);
  assert.ok(Math.abs(harrellDavis([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20], 0.95) - 18.65842646) < 1e-6);
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959963984540054) < 1e-8);
  assert.ok(Math.abs(normalCdf(1.6448536) - 0.95) < 1e-6);
});

test('when the comparison measures: before the suite for an embedded colour or a suite with nothing to wait for, beside it for remote ones, after it under declared limits', () => {
  const cfg = (target: string, client: object | null, paths: object[] = []) => ({ target, rateLimits: { client, paths } }) as never;
  const at = (...a: Parameters<typeof comparisonOrder>) => comparisonOrder(...a).order;
  assert.equal(at(cfg('embedded', null), cfg('embedded', null), ['/health']), 'before');
  assert.equal(at(cfg('remote', null), cfg('remote', null), ['/health']), 'beside');
  assert.deepEqual(comparisonOrder(cfg('remote', null), cfg('remote', null), ['/health'], { quick: true }), { order: 'before', why: 'quick-suite' });
  assert.equal(at(cfg('remote', null), cfg('remote', { limit: 100, windowS: 60 }), ['/health']), 'after');
  assert.equal(at(cfg('remote', null), cfg('remote', { limit: 100, windowS: 60 }), ['/health'], { quick: true }), 'after', 'declared limits: the suite may use their allowance first');
  assert.equal(at(cfg('remote', null), cfg('remote', null, [{ path: '/health', limit: 10, windowS: 60 }]), ['/health']), 'after');
  assert.equal(at(cfg('remote', null), cfg('remote', null, [{ path: '/sign', limit: 10, windowS: 60 }]), ['/health']), 'beside');
});
