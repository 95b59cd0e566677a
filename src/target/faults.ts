/**
 * Named faults of the reference target: each reproduces one runbook incident so the suite can
 * be rehearsed against it (`credlink-checks drill FAULT`, `target --fault a,b`, or at run time
 * through the admin endpoint). A fault may take one parameter: a number (`high-error-rate=3`),
 * a path (`route-missing=/api/v1/sign`) or a path and a percentage (`endpoint-error-rate=/api/v1/status:8`).
 */
import type { SectionId } from '../../runbooks/sections.ts';
import { UsageError } from '../errors.ts';
import { didYouMean } from '../did-you-mean.ts';

export interface NumberParam {
  /** `req`: requests a minute (a rate limit). */
  unit: '%' | 'ms' | 'req';
  default: number;
  min: number;
  max: number;
}
/** A request path of the target, e.g. "/api/v1/sign". */
export interface PathParam {
  unit: 'path';
  default: string;
}
/** "PATH:PERCENT", e.g. "/api/v1/status:8". */
export interface PathPercentParam {
  unit: 'path:%';
  default: PathPercent;
  min: number;
  max: number;
}
export interface PathPercent {
  path: string;
  percent: number;
}

export interface FaultSpec {
  /** What the target does while the fault is on. */
  description: string;
  /** The runbook incident it reproduces. */
  incident: SectionId;
  /** Optional parameter: a number (percentage, latency), a path, or a path with a percentage. */
  param?: NumberParam | PathParam | PathPercentParam;
}

