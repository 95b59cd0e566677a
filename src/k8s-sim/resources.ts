/**
 * The resources the simulator serves: one table that drives discovery (what kubectl's REST
 * mapper learns: kinds, short names, verbs, scope), URL routing, list kinds and RBAC names.
 * Read-only like the monitor: get, list and watch (watch is what `kubectl rollout status` uses).
 */
import type { ClusterState } from './cluster.ts';

export interface SimResource {
  /** API group ("" = core). */
  group: string;
  version: string;
  /** URL and RBAC name (plural). */
  plural: string;
  singular: string;
  kind: string;
  shortNames: string[];
  /** `kubectl get all` membership. */
  categories: string[];
  /** Subresources served (read-only). */
  subresources: { name: string; kind: string; verbs: string[] }[];
  /** Where the objects live in the cluster state. */
  state: keyof Omit<ClusterState, 'logs' | 'forbidden'>;
}

export const VERBS = ['get', 'list', 'watch'];

export const RESOURCES: readonly SimResource[] = [
  { group: '', version: 'v1', plural: 'pods', singular: 'pod', kind: 'Pod', shortNames: ['po'], categories: ['all'], subresources: [{ name: 'log', kind: 'Pod', verbs: ['get'] }], state: 'pods' },
  { group: '', version: 'v1', plural: 'events', singular: 'event', kind: 'Event', shortNames: ['ev'], categories: [], subresources: [], state: 'events' },
  { group: '', version: 'v1', plural: 'services', singular: 'service', kind: 'Service', shortNames: ['svc'], categories: ['all'], subresources: [], state: 'services' },
  { group: '', version: 'v1', plural: 'endpoints', singular: 'endpoints', kind: 'Endpoints', shortNames: ['ep'], categories: [], subresources: [], state: 'endpoints' },
  { group: 'apps', version: 'v1', plural: 'deployments', singular: 'deployment', kind: 'Deployment', shortNames: ['deploy'], categories: ['all'], subresources: [], state: 'deployments' },
  { group: 'apps', version: 'v1', plural: 'replicasets', singular: 'replicaset', kind: 'ReplicaSet', shortNames: ['rs'], categories: ['all'], subresources: [], state: 'replicaSets' },
  {
    group: 'autoscaling',
    version: 'v2',
    plural: 'horizontalpodautoscalers',
    singular: 'horizontalpodautoscaler',
    kind: 'HorizontalPodAutoscaler',
    shortNames: ['hpa'],
    categories: ['all'],
    subresources: [],
    state: 'hpas',
  },
  { group: 'metrics.k8s.io', version: 'v1beta1', plural: 'pods', singular: '', kind: 'PodMetrics', shortNames: [], categories: [], subresources: [], state: 'podMetrics' },
];

export const apiVersionOf = (r: Pick<SimResource, 'group' | 'version'>) => (r.group ? `${r.group}/${r.version}` : r.version);

/** The groups in discovery order (core first, as a real API server lists them). */
export function groups(): { group: string; version: string; resources: SimResource[] }[] {
  const out: { group: string; version: string; resources: SimResource[] }[] = [];
  for (const r of RESOURCES) {
    let g = out.find((x) => x.group === r.group && x.version === r.version);
    if (!g) out.push((g = { group: r.group, version: r.version, resources: [] }));
    g.resources.push(r);
  }
  return out;
}

export interface ResourcePath {
  resource: SimResource;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/**
 * Parses /api/v1/[namespaces/NS/]PLURAL[/NAME[/SUB]] and /apis/GROUP/VERSION/... into a served
 * resource; undefined for anything else (a 404).
 */
export function parseResourcePath(pathname: string): ResourcePath | undefined {
  const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/(?:namespaces\/([^/]+)\/)?([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(pathname);
  if (!m) return undefined;
  const [, coreVersion, group = '', groupVersion, namespace, plural, name, subresource] = m;
  const version = coreVersion ?? groupVersion;
  const resource = RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
  if (!resource) return undefined;
  if (subresource && !resource.subresources.some((s) => s.name === subresource)) return undefined;
  return { resource, namespace: namespace ? decodeURIComponent(namespace) : undefined, name: name ? decodeURIComponent(name) : undefined, subresource };
}
