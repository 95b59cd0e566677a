/**
 * How much the comparison measures, planned for what it must tell apart, then fitted to the
 * colours' declared rate limits. Pure.
 *
 * The default size (DEFAULT_SAMPLES per colour and path) is planned for these goals, each proved
 * by tests/unit/cutover-judge.test.ts on generated samples:
 * - identical colours GO in at least 99% of comparisons;
 * - a green 30% slower (every request, or only the tail) lands in the SEV-2 band, and 60% slower
 *   in the SEV-1 band, in at least 95% of comparisons. The binding case is the tail: the p95
 *   ratio of a log-normal body with a 1% slow tail has to be placed on the right side of the 50%
 *   band edge from 60%, which needs a standard error of the log ratio near
 *   log(1.6 / 1.5) / 1.645 = 0.039, about 1000 samples a side (the p95 of 100 samples is +-20%);
 * - an error rate 2 points above a 0% blue is NO-GO at least 95% of the time: `errorGoalSamples`
 *   computes that exactly (binomial errors through the same Fisher test and bands): 460.
 * Remote colours are measured at 100 requests a second per colour: 1000 samples in 10 s, so a
 * cutover beside a monitor's still-valid results decides within 20 s. An embedded colour (a
 * rehearsal) is measured at 50/s, 20 s: 100/s was more than two in-process reference targets on
 * a loaded two-core machine could serve.
 *
 * When the first batch leaves a metric inconclusive and nothing significantly worse, up to
 * `batches` batches in all are measured (src/cutover/sequential.ts); the plan says so, and what
 * that could cost, at the start. A plan cut by a declared rate limit has one batch: its
 * allowance is planned per window, and a second batch would spend the next window's.
 */
import { planProbe } from '../budget/plan.ts';
import { DEFAULT_JUDGE, judgeErrors, type JudgeOptions } from './judge.ts';
import { MAX_BATCHES } from './sequential.ts';

export const DEFAULT_SAMPLES = 1000;
/** Requests a second per colour and path when a colour is embedded (shares this process). */
export const DEFAULT_RATE = 50;
/** The same for remote colours. */
export const DEFAULT_REMOTE_RATE = 100;
/** Below this the bands cannot be told apart at any realistic spread: refused as a setting. */
export const MIN_SAMPLES = 100;

const logBinomial = (n: number, k: number, p: number) => {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log((n - k + i) / i);
  return s + k * Math.log(p) + (n - k) * Math.log(1 - p);
};

/** P(NO-GO) for a green with error rate `worse` against a blue with none, n requests a side (exact). */
export function errorPower(n: number, worse: number, o: JudgeOptions = DEFAULT_JUDGE): number {
  let power = 0;
  for (let k = 0; k <= n; k++) {
    const pk = Math.exp(logBinomial(n, k, worse));
    if (pk < 1e-15 && k > n * worse) break;
    const band = judgeErrors({ errors: 0, n }, { errors: k, n }, o).band;
    if (band === 'SEV-2' || band === 'SEV-1') power += pk;
  }
  return power;
}

/** The smallest n (a multiple of 10) at which a green `worse` than a 0% blue is NO-GO with probability `power`. */
export function errorGoalSamples(worse = 0.02, power = 0.95, o: JudgeOptions = DEFAULT_JUDGE): number {
  for (let n = MIN_SAMPLES; n <= 100_000; n += 10) if (errorPower(n, worse, o) >= power) return n;
  return Number.POSITIVE_INFINITY;
}

export interface ComparisonPlan {
  paths: string[];
  samples: number;
  rate: number;
  /** Wall time of one batch: every path after the other, both colours at once. */
  seconds: number;
  /** Batches at most: more than one when an inconclusive first batch may be extended (sequential.ts). */
  batches: number;
  /** Why the plan is below what was asked, in words. */
  limitedBy?: string;
}

type Cfg = Parameters<typeof planProbe>[0];

/**
 * The asked samples and rate, reduced to fit both colours' declared limits the way the run's own
 * probe is (src/budget/plan.ts: half of 80% of a client limit, within the check timeout).
 */
export function planComparison(blue: Cfg, green: Cfg, want: { paths: string[]; samples: number; rate: number; batches?: number }): ComparisonPlan {
  const configured = { paths: want.paths, samples: want.samples, rate: want.rate, maxInFlight: 64 };
  const plans = [planProbe(blue, configured), planProbe(green, configured)];
  const samples = Math.min(...plans.map((p) => p.samples));
  const rate = Math.min(...plans.map((p) => p.rate));
  const limitedBy = plans.find((p) => p.limitedBy)?.limitedBy;
  const batches = limitedBy ? 1 : Math.max(1, Math.min(MAX_BATCHES, want.batches ?? MAX_BATCHES));
  return { paths: want.paths, samples, rate, seconds: (samples / rate) * want.paths.length, batches, ...(limitedBy ? { limitedBy } : {}) };
}

/** What the comparison will spend, for the start of the command. */
export function describePlan(p: ComparisonPlan): string {
  const each = `${p.samples} requests per colour on ${p.paths.join(', ')} at ${p.rate}/s`;
  const short = p.samples < DEFAULT_SAMPLES ? `; below the ${DEFAULT_SAMPLES} the bands are planned for, so the intervals are wider and an imprecise comparison is inconclusive` : '';
  const more =
    p.batches > 1
      ? `; if that leaves a metric inconclusive and nothing significantly worse, up to ${p.batches - 1} more batch(es) of ${p.samples}, up to ${p.samples * p.batches} per colour and path, about ${Math.ceil(p.seconds * p.batches)} s in all`
      : p.limitedBy
        ? '; no second batch (the declared limit is planned per window)'
        : '';
  return `comparing blue and green: ${each}, about ${Math.ceil(p.seconds)} s${p.limitedBy ? ` (${p.limitedBy})` : ''}${short}${more}`;
}
