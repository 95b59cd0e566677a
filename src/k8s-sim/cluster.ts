/**
 * The simulated cluster: the objects a real API server would return for the CredLink
 * deployment, built from the active scenarios. Pure: (scenarios, options, now) -> state.
 * Objects use @kubernetes/client-node's types so their shapes match the real API; Dates
 * serialize to the RFC 3339 strings the API sends.
 */
import type {
  CoreV1Event,
  V1ContainerStatus,
  V1Deployment,
  V1Endpoints,
  V1Pod,
  V1ReplicaSet,
  V1Service,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import type { PodMetrics } from '../k8s/client.ts';
import type { Scenario } from './scenarios.ts';
import { equalityLabels } from './selector.ts';

export interface ClusterOptions {
  namespace: string;
  deployment: string;
  labelSelector: string;
  service: string;
  /** When the simulated deployment was created (pod ages are relative to it). */
  startedAt: number;
  /** Secret values that a careless application logs at startup: diagnostics must scrub them. */
  /** Secrets the simulated application logs (or where to find them once known: the target starts beside the simulator). */
  logSecrets?: readonly string[] | (() => readonly string[]);
}

export interface ClusterState {
  pods: V1Pod[];
  deployments: V1Deployment[];
  replicaSets: V1ReplicaSet[];
  events: CoreV1Event[];
  services: V1Service[];
  endpoints: V1Endpoints[];
  hpas: V2HorizontalPodAutoscaler[];
  podMetrics: PodMetrics[];
  /** Container logs by pod name: current and previous (terminated) container. */
  logs: Record<string, { current: string[]; previous?: string[] }>;
  /** Resources the monitor may not read here, as RBAC names them: "pods", "pods/log" (core), "pods.metrics.k8s.io". */
  forbidden: Set<string>;
}

const MEMORY_LIMIT = 1024 * 2 ** 20;
const CPU_LIMIT = 1;
const CONTAINER = 'api';
const REVISIONS = [
  { revision: 1, hash: '5c8d7f9b4', image: 'ghcr.io/credlink/credlink-api:1.2.0' },
  { revision: 2, hash: '7f6b9c8d5', image: 'ghcr.io/credlink/credlink-api:1.3.0' },
  { revision: 3, hash: '9d4e6a1f2', image: 'ghcr.io/credlink/credlink-api:1.4.0' },
];
const SUFFIXES = ['x7k2p', 'm4q9z', 'b8w3n', 'r2t6v', 'h5j8c', 'd9f1g'];

const ago = (now: number, s: number) => new Date(now - s * 1000);
/** A stable container runtime id per pod and restart (the kubelet finds logs by it). */
const containerId = (pod: string, restart: number) => `containerd://${createHash('sha256').update(`${pod}/${restart}`).digest('hex')}`;

export function buildCluster(scenarios: ReadonlySet<Scenario>, o: ClusterOptions, now = Date.now()): ClusterState {
  const has = (s: Scenario) => scenarios.has(s);
  const ns = o.namespace;
  const appLabels = equalityLabels(o.labelSelector);
  const replicas = has('hpa-maxed') ? 6 : 3;
  const current = REVISIONS[1]!;
  const next = REVISIONS[2]!;
  const createdAt = new Date(o.startedAt - 3600_000);
  const podStart = new Date(o.startedAt - 1200_000);
  const logSecrets = typeof o.logSecrets === 'function' ? o.logSecrets() : o.logSecrets;
  const secretLine = logSecrets?.length ? [`config: API_KEYS=${logSecrets.join(',')} loaded from secret credlink-api-keys`] : [];

  const resources = { limits: { memory: '1Gi', cpu: '1' }, requests: { memory: '512Mi', cpu: '500m' } };
  const owner = (kind: string, name: string) => [{ apiVersion: 'apps/v1', kind, name, uid: `uid-${name}`, controller: true }];

  const pods: V1Pod[] = [];
  const logs: ClusterState['logs'] = {};
  const events: CoreV1Event[] = [];
  let evN = 0;
  const event = (type: 'Normal' | 'Warning', reason: string, message: string, kind: string, name: string, lastSecondsAgo: number, count = 1): void => {
    evN += 1;
    events.push({
      metadata: { name: `${name}.${(0x17a0000 + evN).toString(16)}`, namespace: ns, creationTimestamp: ago(now, lastSecondsAgo + 60 * (count - 1)) },
      involvedObject: { kind, name, namespace: ns, uid: `uid-${name}`, apiVersion: kind === 'Pod' ? 'v1' : 'apps/v1' },
      type,
      reason,
      message,
      count,
      firstTimestamp: ago(now, lastSecondsAgo + 60 * (count - 1)),
      lastTimestamp: ago(now, lastSecondsAgo),
      source: { component: kind === 'Pod' ? 'kubelet' : 'deployment-controller' },
      reportingComponent: kind === 'Pod' ? 'kubelet' : 'deployment-controller',
    });
  };

  const makePod = (rev: (typeof REVISIONS)[number], i: number): V1Pod => {
    const name = `${o.deployment}-${rev.hash}-${SUFFIXES[i % SUFFIXES.length]}`;
    const ready = true;
    const status: V1ContainerStatus = {
      name: CONTAINER,
      image: rev.image,
      imageID: `${rev.image}@sha256:${'ab'.repeat(32)}`,
      containerID: containerId(name, 0),
      ready,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: podStart } },
    };
    const pod: V1Pod = {
      metadata: {
        name,
        namespace: ns,
        uid: `uid-${name}`,
        creationTimestamp: podStart,
        labels: { ...appLabels, environment: 'blue', 'pod-template-hash': rev.hash },
        ownerReferences: owner('ReplicaSet', `${o.deployment}-${rev.hash}`),
      },
      spec: {
        nodeName: `node-${(i % 3) + 1}`,
        restartPolicy: 'Always',
        serviceAccountName: 'credlink-api',
        containers: [{ name: CONTAINER, image: rev.image, resources, ports: [{ containerPort: 3000, protocol: 'TCP' }] }],
      },
      status: {
        phase: 'Running',
        qosClass: 'Burstable',
        hostIP: `192.0.2.${(i % 3) + 1}`,
        podIP: `10.0.${rev.revision}.${10 + i}`,
        podIPs: [{ ip: `10.0.${rev.revision}.${10 + i}` }],
        startTime: podStart,
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: podStart },
          { type: 'Initialized', status: 'True', lastTransitionTime: podStart },
          { type: 'ContainersReady', status: 'True', lastTransitionTime: podStart },
          { type: 'Ready', status: 'True', lastTransitionTime: podStart },
        ],
        containerStatuses: [status],
      },
    };
    logs[name] = { current: ['credlink-api 1.3.0 starting', ...secretLine, 'database pool ready (max 20)', 'listening on :3000', 'GET /health 200 3ms'] };
    event('Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${pod.spec!.nodeName}`, 'Pod', name, 1200 + (now - o.startedAt) / 1000);
    event('Normal', 'Started', `Started container ${CONTAINER}`, 'Pod', name, 1190 + (now - o.startedAt) / 1000);
    return pod;
  };
  const notReady = (p: V1Pod, since: Date) => {
    for (const c of p.status!.conditions!) if (c.type === 'Ready' || c.type === 'ContainersReady') Object.assign(c, { status: 'False', reason: 'ContainersNotReady', lastTransitionTime: since });
    for (const s of p.status!.containerStatuses!) s.ready = false;
  };

  for (let i = 0; i < replicas; i++) pods.push(makePod(current, i));

  if (has('crashloop')) {
    for (const p of pods) {
      const name = p.metadata!.name!;
      notReady(p, ago(now, 600));
      const s = p.status!.containerStatuses![0]!;
      Object.assign(s, {
        started: false,
        restartCount: 7,
        state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 5m0s restarting failed container=${CONTAINER} pod=${name}` } },
        containerID: undefined,
        lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: ago(now, 95), finishedAt: ago(now, 90), containerID: containerId(name, 6) } },
      });
      logs[name] = {
        current: [],
        previous: ['credlink-api 1.3.0 starting', ...secretLine, 'Error: connect ECONNREFUSED 10.0.9.4:5432', '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1605:16)', 'process exited with code 1'],
      };
      event('Warning', 'BackOff', `Back-off restarting failed container ${CONTAINER} in pod ${name}`, 'Pod', name, 30, 25);
    }
  }
  if (has('pods-not-ready')) {
    for (const p of pods) {
      const name = p.metadata!.name!;
      notReady(p, ago(now, 300));
      logs[name]!.current.push('GET /health 503 1ms', 'GET /health 503 1ms');
      event('Warning', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503', 'Pod', name, 10, 30);
    }
  }
  if (has('oomkilled')) {
    const p = pods[0]!;
    const name = p.metadata!.name!;
    Object.assign(p.status!.containerStatuses![0]!, {
      restartCount: 2,
      state: { running: { startedAt: ago(now, 60) } },
      containerID: containerId(name, 2),
      lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: ago(now, 1500), finishedAt: ago(now, 62), containerID: containerId(name, 1) } },
    });
    logs[name]!.previous = [
      'credlink-api 1.3.0 starting',
      ...secretLine,
      'heap used 702 MB',
      'heap used 911 MB',
      'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
    ];
  }

  // Deployment status, derived from the pods as the controller would.
  const readyPods = pods.filter((p) => p.status!.conditions!.some((c) => c.type === 'Ready' && c.status === 'True')).length;
  const replicaSets: V1ReplicaSet[] = [];
  const rsOf = (rev: (typeof REVISIONS)[number], count: number, ready: number): V1ReplicaSet => ({
    metadata: {
      name: `${o.deployment}-${rev.hash}`,
      namespace: ns,
      uid: `uid-${o.deployment}-${rev.hash}`,
      labels: { ...appLabels, 'pod-template-hash': rev.hash },
      annotations: { 'deployment.kubernetes.io/revision': String(rev.revision), 'kubernetes.io/change-cause': `deploy ${rev.image.split(':')[1]}` },
      creationTimestamp: new Date(createdAt.getTime() + rev.revision * 600_000),
      ownerReferences: owner('Deployment', o.deployment),
    },
    spec: { replicas: count, selector: { matchLabels: { ...appLabels, 'pod-template-hash': rev.hash } }, template: { spec: { containers: [{ name: CONTAINER, image: rev.image }] } } },
    status: { replicas: count, readyReplicas: ready, availableReplicas: ready, observedGeneration: 1 },
  });
  replicaSets.push(rsOf(REVISIONS[0]!, 0, 0), rsOf(current, replicas, readyPods));

  let generation = 2;
  let updated = replicas;
  let total = replicas;
  const available = readyPods;
  let image = current.image;
  const conditions = [
    { type: 'Available', status: readyPods >= 2 ? 'True' : 'False', reason: readyPods >= 2 ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', message: readyPods >= 2 ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.' },
    { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${o.deployment}-${current.hash}" has successfully progressed.` },
  ];
  if (has('rollout-stuck')) {
    const p = makePod(next, 3);
    const name = p.metadata!.name!;
    notReady(p, ago(now, 900));
    Object.assign(p.status!.containerStatuses![0]!, {
      started: false,
      containerID: undefined,
      state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${next.image}"` } },
    });
    logs[name] = { current: [] };
    pods.push(p);
    replicaSets.push(rsOf(next, 1, 0));
    generation = 3;
    updated = 1;
    total = replicas + 1;
    image = next.image;
    conditions[1] = { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${o.deployment}-${next.hash}" has timed out progressing.` };
    event('Warning', 'Failed', `Failed to pull image "${next.image}": manifest unknown`, 'Pod', name, 45, 12);
    event('Warning', 'Failed', 'Error: ImagePullBackOff', 'Pod', name, 40, 12);
    event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${o.deployment}-${next.hash} to 1`, 'Deployment', o.deployment, 900);
  }
  const deployment: V1Deployment = {
    metadata: { name: o.deployment, namespace: ns, uid: `uid-${o.deployment}`, generation, labels: appLabels, creationTimestamp: createdAt, annotations: { 'deployment.kubernetes.io/revision': String(generation) } },
    spec: {
      replicas,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: appLabels },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { ...appLabels, environment: 'blue' } }, spec: { containers: [{ name: CONTAINER, image, resources }] } },
    },
    status: {
      observedGeneration: generation,
      replicas: total,
      updatedReplicas: updated,
      readyReplicas: readyPods,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, total - available),
      conditions: conditions.map((c) => ({ ...c, lastUpdateTime: ago(now, 600), lastTransitionTime: ago(now, 600) })),
    },
  };

  // Service and its endpoints (ready and not-ready addresses, as the endpoints controller splits them).
  const colour = has('no-ready-endpoints') ? 'green' : 'blue';
  const service: V1Service = {
    metadata: { name: o.service, namespace: ns, labels: appLabels, creationTimestamp: createdAt },
    spec: { type: 'ClusterIP', clusterIP: '10.96.12.40', selector: { ...appLabels, environment: colour }, ports: [{ name: 'http', port: 80, targetPort: 3000, protocol: 'TCP' }] },
  };
  const selected = pods.filter((p) => Object.entries(service.spec!.selector!).every(([k, v]) => p.metadata!.labels![k] === v));
  const addr = (p: V1Pod) => ({ ip: p.status!.podIP!, nodeName: p.spec!.nodeName, targetRef: { kind: 'Pod', name: p.metadata!.name!, namespace: ns } });
  const isReady = (p: V1Pod) => p.status!.conditions!.some((c) => c.type === 'Ready' && c.status === 'True');
  const readyAddrs = selected.filter(isReady).map(addr);
  const notReadyAddrs = selected.filter((p) => !isReady(p)).map(addr);
  const endpoints: V1Endpoints = {
    metadata: { name: o.service, namespace: ns, labels: appLabels, creationTimestamp: createdAt },
    subsets: selected.length
      ? [{ addresses: readyAddrs.length ? readyAddrs : undefined, notReadyAddresses: notReadyAddrs.length ? notReadyAddrs : undefined, ports: [{ name: 'http', port: 3000, protocol: 'TCP' }] }]
      : undefined,
  };

  const maxed = has('hpa-maxed');
  const hpa: V2HorizontalPodAutoscaler = {
    metadata: { name: o.deployment, namespace: ns, creationTimestamp: createdAt },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: o.deployment },
      minReplicas: 3,
      maxReplicas: 6,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    },
    status: {
      currentReplicas: replicas,
      desiredReplicas: replicas,
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: maxed ? 130 : 40, averageValue: maxed ? '650m' : '200m' } } }],
      conditions: [
        { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' },
        { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)' },
        maxed
          ? { type: 'ScalingLimited', status: 'True', reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' }
          : { type: 'ScalingLimited', status: 'False', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' },
      ],
    },
  };

  // metrics.k8s.io: memory in Ki and CPU in nanocores, as metrics-server reports them.
  const memRatio = has('memory-pressure') ? 0.96 : 0.39;
  const cpuRatio = has('cpu-saturation') ? 0.93 : maxed ? 0.65 : 0.2;
  const podMetrics: PodMetrics[] = pods
    .filter((p) => p.status!.containerStatuses!.some((s) => s.state?.running))
    .map((p, i) => ({
      metadata: { name: p.metadata!.name!, namespace: ns, labels: p.metadata!.labels },
      timestamp: ago(now, 15).toISOString(),
      window: '15s',
      containers: [
        {
          name: CONTAINER,
          usage: {
            cpu: `${Math.round(CPU_LIMIT * (cpuRatio + i * 0.004) * 1e9)}n`,
            memory: `${Math.round((MEMORY_LIMIT * (memRatio + i * 0.003)) / 1024)}Ki`,
          },
        },
      ],
    }));

  event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${o.deployment}-${current.hash} to ${replicas}`, 'Deployment', o.deployment, 1300 + (now - o.startedAt) / 1000);
  events.sort((a, b) => a.lastTimestamp!.getTime() - b.lastTimestamp!.getTime());

  return {
    pods,
    deployments: [deployment],
    replicaSets,
    events,
    services: [service],
    endpoints: [endpoints],
    hpas: [hpa],
    podMetrics,
    logs,
    forbidden: new Set(has('forbidden') ? ['pods', 'pods/log'] : []),
  };
}