export const faultCatalog = {
  'service-unavailable': { description: 'every API route answers 503', incident: 'service-unavailable' },
  'bad-gateway': { description: 'every API route answers 502, as a proxy with no healthy upstream', incident: 'service-unavailable' },
  'high-error-rate': {
    description: 'a given percentage of API requests answer 500 (deterministic: exactly N of every 100)',
    incident: 'high-error-rate',
    param: { unit: '%', default: 10, min: 1, max: 100 },
  },
  'intermittent-500': {
    description: 'a given percentage of requests to the health path (/health) answer 500, the rest 200: an error rate, not an outage',
    incident: 'high-error-rate',
    param: { unit: '%', default: 3, min: 1, max: 100 },
  },
  'endpoint-error-rate': {
    description: 'a given percentage of requests to one path answer 500 (e.g. /api/v1/status:8)',
    incident: 'high-error-rate',
    param: { unit: 'path:%', default: { path: '/api/v1/status', percent: 8 }, min: 1, max: 100 },
  },
  'route-missing': {
    description: 'a path answers 404 to every method but CORS preflights, as a route the deployment lacks',
    incident: 'basic-service-health',
    param: { unit: 'path', default: '/api/v1/sign' },
  },
  'health-database-unknown': {
    description: 'the health document reports checks.database "unknown" (200) while the database is fine',
    incident: 'basic-service-health',
  },
  'slow-responses': {
    description: 'every API request waits the given latency before answering',
    incident: 'slow-responses',
    param: { unit: 'ms', default: 2500, min: 1, max: 120_000 },
  },
  'long-tail': {
    description: '8% of API requests (deterministic) wait the given latency; the rest are fast',
    incident: 'slow-responses',
    param: { unit: 'ms', default: 3000, min: 1, max: 120_000 },
  },
  'database-frozen': {
    description:
      'the database stops answering without closing anything (as a SIGSTOPped PostgreSQL: connections open, no reply); /health keeps answering 200 without asking it, as the real service does, and every keyed call, which looks its key up in the database, hangs',
    incident: 'database-connection',
  },
  'database-down': { description: 'the database stops accepting connections (open ones are cut)', incident: 'database-connection' },
  'database-errors-500': {
    description:
      "every API route asks the database first and, when that fails, answers 500 with the driver's error message (\"Connection terminated unexpectedly\"), as a service whose handlers all query it; alone it changes nothing, with database-down every route answers 500 naming the database",
    incident: 'database-connection',
  },
  'database-slow': {
    description: 'every database round trip and every application statement takes the given extra time',
    incident: 'database-connection',
    param: { unit: 'ms', default: 400, min: 1, max: 30_000 },
  },
  'connection-pool-exhaustion': {
    description: 'idle sessions hold 96% of max_connections',
    incident: 'database-connection',
  },
  'auth-bypass': { description: 'the protected endpoint accepts requests without a valid API key', incident: 'api-key-auth' },
  'valid-key-rejected': { description: 'the protected endpoint rejects every key, valid ones included (401)', incident: 'api-key-auth' },
  'cors-wildcard': { description: 'CORS answers Access-Control-Allow-Origin: * with credentials allowed', incident: 'cors' },
  'cors-blocks-allowed-origin': { description: 'CORS sends no allow-origin header, even for allowed origins', incident: 'cors' },
  'missing-security-headers': { description: 'responses lack nosniff, frame protection and HSTS, and carry X-Powered-By', incident: 'api-key-auth' },
  // Security faults (issue 3): what checks/security/ must catch.
  'cors-reflect-any-origin': { description: 'CORS echoes any Origin back as allowed, with credentials', incident: 'cors' },
  'errors-unmetered': {
    description: "the target's /metrics does not count its 5xx answers, as a service whose error handler answers outside its metrics middleware (the real service's CORS rejections)",
    incident: 'key-metrics',
  },
  'cors-error-500': { description: 'a request from a disallowed origin answers 500 with no CORS headers (inflates the 5xx rate)', incident: 'cors' },
  'auth-case-insensitive': { description: 'API keys are compared ignoring case: a key with its letters swapped is accepted', incident: 'api-key-auth' },
  'auth-any-header': { description: 'the key is also accepted from other headers (Api-Key, X-Auth-Token)', incident: 'api-key-auth' },
  'auth-malformed-key-500': { description: 'an oversized (> 1 KB) or non-ASCII key crashes the auth middleware: 500', incident: 'api-key-auth' },
  'auth-echoes-key': { description: 'the 401 answer quotes the key it rejected', incident: 'api-key-auth' },
  'auth-echoes-key-encoded': {
    description: 'the 401 answer quotes the rejected key in other letter case, hex, base64 and URL-encoded, and raw across the 500th, 1000th, 2000th and 4000th character',
    incident: 'api-key-auth',
  },
  'auth-no-rate-limit': { description: 'failed authentication attempts are never limited (no 429)', incident: 'api-key-auth' },
  'permission-not-enforced': { description: 'a key without the sign permission may sign (200 instead of 403)', incident: 'api-key-auth' },
  'redirect-to-other-origin': { description: 'the protected endpoint answers 307 to another origin (a loopback sink that records any API key it receives)', incident: 'api-key-auth' },
  'protected-hang': {
    description: 'the protected endpoint waits the given time before answering (bounded): request timeouts',
    incident: 'api-key-auth',
    param: { unit: 'ms', default: 15_000, min: 1, max: 60_000 },
  },
  // Real deployments whose shape differs from the runbook (issue 11): what the checks must tell apart.
  'multipart-only': {
    description: 'the protected endpoint takes only a multipart upload with an image file part: anything else gets 400 "No image file provided" (after authentication)',
    incident: 'api-key-auth',
  },
  'limiter-before-auth': {
    description: 'a per-client limiter of the given requests a minute (default 2: it fires within the first auth checks) runs on the protected endpoint before authentication: 429 with Retry-After',
    incident: 'api-key-auth',
    param: { unit: 'req', default: 2, min: 1, max: 10_000 },
  },
  'keyless-bucket': {
    description: 'as the real service: a limiter of the given requests a minute on the protected endpoint, before authentication, counting per X-API-Key value and every request without that header (no key, Bearer, other places) in one count per client; every answer carries RateLimit-Limit/-Remaining/-Reset',
    incident: 'api-key-auth',
    param: { unit: 'req', default: 10, min: 1, max: 10_000 },
  },
  'limiter-per-key': { description: 'the failed-attempt limiter counts per client and key: a new wrong key every time is never limited', incident: 'api-key-auth' },
  'bearer-accepted': { description: 'the key is also accepted in Authorization: Bearer', incident: 'api-key-auth' },
  'derived-key-accepted': {
    description: 'keys are matched loosely: surrounding whitespace is trimmed and a prefix of a valid key (8+ characters) is accepted',
    incident: 'api-key-auth',
  },
  'stack-traces': {
    description: 'a request body that is not valid JSON crashes the handler: 500 with the stack trace and file paths in the body',
    incident: 'api-key-auth',
  },
  // Cases named by the standards: checks/*/*.cases.ts.
  'health-status-down': { description: '/health answers 200 with "status": "down" (checks.database "ok"): the service reports itself unhealthy, the HTTP status says healthy', incident: 'service-unavailable' },
  'health-status-unknown': { description: '/health answers 200 with "status": "operational", a value the health-check draft does not name (checks.database "ok")', incident: 'service-unavailable' },
  'health-malformed': { description: '/health answers 200 with "status": true (not a string) and its database under checks.postgres: the document lacks checks.database and a string status', incident: 'basic-service-health' },
  'health-error-output': {
    description: '/health answers 200 with "status": "warn" and a failed cache check whose output is the raw error with its stack trace',
    incident: 'api-key-auth',
  },
  'cors-no-vary': { description: 'CORS answers an allowed origin with its own allow-origin but no Vary: Origin (a cache may serve one origin\'s answer to another)', incident: 'cors' },
  'cors-preflight-only': { description: 'CORS headers only on preflights: the answer to the actual request from an allowed origin carries no Access-Control-Allow-Origin, so browsers block it although the preflight passed', incident: 'cors' },
  'cors-credentials-any-origin': { description: 'CORS sends Access-Control-Allow-Credentials: true to every origin, disallowed ones included (without an allow-origin)', incident: 'cors' },
  'rate-limit-no-retry-after': { description: 'the failed-attempt limit answers 429 without Retry-After (a client cannot tell when to try again)', incident: 'api-key-auth' },
  'cors-null-origin': { description: 'CORS allows Origin: null (sandboxed iframes, file: pages) with credentials', incident: 'cors' },
  'cors-loose-match': {
    description: 'CORS matches origins by substring: an allowed origin with a suffix (https://app.example.com.evil.test), a prefix (https://evilapp.example.com) or http instead of https is allowed, with credentials',
    incident: 'cors',
  },
  'leaky-500': {
    description: 'a given percentage of requests to one path answer 500 with the stack trace and internal file paths in the body (an error handler that forwards err.stack)',
    incident: 'api-key-auth',
    param: { unit: 'path:%', default: { path: '/api/v1/status', percent: 100 }, min: 1, max: 100 },
  },
  'leaky-config': {
    description: '/api/v1/status answers 500 with its configuration: a database URL with its password and the server software with its version',
    incident: 'api-key-auth',
  },
  'health-minimal': { description: '/health answers only {"checks":{"database":"ok"}}: no status, version or uptime', incident: 'basic-service-health' },
  // Kubernetes scenarios: the API simulator (src/k8s-sim/) follows these; the HTTP target is unchanged.
  crashloop: { description: 'Kubernetes: every API pod is in CrashLoopBackOff', incident: 'service-unavailable' },
  oomkilled: { description: 'Kubernetes: one API container was OOMKilled (exit 137) and restarted', incident: 'high-memory' },
  'rollout-stuck': { description: 'Kubernetes: the new ReplicaSet cannot pull its image; ProgressDeadlineExceeded', incident: 'rolling-restart' },
  'memory-pressure': { description: 'Kubernetes: every API pod uses 96% of its memory limit', incident: 'high-memory' },
  'cpu-saturation': { description: 'Kubernetes: every API pod uses 93% of its CPU limit', incident: 'slow-responses' },
  'hpa-maxed': { description: 'Kubernetes: the autoscaler runs at max replicas and wants more', incident: 'emergency-scaling' },
  'no-ready-endpoints': { description: 'Kubernetes: the Service selects a colour with no pods: no ready endpoints', incident: 'service-unavailable' },
  forbidden: { description: "Kubernetes: the monitor's service account may not list pods or read logs (403)", incident: 'kubernetes-health' },
} as const satisfies Record<string, FaultSpec>;

