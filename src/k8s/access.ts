/**
 * What the monitor reads from Kubernetes: the permissions deploy/kubernetes/rbac-readonly.yaml grants
 * and the k8s.access check probes. One table, so the manifest, the check and the docs agree.
 */
import type { KubeClient } from './client.ts';

export interface Permission {
  /** RBAC verb. */
  verb: 'get' | 'list';
  /** RBAC resource, subresource as "pods/log". */
  resource: string;
  /** API group ("" = core). */
  group: string;
  /** Optional permissions only feed diagnostics; missing them is documented, not a finding. */
  optional?: boolean;
  /** What uses it. */
  usedBy: string;
  /** A read that exercises the permission (403 when it is missing). */
  probe: (k: KubeClient) => Promise<unknown>;
}

/** A pod name that cannot exist: authorization is decided before the lookup (403 vs 404). */
const PROBE_POD = 'credlink-monitor-access-probe';

export const PERMISSIONS: readonly Permission[] = [
  { verb: 'list', resource: 'pods', group: '', usedBy: 'pod checks, usage vs limits, diagnostics', probe: (k) => k.listPods() },
  { verb: 'get', resource: 'pods/log', group: '', optional: true, usedBy: 'diagnostics: last 100 log lines', probe: (k) => k.podLog(PROBE_POD, { tailLines: 1 }) },
  { verb: 'list', resource: 'events', group: '', usedBy: 'k8s.warning-events, diagnostics', probe: (k) => k.listEvents() },
  { verb: 'get', resource: 'services', group: '', usedBy: 'k8s.service-selector', probe: (k) => k.readService() },
  { verb: 'get', resource: 'endpoints', group: '', usedBy: 'k8s.service-endpoints', probe: (k) => k.readEndpoints() },
  { verb: 'get', resource: 'deployments', group: 'apps', usedBy: 'k8s.rollout', probe: (k) => k.readDeployment() },
  { verb: 'list', resource: 'replicasets', group: 'apps', usedBy: 'diagnostics: rollout history', probe: (k) => k.listReplicaSets() },
  { verb: 'list', resource: 'horizontalpodautoscalers', group: 'autoscaling', usedBy: 'k8s.hpa-headroom', probe: (k) => k.listHpas() },
  { verb: 'list', resource: 'pods', group: 'metrics.k8s.io', usedBy: 'k8s.memory-usage, k8s.cpu-usage', probe: (k) => k.podMetrics() },
];

export const permissionName = (p: Pick<Permission, 'verb' | 'resource' | 'group'>) => `${p.verb} ${p.resource}${p.group ? `.${p.group}` : ''}`;
