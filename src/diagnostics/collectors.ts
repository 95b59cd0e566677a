/**
 * Read-only evidence collectors: each is the read-only equivalent of one runbook command
 * (`kubectl get pods`, `kubectl logs --tail=100`, `kubectl top pods`, `kubectl rollout history`,
 * pg_stat_activity...). None writes: no restart, scale, exec or delete. Each returns pieces of
 * evidence; a collector that fails returns its error line instead (see index.ts).
 */
import type { ResolvedConfig } from '../../config/index.ts';
import type { KubeClient } from '../k8s/client.ts';
import { isRunningAndReady, podLimits, podName, podRow, restartsOf } from '../k8s/pods.ts';
import { formatBytes, formatCores, parseQuantity } from '../k8s/quantity.ts';
import { rolloutStatus } from '../k8s/rollout.ts';
import type { DbProbe } from '../probes/database.ts';
import type { CollectorId } from './plan.ts';

export interface Piece {
  name: string;
  /** The runbook command this piece stands for (with this environment's names). */
  command: string;
  data: unknown;
}

export interface DiagnosticsContext {
  config: Readonly<ResolvedConfig>;
  kube?: KubeClient;
  db?: DbProbe;
  /** Per-call timeout for HTTP reads. */
  timeoutMs: number;
  /**
   * Waits for room in the run's request budget before an HTTP read of the target (src/budget/);
   * rejects when there is none within the diagnostics' time. Absent: reads are not paced.
   */
  pace?: (path: string) => Promise<void>;
}

type Collector = { command: (c: DiagnosticsContext) => string; collect: (c: DiagnosticsContext) => Promise<Piece[]> };

const k = (c: DiagnosticsContext) => c.kube!.settings;
const ts = (d: Date | string | undefined) => (d ? new Date(d).toISOString() : '-');

