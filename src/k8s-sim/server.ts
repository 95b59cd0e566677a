/**
 * The Kubernetes API simulator's HTTPS server: what a real API server answers to the monitor's
 * client and to kubectl, on 127.0.0.1, with a certificate of the simulator's own CA and
 * bearer-token auth. Discovery (/version, /api, /apis, aggregated or legacy), the REST paths of
 * the served resources (get, list with label and field selectors, watch), server-side Tables
 * for `kubectl get`, and pod logs with the kubelet's rules. Read-only like the monitor: any
 * other verb gets 405. Errors are `Status` objects, as a real API server sends them.
 */
import https from 'node:https';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { V1Pod } from '@kubernetes/client-node';
import type { ClusterState } from './cluster.ts';
import { aggregated, AGGREGATED_V2, coreVersions, groupList, resourceList, versionDoc, wantsAggregated } from './discovery.ts';
import { apiVersionOf, parseResourcePath, type SimResource } from './resources.ts';
import { matches, matchesFields } from './selector.ts';
import { toTable, wantsTable } from './tables.ts';

/** The identity the simulator pretends the monitor has, for 403 messages. */
export const MONITOR_USER = 'system:serviceaccount:credlink-monitoring:credlink-checks';

type Json = Record<string, unknown>;
type Obj = { metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string } } & Json;
/** [status code, body, content type]: a string body is sent as text/plain. */
type Answer = [number, unknown, string?];

function status(code: number, reason: string, message: string, details?: Json): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code };
}

/** JSON as the API server writes it: timestamps in RFC 3339 with whole seconds. */
function toJson(body: unknown): string {
  return JSON.stringify(body, function (this: Record<string, unknown>, key, value) {
    const raw = this[key];
    return raw instanceof Date ? raw.toISOString().replace(/\.\d{3}Z$/, 'Z') : value;
  });
}

export interface SimServerOptions {
  token: string;
  tls: { cert: string; key: string };
  state: () => ClusterState;
  /** Changes whenever the cluster state does (scenarios switched): resourceVersion of lists, and what watches wait for. */
  version: () => number;
}

/** How often an open watch looks for a state change. */
const WATCH_POLL_MS = 200;
/** Upper bound of one watch (the client re-watches, as against a real API server). */
const WATCH_MAX_S = 300;

export class KubeSimServer {
  private server?: https.Server;
  private readonly timers = new Set<NodeJS.Timeout>();
  requests = 0;
  /** The last 1000 requests (method and path), so tests can prove the monitor only reads. */
  readonly seen: { method: string; path: string }[] = [];
  constructor(private readonly opts: SimServerOptions) {}

