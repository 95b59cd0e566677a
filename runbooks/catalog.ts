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
    title: 'the /health document has status, version, uptime and checks.database',
    section: 'basic-service-health',
    severity: 'SEV-3',
  },
  'health.database-reported': {
    title: 'the /health document reports checks.database "ok"',
    section: 'database-connection',
    procedure: 'basic-service-health',
    severity: 'SEV-1',
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
