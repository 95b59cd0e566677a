/**
 * What a pod's status says, as plain facts the checks and diagnostics share: readiness, bad
 * waiting reasons, restarts, and how the last termination ended. Pure functions over V1Pod.
 */
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { parseQuantity } from './quantity.ts';

/** Waiting reasons that mean the container cannot start (runbook: CrashLoopBackOff, ImagePullBackOff). */
export const BAD_WAITING_REASONS = ['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'CreateContainerConfigError', 'InvalidImageName'] as const;

export const podName = (p: V1Pod) => p.metadata?.name ?? '?';
const statuses = (p: V1Pod): V1ContainerStatus[] => p.status?.containerStatuses ?? [];

/** Running with the Ready condition True (what `kubectl get pods` shows as READY n/n, STATUS Running). */
export function isRunningAndReady(p: V1Pod): boolean {
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  return p.status?.phase === 'Running' && ready && !p.metadata?.deletionTimestamp;
}

/** The first bad waiting reason of any container, e.g. "CrashLoopBackOff". */
export function badWaitingReason(p: V1Pod): string | undefined {
  for (const s of statuses(p)) {
    const r = s.state?.waiting?.reason;
    if (r && (BAD_WAITING_REASONS as readonly string[]).includes(r)) return r;
  }
  return undefined;
}

export const restartsOf = (p: V1Pod) => statuses(p).reduce((n, s) => n + (s.restartCount ?? 0), 0);

const toDate = (d: Date | string | undefined) => (d === undefined ? undefined : d instanceof Date ? d : new Date(d));

/** Restarts are growing when a container restarted within the window (its last termination is recent). */
export function restartedWithin(p: V1Pod, windowMs: number, now = Date.now()): { container: string; restarts: number; finishedAt?: string } | undefined {
  for (const s of statuses(p)) {
    if (!s.restartCount) continue;
    const finished = toDate(s.lastState?.terminated?.finishedAt);
    const crashLooping = s.state?.waiting?.reason === 'CrashLoopBackOff';
    if (crashLooping || (finished && now - finished.getTime() <= windowMs)) {
      return { container: s.name, restarts: s.restartCount, finishedAt: finished?.toISOString() };
    }
  }
  return undefined;
}

export type OomVerdict = 'confirmed' | 'possible';

/**
 * OOMKilled as the reason of the last (or current) termination is a confirmed OOM kill.
 * Exit code 137 (SIGKILL) without a reason is only a possible one: liveness kills and
 * `kill -9` exit the same way.
 */
export function oomOf(s: V1ContainerStatus): { verdict: OomVerdict; exitCode: number; reason?: string } | undefined {
  for (const t of [s.state?.terminated, s.lastState?.terminated]) {
    if (!t) continue;
    if (t.reason === 'OOMKilled') return { verdict: 'confirmed', exitCode: t.exitCode, reason: t.reason };
    if (t.exitCode === 137 && !t.reason) return { verdict: 'possible', exitCode: 137 };
  }
  return undefined;
}

export function podOom(p: V1Pod): { container: string; verdict: OomVerdict; exitCode: number } | undefined {
  let found: { container: string; verdict: OomVerdict; exitCode: number } | undefined;
  for (const s of statuses(p)) {
    const o = oomOf(s);
    if (o && (!found || o.verdict === 'confirmed')) found = { container: s.name, verdict: o.verdict, exitCode: o.exitCode };
  }
  return found;
}

/** One line per pod, like `kubectl get pods`: name, ready n/m, status, restarts, node. */
export function podRow(p: V1Pod): { name: string; ready: string; status: string; restarts: number; node?: string } {
  const st = statuses(p);
  const waiting = st.find((s) => s.state?.waiting?.reason)?.state?.waiting?.reason;
  const terminated = st.find((s) => s.state?.terminated?.reason)?.state?.terminated?.reason;
  return {
    name: podName(p),
    ready: `${st.filter((s) => s.ready).length}/${p.spec?.containers.length ?? st.length}`,
    status: p.metadata?.deletionTimestamp ? 'Terminating' : waiting ?? terminated ?? p.status?.phase ?? 'Unknown',
    restarts: restartsOf(p),
    node: p.spec?.nodeName,
  };
}

/** Sum of a resource over containers; undefined when any container lacks it. */
function sumOf(values: (string | undefined)[]): number | undefined {
  let total = 0;
  for (const v of values) {
    const n = parseQuantity(v);
    if (n === undefined) return undefined;
    total += n;
  }
  return values.length ? total : undefined;
}

/** A pod's limits summed over its containers (memory in bytes, CPU in cores). */
export function podLimits(p: V1Pod): { memory?: number; cpu?: number } {
  const cs = p.spec?.containers ?? [];
  return { memory: sumOf(cs.map((c) => c.resources?.limits?.memory)), cpu: sumOf(cs.map((c) => c.resources?.limits?.cpu)) };
}
