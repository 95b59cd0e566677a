/**
 * Runbook "2. Kubernetes Health" and the pod side of "Service Unavailable" / "High Memory
 * Usage": every pod Running and Ready, none stuck in a back-off, no recent restarts, no OOM
 * kill. Read-only (list pods). Skips with a reason when KUBE_NAMESPACE is not set.
 */
import { runbook, test } from '../fixtures.ts';
import { runConfig } from '../../config/index.ts';
import { badWaitingReason, isRunningAndReady, podName, podOom, podRow, restartedWithin } from '../../src/k8s/pods.ts';
import { ACCESS_COVERED, kubeRead } from './kube-read.ts';

const cfg = runConfig();
test.skip(!cfg.kube, `KUBE_NAMESPACE is not set for environment "${cfg.env}": Kubernetes checks skip`);

const list = (names: string[]) => (names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', '));

test('every API pod is Running and Ready', runbook('k8s.pods-ready'), async ({ kube, check }) => {
  const k = kube!;
  const pods = await kubeRead(check, k, `list pods -l ${k.settings.labelSelector}`, () => k.listPods(), ACCESS_COVERED);
  const bad = pods.filter((p) => !isRunningAndReady(p));
  if (bad.length) await check.evidence('pods not Running and Ready', bad.map(podRow), `kubectl get pods -n ${k.namespace} -l ${k.settings.labelSelector}`);
  check.that({
    label: 'PODS READY',
    ok: pods.length > 0 && bad.length === 0,
    actual: pods.length ? `${pods.length - bad.length}/${pods.length} ready; not ready: ${list(bad.map((p) => `${podName(p)} (${podRow(p).status})`))}` : `no pod matches ${k.settings.labelSelector}`,
    expected: 'every pod Running and Ready (at least one)',
    call: `list pods -l ${k.settings.labelSelector} (${k.where})`,
    impact: { kind: 'affected', fraction: pods.length ? bad.length / pods.length : 1 },
  });
});

test('no API pod is in CrashLoopBackOff or ImagePullBackOff', runbook('k8s.pods-waiting'), async ({ kube, check }) => {
  const k = kube!;
  const pods = await kubeRead(check, k, `list pods -l ${k.settings.labelSelector}`, () => k.listPods(), ACCESS_COVERED);
  const waiting = pods.map((p) => [podName(p), badWaitingReason(p)] as const).filter(([, r]) => r);
  if (waiting.length) await check.evidence('pods in a back-off', Object.fromEntries(waiting), `kubectl get pods -n ${k.namespace} -l ${k.settings.labelSelector}`);
  check.that({
    label: 'BACK-OFF',
    ok: waiting.length === 0,
    actual: `${waiting.length}/${pods.length}: ${list(waiting.map(([n, r]) => `${n} ${r}`))}`,
    expected: 'no pod waiting in CrashLoopBackOff / ImagePullBackOff / ErrImagePull',
    call: `list pods -l ${k.settings.labelSelector} (${k.where})`,
    impact: { kind: 'affected', fraction: pods.length ? waiting.length / pods.length : 1 },
  });
});

test('no API container restarted within the event window', runbook('k8s.restarts'), async ({ kube, check, config }) => {
  const k = kube!;
  const windowMin = config.kube!.eventWindowMin;
  const pods = await kubeRead(check, k, `list pods -l ${k.settings.labelSelector}`, () => k.listPods(), ACCESS_COVERED);
  const restarted = pods.map((p) => ({ pod: podName(p), ...restartedWithin(p, windowMin * 60_000) })).filter((r) => r.container);
  if (restarted.length) await check.evidence('recent restarts', restarted, `kubectl get pods -n ${k.namespace} -l ${k.settings.labelSelector}`);
  check.that({
    label: 'RESTARTS',
    ok: restarted.length === 0,
    actual: list(restarted.map((r) => `${r.pod} restarts=${r.restarts}${r.finishedAt ? ` last ${r.finishedAt}` : ''}`)),
    expected: `no restart in the last ${windowMin} min`,
    call: `list pods -l ${k.settings.labelSelector} (${k.where})`,
  });
});

test('no API container was last terminated OOMKilled', runbook('k8s.oomkilled'), async ({ kube, check }) => {
  const k = kube!;
  const pods = await kubeRead(check, k, `list pods -l ${k.settings.labelSelector}`, () => k.listPods(), ACCESS_COVERED);
  const ooms = pods.map((p) => ({ pod: podName(p), ...podOom(p) })).filter((o) => o.verdict);
  const confirmed = ooms.filter((o) => o.verdict === 'confirmed');
  if (ooms.length) await check.evidence('last terminations', ooms, `kubectl describe pods -n ${k.namespace} -l ${k.settings.labelSelector}`);
  check.that({
    label: confirmed.length ? 'OOMKILLED' : 'POSSIBLE OOM',
    ok: ooms.length === 0,
    actual: list(ooms.map((o) => (o.verdict === 'confirmed' ? `${o.pod}/${o.container} OOMKilled (exit ${o.exitCode})` : `${o.pod}/${o.container} exit 137 without a reason: possible OOM`))),
    expected: 'no container terminated OOMKilled or with exit 137',
    call: `list pods -l ${k.settings.labelSelector} (${k.where})`,
    // A confirmed OOM kill affects its share of pods; exit 137 alone keeps the catalog default (SEV-3).
    impact: confirmed.length ? { kind: 'affected', fraction: confirmed.length / pods.length } : undefined,
  });
});