  async listen(): Promise<string> {
    this.server = https.createServer({ cert: this.opts.tls.cert, key: this.opts.tls.key }, (req, res) => {
      this.requests += 1;
      this.seen.push({ method: req.method ?? '?', path: (req.url ?? '/').split('?')[0]! });
      if (this.seen.length > 1000) this.seen.shift();
      let answer: Answer | undefined;
      try {
        answer = this.route(req, res);
      } catch (err) {
        answer = [500, status(500, 'InternalError', String((err as Error).message))];
      }
      if (!answer) return; // streaming (watch, log follow)
      const [code, body, type] = answer;
      if (typeof body === 'string') res.writeHead(code, { 'content-type': type ?? 'text/plain' }).end(body);
      else res.writeHead(code, { 'content-type': type ?? 'application/json' }).end(toJson(body));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): Answer | undefined {
    const url = new URL(req.url ?? '/', 'https://sim');
    const p = url.pathname.replace(/\/+$/, '') || '/';
    // Health endpoints are anonymous on a real API server too.
    if (p === '/healthz' || p === '/livez' || p === '/readyz') return [200, 'ok'];
    if (req.headers.authorization !== `Bearer ${this.opts.token}`) return [401, status(401, 'Unauthorized', 'Unauthorized')];
    if (req.method !== 'GET') return [405, status(405, 'MethodNotAllowed', `the simulator is read-only: ${req.method} is not allowed`)];

    const accept = req.headers.accept;
    if (p === '/version') return [200, versionDoc()];
    if (p === '/api' || p === '/apis') {
      if (wantsAggregated(accept)) return [200, aggregated(p === '/api'), AGGREGATED_V2];
      return [200, p === '/api' ? coreVersions(req.socket.localAddress ? `${req.socket.localAddress}:${req.socket.localPort}` : '127.0.0.1') : groupList()];
    }
    const gv = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(p);
    if (gv) {
      const list = resourceList(gv[2] ?? '', (gv[1] ?? gv[3])!);
      return list ? [200, list] : [404, status(404, 'NotFound', 'the server could not find the requested resource')];
    }

    const rp = parseResourcePath(p);
    if (!rp) return [404, status(404, 'NotFound', 'the server could not find the requested resource')];
    const { resource: r, namespace: ns, name, subresource: sub } = rp;
    const s = this.opts.state();
    // RBAC names a resource with its group: "pods" (core) is not "pods.metrics.k8s.io".
    const rbacResource = `${sub ? `${r.plural}/${sub}` : r.plural}${r.group ? `.${r.group}` : ''}`;
    if (s.forbidden.has(rbacResource)) {
      const verb = sub || name ? 'get' : url.searchParams.get('watch') ? 'watch' : 'list';
      const where = ns ? ` in the namespace "${ns}"` : ' at the cluster scope';
      return [403, status(403, 'Forbidden', `${rbacResource} is forbidden: User "${MONITOR_USER}" cannot ${verb} resource "${r.plural}"${sub ? ` subresource "${sub}"` : ''} in API group "${r.group}"${where}`, { kind: r.plural })];
    }

    const version = String(this.opts.version());
    const stamp = (o: Obj): Obj => ({ ...o, metadata: { ...o.metadata, resourceVersion: version } });
    const all = (s[r.state] as unknown as Obj[]).filter((o) => !ns || o.metadata?.namespace === ns).map(stamp);
    const q = url.searchParams;

    if (name) {
      const found = all.find((o) => o.metadata?.name === name);
      if (!found) return [404, status(404, 'NotFound', `${r.plural}${r.group ? `.${r.group}` : ''} "${name}" not found`, { name, group: r.group, kind: r.plural })];
      if (sub === 'log') return this.log(found as unknown as V1Pod, s, q, res);
      const full = { kind: r.kind, apiVersion: apiVersionOf(r), ...found };
      if (wantsTable(accept)) return [200, toTable(r, [full], { resourceVersion: version }, q.get('includeObject')) ?? full];
      return [200, full];
    }

    const selected = all.filter((o) => matches(q.get('labelSelector') ?? undefined, o.metadata?.labels) && matchesFields(q.get('fieldSelector') ?? undefined, o));
    if (q.get('watch') === 'true' || q.get('watch') === '1') return this.watch(r, ns, q, res);
    const limit = Number(q.get('limit') ?? NaN);
    const page = Number.isFinite(limit) && limit > 0 ? selected.slice(0, limit) : selected;
    const listMeta = { resourceVersion: version };
    if (wantsTable(accept)) {
      const table = toTable(r, page.map((o) => ({ kind: r.kind, apiVersion: apiVersionOf(r), ...o })), listMeta, q.get('includeObject'));
      if (table) return [200, table];
    }
    return [200, { kind: `${r.kind}List`, apiVersion: apiVersionOf(r), metadata: listMeta, items: page }];
  }

  /**
   * A pod's log with the kubelet's rules: the running container's output; for a container
   * waiting after a crash, the last terminated one's (what `kubectl logs` shows for a
   * CrashLoopBackOff pod); `previous=true` the terminated one's or 400; a container that never
   * started is a 400 saying why. `follow=true` keeps the stream of a running container open.
   */
  private log(pod: V1Pod, s: ClusterState, q: URLSearchParams, res: http.ServerResponse): Answer | undefined {
    const podName = pod.metadata!.name!;
    const names = (pod.spec?.containers ?? []).map((c) => c.name);
    const container = q.get('container') ?? (names.length === 1 ? names[0] : undefined);
    if (!container) return [400, status(400, 'BadRequest', `a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]`)];
    const cs = pod.status?.containerStatuses?.find((c) => c.name === container);
    if (!cs) return [400, status(400, 'BadRequest', `container ${container} is not valid for pod ${podName}`)];
    const l = s.logs[podName] ?? { current: [] };
    let lines: string[];
    if (q.get('previous') === 'true') {
      if (!cs.lastState?.terminated || !l.previous) return [400, status(400, 'BadRequest', `previous terminated container "${container}" in pod "${podName}" not found`)];
      lines = l.previous;
    } else if (cs.state?.running || cs.state?.terminated) {
      lines = l.current;
    } else if (cs.lastState?.terminated && l.previous) {
      lines = l.previous;
    } else {
      const reason = cs.state?.waiting?.reason ?? 'ContainerCreating';
      const why = reason === 'ImagePullBackOff' ? 'trying and failing to pull image' : reason === 'ErrImagePull' ? "image can't be pulled" : reason;
      return [400, status(400, 'BadRequest', `container "${container}" in pod "${podName}" is waiting to start: ${why}`)];
    }
    const tail = Number(q.get('tailLines') ?? NaN);
    if (Number.isFinite(tail) && tail >= 0) lines = lines.slice(lines.length - Math.min(tail, lines.length));
    let text = lines.map((x) => `${x}\n`).join('');
    const limit = Number(q.get('limitBytes') ?? NaN);
    if (Number.isFinite(limit) && limit > 0) text = text.slice(0, limit);
    if (q.get('follow') !== 'true' || !cs.state?.running) return [200, text];
    // Following a running container: nothing more is logged; the stream stays open until the client goes.
    res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' }).flushHeaders();
    res.write(text);
    return undefined;
  }

  /**
   * A watch: with no resourceVersion (or "0") synthetic ADDED events for what exists, then
   * MODIFIED/ADDED/DELETED whenever the scenarios change, until timeoutSeconds (at most
   * WATCH_MAX_S) or the client leaves. Objects are compared by name; the state version says when
   * to look.
   */
  private watch(r: SimResource, ns: string | undefined, q: URLSearchParams, res: http.ServerResponse): undefined {
    // Headers go out at once, as from a real API server: a client waits for them before it can stop watching.
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }).flushHeaders();
    const current = (): Map<string, Obj> => {
      const v = String(this.opts.version());
      const objs = (this.opts.state()[r.state] as unknown as Obj[])
        .filter((o) => (!ns || o.metadata?.namespace === ns) && matches(q.get('labelSelector') ?? undefined, o.metadata?.labels) && matchesFields(q.get('fieldSelector') ?? undefined, o))
        .map((o) => ({ kind: r.kind, apiVersion: apiVersionOf(r), ...o, metadata: { ...o.metadata, resourceVersion: v } }));
      return new Map(objs.map((o) => [o.metadata!.name!, o]));
    };
    const send = (type: string, object: Obj) => res.write(`${toJson({ type, object })}\n`);
    const from = q.get('resourceVersion');
    let seenVersion = this.opts.version();
    let known = current();
    if (!from || from === '0') for (const o of known.values()) send('ADDED', o);
    else if (Number(from) < seenVersion) for (const o of known.values()) send('MODIFIED', o);

    const timeoutS = Math.min(Number(q.get('timeoutSeconds')) || WATCH_MAX_S, WATCH_MAX_S);
    const deadline = Date.now() + timeoutS * 1000;
    const timer = setInterval(() => {
      if (Date.now() >= deadline) return stop();
      if (this.opts.version() === seenVersion) return;
      seenVersion = this.opts.version();
      const next = current();
      for (const [n, o] of next) send(known.has(n) ? 'MODIFIED' : 'ADDED', o);
      for (const [n, o] of known) if (!next.has(n)) send('DELETED', o);
      known = next;
    }, WATCH_POLL_MS);
    this.timers.add(timer);
    const stop = () => {
      clearInterval(timer);
      this.timers.delete(timer);
      res.end();
    };
    res.on('close', stop);
    return undefined;
  }
}
