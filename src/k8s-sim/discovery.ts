/**
 * Discovery, as kubectl reads it before any `get`: /version, the legacy documents (/api,
 * /apis, /api/v1, /apis/GROUP/VERSION) and the aggregated one (apidiscovery.k8s.io/v2: one
 * request for /api and one for /apis, what kubectl >= 1.30 asks for first). Built from the
 * resource table, so the REST mapper learns exactly what the simulator serves.
 */
import { apiVersionOf, groups, VERBS, type SimResource } from './resources.ts';

/** The Kubernetes release the simulator claims to be (the kubectl on the machine image is 1.32). */
export const SIM_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-credlink-sim' };

/** Content type of aggregated discovery; kubectl falls back to the legacy documents without it. */
export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

type Json = Record<string, unknown>;

export function versionDoc(): Json {
  return {
    ...SIM_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/** Does this Accept header ask for aggregated discovery (v2)? */
export function wantsAggregated(accept: string | undefined): boolean {
  return /g=apidiscovery\.k8s\.io;\s*v=v2;\s*as=APIGroupDiscoveryList/.test(accept ?? '');
}

const isCore = (g: { group: string }) => g.group === '';

function legacyResources(r: SimResource): Json[] {
  return [
    { name: r.plural, singularName: r.singular, namespaced: true, kind: r.kind, verbs: VERBS, shortNames: r.shortNames.length ? r.shortNames : undefined, categories: r.categories.length ? r.categories : undefined },
    ...r.subresources.map((s) => ({ name: `${r.plural}/${s.name}`, singularName: '', namespaced: true, kind: s.kind, verbs: s.verbs })),
  ];
}

/** GET /api (legacy) */
export function coreVersions(serverAddress: string): Json {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/** GET /apis (legacy) */
export function groupList(): Json {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups()
      .filter((g) => !isCore(g))
      .map((g) => {
        const gv = { groupVersion: apiVersionOf(g), version: g.version };
        return { name: g.group, versions: [gv], preferredVersion: gv };
      }),
  };
}

/** GET /api/v1 or /apis/GROUP/VERSION (legacy); undefined when not served. */
export function resourceList(group: string, version: string): Json | undefined {
  const g = groups().find((x) => x.group === group && x.version === version);
  if (!g) return undefined;
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(g), resources: g.resources.flatMap(legacyResources) };
}

/** GET /api or /apis with aggregated discovery: the core group alone, or every other group. */
export function aggregated(core: boolean): Json {
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups()
      .filter((g) => isCore(g) === core)
      .map((g) => ({
        metadata: { name: g.group || undefined },
        versions: [
          {
            version: g.version,
            freshness: 'Current',
            resources: g.resources.map((r) => ({
              resource: r.plural,
              responseKind: { group: r.group, version: r.version, kind: r.kind },
              scope: 'Namespaced',
              singularResource: r.singular,
              verbs: VERBS,
              shortNames: r.shortNames.length ? r.shortNames : undefined,
              categories: r.categories.length ? r.categories : undefined,
              subresources: r.subresources.length
                ? r.subresources.map((s) => ({ subresource: s.name, responseKind: { group: r.group, version: r.version, kind: s.kind }, verbs: s.verbs }))
                : undefined,
            })),
          },
        ],
      })),
  };
}
