/**
 * Exact percentiles of a sample (nearest-rank on the sorted values), and the sample-size rules
 * for trusting a p95: below 59 samples no 95%-confidence upper bound on p95 exists, so a p95
 * from fewer samples is "insufficient data"; zero samples is "no data", never a pass.
 */
export const MIN_SAMPLES_FOR_P95 = 59;

export interface Summary {
  count: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile: the smallest value with at least q of the sample at or below it. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export function summarize(values: readonly number[]): Summary | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return {
    count: s.length,
    min: s[0]!,
    p50: percentile(s, 0.5),
    p95: percentile(s, 0.95),
    p99: percentile(s, 0.99),
    max: s[s.length - 1]!,
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}

export type Sufficiency = 'no-data' | 'insufficient' | 'ok';

export function sufficiency(count: number): Sufficiency {
  if (count === 0) return 'no-data';
  return count < MIN_SAMPLES_FOR_P95 ? 'insufficient' : 'ok';
}

/**
 * How many of `planned` samples must exceed a limit for the nearest-rank q-quantile of all
 * `planned` to exceed it, whatever the remaining samples are: sampling may stop there.
 * (p95 of 60 = the 57th smallest; once 4 values exceed the limit, so does the 57th.)
 */
export function exceedancesDeciding(planned: number, q: number): number {
  return planned - Math.max(1, Math.ceil(q * planned)) + 1;
}
