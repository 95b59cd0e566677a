/**
 * The Mann-Whitney U (Wilcoxon rank-sum) test of "y tends to be larger than x", with the
 * Hodges-Lehmann estimate of the shift between them and its distribution-free confidence
 * interval (the interval that inverts the same test), as R's `wilcox.test(y, x, conf.int = TRUE)`.
 *
 * - The p-value uses the normal approximation with the tie correction of the variance and a
 *   continuity correction; callers use it from 20 samples a side up, where it is accurate to the
 *   third decimal (exact tables are for smaller samples, which a latency comparison never trusts).
 * - The shift interval: the k-th smallest and k-th largest of the n*m pairwise differences y - x,
 *   k from the same normal approximation. Found by bisection on a pairwise count done by a merge
 *   of the two sorted samples (O(n + m) per step), so n*m differences are never materialized.
 * Callers pass log latencies: ranks do not change, and the shift becomes a log ratio.
 */
import { normalCdf, normalQuantile } from './normal.ts';

export interface ShiftTest {
  nx: number;
  ny: number;
  /** U of y: pairs with y > x, ties counted half. */
  u: number;
  /** Standardized U (continuity- and tie-corrected); > 0 when y tends to be larger. */
  z: number;
  /** One-sided p-value of "y is stochastically larger than x". */
  pGreater: number;
  /** Hodges-Lehmann estimate of the shift y - x: the median of all pairwise differences. */
  shift: number;
  /** Two-sided confidence interval of the shift at `confidence`. */
  low: number;
  high: number;
  confidence: number;
}

const asc = (a: number, b: number) => a - b;

/** Pairs (i, j) with y[i] - x[j] <= d, for sorted x and y. */
function pairsAtMost(x: readonly number[], y: readonly number[], d: number): number {
  // For each y (ascending), the x's with x >= y - d: a pointer that only moves right.
  let j = 0;
  let count = 0;
  for (const yi of y) {
    const bound = yi - d;
    while (j < x.length && x[j]! < bound) j++;
    count += x.length - j;
  }
  return count;
}

/** The k-th smallest (1-based) pairwise difference y - x, by bisection to a relative 1e-10. */
function kthDifference(x: readonly number[], y: readonly number[], k: number): number {
  let lo = y[0]! - x[x.length - 1]!;
  let hi = y[y.length - 1]! - x[0]!;
  const tol = 1e-10 * Math.max(1, Math.abs(lo), Math.abs(hi));
  // Invariant: fewer than k pairs <= lo - tiny, at least k pairs <= hi.
  for (let i = 0; i < 200 && hi - lo > tol; i++) {
    const mid = (lo + hi) / 2;
    if (pairsAtMost(x, y, mid) >= k) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** U of y and the tie term sum(t^3 - t) over tied groups of the pooled sample. */
function uAndTies(x: readonly number[], y: readonly number[]): { u: number; ties: number } {
  let i = 0;
  let j = 0;
  let u = 0;
  let ties = 0;
  let below = 0; // x values smaller than the current value
  while (i < x.length || j < y.length) {
    const v = Math.min(i < x.length ? x[i]! : Infinity, j < y.length ? y[j]! : Infinity);
    let cx = 0;
    let cy = 0;
    while (i < x.length && x[i] === v) (i++, cx++);
    while (j < y.length && y[j] === v) (j++, cy++);
    u += cy * (below + cx / 2);
    below += cx;
    const t = cx + cy;
    if (t > 1) ties += t * t * t - t;
  }
  return { u, ties };
}

export function mannWhitney(xIn: readonly number[], yIn: readonly number[], confidence = 0.95): ShiftTest {
  if (xIn.length < 2 || yIn.length < 2) throw new RangeError('mannWhitney: at least 2 values a side');
  const x = [...xIn].sort(asc);
  const y = [...yIn].sort(asc);
  const nx = x.length;
  const ny = y.length;
  const n = nx + ny;
  const { u, ties } = uAndTies(x, y);
  const mean = (nx * ny) / 2;
  const variance = ((nx * ny) / 12) * (n + 1 - ties / (n * (n - 1)));
  const sd = Math.sqrt(variance);
  const diff = u - mean;
  const z = sd > 0 ? (diff - 0.5 * Math.sign(diff)) / sd : 0;
  const pGreater = sd > 0 ? 1 - normalCdf(z) : 0.5;

  const pairs = nx * ny;
  const shift = (kthDifference(x, y, Math.floor((pairs + 1) / 2)) + kthDifference(x, y, Math.ceil((pairs + 1) / 2))) / 2;
  const zc = normalQuantile(1 - (1 - confidence) / 2);
  const k = Math.max(1, Math.floor(mean - zc * Math.sqrt(((nx * ny) / 12) * (n + 1))));
  return { nx, ny, u, z, pGreater, shift, low: kthDifference(x, y, k), high: kthDifference(x, y, pairs - k + 1), confidence };
}
