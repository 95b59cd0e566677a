/**
 * Two error rates compared: Fisher's exact test of "y's rate is higher than x's" (exact at any
 * count, which matters at the 0-5 errors a healthy service gives), and Newcombe's hybrid score
 * interval for the difference of the two rates (method 10 of Newcombe 1998, from two Wilson
 * intervals: it stays inside [-1, 1] and is sound at 0 errors, where the Wald interval collapses).
 */
import { normalQuantile } from './normal.ts';

export interface RateComparison {
  x: { errors: number; n: number };
  y: { errors: number; n: number };
  /** y's rate minus x's. */
  difference: number;
  /** Two-sided interval of the difference at `confidence`. */
  low: number;
  high: number;
  confidence: number;
  /** One-sided exact p-value of "y's rate is higher" (Fisher). */
  pGreater: number;
}

const logFactorials: number[] = [0];
function logFactorial(n: number): number {
  for (let i = logFactorials.length; i <= n; i++) logFactorials[i] = logFactorials[i - 1]! + Math.log(i);
  return logFactorials[n]!;
}
const logChoose = (n: number, k: number) => logFactorial(n) - logFactorial(k) - logFactorial(n - k);

/** Wilson score interval of a proportion. */
export function wilson(errors: number, n: number, confidence = 0.95): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = errors / n;
  const den = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / den;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / den;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** P(y has at least yErrors of the errors | the margins), Fisher's exact one-sided test. */
function fisherGreater(xErrors: number, xN: number, yErrors: number, yN: number): number {
  const errors = xErrors + yErrors;
  const total = xN + yN;
  const denom = logChoose(total, errors);
  let p = 0;
  for (let k = yErrors; k <= Math.min(errors, yN); k++) {
    if (errors - k > xN) continue;
    p += Math.exp(logChoose(yN, k) + logChoose(xN, errors - k) - denom);
  }
  return Math.min(1, p);
}

export function compareRates(x: { errors: number; n: number }, y: { errors: number; n: number }, confidence = 0.95): RateComparison {
  if (x.n === 0 || y.n === 0) throw new RangeError('compareRates: no requests on one side');
  const px = x.errors / x.n;
  const py = y.errors / y.n;
  const wx = wilson(x.errors, x.n, confidence);
  const wy = wilson(y.errors, y.n, confidence);
  const d = py - px;
  const low = d - Math.sqrt((py - wy.low) ** 2 + (wx.high - px) ** 2);
  const high = d + Math.sqrt((wy.high - py) ** 2 + (px - wx.low) ** 2);
  return { x, y, difference: d, low, high, confidence, pGreater: fisherGreater(x.errors, x.n, y.errors, y.n) };
}
