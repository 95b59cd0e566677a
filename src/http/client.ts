/**
 * The checks' HTTP client (the `api` fixture), bounded whatever the target does:
 * - one deadline per request covers connecting, the headers and the body (an idle timeout would
 *   never fire on a body that keeps trickling);
 * - the body is read up to MAX_BODY_BYTES, then the connection is closed and the answer is
 *   marked truncated: a target that streams forever cannot hold a check (or fill its memory);
 * - redirects are never followed and no credentials are sent unless a check adds them;
 * - once the base URL is known not to answer (src/http/reachability.ts), requests end at once as
 *   "no answer" without being sent.
 * Playwright's request context reads every body whole with no size limit, so this is node:http;
 * `fetch()` keeps the shape of Playwright's APIRequestContext.fetch that src/probes/http.ts uses
 * (data as bytes, multipart bodies encoded by src/http/multipart.ts). The checks get it wrapped
 * in the run's request budget (src/budget/budgeted-api.ts), through the `Transport` interface.
 */
import http from 'node:http';
import https from 'node:https';
import { encodeMultipart, type MultipartFields } from './multipart.ts';

/** Bodies are read up to this many bytes; the checks judge at most 64 KB of any body. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface FetchOptions {
  method?: string;
  headers?: Record<string, string>;
  data?: string | Buffer;
  /**
   * A multipart/form-data body (text fields, file parts): encoded with its own boundary, which
   * replaces any Content-Type the caller set. Not with `data`.
   */
  multipart?: MultipartFields;
  /** Deadline of the whole request, ms (default: the client's). */
  timeout?: number;
  /** Accepted for compatibility with Playwright's options: redirects are never followed. */
  maxRedirects?: number;
  /** Accepted for compatibility: a status is never an error here. */
  failOnStatusCode?: boolean;
}

export interface FetchResponse {
  status(): number;
  /** Lower-case names; repeated headers joined with ", " (set-cookie with "\n", as Playwright does). */
  headers(): Record<string, string>;
  body(): Promise<Buffer>;
  /** The body was longer than MAX_BODY_BYTES and was cut there. */
  truncated: boolean;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  truncated: boolean;
}

/**
 * What the request budget wraps (src/budget/budgeted-api.ts) and src/probes/http.ts send() calls:
 * HttpClient, or the budget around it.
 */
export interface Transport {
  /** Rejects with a NoAnswerError when there was no answer; any HTTP status is an answer. */
  fetch(pathOrUrl: string, opts?: FetchOptions): Promise<FetchResponse>;
  /**
   * Why requests end at once without being sent (the base URL is known not to answer), if they
   * do now: the budget does not wait for room for a request that will not be sent.
   */
  unsent?(): string | undefined;
}

/** Thrown when there is no answer: the message is one line, as a check would print it. */
export class NoAnswerError extends Error {
  override name = 'NoAnswerError';
}

/**
 * One request, bounded: resolves with the answer (body capped) or rejects with a NoAnswerError
 * (refused, reset, DNS, deadline passed before the answer was complete).
 */
export function requestOnce(
  url: URL,
  o: { method: string; headers: Record<string, string>; data?: string | Buffer; timeoutMs: number; maxBody?: number; agent?: http.Agent },
): Promise<RawAnswer> {
  const lib = url.protocol === 'https:' ? https : http;
  const maxBody = o.maxBody ?? MAX_BODY_BYTES;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | undefined, answer?: RawAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (err) reject(err);
      else resolve(answer!);
    };
    const headers = { ...o.headers };
    if (o.data !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) headers['content-length'] = String(Buffer.byteLength(o.data));
    let req: http.ClientRequest;
    try {
      // Without an agent: one connection for this request, closed with it.
      req = lib.request(url, { method: o.method, headers, agent: o.agent ?? false });
    } catch (e) {
      // Invalid header characters and the like: the request could not even be made.
      return reject(new NoAnswerError(`the request could not be sent: ${(e as Error).message.split('\n')[0]}`));
    }
    const deadline = setTimeout(() => {
      req.destroy();
      finish(new NoAnswerError(`no answer within ${o.timeoutMs} ms (the answer, body included, did not complete)`));
    }, o.timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const done = () =>
        finish(undefined, { status: res.statusCode ?? 0, headers: flatten(res.headers), body: Buffer.concat(chunks), truncated });
      res.on('data', (chunk: Buffer) => {
        if (truncated) return;
        const room = maxBody - size;
        if (chunk.length > room) {
          chunks.push(chunk.subarray(0, room));
          size = maxBody;
          truncated = true;
          // Enough: answer with what was read, then close the connection instead of reading an endless body.
          done();
          res.destroy();
          req.destroy();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', done);
      res.on('error', (e) => finish(new NoAnswerError(`the answer broke off: ${e.message.split('\n')[0]}`)));
      res.on('aborted', () => finish(new NoAnswerError('the answer broke off (connection closed by the server)')));
    });
    req.on('error', (e: NodeJS.ErrnoException) => finish(new NoAnswerError(describeNetworkError(e, url))));
    if (o.data !== undefined) req.write(o.data);
    req.end();
  });
}

