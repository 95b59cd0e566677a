/**
 * The run's traffic plan against the target's declared rate limits (CREDLINK_RATE_LIMIT,
 * CREDLINK_RATE_LIMIT_PATHS, the failed-attempt limit). Pure.
 *
 * - The run uses at most SHARE (80%) of every declared limit, leaving room for clock skew
 *   between our sliding window and the service's, and for the service's other clients.
 * - The latency probe (open model: a fixed arrival rate, not paced per request) plans at most
 *   PROBE_SHARE of the per-client allowance and records what it sends in the per-client scope
 *   of the request ledger (src/budget/ledger.ts); every other request of every check goes
 *   through the ledger, which paces it within what is left: all of the allowance once the
 *   probe's requests have left the window.
 * - Requests that will fail authentication (no key, wrong or derived keys) also count against
 *   the failed-attempt limit, so the API-key matrix never trips it; only the failed-attempt
 *   check spends beyond it, on purpose.
 * Defaults (100/min, 20 failed attempts a minute) keep a whole run under a 100-requests-a-minute limit.
 */
import crypto from 'node:crypto';
import type { ResolvedConfig } from '../../config/resolved.ts';
import { describePer, formatRate, type RateLimit } from '../../config/request-spec.ts';
import { MIN_SAMPLES_FOR_P95 } from '../stats/percentiles.ts';

export const SHARE = 0.8;
export const PROBE_SHARE = 0.5;
/** The probe must finish within this share of the check timeout. */
const PROBE_TIME_SHARE = 0.75;

/** One counted limit: at most `limit` requests in any `windowMs`. */
export interface Scope {
  id: string;
  limit: number;
  windowMs: number;
  /** For messages: "CREDLINK_RATE_LIMIT=100/min". */
  label: string;
}

export function allowance(r: RateLimit, share = SHARE): number {
  return Math.max(1, Math.floor(r.limit * share));
}

/** What a request is, as far as the budget cares. */
export interface RequestFacts {
  method: string;
  /** Path without the query. */
  path: string;
  /** A stable id of the credential the request carries ("none" without one); never the credential. */
  keyId: string;
  /** The service will count it as a failed authentication attempt. */
  failedAttempt: boolean;
  /** The request's headers (names lower case), for limits counted per one header's value ("per header:X-API-Key"). */
  headers?: Record<string, string>;
}

/**
 * The bucket a limit counts this request in, as a scope id suffix: '' per client, `|key:<id>` per
 * credential, and per header: `|key:<id of its value>`, or `|keyless` for every request without it
 * (one shared count per client, as a limiter keyed on `header ?? ip` does).
 */
function bucketOf(per: { kind: 'client' } | { kind: 'key' } | { kind: 'header'; name: string }, req: Pick<RequestFacts, 'keyId' | 'headers'>): string {
  if (per.kind === 'client') return '';
  if (per.kind === 'key') return `|key:${req.keyId}`;
  const v = req.headers?.[per.name];
  return v === undefined ? '|keyless' : `|key:${keyIdOf(`${per.name}\u0000${v}`)}`;
}
const perOfPath = (p: { perKey: boolean; perHeader?: string }) => (p.perHeader ? { kind: 'header' as const, name: p.perHeader } : p.perKey ? { kind: 'key' as const } : { kind: 'client' as const });

type Cfg = Pick<ResolvedConfig, 'rateLimits' | 'security' | 'probe' | 'paths' | 'timeouts'>;

/** The per-client limit, shared by the latency probe (which records its requests) and the checks. */
export function clientScope(c: Pick<ResolvedConfig, 'rateLimits'>): Scope | undefined {
  const r = c.rateLimits.client;
  if (!r) return undefined;
  return { id: 'client', limit: allowance(r), windowMs: r.windowS * 1000, label: `CREDLINK_RATE_LIMIT=${formatRate(r)}` };
}

