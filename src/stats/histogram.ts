/**
 * A latency histogram with fixed buckets, so that runs, restarts and locations can be added up
 * (a Prometheus histogram: `histogram_quantile()` over the sum of several daemons' buckets), which
 * percentiles of single runs cannot. The bounds hold the runbook's thresholds (2 s warning, 5 s
 * critical), so "share of requests slower than the threshold" is read off one bucket exactly.
 */
import { z } from '../zod.ts';

/** Upper bounds, ms (Prometheus `le` in seconds = bound / 1000). */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2000, 5000, 10_000] as const;

export const latencyHistogramSchema = z.object({
  /** Upper bounds of the buckets, ms; the +Inf bucket is `count`. */
  le: z.array(z.number()),
  /** Cumulative: values <= le[i]. */
  counts: z.array(z.number().int().nonnegative()),
  count: z.number().int().nonnegative(),
  sumMs: z.number().nonnegative(),
});
export type LatencyHistogram = z.infer<typeof latencyHistogramSchema>;

export function histogramOf(valuesMs: readonly number[], le: readonly number[] = LATENCY_BUCKETS_MS): LatencyHistogram {
  return {
    le: [...le],
    counts: le.map((b) => valuesMs.filter((v) => v <= b).length),
    count: valuesMs.length,
    // Rounded to a microsecond: the sum is for rates and means, not for identity.
    sumMs: Math.round(valuesMs.reduce((s, v) => s + v, 0) * 1000) / 1000,
  };
}
