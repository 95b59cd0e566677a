/**
 * From open-model samples to a verdict, purely: per-endpoint and overall p50/p95/p99, the error
 * rate, and which alert tier they fall into. Rules (runbook "Alert Thresholds", NOTES "Measuring latency"):
 * - latency counts answered requests and timeouts (a timeout is a slow answer); a refused
 *   connection has no latency, it is an error;
 * - an error is a 5xx or no answer at all;
 * - zero samples is "no data" (a failure, never a pass); fewer than 59 is "insufficient data";
 * - dropped requests (the in-flight bound was hit) make a passing p95 a lower bound only: the run
 *   is "invalid" unless a threshold is already crossed, which more samples could not undo;
 * - a 429 (rate-limited) is neither latency nor error: it says nothing about the service's speed
 *   or health. It is counted, left out of both, and, like a drop, makes a passing result invalid
 *   (the probe was planned to stay under the target's limits: a 429 means the plan was wrong).
 */
import type { Phases, Sample } from '../probes/open-model.ts';
import { summarize, sufficiency, type Summary } from '../stats/percentiles.ts';
import { tierOf, type Tier } from '../../runbooks/thresholds.ts';

export interface EndpointSamples {
  /** What was probed, e.g. "GET /health". */
  name: string;
  samples: Sample[];
  dropped: number;
  scheduled: number;
}

export interface EndpointStats {
  name: string;
  latency: Summary | null;
  requests: number;
  errors: number;
  errorRate: number | null;
  dropped: number;
  /** 429 answers: neither latency nor errors, never silently dropped. */
  rateLimited: number;
  /** Status (or error) -> count, for evidence. */
  outcomes: Record<string, number>;
}

export type Verdict =
  | { status: 'ok'; value: number }
  | { status: 'warning' | 'critical'; value: number; limit: number; scope: string }
  | { status: 'no-data'; reason: string }
  | { status: 'insufficient'; reason: string }
  | { status: 'invalid'; reason: string; value: number };

export const isError = (s: Sample): boolean => s.status === null || s.status >= 500;
export const isRateLimited = (s: Sample): boolean => s.status === 429;
const isTimeout = (s: Sample): boolean => s.status === null && /no answer within/.test(s.error ?? '');
export const hasLatency = (s: Sample): boolean => (s.status !== null && !isRateLimited(s)) || isTimeout(s);
/** Samples that say something about the service (every one but the 429s). */
const judged = (samples: readonly Sample[]) => samples.filter((s) => !isRateLimited(s));
const rateLimitedIn = (endpoints: readonly EndpointSamples[]) => endpoints.reduce((n, e) => n + e.samples.filter(isRateLimited).length, 0);

export function statsOf(e: EndpointSamples): EndpointStats {
  const outcomes: Record<string, number> = {};
  for (const s of e.samples) {
    const k = s.status === null ? `error: ${s.error ?? 'unknown'}` : String(s.status);
    outcomes[k] = (outcomes[k] ?? 0) + 1;
  }
  const errors = e.samples.filter(isError).length;
  const counted = judged(e.samples).length;
  return {
    name: e.name,
    latency: summarize(e.samples.filter(hasLatency).map((s) => s.ms)),
    requests: e.samples.length,
    errors,
    errorRate: counted ? errors / counted : null,
    dropped: e.dropped,
    rateLimited: e.samples.length - counted,
    outcomes,
  };
}

/** Worst p95 tier over each endpoint and over all endpoints together. */
export function latencyVerdict(endpoints: readonly EndpointSamples[], limits: Tier): Verdict {
  const scopes = [...endpoints, { name: 'all endpoints', samples: endpoints.flatMap((e) => e.samples), dropped: 0, scheduled: 0 }];
  let worst: Verdict | undefined;
  for (const scope of scopes) {
    const lat = statsOf(scope).latency;
    if (!lat || sufficiency(lat.count) !== 'ok') continue;
    const tier = tierOf(lat.p95, limits);
    if (tier === 'ok') continue;
    const v: Verdict = { status: tier, value: lat.p95, limit: limits[tier], scope: scope.name };
    if (!worst || (tier === 'critical' && worst.status !== 'critical') || (tier === worst.status && 'value' in worst && lat.p95 > worst.value)) worst = v;
  }
  if (worst) return worst;
  const all = statsOf(scopes[scopes.length - 1]!).latency;
  const dropped = endpoints.reduce((n, e) => n + e.dropped, 0);
  return judgeSample(all?.count ?? 0, 'answered requests', dropped, all?.p95 ?? 0, rateLimitedIn(endpoints));
}

/** One scope's error rate (an endpoint, or all of them) and the tier it falls into; 429s are left out. */
export interface RateRow {
  scope: string;
  requests: number;
  errors: number;
  rate: number | null;
  /** insufficient: fewer than 59 requests, not judged on its own. */
  tier: 'ok' | 'warning' | 'critical' | 'insufficient';
}

export type ErrorRateVerdict = Verdict & {
  /** Every probed endpoint, judged on its own (all listed, the worst decides). */
  endpoints: RateRow[];
  /** All endpoints together, reported beside them (and judged when no endpoint has enough requests alone). */
  overall: RateRow;
};

