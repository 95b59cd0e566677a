/**
 * Seeded latency samples with realistic shapes, for the statistical tests of the cutover judge:
 * a log-normal body, a tail (1% of requests by default 2-4x slower: a cold cache, a GC pause), additive
 * scheduling jitter, and 10 us timer resolution (ties). A candidate is slower on every request,
 * or only in the tail: requests above the reference's p90 are slower by the factor (ramping in
 * from its p80), so the candidate's p90 and above are exactly that much slower.
 */
import { normalQuantile } from '../../src/stats/normal.ts';
import { rng } from './seeded-random.ts';

export { rng } from './seeded-random.ts';

export interface Shape {
  /** Median of the body, ms. */
  medianMs: number;
  /** Spread of log latency in the body. */
  sigma?: number;
  /** Standard deviation of the additive jitter, ms (its absolute value is added). */
  jitterMs?: number;
  /** Share of requests in the slow tail (2-4x slower). */
  tailShare?: number;
  /** How much slower the tail's requests are: uniform between these factors (default 2 to 4). */
  tailFactor?: [number, number];
  /** Candidate slower by this fraction (0.3 = 30%). */
  slower?: number;
  /** Where it is slower: every request, or the tail only. */
  where?: 'all' | 'tail';
}

function draw(random: () => number, s: Shape): number {
  let x = s.medianMs * Math.exp((s.sigma ?? 0.3) * normalQuantile(random()));
  const [lo, hi] = s.tailFactor ?? [2, 4];
  if (random() < (s.tailShare ?? 0.01)) x *= lo + (hi - lo) * random();
  return x + Math.abs((s.jitterMs ?? 0.1) * normalQuantile(random()));
}

const quantiles = new Map<string, { p80: number; p90: number }>();
/** The reference shape's p80 and p90, from 200,000 draws (seeded, cached). */
function tailStart(s: Shape): { p80: number; p90: number } {
  const key = `${s.medianMs}|${s.sigma}|${s.jitterMs}|${s.tailShare}|${s.tailFactor}`;
  let q = quantiles.get(key);
  if (!q) {
    const r = rng(7);
    const v = Array.from({ length: 200_000 }, () => draw(r, s)).sort((a, b) => a - b);
    q = { p80: v[160_000]!, p90: v[180_000]! };
    quantiles.set(key, q);
  }
  return q;
}

export function latencies(random: () => number, n: number, s: Shape): number[] {
  const f = s.slower ?? 0;
  const t = s.where === 'tail' && f ? tailStart(s) : undefined;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let x = draw(random, s);
    if (t) x *= 1 + f * Math.min(1, Math.max(0, (x - t.p80) / (t.p90 - t.p80)));
    else x *= 1 + f;
    out.push(Math.round(x * 100) / 100);
  }
  return out;
}

/** Errors among n requests at the given rate. */
export function errorCount(random: () => number, n: number, rate: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (random() < rate) k++;
  return k;
}
