/**
 * A minimal Prometheus HTTP API client: one instant query (GET /api/v1/query), bounded by a
 * timeout. A query with no series, or whose only value is NaN (e.g. histogram_quantile over
 * no traffic), is "no data": callers must treat it as a monitoring gap, never as a pass.
 */
import { answerSeen } from '../http/answers.ts';

/** How a Prometheus API answer is named among a check's answers: not a route of the target. */
export const PROMETHEUS_CALL = 'prometheus GET /api/v1/query';

export type QueryResult =
  | { kind: 'value'; value: number; series: number }
  | { kind: 'no-data'; reason: string };

export class PrometheusError extends Error {
  override name = 'PrometheusError';
}

interface ApiAnswer {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: unknown };
}

export async function instantQuery(baseUrl: string, expr: string, timeoutMs: number, token?: string): Promise<QueryResult> {
  const url = `${baseUrl}/api/v1/query?query=${encodeURIComponent(expr)}`;
  let res: Response;
  try {
    // No redirects: a bearer token must not follow one to another host.
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error', headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (err) {
    const e = err as Error;
    answerSeen(PROMETHEUS_CALL, null);
    throw new PrometheusError(e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `unreachable: ${(e.cause as Error | undefined)?.message ?? e.message}`);
  }
  answerSeen(PROMETHEUS_CALL, res.status);
  const text = await res.text();
  let body: ApiAnswer;
  try {
    body = JSON.parse(text) as ApiAnswer;
  } catch {
    throw new PrometheusError(`HTTP ${res.status}: not a Prometheus API answer`);
  }
  if (body.status !== 'success') throw new PrometheusError(`query rejected (HTTP ${res.status}): ${body.error ?? 'unknown error'}`);
  return valueOf(body.data);
}

/** Pure: the API's data -> one number, or no data. Of several series the highest counts (the worst pod). */
export function valueOf(data: ApiAnswer['data']): QueryResult {
  if (!data) return { kind: 'no-data', reason: 'empty answer' };
  if (data.resultType === 'scalar') {
    const v = Number((data.result as [number, string])[1]);
    return Number.isFinite(v) ? { kind: 'value', value: v, series: 1 } : { kind: 'no-data', reason: `value is ${v}` };
  }
  if (data.resultType !== 'vector') return { kind: 'no-data', reason: `unexpected result type ${data.resultType}` };
  const values = (data.result as { value: [number, string] }[]).map((s) => Number(s.value[1]));
  if (values.length === 0) return { kind: 'no-data', reason: 'no series' };
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { kind: 'no-data', reason: `value is ${values[0]} (no samples in the window)` };
  return { kind: 'value', value: Math.max(...finite), series: finite.length };
}
