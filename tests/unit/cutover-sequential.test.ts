/**
 * The sequential extension of the cutover comparison (src/cutover/sequential.ts) against the same
 * goals as a single look, on generated samples (seeded), simulating what cutover does: a batch of
 * the default size from each colour, judged with the first look's share of the error budget; while
 * a metric is inconclusive and none significantly worse, another batch, pooled, judged with the
 * next look's share; at most three batches. Identical colours GO in >= 99% of 200 comparisons
 * (also with a wide tail that a single look often cannot bound), 30% slower lands in the SEV-2
 * band and 60% slower in the SEV-1 band in >= 95%, an error rate 2 points above a 0% blue is NO-GO.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_JUDGE, judgeErrors, judgeLatency, type Band, type MetricVerdict } from '../../src/cutover/judge.ts';
import { DEFAULT_SAMPLES, describePlan, errorPower, planComparison } from '../../src/cutover/plan.ts';
import { lookOptions, MAX_BATCHES, spendWeights, worthExtending } from '../../src/cutover/sequential.ts';
import { errorCount, latencies, rng, type Shape } from '../helpers/latency-samples.ts';

const SIMULATIONS = 200;
const order: Record<Band, number> = { OK: 0, inconclusive: 1, 'SEV-2': 2, 'SEV-1': 3 };
const worst = (v: MetricVerdict[]) => v.reduce((a, b) => (order[b.band] > order[a.band] ? b : a)).band;

/** Bands of 200 sequential comparisons, and how many needed more than one batch. */
function sequential(seed: number, blue: Shape, green: Shape, batches: number = MAX_BATCHES): Record<Band, number> & { extended: number } {
  const r = rng(seed);
  const out = { OK: 0, inconclusive: 0, 'SEV-2': 0, 'SEV-1': 0, extended: 0 };
  for (let i = 0; i < SIMULATIONS; i++) {
    const b = latencies(r, DEFAULT_SAMPLES, blue);
    const g = latencies(r, DEFAULT_SAMPLES, green);
    let v = judgeLatency(b, g, lookOptions(0, batches, DEFAULT_JUDGE));
    for (let look = 1; look < batches && worthExtending(v); look++) {
      if (look === 1) out.extended++;
      b.push(...latencies(r, DEFAULT_SAMPLES, blue));
      g.push(...latencies(r, DEFAULT_SAMPLES, green));
      v = judgeLatency(b, g, lookOptions(look, batches, DEFAULT_JUDGE));
    }
    out[worst(v)]++;
  }
  return out;
}

test('the error budget is split across the looks: the shares sum to the single look\'s alpha and non-coverage', () => {
  for (let k = 1; k <= MAX_BATCHES; k++) {
    const w = spendWeights(k);
    assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    const looks = w.map((_, i) => lookOptions(i, k, DEFAULT_JUDGE));
    assert.ok(Math.abs(looks.reduce((a, o) => a + o.alpha, 0) - DEFAULT_JUDGE.alpha) < 1e-12);
    assert.ok(Math.abs(looks.reduce((a, o) => a + (1 - o.confidence), 0) - (1 - DEFAULT_JUDGE.confidence)) < 1e-12);
  }
  assert.deepEqual(lookOptions(0, 1, DEFAULT_JUDGE), DEFAULT_JUDGE, 'one batch: the whole budget, as before');
  assert.equal(worthExtending([{ band: 'OK' }, { band: 'inconclusive' }]), true);
  assert.equal(worthExtending([{ band: 'SEV-2' }, { band: 'inconclusive' }]), false, 'a significant degradation is a NO-GO whatever more samples say');
  assert.equal(worthExtending([{ band: 'OK' }, { band: 'OK' }]), false);
});

for (const medianMs of [3, 800]) {
  test(`identical colours (${medianMs} ms), sequential: GO in >= 99% of ${SIMULATIONS}`, () => {
    const b = sequential(medianMs + 100, { medianMs }, { medianMs });
    assert.ok(b.OK >= 0.99 * SIMULATIONS, JSON.stringify(b));
  });
}

test('identical colours with a wide tail (3.5% of requests 3-10x slower): a single look is often inconclusive, the sequential comparison GO in >= 99%', () => {
  const wide: Shape = { medianMs: 3, tailShare: 0.035, tailFactor: [3, 10] };
  const single = sequential(201, wide, wide, 1);
  assert.ok(single.inconclusive >= 0.1 * SIMULATIONS, `a single look must struggle here for the test to mean anything: ${JSON.stringify(single)}`);
  const b = sequential(201, wide, wide);
  assert.ok(b.extended > 0, JSON.stringify(b));
  assert.ok(b.OK >= 0.99 * SIMULATIONS, JSON.stringify(b));
});

for (const medianMs of [3, 30, 800]) {
  for (const where of ['all', 'tail'] as const) {
    test(`sequential: green 30% slower (${where === 'all' ? 'every request' : 'the tail'}, ${medianMs} ms blue) SEV-2, 60% slower SEV-1, each in >= 95%`, () => {
      const s2 = sequential(medianMs * 10 + 5, { medianMs }, { medianMs, slower: 0.3, where });
      assert.ok(s2['SEV-2'] >= 0.95 * SIMULATIONS, JSON.stringify(s2));
      const s1 = sequential(medianMs * 10 + 6, { medianMs }, { medianMs, slower: 0.6, where });
      assert.ok(s1['SEV-1'] >= 0.95 * SIMULATIONS, JSON.stringify(s1));
    });
  }
}

test('sequential: an error rate 2 points above a 0% blue is NO-GO at the first look (its share of alpha), exactly computed and simulated', () => {
  const first = lookOptions(0, MAX_BATCHES, DEFAULT_JUDGE);
  assert.ok(errorPower(DEFAULT_SAMPLES, 0.02, first) >= 0.95);
  const r = rng(301);
  let nogo = 0;
  for (let i = 0; i < SIMULATIONS; i++) {
    const v = judgeErrors({ errors: 0, n: DEFAULT_SAMPLES }, { errors: errorCount(r, DEFAULT_SAMPLES, 0.02), n: DEFAULT_SAMPLES }, first);
    if (v.band === 'SEV-2' || v.band === 'SEV-1') nogo++;
  }
  assert.ok(nogo >= 0.95 * SIMULATIONS, `${nogo}`);
});

test('the plan at start includes the possible extension, and a plan cut by a declared limit has one batch', () => {
  const cfg = (client: { limit: number; windowS: number } | null) => ({ rateLimits: { client, paths: [] }, security: { authFailLimit: { max: 20, windowS: 60, per: 'client' } }, probe: undefined, paths: {}, timeouts: { checkMs: 60_000 } }) as never;
  const free = planComparison(cfg(null), cfg(null), { paths: ['/health'], samples: 1000, rate: 100 });
  assert.equal(free.batches, MAX_BATCHES);
  assert.equal(
    describePlan(free),
    'comparing blue and green: 1000 requests per colour on /health at 100/s, about 10 s; if that leaves a metric inconclusive and nothing significantly worse, up to 2 more batch(es) of 1000, up to 3000 per colour and path, about 30 s in all',
  );
  assert.equal(planComparison(cfg(null), cfg(null), { paths: ['/health'], samples: 1000, rate: 100, batches: 1 }).batches, 1);
  const tight = planComparison(cfg(null), cfg({ limit: 100, windowS: 60 }), { paths: ['/health'], samples: 1000, rate: 100 });
  assert.equal(tight.batches, 1);
  assert.match(describePlan(tight), /no second batch \(the declared limit is planned per window\)$/);
});
