/**
 * Server-side printing, as a real API server does it: `kubectl get` asks for a
 * meta.k8s.io/v1 Table (Accept: application/json;as=Table;v=v1;g=meta.k8s.io) and prints the
 * cells it is given. The columns and their rules follow Kubernetes' printers
 * (pkg/printers/internalversion/printers.go): a pod's STATUS is the waiting or terminated
 * reason of its containers (so CrashLoopBackOff shows), RESTARTS carries "(Xm ago)", ages are
 * printed as apimachinery's HumanDuration. Cells are always generated "wide"; columns with
 * priority 1 appear with `-o wide` only.
 */
import type { CoreV1Event, V1Deployment, V1Endpoints, V1Pod, V1ReplicaSet, V1Service, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { SimResource } from './resources.ts';

type Json = Record<string, unknown>;
type Cell = string | number;
interface Column {
  name: string;
  type: 'string' | 'integer' | 'date';
  format?: 'name';
  priority?: 1;
  description: string;
}
interface Printer<T> {
  columns: Column[];
  cells(obj: T, now: number): Cell[];
}

/** apimachinery's duration.HumanDuration: "45s", "2m5s", "20m", "3h4m", "5d", "2y10d". */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) return seconds % 60 ? `${minutes}m${seconds % 60}s` : `${minutes}m`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) return minutes % 60 ? `${hours}h${minutes % 60}m` : `${hours}h`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 ? `${Math.trunc(hours / 24)}d${hours % 24}h` : `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  const years = Math.trunc(hours / 24 / 365);
  const days = Math.trunc(hours / 24) % 365;
  if (hours < 24 * 365 * 8) return days ? `${years}y${days}d` : `${years}y`;
  return `${years}y`;
}

const since = (t: Date | string | undefined, now: number) => (t ? humanDuration(now - new Date(t).getTime()) : '<unknown>');
const name: Column = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.' };
const age: Column = { name: 'Age', type: 'string', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' };
const col = (n: string, type: Column['type'] = 'string', wide = false): Column => ({ name: n, type, description: n, ...(wide ? { priority: 1 as const } : {}) });

/** printPod: READY, STATUS (the reason a human needs), RESTARTS with the last restart's age. */
const pod: Printer<V1Pod> = {
  columns: [name, col('Ready'), col('Status'), col('Restarts'), age, col('IP', 'string', true), col('Node', 'string', true), col('Nominated Node', 'string', true), col('Readiness Gates', 'string', true)],
  cells(p, now) {
    const statuses = p.status?.containerStatuses ?? [];
    let reason = p.status?.reason || p.status?.phase || 'Unknown';
    let ready = 0;
    let restarts = 0;
    let lastRestart = 0;
    let running = false;
    for (const s of [...statuses].reverse()) {
      restarts += s.restartCount ?? 0;
      const finished = s.lastState?.terminated?.finishedAt;
      if (finished) lastRestart = Math.max(lastRestart, new Date(finished).getTime());
      if (s.state?.waiting?.reason) reason = s.state.waiting.reason;
      else if (s.state?.terminated?.reason) reason = s.state.terminated.reason;
      else if (s.state?.terminated) reason = s.state.terminated.signal ? `Signal:${s.state.terminated.signal}` : `ExitCode:${s.state.terminated.exitCode}`;
      else if (s.ready && s.state?.running) {
        running = true;
        ready += 1;
      }
    }
    if (reason === 'Completed' && running) reason = p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    if (p.metadata?.deletionTimestamp) reason = 'Terminating';
    const restartCell = lastRestart ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : restarts;
    return [p.metadata?.name ?? '', `${ready}/${p.spec?.containers?.length ?? 0}`, reason, restartCell, since(p.metadata?.creationTimestamp, now), p.status?.podIP ?? '<none>', p.spec?.nodeName ?? '<none>', '<none>', '<none>'];
  },
};

const containers = (spec: { containers?: { name: string; image?: string }[] } | undefined) => [
  (spec?.containers ?? []).map((c) => c.name).join(','),
  (spec?.containers ?? []).map((c) => c.image ?? '').join(','),
];
const selectorText = (s: { matchLabels?: Record<string, string> } | undefined) =>
  Object.entries(s?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',') || '<none>';

const deployment: Printer<V1Deployment> = {
  columns: [name, col('Ready'), col('Up-to-date', 'integer'), col('Available', 'integer'), age, col('Containers', 'string', true), col('Images', 'string', true), col('Selector', 'string', true)],
  cells: (d, now) => [
    d.metadata?.name ?? '',
    `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
    d.status?.updatedReplicas ?? 0,
    d.status?.availableReplicas ?? 0,
    since(d.metadata?.creationTimestamp, now),
    ...containers(d.spec?.template?.spec),
    selectorText(d.spec?.selector),
  ],
};

