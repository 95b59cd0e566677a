/**
 * One HTTP request for a check, as data: status, timing, headers and body, or the error that
 * prevented an answer. Never throws; never follows redirects, bounded by one deadline and a body
 * cap (src/http/client.ts), and never returns request headers, which would carry keys.
 */
import type { HttpClient } from '../http/client.ts';

export interface HttpSample {
  method: string;
  path: string;
  status: number | null;
  ms: number;
  headers: Record<string, string>;
  body: string;
  /** Why there was no answer (connection refused, timeout), one line. */
  error?: string;
}

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'OPTIONS' | 'HEAD';
  path: string;
  headers?: Record<string, string>;
  data?: string | Buffer;
  timeoutMs?: number;
}

const MAX_BODY = 64 * 1024;

export async function send(api: HttpClient, req: HttpRequest): Promise<HttpSample> {
  const method = req.method ?? 'GET';
  const t0 = performance.now();
  try {
    const res = await api.fetch(req.path, {
      method,
      headers: req.headers,
      data: req.data,
      timeout: req.timeoutMs,
      maxRedirects: 0,
      failOnStatusCode: false,
    });
    const body = (await res.body()).subarray(0, MAX_BODY).toString('utf8');
    const ms = performance.now() - t0;
    return { method, path: req.path, status: res.status(), ms, headers: res.headers(), body };
  } catch (err) {
    return { method, path: req.path, status: null, ms: performance.now() - t0, headers: {}, body: '', error: oneLine(err) };
  }
}

/**
 * The first line of a request error. Playwright appends a "Call log" listing every request
 * header with its value (microsoft/playwright#31717): never keep anything past the first line.
 */
export function oneLine(err: unknown): string {
  const msg = String((err as Error)?.message ?? err);
  const first = msg.split('\n')[0] ?? msg;
  return first.replace(/^apiRequestContext\.\w+:\s*/, '').slice(0, 240);
}

export function jsonOf(s: HttpSample): unknown {
  try {
    return JSON.parse(s.body);
  } catch {
    return undefined;
  }
}
