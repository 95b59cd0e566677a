/**
 * Runbook "2. Kubernetes Health", "1. Rolling Restart" and "3. Emergency Scaling": the rollout
 * is complete by `kubectl rollout status` rules, no Warning events for the API lately, and the
 * autoscaler has headroom. Read-only. Skips with a reason when KUBE_NAMESPACE is not set.
 */
import { runbook, test } from '../fixtures.ts';
import { runConfig } from '../../config/index.ts';
import { rolloutStatus } from '../../src/k8s/rollout.ts';
import { ACCESS_COVERED, kubeRead } from './kube-read.ts';

const cfg = runConfig();
test.skip(!cfg.kube, `KUBE_NAMESPACE is not set for environment "${cfg.env}": Kubernetes checks skip`);

test('the deployment rollout is complete', runbook('k8s.rollout'), async ({ kube, check }) => {
  const k = kube!;
  const d = await kubeRead(check, k, `get deployment/${k.settings.deployment}`, () => k.readDeployment(), ACCESS_COVERED);
  const r = rolloutStatus(d);
  if (!r.done) {
    await check.evidence(
      'deployment status',
      { generation: d.metadata?.generation, spec: { replicas: d.spec?.replicas }, status: d.status },
      `kubectl rollout status deployment/${k.settings.deployment} -n ${k.namespace}`,
    );
  }
  check.that({
    label: 'ROLLOUT',
    ok: r.done,
    actual: r.message,
    expected: 'successfully rolled out',
    call: `kubectl rollout status deployment/${k.settings.deployment} (${k.where})`,
  });
});

test('no Warning events for the API within the event window', runbook('k8s.warning-events'), async ({ kube, check, config }) => {
  const k = kube!;
  const windowMin = config.kube!.eventWindowMin;
  const events = await kubeRead(check, k, 'list events', () => k.listEvents(), ACCESS_COVERED);
  const since = Date.now() - windowMin * 60_000;
  const ours = (name: string) => name === k.settings.deployment || name.startsWith(`${k.settings.deployment}-`) || name === k.settings.service;
  const warnings = events
    .filter((e) => e.type === 'Warning' && ours(e.involvedObject.name ?? ''))
    .map((e) => ({ at: new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? 0), e }))
    .filter(({ at }) => at.getTime() >= since)
    .map(({ at, e }) => ({ lastSeen: at.toISOString(), reason: e.reason, object: `${e.involvedObject.kind}/${e.involvedObject.name}`, count: e.count ?? 1, message: e.message }));
  if (warnings.length) await check.evidence('Warning events', warnings, `kubectl get events -n ${k.namespace} --field-selector type=Warning`);
  const reasons = [...new Set(warnings.map((w) => w.reason))];
  check.that({
    label: 'WARNING EVENTS',
    ok: warnings.length === 0,
    actual: `${warnings.length} (${reasons.join(', ')})`,
    expected: `none in the last ${windowMin} min`,
    call: `list events (${k.where})`,
  });
});

test('the autoscaler runs below its maximum replicas', runbook('k8s.hpa-headroom'), async ({ kube, check }) => {
  const k = kube!;
  const hpas = await kubeRead(check, k, 'list horizontalpodautoscalers', () => k.listHpas(), ACCESS_COVERED);
  const hpa = hpas.find((h) => h.spec?.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === k.settings.deployment);
  test.skip(!hpa, `no HorizontalPodAutoscaler targets deployment/${k.settings.deployment} in ${k.namespace}: nothing to check`);
  const max = hpa!.spec!.maxReplicas;
  const current = hpa!.status?.currentReplicas ?? 0;
  const desired = hpa!.status?.desiredReplicas ?? 0;
  const limited = hpa!.status?.conditions?.find((c) => c.type === 'ScalingLimited' && c.status === 'True');
  const atMax = current >= max || desired >= max;
  if (atMax) {
    await check.evidence('autoscaler', { name: hpa!.metadata?.name, minReplicas: hpa!.spec?.minReplicas, maxReplicas: max, currentReplicas: current, desiredReplicas: desired, currentMetrics: hpa!.status?.currentMetrics, conditions: hpa!.status?.conditions }, `kubectl get hpa -n ${k.namespace}`);
  }
  check.that({
    label: 'HPA',
    ok: !atMax,
    actual: `${current} current, ${desired} desired of max ${max}${limited ? ` (ScalingLimited: ${limited.reason})` : ''}: no headroom left (capacity risk)`,
    expected: `< ${max} replicas`,
    call: `get hpa/${hpa!.metadata?.name} (${k.where})`,
  });
});
