/**
 * Another origin on loopback for the redirect-to-other-origin fault: it answers 200 to anything
 * and records whether each request carried an API key, never the key itself. Tests read it to
 * prove a key was never forwarded across origins.
 */
import http from 'node:http';
import type net from 'node:net';

export interface SinkVisit {
  method: string;
  path: string;
  /** The request carried an X-API-Key (or Authorization) header. */
  carriedKey: boolean;
}

export class RedirectSink {
  private server?: http.Server;
  private readonly visits: SinkVisit[] = [];
  url = '';

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      this.visits.push({
        method: req.method ?? 'GET',
        path: new URL(req.url ?? '/', 'http://sink.invalid').pathname,
        carriedKey: req.headers['x-api-key'] !== undefined || req.headers.authorization !== undefined,
      });
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"sink":true}');
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
    return this.url;
  }

  received(): readonly SinkVisit[] {
    return [...this.visits];
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
