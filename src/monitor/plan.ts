/**
 * What the continuous sampler sends, planned against the target's declared rate limits
 * (CREDLINK_RATE_LIMIT, CREDLINK_RATE_LIMIT_PATHS). Pure.
 *
 * Endpoints: the health paths that exist (health.root, health.status, health.api-health) and the
 * valid-key call when it is side-effect free: a GET, or declared for this purpose
 * (CREDLINK_VALID_KEY_PROBE_* differ from the protected call).
 * Pace: one round every `intervalMs`, each endpoint in a round (an endpoint with a tighter
 * per-path limit every k-th round). Under a declared limit the rounds go as fast as a full
 * window needs (SAMPLES_PER_WINDOW per endpoint) and never take more than SAMPLER_SHARE of the
 * run's allowance (80% of the limit); re-asks (confirmation) take up to REASK_SHARE; the rest is
 * for the scheduled checks (src/monitor/cadence.ts). With no declared limit: every DEFAULT_INTERVAL_MS.
 */
import type { ResolvedConfig } from '../../config/index.ts';
import { formatRate } from '../../config/request-spec.ts';
import { allowance } from '../budget/plan.ts';
import { buildRequest } from '../http/request-builder.ts';
import type { HttpRequest } from '../probes/http.ts';
import { MIN_SAMPLES_FOR_P95 } from '../stats/percentiles.ts';

export const SAMPLER_SHARE = 0.6;
export const REASK_SHARE = 0.1;
/** Without a declared limit: a round every 2 s (150 samples per endpoint in 5 minutes). */
export const DEFAULT_INTERVAL_MS = 2000;
export const DEFAULT_WINDOW_SECONDS = 300;
/** Under a declared limit the rounds go no faster than a full window needs: 60 samples per endpoint (a p95 needs 59). */
export const SAMPLES_PER_WINDOW = 60;

export interface SampledEndpoint {
  /** "GET /health". */
  name: string;
  /** The health check it stands for, or null (the valid-key call). */
  checkId: 'health.root' | 'health.status' | 'health.api-health' | null;
  request: HttpRequest & { path: string };
  /** Sampled every `every`-th round (a per-path limit tighter than the round pace). */
  every: number;
}

export interface SamplerPlan {
  endpoints: SampledEndpoint[];
  intervalMs: number;
  windowMs: number;
  /** Requests a minute of the rounds, and at most of re-asks. */
  perMinute: number;
  reaskPerMinute: number;
  /** Samples per endpoint a full window holds (the least of them). */
  perWindow: number;
  /** The declared limit the plan fits, e.g. "CREDLINK_RATE_LIMIT=100/min", or null. */
  limit: string | null;
  /** Share of the declared client limit the sampler takes (rounds and re-asks), 0..1; null without a limit. */
  share: number | null;
  /** What a full window cannot decide, in words (fewer than 59 samples per endpoint). */
  note?: string;
}

/** Requests the sampler sends: no key for the health paths; the first key as declared for the valid-key call. */
export function sampledEndpoints(c: Readonly<ResolvedConfig>): SampledEndpoint[] {
  const out: SampledEndpoint[] = [];
  const health: [SampledEndpoint['checkId'], string | null][] = [
    ['health.root', c.paths.health],
    ['health.status', c.paths.status],
    ['health.api-health', c.paths.apiHealth],
  ];
  const ua = { 'user-agent': 'credlink-checks/0.1 (+runbook monitor; continuous sampler)' };
  for (const [checkId, path] of health) if (path !== null) out.push({ name: `GET ${path}`, checkId, request: { method: 'GET', path, headers: ua }, every: 1 });
  const v = c.security.requests.validKey;
  const p = c.security.requests.protected;
  const declared = v.method !== p.method || v.path !== p.path || JSON.stringify(v.body) !== JSON.stringify(p.body);
  if (v.path !== null && c.apiKeys[0] && (v.method === 'GET' || declared)) {
    const req = buildRequest(v, { key: { value: c.apiKeys[0], as: c.security.keyIn[0]! } });
    out.push({ name: `${v.method} ${v.path}`, checkId: null, request: { ...req, headers: { ...ua, ...req.headers } }, every: 1 });
  }
  return out;
}