export type FaultName = keyof typeof faultCatalog;
export const FAULT_NAMES = Object.keys(faultCatalog) as FaultName[];

/** true (no parameter), a number, a path, or a path with a percentage (see each fault's param). */
export type FaultValue = true | number | string | PathPercent;
export type ActiveFaults = Partial<Record<FaultName, FaultValue>>;

export function isFaultName(s: string): s is FaultName {
  return Object.hasOwn(faultCatalog, s);
}

/** Parses `a,b=3,route-missing=/x` into active faults; throws UsageError naming every bad item. */
export function parseFaults(input: string | readonly string[]): ActiveFaults {
  const items = (typeof input === 'string' ? input.split(',') : input).map((s) => s.trim()).filter(Boolean);
  const out: ActiveFaults = {};
  const problems: string[] = [];
  for (const item of items) {
    const cut = item.indexOf('=');
    const name = cut < 0 ? item : item.slice(0, cut);
    const raw = cut < 0 ? undefined : item.slice(cut + 1);
    if (!isFaultName(name)) {
      const near = didYouMean(name, FAULT_NAMES);
      problems.push(`unknown fault "${name}"${near ? `: did you mean "${near}"?` : ''} (every fault: credlink-checks drill --help)`);
      continue;
    }
    const spec: FaultSpec = faultCatalog[name];
    if (raw === undefined) {
      out[name] = spec.param ? spec.param.default : true;
      continue;
    }
    if (!spec.param) {
      problems.push(`fault "${name}" takes no value`);
      continue;
    }
    const value = parseValue(name, spec.param, raw);
    if (typeof value === 'object' && 'problem' in value) problems.push(value.problem);
    else out[name] = value;
  }
  if (problems.length) throw new UsageError(problems.join('; '));
  return out;
}

