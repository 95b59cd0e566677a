/**
 * The Service side of "Incident: Service Unavailable" and "2. Blue-Green Deployment": the
 * Service has ready endpoints, and its selector (the colour it points at) matches running API
 * pods. Read-only. Skips with a reason when KUBE_NAMESPACE is not set.
 */
import { runbook, test } from '../fixtures.ts';
import { runConfig } from '../../config/index.ts';
import { podName, podRow } from '../../src/k8s/pods.ts';
import { ACCESS_COVERED, kubeRead } from './kube-read.ts';

const cfg = runConfig();
test.skip(!cfg.kube, `KUBE_NAMESPACE is not set for environment "${cfg.env}": Kubernetes checks skip`);

/** Label keys that carry a blue-green colour, in the order they are looked for. */
const COLOUR_KEYS = ['environment', 'color', 'colour', 'slot', 'track', 'version'];

test('the API Service has ready endpoints', runbook('k8s.service-endpoints'), async ({ kube, check }) => {
  const k = kube!;
  const ep = await kubeRead(check, k, `get endpoints/${k.settings.service}`, () => k.readEndpoints(), ACCESS_COVERED);
  const ready = (ep.subsets ?? []).flatMap((s) => s.addresses ?? []);
  const notReady = (ep.subsets ?? []).flatMap((s) => s.notReadyAddresses ?? []);
  if (!ready.length) {
    await check.evidence('endpoints', { ready: [], notReady: notReady.map((a) => a.targetRef?.name ?? a.ip) }, `kubectl get endpoints ${k.settings.service} -n ${k.namespace}`);
  }
  check.that({
    label: 'ENDPOINTS',
    ok: ready.length > 0,
    actual: `${ready.length} ready, ${notReady.length} not ready`,
    expected: 'at least one ready endpoint',
    call: `get endpoints/${k.settings.service} (${k.where})`,
    // No ready endpoint: nothing behind the Service answers.
    impact: { kind: 'affected', fraction: 1 },
  });
});

test('the API Service selector (blue-green colour) matches running API pods', runbook('k8s.service-selector'), async ({ kube, check }) => {
  const k = kube!;
  const svc = await kubeRead(check, k, `get service/${k.settings.service}`, () => k.readService(), ACCESS_COVERED);
  const selector = svc.spec?.selector ?? {};
  const key = COLOUR_KEYS.find((c) => c in selector);
  const colour = key ? `${key}=${selector[key]}` : 'no colour label';
  const labelSelector = Object.entries(selector).map(([a, b]) => `${a}=${b}`).join(',');
  const pods = labelSelector ? await kubeRead(check, k, `list pods -l ${labelSelector}`, () => k.listPods(labelSelector), ACCESS_COVERED) : [];
  const running = pods.filter((p) => p.status?.phase === 'Running');
  await check.evidence('service selector', { selector, colour, matchingPods: pods.map(podRow) }, `kubectl get service ${k.settings.service} -n ${k.namespace} -o jsonpath='{.spec.selector}'`);
  check.that({
    label: 'SELECTOR',
    ok: running.length > 0,
    actual: `${colour}: ${running.length} running pods match ${labelSelector || '(empty selector)'}${running.length ? ` (${running.map(podName).join(', ')})` : ''}`,
    expected: 'the selected colour has running API pods',
    call: `get service/${k.settings.service} (${k.where})`,
    impact: { kind: 'affected', fraction: 1 },
  });
});
