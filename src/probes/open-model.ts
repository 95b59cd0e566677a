/**
 * Open-model HTTP sampling: requests start on a fixed schedule (one every 1/rate seconds)
 * whether or not earlier ones have answered, so a stall shows up as latency instead of being
 * hidden (coordinated omission). Latency is measured from the *scheduled* start. Bounded:
 * at most `maxInFlight` requests at once; a request that cannot start because of that bound
 * is counted as dropped, and a run with drops is not valid evidence.
 * Uses node:http(s) directly: Playwright's request adds ~1.6 ms at p50 (see NOTES).
 */
import http from 'node:http';
import https from 'node:https';
import type { Disclosure } from '../security/disclosure.ts';
import { sleepUnlessAborted } from '../process/wait.ts';

export interface OpenModelOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  /** Requests per second. */
  rate: number;
  /** Number of requests to schedule. */
  count: number;
  timeoutMs: number;
  maxInFlight?: number;
  /** Stops scheduling new requests (those in flight finish); `scheduled` then counts what was. */
  signal?: AbortSignal;
  /** Reads each answer's first `maxBytes` (any status): what it returns is kept on the sample. */
  inspect?: { maxBytes: number; look(status: number, head: string): Disclosure[] };
}

export interface Sample {
  /** From scheduled start to the end of the body, ms. */
  ms: number;
  status: number | null;
  error?: string;
  /** Phase timings (ms from the actual start): dns, connect, tls, ttfb, download. */
  phases?: Phases;
  /** What the answer disclosed (OpenModelOptions.inspect), when anything. */
  disclosures?: Disclosure[];
}

export interface Phases {
  dns: number;
  connect: number;
  tls: number;
  ttfb: number;
  download: number;
}

export interface OpenModelResult {
  samples: Sample[];
  dropped: number;
  scheduled: number;
  durationMs: number;
}

/** A probed endpoint's body beyond this is not read: the sample counts as no answer. */
export const MAX_PROBE_BODY = 1024 * 1024;

export async function openModel(o: OpenModelOptions): Promise<OpenModelResult> {
  const u = new URL(o.url);
  const lib = u.protocol === 'https:' ? https : http;
  // A fresh keep-alive agent per run: bounded sockets, no reuse across environments.
  const agent = new lib.Agent({ keepAlive: true, maxSockets: o.maxInFlight ?? 32 });
  const maxInFlight = o.maxInFlight ?? 32;
  const interval = 1000 / o.rate;
  const samples: Sample[] = [];
  let dropped = 0;
  let inFlight = 0;
  const t0 = performance.now();
  const pending: Promise<void>[] = [];
  let i = 0;
  for (; i < o.count; i++) {
    const scheduled = t0 + i * interval;
    const wait = scheduled - performance.now();
    if (wait > 0) await sleepUnlessAborted(wait, o.signal);
    if (o.signal?.aborted) break;
    if (inFlight >= maxInFlight) {
      dropped += 1;
      continue;
    }
    inFlight += 1;
    pending.push(
      once(lib, agent, u, o).then((s) => {
        inFlight -= 1;
        samples.push({ ...s, ms: performance.now() - scheduled });
      }),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  return { samples, dropped, scheduled: i, durationMs: performance.now() - t0 };
}


function once(lib: typeof http | typeof https, agent: http.Agent, u: URL, o: OpenModelOptions): Promise<Omit<Sample, 'ms'>> {
  return new Promise((resolve) => {
    const start = performance.now();
    const marks = { dns: start, connect: start, tls: start, ttfb: start };
    let settled = false;
    const done = (r: Omit<Sample, 'ms'>) => {
      clearTimeout(deadline);
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    // One deadline for the whole request (an idle timeout never fires on a trickling body), and
    // the body read up to a cap (a body that never ends is not an answer).
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
    let read = 0;
    const head: Buffer[] = [];
    const req = lib.request(u, { method: o.method ?? 'GET', headers: o.headers, agent, timeout: o.timeoutMs }, (res) => {
      marks.ttfb = performance.now();
      res.on('data', (chunk: Buffer) => {
        if (o.inspect && read < o.inspect.maxBytes) head.push(chunk.subarray(0, o.inspect.maxBytes - read));
        read += chunk.length;
        if (read > MAX_PROBE_BODY) req.destroy(new Error(`the body exceeds ${MAX_PROBE_BODY / 1024} KB: not read to its end`));
      });
      res.on('end', () => {
        const end = performance.now();
        const disclosures = o.inspect && res.statusCode ? o.inspect.look(res.statusCode, Buffer.concat(head).toString('utf8')) : [];
        done({
          ...(disclosures.length ? { disclosures } : {}),
          status: res.statusCode ?? null,
          phases: {
            dns: marks.dns - start,
            connect: marks.connect - marks.dns,
            tls: marks.tls - marks.connect,
            ttfb: marks.ttfb - Math.max(marks.tls, marks.connect, start),
            download: end - marks.ttfb,
          },
        });
      });
      res.on('error', (e) => done({ status: null, error: e.message }));
    });
    req.on('socket', (socket) => {
      // A reused keep-alive socket is already connected: its phases are zero. Listening on it
      // anyway would pile up listeners that never fire (one set per request).
      if (!socket.connecting) return;
      socket.once('lookup', () => (marks.dns = performance.now()));
      socket.once('connect', () => (marks.connect = marks.tls = performance.now()));
      socket.once('secureConnect', () => (marks.tls = performance.now()));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)));
    req.on('error', (e) => done({ status: null, error: e.message.split('\n')[0] }));
    req.end();
  });
}