function parseValue(name: string, param: NonNullable<FaultSpec['param']>, raw: string): FaultValue | { problem: string } {
  const number = (text: string, p: { unit: string; min: number; max: number }) => {
    const n = Number(text.replace(/(%|ms|req)$/, ''));
    return text.trim() !== '' && Number.isFinite(n) && n >= p.min && n <= p.max ? n : undefined;
  };
  if (param.unit === 'path') return validPath(raw) ? raw : { problem: `fault "${name}" takes a path such as /api/v1/sign, got "${raw}"` };
  if (param.unit === 'path:%') {
    const at = raw.lastIndexOf(':');
    const path = at < 0 ? '' : raw.slice(0, at);
    const percent = at < 0 ? undefined : number(raw.slice(at + 1), { unit: '%', min: param.min, max: param.max });
    if (!validPath(path) || percent === undefined) return { problem: `fault "${name}" takes PATH:PERCENT such as /api/v1/status:8 (percent ${param.min}-${param.max}), got "${raw}"` };
    return { path, percent };
  }
  const n = number(raw, param);
  return n === undefined ? { problem: `fault "${name}" value must be ${param.min}-${param.max} ${param.unit}, got "${raw}"` } : n;
}

/** An absolute request path without query, spaces or control characters. */
function validPath(p: string): boolean {
  return /^\/[^\s?#,]*$/.test(p) && p.length <= 200;
}

/** "NAME=VALUE" as the parser reads it back. */
export function formatFaultValue(v: FaultValue): string {
  return typeof v === 'object' ? `${v.path}:${v.percent}` : String(v);
}

export function formatFaults(f: ActiveFaults): string {
  return Object.entries(f).map(([k, v]) => (v === true ? k : `${k}=${formatFaultValue(v as FaultValue)}`)).join(',') || 'none';
}

/** How a fault is written on the command line (the value is optional: its default applies): "route-missing[=PATH]". */
export function faultUsage(name: FaultName): string {
  const spec: FaultSpec = faultCatalog[name];
  const p = spec.param;
  if (!p) return name;
  return `${name}[=${{ '%': 'PCT', ms: 'MS', req: 'N', path: 'PATH', 'path:%': 'PATH:PCT' }[p.unit]}]`;
}

/** Deterministic selection: true for exactly `pct` of every 100 consecutive calls. */
export class EveryNth {
  private n = 0;
  hit(pct: number): boolean {
    this.n += 1;
    return Math.floor((this.n * pct) / 100) > Math.floor(((this.n - 1) * pct) / 100);
  }
  reset(): void {
    this.n = 0;
  }
}
