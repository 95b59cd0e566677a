/**
 * Two samples of one service compared the way a canary judge does (Kayenta's Mann-Whitney
 * classifier: a rank test, an effect size with its confidence interval, a tolerance), graded by
 * the runbook's own bands: 20-50% worse = SEV-2, more than 50% = SEV-1; the error rate against
 * its warning/critical thresholds in points. Pure: cutover (green vs blue, measured together)
 * and perf.degradation (this run vs the baseline runs) both judge through here.
 *
 * Each metric says which test it used, the effect, its confidence interval, the p-value and the
 * band. The rule, per metric:
 * - a band above OK needs the test to show the candidate worse (one-sided p < alpha) AND the
 *   estimated effect inside that band: a significant 5% slowdown is reported and passes, a 30%
 *   one that the data cannot tell from noise is not a regression;
 * - OK also needs the interval to rule out the SEV-1 band (its upper end under +50%, or under
 *   the critical error rate): a comparison too imprecise to exclude a serious regression is
 *   inconclusive, and that blocks (no evidence is not a pass);
 * - an absolute difference under the jitter floor (`floorMs`) is OK whatever its ratio: timer
 *   and event-loop scheduling on the measuring machine move latencies by tenths of a
 *   millisecond, a ratio of sub-millisecond numbers is not a statement about the service.
 */
import type { Severity } from '../../runbooks/severity.ts';
import { harrellDavis } from '../stats/harrell-davis.ts';
import { mannWhitney } from '../stats/mann-whitney.ts';
import { normalCdf, normalQuantile } from '../stats/normal.ts';
import { percentile } from '../stats/percentiles.ts';
import { compareRates } from '../stats/proportions.ts';

export type Band = 'OK' | 'SEV-2' | 'SEV-1' | 'inconclusive';

export interface JudgeOptions {
  /** One-sided significance level of "the candidate is worse". */
  alpha: number;
  /** Of the two-sided intervals printed. */
  confidence: number;
  /** The runbook's degradation bands, as fractions: SEV-2 from `sev2`, SEV-1 above `sev1`. */
  bands: { sev2: number; sev1: number };
  /** Latency differences under this many ms are jitter. */
  floorMs: number;
  /** The quantile compared for the tail (the runbook's p95). */
  tailQuantile: number;
  /** Error-rate thresholds, fractions (CREDLINK_ERROR_RATE_WARN_PCT / _CRIT_PCT). */
  errorRate: { warning: number; critical: number };
}

export const DEFAULT_JUDGE: JudgeOptions = {
  alpha: 0.05,
  confidence: 0.95,
  bands: { sev2: 0.2, sev1: 0.5 },
  floorMs: 0.5,
  tailQuantile: 0.95,
  errorRate: { warning: 0.01, critical: 0.05 },
};

export interface MetricVerdict {
  metric: 'latency' | 'tail' | 'error-rate';
  /** The test, in words. */
  test: string;
  /** Latency: candidate / reference ratio; error rate: difference in points (fraction). */
  effect: number;
  low: number;
  high: number;
  confidence: number;
  /** One-sided p-value of "the candidate is worse". */
  p: number;
  band: Band;
  /** SEV-3 when OK (for the record), SEV-2 when inconclusive. */
  severity: Severity;
  /** The reference and candidate figures the effect is about, for the line. */
  figures: string;
  /** Why the band: one clause. */
  why: string;
}

