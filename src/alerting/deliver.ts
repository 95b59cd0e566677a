/**
 * One delivery to Slack or PagerDuty, with bounded retries: only 429, 5xx and network errors
 * are retried (backoff doubling from `baseDelayMs`, Retry-After honoured up to `maxDelayMs`);
 * any other 4xx is a configuration problem (wrong webhook, revoked routing key) and is not
 * retried here. Success: Slack answers 200; PagerDuty any 2xx (202 Accepted).
 * Every network call has a timeout. Error texts are scrubbed of secrets by the caller's scrubber.
 */
import type { AlertChannel } from '../../config/alert-routes.ts';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 10_000, timeoutMs: 10_000 };

export type DeliveryResult =
  | { ok: true; status: number; attempts: number }
  | { ok: false; configError: boolean; status: number | null; attempts: number; error: string };

export interface Sleep {
  (ms: number): Promise<void>;
}

export const realSleep: Sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function accepted(channel: AlertChannel, status: number): boolean {
  return channel === 'slack' ? status === 200 : status >= 200 && status < 300;
}

export async function post(
  channel: AlertChannel,
  url: string,
  body: unknown,
  policy: RetryPolicy = DEFAULT_RETRY,
  sleep: Sleep = realSleep,
  /** Called before each request leaves (the delivery journal records it: write-ahead). */
  beforeAttempt: (attempt: number) => void = () => {},
): Promise<DeliveryResult> {
  let last: DeliveryResult = { ok: false, configError: false, status: null, attempts: 0, error: 'not attempted' };
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    let retryAfterMs: number | undefined;
    beforeAttempt(attempt);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      const text = (await res.text()).slice(0, 300).replace(/\s+/g, ' ');
      if (accepted(channel, res.status)) return { ok: true, status: res.status, attempts: attempt };
      const retryable = res.status === 429 || res.status >= 500;
      last = { ok: false, configError: !retryable, status: res.status, attempts: attempt, error: `${res.status} ${res.statusText}${text ? `: ${text}` : ''}` };
      if (!retryable) return last;
      const ra = Number(res.headers.get('retry-after'));
      if (Number.isFinite(ra) && ra > 0) retryAfterMs = ra * 1000;
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      last = { ok: false, configError: false, status: null, attempts: attempt, error: err.cause?.code ?? err.cause?.message ?? err.message };
    }
    if (attempt < policy.attempts) {
      const backoff = policy.baseDelayMs * 2 ** (attempt - 1);
      await sleep(Math.min(policy.maxDelayMs, retryAfterMs ?? backoff));
    }
  }
  return last;
}