/** The failed-attempt limit as a ledger scope: per client, per key, or per one header's value (requests without it share one count). */
export function authFailScope(c: Pick<ResolvedConfig, 'security'>, req: Pick<RequestFacts, 'keyId' | 'headers'> = { keyId: 'none' }): Scope {
  const f = c.security.authFailLimit;
  const per = f.per === 'header' && f.header ? { kind: 'header' as const, name: f.header } : f.per === 'key' ? { kind: 'key' as const } : { kind: 'client' as const };
  return {
    id: `auth-fail${bucketOf(per, req)}`,
    limit: allowance({ limit: f.max, windowS: f.windowS }),
    windowMs: f.windowS * 1000,
    label: `CREDLINK_AUTH_FAIL_LIMIT=${f.max} per ${f.windowS} s${per.kind === 'client' ? '' : per.kind === 'key' ? ' per key' : ` per header:${per.name}`}`,
  };
}

export function scopesFor(c: Cfg, req: RequestFacts): Scope[] {
  const out: Scope[] = [];
  const client = clientScope(c);
  if (client) out.push(client);
  const p = c.rateLimits.paths.find((l) => l.path === req.path);
  if (p) {
    out.push({
      id: `path:${p.path}${bucketOf(perOfPath(p), req)}`,
      limit: allowance(p),
      windowMs: p.windowS * 1000,
      label: `CREDLINK_RATE_LIMIT_PATHS ${p.path}=${formatRate(p)}${describePer(p)}`,
    });
  }
  if (req.failedAttempt) out.push(authFailScope(c, req));
  return out;
}

/** A stable, non-reversible id of a credential for per-key scopes: never the key. */
export function keyIdOf(material: string): string {
  return material ? crypto.createHash('sha256').update(material).digest('hex').slice(0, 12) : 'none';
}

export interface ProbePlan {
  paths: string[];
  /** Requests per second per endpoint. */
  rate: number;
  /** Requests per endpoint. */
  samples: number;
  maxInFlight: number;
  /** Why the plan is below what was configured, in words; undefined when it is not. */
  limitedBy?: string;
}

const round2 = (n: number) => Math.floor(n * 100) / 100;

/** What one declared limit leaves the probe: `requests` (all endpoints together) in any `windowS`. */
interface ProbeCap {
  requests: number;
  windowS: number;
  /** How many of the probed endpoints share it (all for the client limit, one for a path's). */
  endpoints: number;
  why: string;
}

/**
 * The latency probe's rate and sample count: the configured ones, reduced to fit the declared limits.
 *
 * A limit of N requests per window allows the probe its share at any pace within one window.
 * Two ways to stay inside it when the configured probe does not:
 * - a burst: the share at the configured rate, all of it inside one window (at 100/min, 13 requests
 *   per endpoint in under a second: the run is not held up);
 * - spread: the rate lowered to the share per window, for as long as the check may take (more
 *   samples when windows are short, but as long as 75% of the check timeout).
 * Spread only when it reaches the 59 samples a p95 needs and a burst does not: otherwise the burst
 * (fewer samples either way, as good for the error rate, and seconds instead of most of a minute).
 * Either way no window of any declared limit holds more than the probe's share.
 */