const LOG_FLOOR_MS = 0.001;
const logs = (v: readonly number[]) => v.map((x) => Math.log(Math.max(LOG_FLOOR_MS, x)));
const pct = (ratio: number) => `${ratio >= 1 ? '+' : ''}${Math.round((ratio - 1) * 100)}%`;
const ms = (v: number) => (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));
const pv = (p: number) => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`);

/** Band of a relative slowdown (fraction), after the significance and precision rules. */
function bandOf(effect: number, high: number, significant: boolean, sev2: number, sev1: number, floor: { effectMs: number; highMs: number; floorMs: number }): { band: Band; why: string } {
  if (floor.effectMs < floor.floorMs && (high <= sev1 || floor.highMs < floor.floorMs)) {
    return { band: 'OK', why: `${floor.effectMs.toFixed(2)} ms apart, under the ${floor.floorMs} ms jitter floor` };
  }
  if (significant && effect > sev1) return { band: 'SEV-1', why: `worse by more than ${Math.round(sev1 * 100)}%` };
  if (significant && effect >= sev2) return { band: 'SEV-2', why: `worse by ${Math.round(sev2 * 100)}-${Math.round(sev1 * 100)}%` };
  if (high > sev1 && floor.highMs >= floor.floorMs) return { band: 'inconclusive', why: `the interval does not rule out more than ${Math.round(sev1 * 100)}% worse: too few samples for this spread` };
  return { band: 'OK', why: significant ? `worse, but by less than ${Math.round(sev2 * 100)}%` : 'no significant difference' };
}

const severityOf = (b: Band): Severity => (b === 'OK' ? 'SEV-3' : b === 'inconclusive' ? 'SEV-2' : b);

/**
 * Latency, two metrics: the whole distribution (Mann-Whitney U on log latency; the
 * Hodges-Lehmann shift on the log scale is the typical ratio candidate/reference) and the tail
 * (ratio of the `tailQuantile`s by the Harrell-Davis estimator, its interval from the
 * distribution-free order-statistic intervals of each quantile, combined on the log scale: wider
 * than the Harrell-Davis estimate's own, so significance is on the safe side).
 */
export function judgeLatency(referenceMs: readonly number[], candidateMs: readonly number[], o: JudgeOptions = DEFAULT_JUDGE): MetricVerdict[] {
  const zc = normalQuantile(1 - (1 - o.confidence) / 2);
  const out: MetricVerdict[] = [];

  const mw = mannWhitney(logs(referenceMs), logs(candidateMs), o.confidence);
  const ratio = Math.exp(mw.shift);
  const refSorted = [...referenceMs].sort((a, b) => a - b);
  const candSorted = [...candidateMs].sort((a, b) => a - b);
  const refMedian = percentile(refSorted, 0.5);
  const candMedian = percentile(candSorted, 0.5);
  const loc = bandOf(ratio - 1, Math.exp(mw.high) - 1, mw.pGreater < o.alpha, o.bands.sev2, o.bands.sev1, {
    effectMs: refMedian * Math.abs(ratio - 1),
    highMs: refMedian * (Math.exp(mw.high) - 1),
    floorMs: o.floorMs,
  });
  out.push({
    metric: 'latency',
    test: 'Mann-Whitney U on log latency, Hodges-Lehmann ratio',
    effect: ratio,
    low: Math.exp(mw.low),
    high: Math.exp(mw.high),
    confidence: o.confidence,
    p: mw.pGreater,
    band: loc.band,
    severity: severityOf(loc.band),
    figures: `median ${ms(candMedian)} vs ${ms(refMedian)} ms`,
    why: loc.why,
  });

  const q = o.tailQuantile;
  const qr = harrellDavis(refSorted, q);
  const qc = harrellDavis(candSorted, q);
  const se = Math.hypot(logQuantileSe(refSorted, q, zc), logQuantileSe(candSorted, q, zc));
  const logRatio = Math.log(Math.max(LOG_FLOOR_MS, qc)) - Math.log(Math.max(LOG_FLOOR_MS, qr));
  const p = se > 0 ? 1 - normalCdf(logRatio / se) : logRatio > 0 ? 0 : 1;
  const tLow = Math.exp(logRatio - zc * se);
  const tHigh = Math.exp(logRatio + zc * se);
  const tail = bandOf(Math.exp(logRatio) - 1, tHigh - 1, p < o.alpha, o.bands.sev2, o.bands.sev1, {
    effectMs: Math.abs(qc - qr),
    highMs: qr * (tHigh - 1),
    floorMs: o.floorMs,
  });
  const name = `p${Math.round(q * 100)}`;
  out.push({
    metric: 'tail',
    test: `${name} ratio (Harrell-Davis), order-statistic interval`,
    effect: Math.exp(logRatio),
    low: tLow,
    high: tHigh,
    confidence: o.confidence,
    p,
    band: tail.band,
    severity: severityOf(tail.band),
    figures: `${name} ${ms(qc)} vs ${ms(qr)} ms`,
    why: tail.why,
  });
  return out;
}

/**
 * Standard error of log(quantile q) of a sorted sample: half the width of its distribution-free
 * interval (ranks nq -/+ z sqrt(nq(1-q))) on the log scale, over z.
 */
export function logQuantileSe(sorted: readonly number[], q: number, z: number): number {
  const n = sorted.length;
  const half = z * Math.sqrt(n * q * (1 - q));
  const lo = Math.max(1, Math.floor(n * q - half));
  const hi = Math.min(n, Math.ceil(n * q + half) + 1);
  const at = (rank: number) => Math.log(Math.max(LOG_FLOOR_MS, sorted[rank - 1]!));
  return (at(hi) - at(lo)) / (2 * z);
}

/** Error rate: Fisher's exact test, the difference in points with Newcombe's interval, graded by the thresholds. */
export function judgeErrors(reference: { errors: number; n: number }, candidate: { errors: number; n: number }, o: JudgeOptions = DEFAULT_JUDGE): MetricVerdict {
  const c = compareRates(reference, candidate, o.confidence);
  const significant = c.pGreater < o.alpha;
  const { warning, critical } = o.errorRate;
  const pts = (f: number) => `${(f * 100).toFixed(1)}`;
  let band: Band;
  let why: string;
  if (significant && c.difference > critical) [band, why] = ['SEV-1', `more than the critical ${pts(critical)} points worse`];
  else if (significant && c.difference > warning) [band, why] = ['SEV-2', `more than the warning ${pts(warning)} points worse`];
  else if (c.high > critical) [band, why] = ['inconclusive', `the interval does not rule out more than ${pts(critical)} points worse: too few requests`];
  else [band, why] = ['OK', significant ? `worse, but by no more than the warning ${pts(warning)} points` : 'no significant difference'];
  return {
    metric: 'error-rate',
    test: "Fisher's exact test, Newcombe interval",
    effect: c.difference,
    low: c.low,
    high: c.high,
    confidence: o.confidence,
    p: c.pGreater,
    band,
    severity: severityOf(band),
    figures: `${candidate.errors}/${candidate.n} vs ${reference.errors}/${reference.n} errors`,
    why,
  };
}

/** One line: the metric, its figures, the effect with its interval and p-value, the band and why. */
export function describeMetric(v: MetricVerdict, names = { candidate: 'green', reference: 'blue' }): string {
  const ci = `${Math.round(v.confidence * 100)}% CI`;
  const effect =
    v.metric === 'error-rate'
      ? `${v.effect >= 0 ? '+' : ''}${(v.effect * 100).toFixed(1)} points (${ci} ${(v.low * 100).toFixed(1)} to ${(v.high * 100).toFixed(1)})`
      : `${pct(v.effect)} (${ci} ${pct(v.low)} to ${pct(v.high)})`;
  return `${v.metric} ${names.candidate} vs ${names.reference}: ${v.figures}; ${effect}, ${pv(v.p)} [${v.test}]: ${v.band === 'OK' ? 'OK' : v.band === 'inconclusive' ? 'inconclusive' : `${v.band} band`}, ${v.why}`;
}
