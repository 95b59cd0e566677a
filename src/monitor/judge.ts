/**
 * The judgement of one environment's windows at one instant. Pure. Today's rules
 * (src/perf/probe-verdict.ts, NOTES "Measuring latency"), applied to the window instead of one
 * run's burst of samples:
 * - a pass needs enough samples (59 for a p95; the error rate likewise); fewer is
 *   "inconclusive, n=..", never a pass;
 * - a failure is declared as soon as the samples prove it: enough slow samples that the p95 of
 *   59 is above the limit whatever the others are, or enough errors that the rate over 59 is;
 * - samples taken during a confirmed outage are the outage's evidence, left out of both;
 * - an endpoint is down when its newest sample failed and was confirmed (asked again, failed
 *   again); the service is out when every sampled health endpoint failed its newest request and
 *   at least one of them is down (the `outage` rule).
 */
import { errorRateVerdict, isError, isRateLimited, latencyVerdict, type ErrorRateVerdict, type EndpointSamples, type Verdict } from '../perf/probe-verdict.ts';
import { exceedancesDeciding, MIN_SAMPLES_FOR_P95 } from '../stats/percentiles.ts';
import type { Tier } from '../../runbooks/thresholds.ts';
import type { EndpointWindow, WindowSample } from './window.ts';

export interface JudgedEndpoint {
  name: string;
  /** The health check this endpoint is (health.root, health.status, health.api-health), or null. */
  checkId: string | null;
  /** Samples judged (outage samples and 429s left out). */
  n: number;
  outage: number;
  errors: number;
  /** The errors by status (null: no answer), for the finding's responses. */
  errorStatuses: { status: number | null; count: number }[];
  /** The newest sample, if it is recent enough to say how the endpoint is now. */
  latest: WindowSample | null;
  /** The newest sample failed and its confirmation failed too. */
  down: boolean;
}

export interface Judgement {
  at: number;
  windowMs: number;
  endpoints: JudgedEndpoint[];
  /** Every sampled health endpoint failed its newest request, at least one of them confirmed (down). */
  outage: boolean;
  /** Every sampled health endpoint failed its newest request, not (yet) confirmed: an outage may be starting. */
  suspect: boolean;
  latency: Verdict;
  errorRate: ErrorRateVerdict;
  /** Samples judged over all endpoints. */
  n: number;
}

export interface JudgeInput {
  windows: readonly (EndpointWindow & { checkId: string | null })[];
  now: number;
  windowMs: number;
  /** A newest sample older than this says nothing about now (the sampler stopped or fell behind). */
  freshMs: number;
  limits: { responseTimeMs: Tier; errorRate: Tier };
  /**
   * Decide a failure before 59 samples when they prove it: only when the window holds 59 or more
   * samples per endpoint once full (the proving samples are still in it when it reaches 59).
   */
  decideEarly: boolean;
}

const failed = (s: WindowSample) => s.status === null || s.status >= 500;

export function judge(i: JudgeInput): Judgement {
  const judgedSamples = (w: EndpointWindow) => w.samples.filter((s) => !s.outage);
  const endpoints: JudgedEndpoint[] = i.windows.map((w) => {
    const newest = w.samples.at(-1);
    const latest = newest && i.now - newest.t <= i.freshMs ? newest : null;
    const judged = judgedSamples(w).filter((s) => !isRateLimited(s));
    return {
      name: w.name,
      checkId: w.checkId,
      n: judged.length,
      outage: w.samples.length - judgedSamples(w).length,
      errors: judged.filter(isError).length,
      errorStatuses: countStatuses(judged.filter(isError)),
      latest,
      down: latest !== null && failed(latest) && latest.confirmed === true,
    };
  });
  const health = endpoints.filter((e) => e.checkId !== null && e.latest !== null);
  // Out when every health endpoint failed its newest request and at least one was confirmed (asked
  // again, failed again): what the outage rule pages from the report (the confirmed ones fail, the
  // others are not reported), so the outage's samples are its own and never count as an error rate
  // once it is over. The re-ask budget may leave some failures of the round unconfirmed.
  const allFailed = health.length > 0 && health.every((e) => e.latest !== null && failed(e.latest));
  const outage = allFailed && health.some((e) => e.down);
  const suspect = allFailed && !outage;
  const asProbe: EndpointSamples[] = i.windows.map((w) => {
    const samples = judgedSamples(w);
    return { name: w.name, samples, dropped: 0, scheduled: samples.length };
  });
  return {
    at: i.now,
    windowMs: i.windowMs,
    endpoints,
    outage,
    suspect,
    latency: i.decideEarly ? provenLatency(asProbe, i.limits.responseTimeMs, latencyVerdict(asProbe, i.limits.responseTimeMs)) : latencyVerdict(asProbe, i.limits.responseTimeMs),
    errorRate: i.decideEarly ? provenErrorRate(i.limits.errorRate, errorRateVerdict(asProbe, i.limits.errorRate)) : errorRateVerdict(asProbe, i.limits.errorRate),
    n: endpoints.reduce((a, e) => a + e.n, 0),
  };
}

function countStatuses(samples: readonly WindowSample[]): { status: number | null; count: number }[] {
  const m = new Map<number | null, number>();
  for (const s of samples) m.set(s.status, (m.get(s.status) ?? 0) + 1);
  return [...m].map(([status, count]) => ({ status, count }));
}

/** With fewer than 59 samples: decided above a limit once enough samples exceed it (the p95 of 59 is then above it). */
function provenLatency(endpoints: readonly EndpointSamples[], limits: Tier, v: Verdict): Verdict {
  if (v.status !== 'insufficient' && v.status !== 'no-data') return v;
  const deciding = exceedancesDeciding(MIN_SAMPLES_FOR_P95, 0.95);
  for (const tier of ['critical', 'warning'] as const) {
    for (const e of endpoints) {
      const over = e.samples.filter((s) => !isRateLimited(s) && s.ms > limits[tier]).sort((a, b) => b.ms - a.ms);
      if (over.length >= deciding) return { status: tier, value: over[deciding - 1]!.ms, limit: limits[tier], scope: e.name };
    }
  }
  return v;
}

/** With fewer than 59 requests: decided above a limit once the errors alone put the rate over 59 requests above it. */
function provenErrorRate(limits: Tier, v: ErrorRateVerdict): ErrorRateVerdict {
  if (v.status === 'warning' || v.status === 'critical') return v;
  for (const tier of ['critical', 'warning'] as const) {
    for (const row of v.endpoints) {
      if (row.tier !== 'insufficient' || row.requests === 0) continue;
      const lowerBound = row.errors / Math.max(row.requests, MIN_SAMPLES_FOR_P95);
      if (lowerBound > limits[tier]) {
        const rows = v.endpoints.map((r) => (r === row ? { ...r, tier } : r));
        return { status: tier, value: row.errors / row.requests, limit: limits[tier], scope: row.scope, endpoints: rows, overall: v.overall };
      }
    }
  }
  return v;
}

/** "window: last 5 min, n=312": how a judgement names its evidence. */
export function windowLabel(windowMs: number, n: number): string {
  const s = Math.round(windowMs / 1000);
  const span = s % 60 === 0 ? `${s / 60} min` : `${s} s`;
  return `window: last ${span}, n=${n}`;
}