const replicaSet: Printer<V1ReplicaSet> = {
  columns: [name, col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), age, col('Containers', 'string', true), col('Images', 'string', true), col('Selector', 'string', true)],
  cells: (r, now) => [
    r.metadata?.name ?? '',
    r.spec?.replicas ?? 0,
    r.status?.replicas ?? 0,
    r.status?.readyReplicas ?? 0,
    since(r.metadata?.creationTimestamp, now),
    ...containers(r.spec?.template?.spec),
    selectorText(r.spec?.selector),
  ],
};

/** printEvent: LAST SEEN, TYPE, REASON, OBJECT as kind/name (lower case), MESSAGE. */
const event: Printer<CoreV1Event> = {
  columns: [
    col('Last Seen'),
    col('Type'),
    col('Reason'),
    col('Object'),
    col('Subobject', 'string', true),
    col('Source', 'string', true),
    col('Message'),
    col('First Seen', 'string', true),
    col('Count', 'integer', true),
    { ...col('Name', 'string', true), format: 'name' },
  ],
  cells(e, now) {
    const first = since(e.firstTimestamp ?? e.eventTime, now);
    const last = e.lastTimestamp ? since(e.lastTimestamp, now) : first;
    const o = e.involvedObject;
    const target = o.name ? `${(o.kind ?? '').toLowerCase()}/${o.name}` : (o.kind ?? '').toLowerCase();
    const source = [e.source?.component ?? e.reportingComponent, e.source?.host].filter(Boolean).join(', ');
    return [last, e.type ?? '', e.reason ?? '', target, o.fieldPath ?? '', source, (e.message ?? '').trim(), first, e.count || 1, e.metadata?.name ?? ''];
  },
};

/** printHorizontalPodAutoscaler: TARGETS as "cpu: 40%/70%". */
const hpa: Printer<V2HorizontalPodAutoscaler> = {
  columns: [name, col('Reference'), col('Targets'), col('MinPods', 'integer'), col('MaxPods', 'integer'), col('Replicas', 'integer'), age],
  cells(h, now) {
    const ref = h.spec?.scaleTargetRef;
    const targets = (h.spec?.metrics ?? [])
      .map((m, i) => {
        if (m.type !== 'Resource' || !m.resource) return `${m.type}: <unknown>`;
        const current = h.status?.currentMetrics?.[i]?.resource?.current?.averageUtilization;
        const want = m.resource.target.averageUtilization;
        return `${m.resource.name}: ${current === undefined ? '<unknown>' : `${current}%`}/${want ?? '<unknown>'}%`;
      })
      .join(', ');
    return [h.metadata?.name ?? '', `${ref?.kind}/${ref?.name}`, targets || '<none>', h.spec?.minReplicas ?? 1, h.spec?.maxReplicas ?? 0, h.status?.currentReplicas ?? 0, since(h.metadata?.creationTimestamp, now)];
  },
};

const service: Printer<V1Service> = {
  columns: [name, col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), age, col('Selector', 'string', true)],
  cells: (s, now) => [
    s.metadata?.name ?? '',
    s.spec?.type ?? 'ClusterIP',
    s.spec?.clusterIP ?? '<none>',
    '<none>',
    (s.spec?.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',') || '<none>',
    since(s.metadata?.creationTimestamp, now),
    Object.entries(s.spec?.selector ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',') || '<none>',
  ],
};

const endpoints: Printer<V1Endpoints> = {
  columns: [name, col('Endpoints'), age],
  cells(e, now) {
    const list = (e.subsets ?? []).flatMap((s) => (s.addresses ?? []).flatMap((a) => (s.ports ?? []).map((p) => `${a.ip}:${p.port}`)));
    return [e.metadata?.name ?? '', list.length ? list.slice(0, 3).join(',') + (list.length > 3 ? ` + ${list.length - 3} more...` : '') : '<none>', since(e.metadata?.creationTimestamp, now)];
  },
};

const PRINTERS: Partial<Record<SimResource['state'], Printer<never>>> = {
  pods: pod,
  deployments: deployment,
  replicaSets: replicaSet,
  events: event,
  hpas: hpa,
  services: service,
  endpoints,
};

/** Does this Accept header ask for a Table (kubectl get does; client libraries do not)? */
export function wantsTable(accept: string | undefined): boolean {
  return /as=Table;\s*v=v1(beta1)?;\s*g=meta\.k8s\.io/.test(accept ?? '');
}

/**
 * The Table for a list (or one object). `includeObject` as the API server takes it: None,
 * Metadata (default: PartialObjectMetadata) or Object (kubectl asks for it with --sort-by).
 * Undefined for resources without a printer: the caller then sends the plain object(s).
 */
export function toTable(r: SimResource, objects: Json[], listMeta: Json, includeObject: string | null, now = Date.now()): Json | undefined {
  const printer = PRINTERS[r.state] as Printer<Json> | undefined;
  if (!printer) return undefined;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: printer.columns.map((c) => ({ format: '', priority: 0, ...c })),
    rows: objects.map((o) => ({
      cells: printer.cells(o, now),
      object:
        includeObject === 'None'
          ? undefined
          : includeObject === 'Object'
            ? o
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
