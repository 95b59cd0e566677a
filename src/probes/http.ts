/**
 * One HTTP request for a check, as data: status, timing, headers and body, or the error that
 * prevented an answer. Never throws; never follows redirects, bounded by one deadline and a body
 * cap (src/http/client.ts), and never returns request headers, which would carry keys.
 *
 * A failure (5xx or no answer) is confirmed before it counts (src/probes/confirm.ts), unless the
 * base URL is already known not to answer (src/http/reachability.ts); every answer that is not a
 * success is reported to the running check's answer sink (src/http/answers.ts) for correlation,
 * and every answer's body is scanned there for disclosures (stack traces, paths, credentials).
 */
import type { Transport } from '../http/client.ts';
import type { MultipartFields } from '../http/multipart.ts';
import { answerBody, answerSeen, callOf, confirmationBudgetMs, confirmedDown, markConfirmedDown } from '../http/answers.ts';
import { classify } from '../http/response-class.ts';
import { confirm, DEFAULT_BUDGET_MS, DEFAULT_SPACING_MS } from './confirm.ts';

export interface HttpSample {
  method: string;
  path: string;
  status: number | null;
  ms: number;
  headers: Record<string, string>;
  body: string;
  /** Why there was no answer (connection refused, timeout), one line. */
  error?: string;
  /**
   * Present when the request failed and was asked again: every attempt, oldest first. A sample
   * with a success status and failed attempts saw intermittent failures, not an outage.
   */
  attempts?: { status: number | null; ms: number; error?: string }[];
}

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS' | 'HEAD';
  /** Path, possibly with a query (a key presented as a query parameter): never kept in the sample. */
  path: string;
  headers?: Record<string, string>;
  data?: string | Buffer;
  /** A multipart/form-data body: text fields and file parts. */
  multipart?: MultipartFields;
  timeoutMs?: number;
  /**
   * The tool made the path up (a path that must not exist): its 404/405 is the expected answer and
   * says nothing about the target's routes, so it is not reported for correlation (a made-up path
   * must never become a "route missing" incident). Other answers (5xx, no answer) still are.
   */
  invented?: boolean;
}

const MAX_BODY = 64 * 1024;

/** 5xx or no answer: what confirmation re-asks before it counts. */
export const failedAnswer = (s: Pick<HttpSample, 'status'>): boolean => s.status === null || s.status >= 500;

/** `api`: the checks' budgeted client (src/budget/budgeted-api.ts) or the bare HttpClient. */
export async function send(api: Transport, req: HttpRequest): Promise<HttpSample> {
  const attempt = async () => {
    const s = await sendOnce(api, req);
    if (!(req.invented && classify(s.status) === 'route-missing')) answerSeen(callOf(s.method, s.path), s.status);
    answerBody(callOf(s.method, s.path), s.status, s.body);
    return s;
  };
  const first = await attempt();
  const call = callOf(first.method, first.path);
  // Known down (confirmed already, or the base URL does not answer): asking again tells nothing.
  if (!failedAnswer(first) || confirmedDown(call) || api.unsent?.()) return first;
  // A re-ask that finds no room in the request budget ends the confirmation: the failure stands as seen.
  const again = async () => {
    try {
      return await attempt();
    } catch (err) {
      if ((err as { budget?: unknown })?.budget === true) return undefined;
      throw err;
    }
  };
  const { final, attempts } = await confirm(first, again, failedAnswer, {
    spacingMs: DEFAULT_SPACING_MS,
    budgetMs: confirmationBudgetMs() ?? DEFAULT_BUDGET_MS,
  });
  if (failedAnswer(final)) markConfirmedDown(call);
  return { ...final, attempts: attempts.map((a) => ({ status: a.status, ms: Math.round(a.ms), ...(a.error ? { error: a.error } : {}) })) };
}

/** The failed attempts of a confirmed request that finally succeeded (empty when it never failed or never recovered). */
export function intermittentFailures(s: HttpSample): NonNullable<HttpSample['attempts']> {
  if (failedAnswer(s) || !s.attempts) return [];
  return s.attempts.filter(failedAnswer);
}

async function sendOnce(api: Transport, req: HttpRequest): Promise<HttpSample> {
  const method = req.method ?? 'GET';
  // The sample names the path only: a query may carry a key.
  const path = req.path.split('?')[0]!;
  const t0 = performance.now();
  try {
    const res = await api.fetch(req.path, {
      method,
      headers: req.headers,
      // As bytes, exactly as given: a body is never re-encoded (Playwright's request context
      // JSON-encoded a *string* again when the content type was JSON, so '{"a":1}' arrived as the
      // JSON string "{\"a\":1}" and a malformed body as a valid one; keep it bytes whatever the client).
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