export function planProbe(c: Cfg & Pick<ResolvedConfig, 'probe'>, configured: { samples: number; rate: number; maxInFlight: number; paths: string[] }, reserve = 0): ProbePlan {
  const paths = configured.paths;
  const n = paths.length;
  if (n === 0) return { paths, rate: configured.rate, samples: 0, maxInFlight: configured.maxInFlight };
  const caps: ProbeCap[] = [];
  const client = c.rateLimits.client;
  // `reserve`: what the run's other checks send in the same first window (src/budget/run-plan.ts): the probe
  // takes at most what they leave, so they are done within that window instead of waiting for the next.
  if (client) caps.push({ requests: Math.max(0, Math.min(Math.floor(allowance(client) * PROBE_SHARE), allowance(client) - reserve)), windowS: client.windowS, endpoints: n, why: `CREDLINK_RATE_LIMIT=${formatRate(client)}` });
  for (const p of c.rateLimits.paths) {
    if (paths.includes(p.path)) caps.push({ requests: Math.floor(allowance(p) * PROBE_SHARE), windowS: p.windowS, endpoints: 1, why: `${p.path}=${formatRate(p)}` });
  }
  const maxS = (c.timeouts.checkMs / 1000) * PROBE_TIME_SHARE;
  const timeBound = (rate: number, samples: number) => (samples / rate > maxS ? Math.max(1, Math.floor(rate * maxS)) : samples);
  const fits = (samples: number, rate: number) =>
    caps.every((cap) => Math.min(samples, Math.ceil(rate * cap.windowS)) * cap.endpoints <= cap.requests);

  const asConfigured = { rate: configured.rate, samples: timeBound(configured.rate, configured.samples) };
  let plan = asConfigured;
  let why: string | undefined;
  if (!fits(plan.samples, plan.rate)) {
    // Burst: each endpoint's share of the tightest limit, at the configured rate.
    const tightest = caps.reduce((a, b) => (Math.floor(b.requests / b.endpoints) < Math.floor(a.requests / a.endpoints) ? b : a));
    const burst = { rate: configured.rate, samples: Math.min(asConfigured.samples, ...caps.map((cap) => Math.floor(cap.requests / cap.endpoints))) };
    // Spread: the rate each limit allows per endpoint, for as long as the check may take.
    let slowest = caps[0]!;
    let spreadRate = configured.rate;
    for (const cap of caps) {
      const r = cap.requests / cap.windowS / cap.endpoints;
      if (r < spreadRate) {
        spreadRate = r;
        slowest = cap;
      }
    }
    spreadRate = Math.max(0.01, round2(spreadRate));
    const spread = { rate: spreadRate, samples: timeBound(spreadRate, configured.samples) };
    const spreadFits = fits(spread.samples, spread.rate);
    const spreadWins = spreadFits && ((spread.samples >= MIN_SAMPLES_FOR_P95 && burst.samples < MIN_SAMPLES_FOR_P95) || burst.samples === 0);
    // Neither fits (less than one request per endpoint in a window): no probe; the checks say why.
    plan = spreadWins ? spread : burst;
    why = spreadWins ? slowest.why : tightest.why;
  }
  const reduced = plan.samples < configured.samples || plan.rate < configured.rate;
  return {
    paths,
    rate: plan.rate,
    samples: plan.samples,
    maxInFlight: configured.maxInFlight,
    limitedBy: reduced
      ? `planned ${plan.samples} requests per endpoint at ${plan.rate}/s (configured ${configured.samples} at ${configured.rate}/s): the probe may use half of 80% of ${why ?? 'the rate limit'} and must finish within ${Math.round(maxS)} s (CREDLINK_CHECK_TIMEOUT_MS)`
      : undefined,
  };
}

/**
 * Time a check that sends requests to the target may need (every one, through the `api`
 * fixture; the auth checks' files also set it for their whole describe): the check timeout, plus
 * one full window of the slowest limit they are paced by, so waiting once for a window to pass
 * never times a check out.
 */
export function authCheckTimeoutMs(c: Cfg): number {
  const windows = [c.security.authFailLimit.windowS, c.rateLimits.client?.windowS ?? 0, ...c.rateLimits.paths.map((p) => p.windowS)];
  return c.timeouts.checkMs + Math.max(...windows) * 1000 + 5000;
}

/**
 * Can the failed-attempt check reach the failed-attempt limit without tripping a declared
 * path or client limit first? A reason when it cannot (the check then says why it did not run).
 */
export function failedAttemptBlocker(c: Cfg, path: string): string | undefined {
  const need = c.security.authFailLimit.max + 1;
  const windowS = c.security.authFailLimit.windowS;
  const p = c.rateLimits.paths.find((l) => l.path === path && !l.perKey && !l.perHeader);
  if (p && (allowance(p) * windowS) / p.windowS < need) {
    return `${need} failed attempts within ${windowS} s would exceed ${path}'s own limit (${formatRate(p)}): the failed-attempt limit cannot be told apart from it`;
  }
  const client = clientScope(c);
  if (client && (client.limit * windowS * 1000) / client.windowMs < need) {
    return `${need} failed attempts within ${windowS} s would exceed 80% of ${client.label}`;
  }
  return undefined;
}
