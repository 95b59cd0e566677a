/**
 * A local HTTP receiver standing in for Slack's incoming webhook or PagerDuty's Events API:
 * records every request (path, headers, parsed JSON body) when it arrives and answers from a
 * script of statuses (the last one repeats). hold() keeps the answers back until released, so a
 * test can look at the sender while a request is in flight. Test double only.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  contentType: string | undefined;
  body: unknown;
}

export interface Receiver {
  url: string;
  requests: Received[];
  /** Statuses to answer with, in order; the last one repeats. */
  script(statuses: number[]): void;
  /** Answers wait until the returned release() is called; `arrived` settles when the next request is recorded. */
  hold(): { release: () => void; arrived: Promise<void> };
  close(): Promise<void>;
}

export async function startReceiver(kind: 'slack' | 'pagerduty'): Promise<Receiver> {
  const requests: Received[] = [];
  let statuses = [kind === 'slack' ? 200 : 202];
  let i = 0;
  let gate: Promise<void> = Promise.resolve();
  let arrivedNext: (() => void) | null = null;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        /* keep the raw text */
      }
      requests.push({ method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'], body });
      arrivedNext?.();
      arrivedNext = null;
      await gate;
      const status = statuses[Math.min(i++, statuses.length - 1)]!;
      if (kind === 'slack') {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status === 200 ? 'ok' : status === 400 ? 'invalid_payload' : 'error');
      } else {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(status === 202 ? { status: 'success', message: 'Event processed' } : { status: 'invalid event', message: 'Event object is invalid', errors: ['Length of \'routing_key\' is incorrect'] }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script(s) {
      statuses = s;
      i = 0;
    },
    hold() {
      let release!: () => void;
      gate = new Promise<void>((r) => (release = r));
      const arrived = new Promise<void>((r) => (arrivedNext = r));
      return { release, arrived };
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
