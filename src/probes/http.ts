/**
 * One HTTP request for a check, as data: status, timing, headers and body, or the error that
 * prevented an answer. Never throws; never follows redirects (set on the request context), and
 * never returns request headers, which would carry keys.
 */
import type { APIRequestContext } from '@playwright/test';

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
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS' | 'HEAD';
  /** Path, possibly with a query (a key presented as a query parameter): never kept in the sample. */
  path: string;
  headers?: Record<string, string>;
  data?: string | Buffer;
  /** A multipart/form-data body: text fields and file parts. */
  multipart?: Record<string, string | { name: string; mimeType: string; buffer: Buffer }>;
  timeoutMs?: number;
}

const MAX_BODY = 64 * 1024;

export async function send(api: APIRequestContext, req: HttpRequest): Promise<HttpSample> {
  const method = req.method ?? 'GET';
  // The sample names the path only: a query may carry a key.
  const path = req.path.split('?')[0]!;
  const t0 = performance.now();
  try {
    const res = await api.fetch(req.path, {
      method,
      headers: req.headers,
      // As bytes: Playwright JSON-encodes a *string* again when the content type is JSON, so
      // '{"a":1}' would arrive as the JSON string "{\"a\":1}" (and a malformed body as a valid one).
      data: typeof req.data === 'string' ? Buffer.from(req.data, 'utf8') : req.data,
      multipart: req.multipart,
      timeout: req.timeoutMs,
      maxRedirects: 0,
      failOnStatusCode: false,
    });
    const body = (await res.body()).subarray(0, MAX_BODY).toString('utf8');
    const ms = performance.now() - t0;
    return { method, path, status: res.status(), ms, headers: res.headers(), body };
  } catch (err) {
    // The request budget's errors are the check's business (a gap), not "no answer".
    if ((err as { budget?: unknown })?.budget === true) throw err;
    return { method, path, status: null, ms: performance.now() - t0, headers: {}, body: '', error: oneLine(err) };
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
