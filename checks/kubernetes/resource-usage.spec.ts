/**
 * Runbook "Incident: High Memory Usage" and the resource side of "Slow Response Times": each
 * pod's usage (metrics.k8s.io, what `kubectl top pods` reads) against its limits, with the
 * runbook's alert thresholds (memory 80%/95%, CPU 70%/90%). Read-only.
 */
import { runbook, test, type Check } from '../fixtures.ts';
import { runConfig, type ResolvedConfig } from '../../config/index.ts';
import type { KubeClient } from '../../src/k8s/client.ts';
import { podLimits, podName } from '../../src/k8s/pods.ts';
import { formatBytes, formatCores, parseQuantity } from '../../src/k8s/quantity.ts';
import { tierOf } from '../../runbooks/thresholds.ts';
import { ACCESS_COVERED, kubeRead } from './kube-read.ts';

const cfg = runConfig();
test.skip(!cfg.kube, `KUBE_NAMESPACE is not set for environment "${cfg.env}": Kubernetes checks skip`);

type Resource = 'memory' | 'cpu';

async function usageAgainstLimits(resource: Resource, k: KubeClient, check: Check, config: Readonly<ResolvedConfig>): Promise<void> {
  const limits = resource === 'memory' ? config.thresholds.memoryRatio : config.thresholds.cpuRatio;
  const fmt = resource === 'memory' ? formatBytes : formatCores;
  const pods = await kubeRead(check, k, `list pods -l ${k.settings.labelSelector}`, () => k.listPods(), ACCESS_COVERED);
  const metrics = await kubeRead(check, k, 'list metrics.k8s.io/v1beta1 pods', () => k.podMetrics(), {
    // 404: metrics.k8s.io is not served (no metrics-server); k8s.access reports that gap.
    skipOn: [...(ACCESS_COVERED.skipOn ?? []), 'not-found'],
    coveredBy: 'k8s.access',
  });
  const byName = new Map(metrics.map((m) => [m.metadata.name, m]));
  const rows = pods.flatMap((p) => {
    const m = byName.get(podName(p));
    const limit = podLimits(p)[resource];
    if (!m || limit === undefined) return [];
    const used = m.containers.reduce((s, c) => s + (parseQuantity(c.usage[resource]) ?? 0), 0);
    return [{ pod: podName(p), used, limit, ratio: used / limit }];
  });
  if (!rows.length) {
    const withLimit = pods.filter((p) => podLimits(p)[resource] !== undefined).length;
    test.skip(
      true,
      !metrics.length
        ? `metrics.k8s.io reports no metrics for the API pods (none running?): ${resource} usage cannot be compared; k8s.pods-ready covers pods that do not run`
        : withLimit === 0
          ? `no API container sets a ${resource} limit: usage vs limit cannot be compared`
          : `no API pod has both ${resource} metrics and a ${resource} limit`,
    );
  }
  rows.sort((a, b) => b.ratio - a.ratio);
  const worst = rows[0]!;
  const tier = tierOf(worst.ratio, limits);
  const pct = (r: number) => `${Math.round(r * 100)}%`;
  if (tier !== 'ok') {
    await check.evidence(
      `${resource} usage vs limits`,
      rows.map((r) => ({ pod: r.pod, used: fmt(r.used), limit: fmt(r.limit), ofLimit: pct(r.ratio) })),
      `kubectl top pods -n ${k.namespace} -l ${k.settings.labelSelector}`,
    );
  }
  const over = rows.filter((r) => r.ratio > limits.warning).length;
  check.that({
    label: `${resource.toUpperCase()} OF LIMIT`,
    ok: tier === 'ok',
    actual: `${pct(worst.ratio)} on ${worst.pod} (${fmt(worst.used)} of ${fmt(worst.limit)}); ${over}/${rows.length} pods above ${pct(limits.warning)}`,
    expected: `<= ${pct(limits.warning)} of limit (critical above ${pct(limits.critical)})`,
    call: `kubectl top pods (${k.where})`,
    impact:
      tier === 'ok'
        ? undefined
        : { kind: 'threshold', tier, value: Math.round(worst.ratio * 1000) / 1000, limit: tier === 'critical' ? limits.critical : limits.warning },
  });
}

test('every API pod uses less memory than the warning share of its limit', runbook('k8s.memory-usage'), async ({ kube, check, config }) => {
  await usageAgainstLimits('memory', kube!, check, config);
});

test('every API pod uses less CPU than the warning share of its limit', runbook('k8s.cpu-usage'), async ({ kube, check, config }) => {
  await usageAgainstLimits('cpu', kube!, check, config);
});