/** The plan, or a one-line reason it cannot fit (PlanError at the daemon's start, exit 2). */
export function planSampler(c: Readonly<ResolvedConfig>, o: { windowSeconds?: number; intervalSeconds?: number } = {}): SamplerPlan | { problem: string } {
  const endpoints = sampledEndpoints(c);
  const windowMs = (o.windowSeconds ?? DEFAULT_WINDOW_SECONDS) * 1000;
  const n = endpoints.length;
  if (n === 0) return { problem: `${c.env}: nothing to sample: every health path is none and no side-effect-free valid-key call is declared (CREDLINK_VALID_KEY_PROBE_*)` };
  const client = c.rateLimits.client;
  let intervalMs = o.intervalSeconds !== undefined ? o.intervalSeconds * 1000 : DEFAULT_INTERVAL_MS;
  let share: number | null = null;
  let limit: string | null = null;
  if (client) {
    const a = allowance(client);
    limit = `CREDLINK_RATE_LIMIT=${formatRate(client)}`;
    const perWindow = Math.floor(a * SAMPLER_SHARE);
    if (perWindow < n) return { problem: `${c.env}: the sampler needs ${n} requests per ${client.windowS} s for one round of ${endpoints.map((e) => e.name).join(', ')}; ${Math.round(SAMPLER_SHARE * 100)}% of 80% of ${limit} is ${perWindow}: declare the real limit or fewer paths` };
    const minInterval = Math.ceil((client.windowS * 1000 * n) / perWindow);
    if (o.intervalSeconds !== undefined && intervalMs < minInterval) {
      return { problem: `${c.env}: sampleIntervalSeconds ${o.intervalSeconds} sends ${Math.round((n * 60_000) / intervalMs)} requests a minute; ${limit} leaves the sampler ${Math.floor((perWindow * 60) / client.windowS)} a minute (a round at most every ${Math.ceil(minInterval / 1000)} s)` };
    }
    intervalMs = o.intervalSeconds !== undefined ? intervalMs : Math.max(minInterval, Math.floor(windowMs / SAMPLES_PER_WINDOW));
  }
  for (const e of endpoints) {
    const pl = c.rateLimits.paths.find((l) => l.path === e.request.path.split('?')[0]);
    if (!pl) continue;
    const room = Math.floor(allowance(pl) * SAMPLER_SHARE);
    if (room < 1) return { problem: `${c.env}: ${e.name} cannot be sampled within ${pl.path}=${formatRate(pl)}${pl.perKey ? ' per key' : ''}: the sampler's share is less than one request per ${pl.windowS} s` };
    e.every = Math.max(1, Math.ceil((pl.windowS * 1000) / room / intervalMs));
  }
  const perMinute = endpoints.reduce((s, e) => s + 60_000 / intervalMs / e.every, 0);
  const reaskPerMinute = client ? Math.floor((allowance(client) * REASK_SHARE * 60) / client.windowS) : Math.ceil(perMinute);
  const perWindow = Math.min(...endpoints.map((e) => Math.floor(windowMs / intervalMs / e.every)));
  const short = endpoints.filter((e) => Math.floor(windowMs / intervalMs / e.every) < MIN_SAMPLES_FOR_P95);
  return {
    endpoints,
    intervalMs,
    windowMs,
    perMinute: Math.round(perMinute * 10) / 10,
    reaskPerMinute,
    perWindow,
    limit,
    share: client ? Math.round(((perMinute + reaskPerMinute) / ((client.limit * 60) / client.windowS)) * 1000) / 1000 : null,
    ...(short.length
      ? { note: `${short.map((e) => e.name).join(', ')}: fewer than ${MIN_SAMPLES_FOR_P95} samples in a full window: judged with the other endpoints, alone only once the samples prove a failure (a longer window decides more)` }
      : {}),
  };
}

/** One line per plan, for the daemon's start. */
export function describeSamplerPlan(env: string, p: SamplerPlan): string {
  const pace = `a round every ${Math.round(p.intervalMs / 100) / 10} s over ${p.endpoints.map((e) => (e.every > 1 ? `${e.name} (every ${e.every} rounds)` : e.name)).join(', ')}`;
  const budget = p.limit ? `${p.perMinute}/min (+ up to ${p.reaskPerMinute}/min re-asks) = ${Math.round((p.share ?? 0) * 100)}% of ${p.limit}` : `${p.perMinute}/min (no rate limit declared)`;
  return `${env}: sampler: ${pace}; ${budget}; window ${Math.round(p.windowMs / 1000)} s holds ${p.perWindow}+ samples per endpoint${p.note ? `; ${p.note}` : ''}`;
}
