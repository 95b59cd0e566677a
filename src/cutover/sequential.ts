/**
 * The bounded sequential extension of the comparison. When the only thing blocking a cutover is
 * an inconclusive metric (its interval could not rule out the SEV-1 band: a wide tail on a busy
 * machine, say) and no metric showed a significant degradation, both colours are measured again,
 * together, for another batch of the same size, and the metrics are judged again on the pooled
 * samples; at most `batches` batches in all.
 *
 * Repeated looks at the same data inflate error rates, so the error budget is split across the
 * looks the plan allows (a weighted Bonferroni split, a simple alpha-spending rule): look k uses
 * the one-sided significance alpha * w_k for "green is worse" and the two-sided interval of
 * confidence 1 - (1 - confidence) * w_k for "the SEV-1 band is ruled out", with weights summing to 1.
 * Over all looks, then, the chance of a false NO-GO by the degradation test is at most alpha, and
 * the chance of a GO whose intervals wrongly ruled out a SEV-1 slowdown at most (1 - confidence) / 2:
 * the same guarantees as a single look. Most cutovers stop at the first look, so it gets most of
 * the budget (SPEND[0]); a plan of one batch keeps the whole of it. Pure.
 */
import type { JudgeOptions, MetricVerdict } from './judge.ts';

/** Weights of the looks (first, second, third batch): the first gets most of the error budget. */
export const SPEND = [0.6, 0.2, 0.2] as const;
/** The default and largest number of batches. */
export const MAX_BATCHES = SPEND.length;

/** The weights for a plan of `batches` looks (renormalized when fewer than SPEND's). */
export function spendWeights(batches: number): number[] {
  const w = SPEND.slice(0, Math.max(1, Math.min(MAX_BATCHES, batches)));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / sum);
}

/** The judge's settings at look `look` (0-based) of `batches`. */
export function lookOptions(look: number, batches: number, o: JudgeOptions): JudgeOptions {
  const w = spendWeights(batches)[look] ?? 0;
  if (w <= 0) throw new Error(`look ${look + 1} of ${batches}: no error budget left`);
  return { ...o, alpha: o.alpha * w, confidence: 1 - (1 - o.confidence) * w };
}

/**
 * Whether another batch may change the decision: at least one metric is inconclusive and none is
 * in a degradation band (a significant degradation is a NO-GO whatever more samples say).
 */
export function worthExtending(metrics: readonly Pick<MetricVerdict, 'band'>[]): boolean {
  return metrics.some((m) => m.band === 'inconclusive') && !metrics.some((m) => m.band === 'SEV-1' || m.band === 'SEV-2');
}
