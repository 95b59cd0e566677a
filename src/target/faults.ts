/**
 * Named faults of the reference target: each reproduces one runbook incident so the suite can
 * be rehearsed against it (`credlink-checks drill FAULT`, `target --fault a,b`, or at run time
 * through the admin endpoint). A fault may take one parameter: `high-error-rate=3`.
 */
import type { SectionId } from '../../runbooks/sections.ts';
import { UsageError } from '../errors.ts';

export interface FaultSpec {
  /** What the target does while the fault is on. */
  description: string;
  /** The runbook incident it reproduces. */
  incident: SectionId;
  /** Optional numeric parameter, e.g. a percentage or a latency. */
  param?: { unit: '%' | 'ms' | 'req'; default: number; min: number; max: number };
}

export const faultCatalog = {
  'service-unavailable': { description: 'every API route answers 503', incident: 'service-unavailable' },
  'bad-gateway': { description: 'every API route answers 502, as a proxy with no healthy upstream', incident: 'service-unavailable' },
  'high-error-rate': {
    description: 'a given percentage of API requests answer 500 (deterministic: exactly N of every 100)',
    incident: 'high-error-rate',
    param: { unit: '%', default: 10, min: 1, max: 100 },
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
  'database-down': { description: 'the database stops accepting connections (open ones are cut)', incident: 'database-connection' },
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

export type ActiveFaults = Partial<Record<FaultName, number | true>>;

export function isFaultName(s: string): s is FaultName {
  return Object.hasOwn(faultCatalog, s);
}

/** Parses `a,b=3` into active faults; throws UsageError naming every bad item. */
export function parseFaults(input: string | readonly string[]): ActiveFaults {
  const items = (typeof input === 'string' ? input.split(',') : input).map((s) => s.trim()).filter(Boolean);
  const out: ActiveFaults = {};
  const problems: string[] = [];
  for (const item of items) {
    const [name = '', raw] = item.split('=', 2);
    if (!isFaultName(name)) {
      problems.push(`unknown fault "${name}" (known: ${FAULT_NAMES.join(', ')})`);
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
    const n = Number(raw.replace(/(%|ms|req)$/, ''));
    if (!Number.isFinite(n) || n < spec.param.min || n > spec.param.max) {
      problems.push(`fault "${name}" value must be ${spec.param.min}-${spec.param.max} ${spec.param.unit}, got "${raw}"`);
      continue;
    }
    out[name] = n;
  }
  if (problems.length) throw new UsageError(problems.join('; '));
  return out;
}

export function formatFaults(f: ActiveFaults): string {
  return Object.entries(f).map(([k, v]) => (v === true ? k : `${k}=${v}`)).join(',') || 'none';
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