export const collectors: Record<CollectorId, Collector> = {
  pods: {
    command: (c) => `kubectl get pods -n ${k(c).namespace} -l ${k(c).labelSelector}`,
    async collect(c) {
      const pods = await c.kube!.listPods();
      return [{ name: 'pod statuses', command: this.command(c), data: pods.length ? pods.map(podRow) : `no pods match ${k(c).labelSelector}` }];
    },
  },
  logs: {
    command: (c) => `kubectl logs deployment/${k(c).deployment} -n ${k(c).namespace} --tail=100`,
    async collect(c) {
      const pods = (await c.kube!.listPods()).filter((p) => !isRunningAndReady(p) || restartsOf(p) > 0).slice(0, 3);
      if (!pods.length) return [{ name: 'logs of unready or restarting pods', command: this.command(c), data: 'every pod is ready and none restarted: no logs collected' }];
      const out: Piece[] = [];
      for (const p of pods) {
        const s = p.status?.containerStatuses?.[0];
        // A container that is not running now (CrashLoopBackOff) has its last words in the previous instance.
        const previous = Boolean(s && !s.state?.running && s.lastState?.terminated) || Boolean(s?.lastState?.terminated?.reason === 'OOMKilled');
        const name = podName(p);
        const command = `kubectl logs ${name} -n ${k(c).namespace} --tail=100${previous ? ' --previous' : ''}`;
        let text: string;
        try {
          text = await c.kube!.podLog(name, { container: s?.name, previous, tailLines: 100 });
        } catch (err) {
          text = `could not read the log: ${errorLine(err)}`;
        }
        out.push({ name: `last 100 log lines of ${name}${previous ? ' (previous container)' : ''}`, command, data: text || '(empty log)' });
      }
      return out;
    },
  },
  events: {
    command: (c) => `kubectl get events -n ${k(c).namespace} --sort-by=.lastTimestamp`,
    async collect(c) {
      const events = await c.kube!.listEvents();
      const when = (e: (typeof events)[number]) => new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? 0).getTime();
      const rows = events
        .sort((a, b) => when(a) - when(b))
        .slice(-20)
        .map((e) => ({ lastSeen: ts(new Date(when(e))), type: e.type, reason: e.reason, object: `${e.involvedObject.kind}/${e.involvedObject.name}`, count: e.count ?? 1, message: e.message }));
      return [{ name: 'recent events (last 20)', command: this.command(c), data: rows.length ? rows : 'no events' }];
    },
  },
  top: {
    command: (c) => `kubectl top pods -n ${k(c).namespace} -l ${k(c).labelSelector}`,
    async collect(c) {
      const [pods, metrics] = await Promise.all([c.kube!.listPods(), c.kube!.podMetrics()]);
      const byName = new Map(pods.map((p) => [podName(p), p]));
      const rows = metrics.map((m) => {
        const mem = m.containers.reduce((s, x) => s + (parseQuantity(x.usage.memory) ?? 0), 0);
        const cpu = m.containers.reduce((s, x) => s + (parseQuantity(x.usage.cpu) ?? 0), 0);
        const pod = byName.get(m.metadata.name);
        const lim = pod ? podLimits(pod) : {};
        const pct = (v: number, l?: number) => (l ? `${Math.round((v / l) * 100)}%` : 'no limit');
        return {
          pod: m.metadata.name,
          cpu: formatCores(cpu),
          cpuLimit: lim.cpu === undefined ? 'none' : formatCores(lim.cpu),
          cpuOfLimit: pct(cpu, lim.cpu),
          memory: formatBytes(mem),
          memoryLimit: lim.memory === undefined ? 'none' : formatBytes(lim.memory),
          memoryOfLimit: pct(mem, lim.memory),
        };
      });
      return [{ name: 'usage vs limits per pod', command: this.command(c), data: rows.length ? rows : 'metrics.k8s.io returned no pod metrics' }];
    },
  },
  'rollout-history': {
    command: (c) => `kubectl rollout history deployment/${k(c).deployment} -n ${k(c).namespace}`,
    async collect(c) {
      const [d, sets] = await Promise.all([c.kube!.readDeployment(), c.kube!.listReplicaSets()]);
      const owned = sets.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === k(c).deployment));
      const rev = (rs: (typeof sets)[number]) => Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
      const rows = owned.sort((a, b) => rev(a) - rev(b)).map((rs) => ({
        revision: rev(rs),
        replicaSet: rs.metadata?.name,
        images: rs.spec?.template?.spec?.containers.map((x) => x.image).join(', '),
        replicas: rs.status?.replicas ?? 0,
        ready: rs.status?.readyReplicas ?? 0,
        changeCause: rs.metadata?.annotations?.['kubernetes.io/change-cause'] ?? '<none>',
      }));
      return [{ name: 'rollout history (ReplicaSet revisions)', command: this.command(c), data: { rolloutStatus: rolloutStatus(d).message, revisions: rows } }];
    },
  },
  hpa: {
    command: (c) => `kubectl get hpa -n ${k(c).namespace}`,
    async collect(c) {
      const hpas = await c.kube!.listHpas();
      const rows = hpas.map((h) => ({
        name: h.metadata?.name,
        target: `${h.spec?.scaleTargetRef.kind}/${h.spec?.scaleTargetRef.name}`,
        minReplicas: h.spec?.minReplicas ?? 1,
        maxReplicas: h.spec?.maxReplicas,
        currentReplicas: h.status?.currentReplicas,
        desiredReplicas: h.status?.desiredReplicas,
        conditions: (h.status?.conditions ?? []).map((x) => `${x.type}=${x.status} (${x.reason ?? ''})`),
      }));
      return [{ name: 'autoscalers', command: this.command(c), data: rows.length ? rows : 'no HorizontalPodAutoscaler in the namespace' }];
    },
  },
  service: {
    command: (c) => `kubectl get service ${k(c).service} -n ${k(c).namespace} -o jsonpath='{.spec.selector}'`,
    async collect(c) {
      const [svc, ep] = await Promise.all([c.kube!.readService(), c.kube!.readEndpoints()]);
      const ready = (ep.subsets ?? []).flatMap((s) => s.addresses ?? []).map((a) => a.targetRef?.name ?? a.ip);
      const notReady = (ep.subsets ?? []).flatMap((s) => s.notReadyAddresses ?? []).map((a) => a.targetRef?.name ?? a.ip);
      return [
        { name: 'service selector', command: this.command(c), data: svc.spec?.selector ?? {} },
        { name: 'service endpoints', command: `kubectl get endpoints ${k(c).service} -n ${k(c).namespace}`, data: { ready, notReady } },
      ];
    },
  },
  'pg-activity': {
    command: () => 'SELECT state, count(*) FROM pg_stat_activity GROUP BY state',
    async collect(c) {
      const rows = await c.db!.query(
        `SELECT coalesce(state, backend_type) AS state, count(*)::int AS connections,
                coalesce(max(extract(epoch FROM now() - state_change))::int, 0) AS longest_in_state_s
           FROM pg_stat_activity WHERE pid <> pg_backend_pid() GROUP BY 1 ORDER BY 2 DESC`,
      );
      return [{ name: 'pg_stat_activity by state', command: this.command(c), data: rows }];
    },
  },
  health: {
    command: (c) => `curl -s ${c.config.baseUrl}${c.config.paths.health ?? '<no health path>'}`,
    async collect(c) {
      const health = c.config.paths.health;
      if (!health) return [{ name: 'health document', command: this.command(c), data: `no health endpoint in ${c.config.env} (CREDLINK_HEALTH_PATH=none)` }];
      await c.pace?.(health);
      const url = `${c.config.baseUrl}${health}`;
      const res = await fetch(url, { signal: AbortSignal.timeout(c.timeoutMs), redirect: 'manual', headers: { 'user-agent': 'credlink-checks/0.1 (+runbook monitor)' } });
      // Whole: the fixture scrubs it, then cuts it (a secret across a cut must not half survive).
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON: keep the text */
      }
      return [{ name: 'health document', command: this.command(c), data: { status: res.status, body } }];
    },
  },
};

export function errorLine(err: unknown): string {
  const e = err as { message?: string; failure?: { line: string } };
  return (e?.failure?.line ?? String(e?.message ?? err)).split('\n')[0]!.slice(0, 300);
}