function rateRow(scope: string, all: readonly Sample[], limits: Tier): RateRow {
  const samples = judged(all);
  const errors = samples.filter(isError).length;
  const rate = samples.length ? errors / samples.length : null;
  const tier = rate === null || sufficiency(samples.length) !== 'ok' ? 'insufficient' : tierOf(rate, limits);
  return { scope, requests: samples.length, errors, rate, tier };
}

const TIER_RANK = { critical: 2, warning: 1, ok: 0, insufficient: -1 } as const;

/**
 * Error rate per endpoint against the thresholds (runbook "Alert Thresholds"): an endpoint
 * failing 8% of its requests is critical even when healthy endpoints beside it pull the
 * average under 5%. The worst scope decides; the overall rate is always reported.
 */
export function errorRateVerdict(endpoints: readonly EndpointSamples[], limits: Tier): ErrorRateVerdict {
  const rows = endpoints.map((e) => rateRow(e.name, e.samples, limits));
  const overall = rateRow('all endpoints', endpoints.flatMap((e) => e.samples), limits);
  let worst: RateRow | undefined;
  for (const r of [...rows, overall]) {
    if (r.tier === 'ok' || r.tier === 'insufficient') continue;
    if (!worst || TIER_RANK[r.tier] > TIER_RANK[worst.tier] || (r.tier === worst.tier && (r.rate ?? 0) > (worst.rate ?? 0))) worst = r;
  }
  if (worst && (worst.tier === 'warning' || worst.tier === 'critical')) {
    return { status: worst.tier, value: worst.rate!, limit: limits[worst.tier], scope: worst.scope, endpoints: rows, overall };
  }
  const v = judgeSample(overall.requests, 'requests (429 left out)', endpoints.reduce((n, e) => n + e.dropped, 0), overall.rate ?? 0, rateLimitedIn(endpoints));
  return { ...v, endpoints: rows, overall };
}

/** "GET /x 8% (8/100) > 5%": one scope's rate as printed in findings. */
export function describeRate(r: RateRow, limits: Tier): string {
  if (r.rate === null) return `${r.scope}: no requests`;
  const pct = (v: number) => `${Math.round(v * 1000) / 10}%`;
  const crossed = r.tier === 'critical' ? ` > ${pct(limits.critical)}` : r.tier === 'warning' ? ` > ${pct(limits.warning)}` : r.tier === 'insufficient' ? ' (too few requests to judge alone)' : '';
  return `${r.scope} ${pct(r.rate)} (${r.errors}/${r.requests})${crossed}`;
}

function judgeSample(count: number, what: string, dropped: number, value: number, rateLimited = 0): Verdict {
  const s = sufficiency(count);
  const limited = rateLimited ? ` (${rateLimited} more were rate-limited: 429)` : '';
  if (s === 'no-data') return { status: 'no-data', reason: `no data: 0 ${what}${limited}` };
  if (s === 'insufficient') return { status: 'insufficient', reason: `insufficient data: ${count} ${what}, a p95 needs at least 59${limited}` };
  if (dropped > 0) return { status: 'invalid', value, reason: `${dropped} requests dropped (in-flight bound reached): the result is only a lower bound` };
  if (rateLimited > 0) {
    return { status: 'invalid', value, reason: `${rateLimited} probe requests were rate-limited (429): the target's limit is lower than declared (CREDLINK_RATE_LIMIT, CREDLINK_RATE_LIMIT_PATHS); the result covers only the answered ones` };
  }
  return { status: 'ok', value };
}

/** Median phase timings of the slowest 5% of samples: the runbook's curl -w breakdown. */
export function slowPhases(samples: readonly Sample[]): (Phases & { total: number; count: number }) | null {
  const withPhases = samples.filter((s): s is Sample & { phases: Phases } => s.phases !== undefined).sort((a, b) => b.ms - a.ms);
  const slow = withPhases.slice(0, Math.max(1, Math.ceil(withPhases.length * 0.05)));
  if (slow.length === 0) return null;
  const med = (f: (s: Sample & { phases: Phases }) => number) => {
    const v = slow.map(f).sort((a, b) => a - b);
    return Math.round(v[Math.floor(v.length / 2)]! * 10) / 10;
  };
  return {
    count: slow.length,
    dns: med((s) => s.phases.dns),
    connect: med((s) => s.phases.connect),
    tls: med((s) => s.phases.tls),
    ttfb: med((s) => s.phases.ttfb),
    download: med((s) => s.phases.download),
    total: med((s) => s.ms),
  };
}

/** The same breakdown in curl -w "@curl-format.txt" names (cumulative seconds), as the runbook prints it. */
export function asCurlFormat(p: Phases & { total: number }): Record<string, number> {
  const s = (ms: number) => Math.round(ms) / 1000;
  return {
    time_namelookup: s(p.dns),
    time_connect: s(p.dns + p.connect),
    time_appconnect: s(p.dns + p.connect + p.tls),
    time_starttransfer: s(p.dns + p.connect + p.tls + p.ttfb),
    time_total: s(p.total),
  };
}
