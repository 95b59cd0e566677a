/**
 * `kubectl rollout status deployment/NAME`, as a pure function: kubectl's
 * DeploymentStatusViewer rules (k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go).
 */
import type { V1Deployment } from '@kubernetes/client-node';

export interface RolloutStatus {
  /** kubectl would print "successfully rolled out". */
  done: boolean;
  /** The Progressing condition says ProgressDeadlineExceeded: kubectl exits with an error. */
  stuck: boolean;
  /** kubectl's own words. */
  message: string;
}

export function rolloutStatus(d: V1Deployment): RolloutStatus {
  const name = d.metadata?.name ?? '?';
  const generation = d.metadata?.generation ?? 0;
  const s = d.status ?? {};
  if (generation > (s.observedGeneration ?? 0)) {
    return { done: false, stuck: false, message: 'Waiting for deployment spec update to be observed...' };
  }
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { done: false, stuck: true, message: `deployment "${name}" exceeded its progress deadline` };
  }
  const want = d.spec?.replicas;
  const updated = s.updatedReplicas ?? 0;
  const total = s.replicas ?? 0;
  const available = s.availableReplicas ?? 0;
  if (want !== undefined && updated < want) {
    return { done: false, stuck: false, message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${want} new replicas have been updated...` };
  }
  if (total > updated) {
    return { done: false, stuck: false, message: `Waiting for deployment "${name}" rollout to finish: ${total - updated} old replicas are pending termination...` };
  }
  if (available < updated) {
    return { done: false, stuck: false, message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...` };
  }
  return { done: true, stuck: false, message: `deployment "${name}" successfully rolled out` };
}