function flatten(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(k === 'set-cookie' ? '\n' : ', ') : v;
  }
  return out;
}

/** "connect ECONNREFUSED 127.0.0.1:9" -> kept as is: the code names what happened. */
function describeNetworkError(e: NodeJS.ErrnoException, url: URL): string {
  const first = (e.message || String(e)).split('\n')[0]!;
  return e.code && !first.includes(e.code) ? `${e.code} ${first} (${url.host})` : first;
}

/**
 * What the client asks of the run's knowledge whether the base URL answers (implemented by
 * Reachability, src/http/reachability.ts, which sends its liveness request with requestOnce).
 */
export interface ReachabilityWatch {
  readonly liveness: { timeoutMs: number };
  /** A request has had no answer for liveness.timeoutMs. */
  suspect(): void;
  /** A request got no answer: confirm (or not) that the base URL is down. */
  noAnswer(call: string, error: string): Promise<void>;
  /** Set once the base URL is known not to answer: its one-line note. */
  down(): { line: string } | undefined;
}

export interface HttpClientOptions {
  baseUrl: string;
  timeoutMs: number;
  headers?: Record<string, string>;
  reachability?: ReachabilityWatch;
}

export class HttpClient implements Transport {
  /** Keep-alive connections of this client (one check): closed by dispose(). */
  private readonly agents = { 'http:': new http.Agent({ keepAlive: true, maxSockets: 8 }), 'https:': new https.Agent({ keepAlive: true, maxSockets: 8 }) };

  constructor(private readonly o: HttpClientOptions) {}

  get baseUrl(): string {
    return this.o.baseUrl;
  }

  /** Rejects with a NoAnswerError when there was no answer; any HTTP status is an answer. */
  async fetch(pathOrUrl: string, opts: FetchOptions = {}): Promise<FetchResponse> {
    // Resolved as Playwright resolves against its baseURL: "/health" on "http://h:1/x" -> "http://h:1/health".
    const url = new URL(pathOrUrl, this.o.baseUrl);
    const method = (opts.method ?? 'GET').toUpperCase();
    const call = `${method} ${url.pathname}`;
    const reach = this.o.reachability;
    const down = this.unsent();
    if (down) throw new NoAnswerError(`not sent: ${down}`);
    const body = bodyOf(opts);
    // Still no answer after the liveness deadline: ask whether the base URL answers at all, now.
    const suspect = reach ? setTimeout(() => reach.suspect(), reach.liveness.timeoutMs) : undefined;
    try {
      const a = await requestOnce(url, {
        method,
        headers: { ...this.o.headers, ...body.headers },
        data: body.data,
        timeoutMs: opts.timeout ?? this.o.timeoutMs,
        agent: url.protocol === 'https:' ? this.agents['https:'] : this.agents['http:'],
      });
      return { status: () => a.status, headers: () => a.headers, body: async () => a.body, truncated: a.truncated };
    } catch (e) {
      if (e instanceof NoAnswerError) await reach?.noAnswer(call, e.message);
      throw e;
    } finally {
      clearTimeout(suspect);
    }
  }

  unsent(): string | undefined {
    return this.o.reachability?.down()?.line;
  }

  /** Closes the client's connections (the fixture's teardown): nothing outlives the check. */
  async dispose(): Promise<void> {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }
}

/** The request's headers and bytes: `data` as given, or `multipart` encoded with its content type. */
function bodyOf(opts: FetchOptions): { headers: Record<string, string>; data?: string | Buffer } {
  const headers = { ...opts.headers };
  if (!opts.multipart) return { headers, data: opts.data };
  if (opts.data !== undefined) throw new Error('HttpClient.fetch: give data or multipart, not both');
  const m = encodeMultipart(opts.multipart);
  for (const h of Object.keys(headers)) if (h.toLowerCase() === 'content-type') delete headers[h];
  headers['content-type'] = m.contentType;
  return { headers, data: m.body };
}
