/**
 * The catalog: every checkable item of the CredLink operations runbook, by stable id.
 *
 * Adding a check touches two files: an entry here and a `test()` in checks/ that declares
 * `runbook('<id>')`. `credlink-checks validate` proves both exist. Plain data only, so k6
 * scripts in load/ can import it too.
 */
import type { Severity } from './severity.ts';
import type { SectionId } from './sections.ts';

export interface CatalogEntry {
  /** The healthy invariant, as the test title states it. */
  title: string;
  /** The runbook section a responder opens when this check fails. */
  section: SectionId;
  /** The runbook procedure the check automates, when it differs from `section`. */
  procedure?: SectionId;
  /** Severity when the check records no impact of its own (see src/triage/severity-policy.ts). */
  severity: Severity;
  /** Checks whose failures together measure how much of the service is down. */
  group?: 'health-endpoints';
  /** The alert threshold the check compares against, when it has one. */
  threshold?: 'errorRate' | 'responseTimeMs' | 'memoryRatio' | 'cpuRatio' | 'dbConnectionsRatio' | 'databaseRoundTripMs';
  /** Present when the runbook item cannot be automated safely: why, and what a person does instead. */
  notAutomatable?: string;
}

const entries = {
  // 1. Basic Service Health
  'health.root': {
    title: 'GET /health answers 200',
    section: 'service-unavailable',
    procedure: 'basic-service-health',
    severity: 'SEV-1',
    group: 'health-endpoints',
  },
  'health.status': {
    title: 'GET /api/v1/status answers 200',
    section: 'service-unavailable',
    procedure: 'basic-service-health',
    severity: 'SEV-1',
    group: 'health-endpoints',
  },
  'health.api-health': {
    title: 'GET /api/v1/health answers 200',
    section: 'service-unavailable',
    procedure: 'basic-service-health',
    severity: 'SEV-1',
    group: 'health-endpoints',
  },
  'health.document': {
    title: 'the /health document carries what the runbook reads (checks.database; status when present) and the configured fields',
    section: 'basic-service-health',
    severity: 'SEV-3',
  },
  'health.database-reported': {
    title: 'the /health document reports checks.database "ok"',
    section: 'database-connection',
    procedure: 'basic-service-health',
    severity: 'SEV-1',
  },
  'health.self-status': {
    title: 'the /health document\'s status does not report the service unhealthy (fail, down, error)',
    // The draft's "fail" is a failed health check: "Service Unavailable" lists health check failures.
    section: 'service-unavailable',
    procedure: 'basic-service-health',
    severity: 'SEV-1',
  },
  'health.database-truthful': {
    title: 'the /health document reports the database as a direct probe finds it',
    section: 'basic-service-health',
    // A disagreement is a monitoring gap: the health document cannot be trusted, the database
    // itself is judged by db.connect (runbooks/dependencies.ts keeps it out of the database incident).
    severity: 'SEV-3',
  },
  'health.latency': {
    title: 'GET /health answers within the response-time threshold',
    section: 'slow-responses',
    procedure: 'basic-service-health',
    severity: 'SEV-2',
    threshold: 'responseTimeMs',
  },
  // 3. Database Health
  'db.connect': {
    title: 'the database accepts a connection and answers SELECT 1',
    section: 'database-connection',
    procedure: 'database-health',
    severity: 'SEV-1',
  },
  'db.round-trip': {
    title: 'a SELECT 1 round trip stays under the database latency threshold',
    section: 'database-connection',
    procedure: 'slow-responses',
    severity: 'SEV-2',
    threshold: 'databaseRoundTripMs',
  },
  'db.connections': {
    title: 'client connections stay under the warning share of max_connections',
    section: 'database-connection',
    procedure: 'database-health',
    severity: 'SEV-2',
    threshold: 'dbConnectionsRatio',
  },
  'db.slow-queries': {
    title: 'no statement in pg_stat_statements averages above the database latency threshold',
    section: 'database-connection',
    severity: 'SEV-2',
    threshold: 'databaseRoundTripMs',
  },
  // Performance (issue 5): open-model probes, baseline, database p95, Prometheus key metrics.
  // k6 scenarios in load/ tag their thresholds with the perf.* ids below.
  'perf.latency': {
    title: 'p95 response time of every probed endpoint stays under the warning threshold',
    section: 'slow-responses',
    procedure: 'alert-thresholds',
    severity: 'SEV-2',
    threshold: 'responseTimeMs',
  },
  'perf.error-rate': {
    title: 'the share of 5xx or unanswered probe requests stays under the warning threshold',
    section: 'high-error-rate',
    procedure: 'alert-thresholds',
    severity: 'SEV-2',
    threshold: 'errorRate',
  },
  'perf.degradation': {
    title: 'p95 response time is not more than 20% worse than the baseline runs',
    section: 'slow-responses',
    severity: 'SEV-2',
  },
  'perf.db-latency': {
    title: 'SELECT 1 round-trip p95 stays under the database latency threshold',
    section: 'database-connection',
    procedure: 'slow-responses',
    severity: 'SEV-2',
    threshold: 'databaseRoundTripMs',
  },
  'prom.error-rate': {
    title: 'Prometheus: the 5xx share of HTTP requests stays under the warning threshold',
    section: 'high-error-rate',
    procedure: 'key-metrics',
    severity: 'SEV-2',
    threshold: 'errorRate',
  },
  'prom.latency': {
    title: 'Prometheus: histogram p95 of request duration stays under the warning threshold',
    section: 'slow-responses',
    procedure: 'key-metrics',
    severity: 'SEV-2',
    threshold: 'responseTimeMs',
  },
  'prom.memory': {
    title: 'Prometheus: memory use stays under the warning share of its limit',
    section: 'high-memory',
    procedure: 'key-metrics',
    severity: 'SEV-2',
    threshold: 'memoryRatio',
  },
  'prom.cpu': {
    title: 'Prometheus: CPU use stays under the warning share of its limit',
    section: 'emergency-scaling',
    procedure: 'key-metrics',
    severity: 'SEV-2',
    threshold: 'cpuRatio',
  },
  'prom.counts-run-errors': {
    title: "Prometheus counts the 5xx answers this run received from the target",
    section: 'key-metrics',
    // The service's metrics miss errors its clients get: every error-rate alert on them is blind to those (a monitoring gap).
    severity: 'SEV-3',
  },
  'prom.db-connections': {
    title: 'Prometheus: database connections stay under the warning share of max_connections',
    section: 'database-connection',
    procedure: 'key-metrics',
    severity: 'SEV-2',
    threshold: 'dbConnectionsRatio',
  },
  // Security: API keys, CORS, headers, redirects (checks/security/). Severity comes from the
  // impact each check records: a 2xx without a valid key = breach (SEV-0), any-origin CORS or a
  // cross-origin redirect of a keyed call = vulnerability (SEV-1), 5xx on rejection = issue (SEV-2).
  'security.valid-key-accepted': {
    title: 'a valid API key is accepted by the protected endpoint',
    section: 'api-key-auth',
    severity: 'SEV-1',
  },
  'security.restricted-key-forbidden': {
    title: 'a key without the permission gets 403 from the protected endpoint',
    section: 'api-key-auth',
    severity: 'SEV-1',
  },
  'security.no-key-rejected': {
    title: 'the protected endpoint answers 401 without an API key',
    section: 'api-key-auth',
    severity: 'SEV-0',
  },
  'security.wrong-key-rejected': {
    title: 'the protected endpoint answers 401 to a wrong API key',
    section: 'api-key-auth',
    severity: 'SEV-0',
  },
  'security.malformed-keys-rejected': {
    title: 'empty, malformed, oversized and non-ASCII keys get 401, never 5xx',
    section: 'api-key-auth',
    severity: 'SEV-2',
  },
  'security.key-strict': {
    title: 'the key counts only in the ways the environment declares (default X-API-Key)',
    section: 'api-key-auth',
    severity: 'SEV-2',
  },
  'security.derived-keys-rejected': {
    title: 'keys derived from a valid key (other case, prefixes, suffixes, whitespace, one character changed) are refused',
    section: 'api-key-auth',
    severity: 'SEV-0',
  },
  'security.request-contract': {
    title: 'the described valid-key and restricted-key requests pass the service\'s request contract (no 400/422)',
    section: 'api-key-auth',
    severity: 'SEV-3',
  },
  'security.error-disclosure': {
    title: 'no answer exposes a stack trace, an internal path, a credential or a version banner',
    section: 'api-key-auth',
    severity: 'SEV-2',
  },
  'security.key-not-echoed': {
    title: 'no response echoes the API key it was sent',
    section: 'api-key-auth',
    severity: 'SEV-2',
  },
  'security.no-redirect': {
    title: 'the protected endpoint answers keyed requests without redirecting',
    section: 'api-key-auth',
    severity: 'SEV-1',
  },
  'security.auth-rate-limit': {
    title: 'failed attempts are limited per client: 429 with Retry-After inside the window',
    section: 'api-key-auth',
    severity: 'SEV-2',
  },
  'security.rate-limits-declared': {
    title: 'the target answers 429 only where the declared rate limits say it may',
    section: 'api-key-auth',
    // A wrong description hides the checks the target refused (runbooks/dependencies.ts makes
    // them its consequences): a configuration gap, said once.
    severity: 'SEV-3',
  },
  'security.cors-allowed-origins': {
    title: "each allowed origin passes the preflight with its methods, headers and Vary: Origin, and the actual request's answer allows it too",
    section: 'cors',
    severity: 'SEV-2',
  },
  'security.cors-no-any-origin': {
    title: 'a disallowed or look-alike origin (null, suffix, prefix, http) gets no allow-origin header: no reflection, no * with credentials',
    section: 'cors',
    severity: 'SEV-1',
  },
  'security.cors-disallowed-not-5xx': {
    title: 'a disallowed origin is refused with 403 or served without CORS headers, never 5xx',
    section: 'cors',
    severity: 'SEV-2',
  },
  'security.headers': {
    title: 'API responses carry nosniff, frame protection and HSTS (https), and no X-Powered-By or version banner',
    section: 'api-key-auth',
    severity: 'SEV-3',
  },
  // 2. Kubernetes Health; pod side of Service Unavailable and High Memory Usage; Rolling Restart;
  // Emergency Scaling; Blue-Green (checks/kubernetes/). Skip when KUBE_NAMESPACE is unset.
  'k8s.access': {
    title: 'the monitor can read what the Kubernetes checks need',
    section: 'kubernetes-health',
    severity: 'SEV-3',
  },
  'k8s.pods-ready': {
    title: 'every API pod is Running and Ready',
    section: 'service-unavailable',
    procedure: 'kubernetes-health',
    severity: 'SEV-1',
  },
  'k8s.pods-waiting': {
    title: 'no API pod is in CrashLoopBackOff or ImagePullBackOff',
    section: 'service-unavailable',
    procedure: 'kubernetes-health',
    severity: 'SEV-1',
  },
  'k8s.restarts': {
    title: 'no API container restarted within the event window',
    section: 'kubernetes-health',
    severity: 'SEV-2',
  },
  'k8s.oomkilled': {
    title: 'no API container was last terminated OOMKilled',
    section: 'high-memory',
    procedure: 'kubernetes-health',
    // Catalog default applies to "possible OOM" (exit 137, no reason); a confirmed OOMKilled
    // records the share of pods affected.
    severity: 'SEV-3',
  },
  'k8s.rollout': {
    title: 'the deployment rollout is complete',
    section: 'rolling-restart',
    procedure: 'kubernetes-health',
    severity: 'SEV-2',
  },
  'k8s.warning-events': {
    title: 'no Warning events for the API within the event window',
    section: 'kubernetes-health',
    severity: 'SEV-3',
  },
  'k8s.memory-usage': {
    title: 'every API pod uses less memory than the warning share of its limit',
    section: 'high-memory',
    procedure: 'kubernetes-health',
    severity: 'SEV-2',
    threshold: 'memoryRatio',
  },
  'k8s.cpu-usage': {
    title: 'every API pod uses less CPU than the warning share of its limit',
    section: 'slow-responses',
    procedure: 'kubernetes-health',
    severity: 'SEV-2',
    threshold: 'cpuRatio',
  },
  'k8s.hpa-headroom': {
    title: 'the autoscaler runs below its maximum replicas',
    section: 'emergency-scaling',
    severity: 'SEV-2',
  },
  'k8s.service-endpoints': {
    title: 'the API Service has ready endpoints',
    section: 'service-unavailable',
    procedure: 'kubernetes-health',
    severity: 'SEV-1',
  },
  'k8s.service-selector': {
    title: 'the API Service selector (blue-green colour) matches running API pods',
    section: 'blue-green',
    severity: 'SEV-1',
  },
  // Items a person must do: the tool tells, never runs them.
  'manual.env-vars': {
    title: 'the deployment runs with the expected DATABASE/AWS/API variables',
    section: 'high-error-rate',
    severity: 'SEV-2',
    notAutomatable: 'needs kubectl exec into a pod and prints secret values; a read-only monitor must not',
  },
  'manual.api-key-secret': {
    title: 'the credlink-api-keys secret holds the expected keys',
    section: 'api-key-auth',
    severity: 'SEV-1',
    notAutomatable: 'reading Secret values would hand the monitor every API key; the monitor has no access to secrets',
  },
  'manual.memory-trend': {
    title: 'heap usage inside the pod does not grow over time',
    section: 'high-memory',
    severity: 'SEV-2',
    notAutomatable: 'needs kubectl exec into a running pod',
  },
} as const satisfies Record<string, CatalogEntry>;

export type CheckId = keyof typeof entries;
export const catalog: Readonly<Record<CheckId, CatalogEntry>> = entries;

export function isCheckId(id: string): id is CheckId {
  return Object.hasOwn(catalog, id);
}
