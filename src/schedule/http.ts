/**
 * The daemon's HTTP server: a route table (path -> handler), GET/HEAD only, loopback by
 * default. Other parts add their pages with route() (e.g. a status page) without touching it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  status: number;
  contentType: string;
  body: string;
}

export type Handler = (url: URL) => Reply | Promise<Reply>;

/** A handler that serves its own paths on the raw request; returns false when the path is not its own. */
export type Mounted = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;

export class DaemonServer {
  private readonly routes = new Map<string, { handler: Handler; description: string }>();
  private readonly mounted: { handler: Mounted; paths: string; description: string }[] = [];
  private server: http.Server | undefined;

  route(path: string, description: string, handler: Handler): this {
    this.routes.set(path, { handler, description });
    return this;
  }

  /** Mounts a handler that answers several paths itself (e.g. the status page: /, /status, /status.json). */
  mount(paths: string, description: string, handler: Mounted): this {
    this.mounted.push({ handler, paths, description });
    return this;
  }

  list(): { path: string; description: string }[] {
    return [...[...this.routes].map(([path, r]) => ({ path, description: r.description })), ...this.mounted.map((m) => ({ path: m.paths, description: m.description }))];
  }

  async listen(host: string, port: number): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.requestTimeout = 10_000;
    this.server.headersTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const a = this.server.address() as AddressInfo;
    return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (r: Reply) => {
      res.writeHead(r.status, { 'content-type': r.contentType, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : r.body);
    };
    for (const m of this.mounted) {
      try {
        if (await m.handler(req, res)) return;
      } catch (e) {
        return send({ status: 500, contentType: 'text/plain', body: `internal error: ${(e as Error).message.split('\n')[0]}\n` });
      }
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send({ status: 405, contentType: 'text/plain', body: 'GET only\n' });
    const route = this.routes.get(url.pathname);
    if (!route) {
      return send({ status: 404, contentType: 'text/plain', body: `not found; routes:\n${this.list().map((r) => `  ${r.path}  ${r.description}`).join('\n')}\n` });
    }
    try {
      send(await route.handler(url));
    } catch (e) {
      send({ status: 500, contentType: 'text/plain', body: `internal error: ${(e as Error).message.split('\n')[0]}\n` });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
