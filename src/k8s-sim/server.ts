/**
 * The Kubernetes API simulator's HTTP server: the real REST paths and JSON shapes the checks
 * and diagnostics read (core/v1, apps/v1, autoscaling/v2, metrics.k8s.io/v1beta1), on
 * 127.0.0.1, with bearer-token auth. Read-only like the monitor: any other verb gets 405.
 * Errors are `Status` objects, as a real API server sends them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClusterState } from './cluster.ts';
import { matches } from './selector.ts';

/** The identity the simulator pretends the monitor has, for 403 messages. */
export const MONITOR_USER = 'system:serviceaccount:credlink-monitoring:credlink-monitor';

type Json = Record<string, unknown>;

function status(code: number, reason: string, message: string, details?: Json): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code };
}

const LIST_KINDS: Record<string, [kind: string, apiVersion: string]> = {
  pods: ['PodList', 'v1'],
  events: ['EventList', 'v1'],
  services: ['ServiceList', 'v1'],
  endpoints: ['EndpointsList', 'v1'],
  deployments: ['DeploymentList', 'apps/v1'],
  replicasets: ['ReplicaSetList', 'apps/v1'],
  horizontalpodautoscalers: ['HorizontalPodAutoscalerList', 'autoscaling/v2'],
  metrics: ['PodMetricsList', 'metrics.k8s.io/v1beta1'],
};

export interface SimServerOptions {
  token: string;
  state: () => ClusterState;
}

export class KubeSimServer {
  private server?: http.Server;
  requests = 0;
  /** The last 1000 requests (method and path), so tests can prove the monitor only reads. */
  readonly seen: { method: string; path: string }[] = [];
  constructor(private readonly opts: SimServerOptions) {}

  async listen(): Promise<string> {
    this.server = http.createServer((req, res) => {
      this.requests += 1;
      this.seen.push({ method: req.method ?? '?', path: (req.url ?? '/').split('?')[0]! });
      if (this.seen.length > 1000) this.seen.shift();
      let code = 200;
      let body: unknown;
      try {
        [code, body] = this.route(req);
      } catch (err) {
        [code, body] = [500, status(500, 'InternalError', String((err as Error).message))];
      }
      if (typeof body === 'string') {
        res.writeHead(code, { 'content-type': 'text/plain' }).end(body);
      } else {
        res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private route(req: http.IncomingMessage): [number, unknown] {
    if (req.headers.authorization !== `Bearer ${this.opts.token}`) return [401, status(401, 'Unauthorized', 'Unauthorized')];
    if (req.method !== 'GET') return [405, status(405, 'MethodNotAllowed', `the simulator is read-only: ${req.method} is not allowed`)];
    const url = new URL(req.url ?? '/', 'http://sim');
    const q = url.searchParams;
    const s = this.opts.state();

    const core = /^\/api\/v1\/namespaces\/([^/]+)\/(pods|events|services|endpoints)(?:\/([^/]+))?(?:\/(log))?$/.exec(url.pathname);
    const apps = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/(deployments|replicasets)(?:\/([^/]+))?$/.exec(url.pathname);
    const hpa = /^\/apis\/autoscaling\/v2\/namespaces\/([^/]+)\/(horizontalpodautoscalers)(?:\/([^/]+))?$/.exec(url.pathname);
    const metrics = /^\/apis\/metrics\.k8s\.io\/v1beta1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?$/.exec(url.pathname);

    let ns: string;
    let resource: string;
    let name: string | undefined;
    let sub: string | undefined;
    let items: { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } }[];
    if (core) {
      [, ns, resource, name, sub] = core as unknown as [string, string, string, string | undefined, string | undefined];
      items = { pods: s.pods, events: s.events, services: s.services, endpoints: s.endpoints }[resource]!;
    } else if (apps) {
      [, ns, resource, name] = apps as unknown as [string, string, string, string | undefined];
      items = resource === 'deployments' ? s.deployments : s.replicaSets;
    } else if (hpa) {
      [, ns, resource, name] = hpa as unknown as [string, string, string, string | undefined];
      items = s.hpas;
    } else if (metrics) {
      [, ns, name] = metrics as unknown as [string, string, string | undefined];
      resource = 'metrics';
      items = s.podMetrics;
    } else {
      return [404, status(404, 'NotFound', 'the server could not find the requested resource')];
    }

    const rbacResource = sub ? `${resource}/${sub}` : resource;
    if (s.forbidden.has(rbacResource)) {
      const verb = sub ? 'get' : name ? 'get' : 'list';
      return [403, status(403, 'Forbidden', `${rbacResource} is forbidden: User "${MONITOR_USER}" cannot ${verb} resource "${resource}"${sub ? ` subresource "${sub}"` : ''} in API group "" in the namespace "${ns}"`, { kind: resource })];
    }

    const inNs = items.filter((i) => i.metadata?.namespace === ns);
    if (name) {
      const found = inNs.find((i) => i.metadata?.name === name);
      if (!found) return [404, status(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource })];
      if (sub === 'log') {
        const l = s.logs[name] ?? { current: [] };
        if (q.get('previous') === 'true' && !l.previous) {
          return [400, status(400, 'BadRequest', `previous terminated container "api" in pod "${name}" not found`)];
        }
        let lines = q.get('previous') === 'true' ? l.previous! : l.current;
        const tail = Number(q.get('tailLines') ?? NaN);
        if (Number.isFinite(tail) && tail >= 0) lines = lines.slice(-tail);
        let text = lines.map((x) => `${x}\n`).join('');
        const limit = Number(q.get('limitBytes') ?? NaN);
        if (Number.isFinite(limit) && limit > 0) text = text.slice(0, limit);
        return [200, text];
      }
      return [200, found];
    }
    const selected = inNs.filter((i) => matches(q.get('labelSelector') ?? undefined, i.metadata?.labels));
    const limit = Number(q.get('limit') ?? NaN);
    const page = Number.isFinite(limit) && limit > 0 ? selected.slice(0, limit) : selected;
    const [kind, apiVersion] = LIST_KINDS[resource]!;
    return [200, { kind, apiVersion, metadata: { resourceVersion: String(1000 + this.requests) }, items: page }];
  }
}
