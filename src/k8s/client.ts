/**
 * The monitor's read-only Kubernetes client (@kubernetes/client-node 1.x: 2.x does not load
 * on Node 20). Kubeconfig from KUBECONFIG, else the default (~/.kube/config or the in-cluster
 * service account); an optional named context. Every call is bounded: an AbortSignal on the
 * HTTP request plus an outer deadline (exec auth plugins can hang before any request).
 * Only get/list/log calls exist here: nothing that writes.
 */
import type {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  CustomObjectsApi,
  CoreV1Event,
  HttpLibrary,
  V1Deployment,
  V1Endpoints,
  V1Pod,
  V1ReplicaSet,
  V1Service,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { kubeClientSpecifier, type KubeLib } from './bundle.ts';
import { KubeError } from './errors.ts';

export interface KubeSettings {
  kubeconfig?: string;
  context?: string;
  namespace: string;
  deployment: string;
  labelSelector: string;
  service: string;
}

/** metrics.k8s.io/v1beta1 PodMetrics, the fields used. */
export interface PodMetrics {
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  timestamp?: string;
  window?: string;
  containers: { name: string; usage: { cpu?: string; memory?: string } }[];
}

interface Apis {
  core: CoreV1Api;
  apps: AppsV1Api;
  autoscaling: AutoscalingV2Api;
  custom: CustomObjectsApi;
  server: string;
}

type K8sLib = KubeLib;
let k8sLib: K8sLib | undefined;

/**
 * The client library is loaded on first use (most runs' workers never call Kubernetes), as its
 * single-file build when there is one (src/k8s/bundle.ts: the same code, a quarter of the load time).
 */
async function loadLib(): Promise<K8sLib> {
  return (k8sLib ??= (await import(kubeClientSpecifier())) as K8sLib);
}

/** Sets a per-request abort signal: the 1.x client has no per-call timeout option. */
function timeoutLibrary(lib: K8sLib, ms: number): HttpLibrary {
  const inner = new lib.IsomorphicFetchHttpLibrary();
  return {
    send(ctx) {
      ctx.setSignal(AbortSignal.timeout(ms));
      return inner.send(ctx);
    },
  };
}

export class KubeClient {
  private apis?: Apis;
  constructor(
    readonly settings: KubeSettings,
    readonly timeoutMs: number,
  ) {}

  get namespace(): string {
    return this.settings.namespace;
  }

  /** "namespace X on https://api-server" for messages (no credentials). */
  get where(): string {
    let server = '?';
    try {
      server = this.load().server;
    } catch {
      /* reported by the call itself */
    }
    return `namespace ${this.namespace} on ${server}`;
  }

  private load(): Apis {
    if (this.apis) return this.apis;
    if (!k8sLib) throw new KubeError({ kind: 'config', line: 'kubeconfig: not loaded yet' });
    const { KubeConfig, ServerConfiguration, createConfiguration, CoreV1Api, AppsV1Api, AutoscalingV2Api, CustomObjectsApi } = k8sLib;
    const kc = new KubeConfig();
    try {
      if (this.settings.kubeconfig) kc.loadFromFile(this.settings.kubeconfig);
      else kc.loadFromDefault();
      if (this.settings.context) {
        if (!kc.getContexts().some((c) => c.name === this.settings.context)) {
          throw new Error(`context "${this.settings.context}" is not in the kubeconfig (KUBE_CONTEXT)`);
        }
        kc.setCurrentContext(this.settings.context);
      }
    } catch (err) {
      throw new KubeError({ kind: 'config', line: `kubeconfig: ${String((err as Error).message ?? err).split('\n')[0]}` });
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new KubeError({ kind: 'config', line: 'kubeconfig: no current cluster (set KUBECONFIG or KUBE_CONTEXT)' });
    const configuration = createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kc },
      httpApi: timeoutLibrary(k8sLib, this.timeoutMs),
    });
    this.apis = {
      core: new CoreV1Api(configuration),
      apps: new AppsV1Api(configuration),
      autoscaling: new AutoscalingV2Api(configuration),
      custom: new CustomObjectsApi(configuration),
      server: cluster.server,
    };
    return this.apis;
  }

  /** Runs one API call under an outer deadline (slightly above the request timeout). */
  private async call<T>(fn: (a: Apis) => Promise<T>): Promise<T> {
    await loadLib();
    const apis = this.load();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KubeError({ kind: 'timeout', line: `no answer within ${this.timeoutMs} ms` })), this.timeoutMs + 1000);
    });
    try {
      return await Promise.race([fn(apis), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  async listPods(labelSelector = this.settings.labelSelector): Promise<V1Pod[]> {
    return (await this.call((a) => a.core.listNamespacedPod({ namespace: this.namespace, labelSelector }))).items;
  }

  async readDeployment(): Promise<V1Deployment> {
    return this.call((a) => a.apps.readNamespacedDeployment({ namespace: this.namespace, name: this.settings.deployment }));
  }

  async listReplicaSets(labelSelector = this.settings.labelSelector): Promise<V1ReplicaSet[]> {
    return (await this.call((a) => a.apps.listNamespacedReplicaSet({ namespace: this.namespace, labelSelector }))).items;
  }

  async listEvents(): Promise<CoreV1Event[]> {
    return (await this.call((a) => a.core.listNamespacedEvent({ namespace: this.namespace, limit: 500 }))).items;
  }

  async readService(): Promise<V1Service> {
    return this.call((a) => a.core.readNamespacedService({ namespace: this.namespace, name: this.settings.service }));
  }

  async readEndpoints(): Promise<V1Endpoints> {
    return this.call((a) => a.core.readNamespacedEndpoints({ namespace: this.namespace, name: this.settings.service }));
  }

  async listHpas(): Promise<V2HorizontalPodAutoscaler[]> {
    return (await this.call((a) => a.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: this.namespace }))).items;
  }

  /** metrics.k8s.io pod metrics for the label selector (what `kubectl top pods` reads). */
  async podMetrics(labelSelector = this.settings.labelSelector): Promise<PodMetrics[]> {
    const res = (await this.call((a) =>
      a.custom.listNamespacedCustomObject({ group: 'metrics.k8s.io', version: 'v1beta1', namespace: this.namespace, plural: 'pods', labelSelector }),
    )) as { items?: PodMetrics[] };
    return res.items ?? [];
  }

  /** The last `tailLines` lines of a container's log, at most `limitBytes`. */
  async podLog(name: string, opts: { container?: string; previous?: boolean; tailLines?: number; limitBytes?: number } = {}): Promise<string> {
    return this.call((a) =>
      a.core.readNamespacedPodLog({
        namespace: this.namespace,
        name,
        container: opts.container,
        previous: opts.previous,
        tailLines: opts.tailLines ?? 100,
        limitBytes: opts.limitBytes ?? 64 * 1024,
      }),
    );
  }
}
