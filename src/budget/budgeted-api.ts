/**
 * The client the checks get as `api` (checks/fixtures.ts): the bounded HTTP client
 * (src/http/client.ts: one deadline per request, body cap, no request once the base URL is known
 * not to answer), with every request paced by the run's request ledger and every answer read for
 * rate-limit signals. It wraps any `Transport` (HttpClient in the checks, tests may use others).
 *
 * - Before a request: the ledger waits until each scope (per client, per path, per key,
 *   failed attempts) has room, within the check's deadline; past it, RateBudgetError.
 * - After: a 429, or "nothing remaining" (RateLimit-*, X-RateLimit-*), holds the request's
 *   scopes for Retry-After (else the reset, else the window); a 429 is counted and, unless the
 *   caller asked otherwise, retried once the hold is over, if that still fits the deadline.
 * - Every answer that is not a success is reported (classified, src/http/response-class.ts)
 *   for the finding's responses[], and so is every request that got none, or was not sent
 *   because the base URL is known not to answer (`no-answer`): the evidence of an outage.
 *   Such a request waits for no room (it is not sent).
 * `api.variant({...})` changes that for one caller (the failed-attempt check wants its 429s).
 */
import type { ResolvedConfig } from '../../config/resolved.ts';
import type { Presentation } from '../../config/request-spec.ts';
import { NoAnswerError, type FetchOptions, type FetchResponse, type Transport } from '../http/client.ts';
import { classify, type ResponseClass } from '../http/response-class.ts';
import { RateBudgetError, type RequestLedger, type WaitNotice } from './ledger.ts';
import { keyIdOf, scopesFor, type Scope } from './plan.ts';
import { holdSeconds, rateSignal } from './rate-headers.ts';

export interface ApiVariant {
  /** Retry a 429 after its Retry-After when the deadline allows (default true). */
  retryRateLimited?: boolean;
  /** Count keyless or wrong-key requests against the failed-attempt limit (default true). */
  countAsFailedAttempt?: boolean;
  /**
   * The request carries a throwaway wrong key: per-key limits do not pace it (its count harms no
   * one else). The failed-attempt check sets this and countAsFailedAttempt: false, to reach the limit.
   */
  throwawayKey?: boolean;
  /** Wait at most this long for room; past it RateBudgetError is thrown to the caller as is. */
  maxWaitMs?: number;
  /**
   * The caller sends up to the service's limit on purpose (the failed-attempt check): an answer
   * that says nothing remains (RateLimit-Remaining: 0) does not hold its next request; that
   * answer was served, and only a 429 is the limit. A 429 still holds. No room in a declared
   * limit reaches such a caller as RateBudgetError (it judges the answers it got).
   */
  reachLimit?: boolean;
}

export interface BudgetedApi extends Transport {
  /** The same budget with `v` changing how this caller's requests are paced and retried. */
  variant(v: ApiVariant): BudgetedApi;
}

export interface BudgetOptions {
  ledger: RequestLedger;
  config: Pick<ResolvedConfig, 'baseUrl' | 'apiKeys' | 'rateLimits' | 'security' | 'probe' | 'paths' | 'timeouts'>;
  /** Epoch ms by which the current check must be done (its timeout, which includes time planned for pacing). */
  deadline: () => number;
  /**
   * Epoch ms until which the check may honour a service's unexpected "wait" (429, Retry-After):
   * the check's own time, without what was added for planned pacing. Default: `deadline`.
   */
  backoffDeadline?: () => number;
  /** Each answer that is not a success, and each request that got none (status null, `no-answer`). */
  onResponse?: (r: { call: string; status: number | null; class: ResponseClass }) => void;
  /** A wait for room longer than WAIT_NOTICE_MS is about to start (once per request): for one line on the terminal. */
  onWait?: (w: WaitNotice & { call: string }) => void;
  /** The budget ran out before a request could be sent: returns the error the check fails with. */
  onExhausted?: (err: RateBudgetError, call: string) => Error;
}

/** Headers that never carry a credential: left out of the per-key identity. */
const PLAIN_HEADERS = new Set(['content-type', 'accept', 'user-agent', 'origin', 'access-control-request-method', 'access-control-request-headers', 'accept-encoding']);

/**
 * What identifies the credential a request carries, for per-key limits: the values of its
 * non-plain headers (an Authorization scheme stripped, Basic decoded) and of its query, so one
 * key counts as one whether it comes in X-API-Key or as Bearer. Hashed before use (keyIdOf).
 */
export function credentialOf(headers: Record<string, string>, url: URL): string {
  const values = Object.entries(headers)
    .filter(([k]) => !PLAIN_HEADERS.has(k))
    .map(([k, v]) => {
      if (k !== 'authorization') return v;
      if (v.startsWith('Basic ')) return Buffer.from(v.slice(6), 'base64').toString('utf8').replace(/:$/, '');
      return v.replace(/^\w+ /, '');
    });
  return [...values, ...url.searchParams.values()].sort().join('\u0000');
}

/** The key a request presents in `p`, if any. */
export function presented(p: Presentation, headers: Record<string, string>, url: URL): string | undefined {
  const auth = headers.authorization;
  switch (p.kind) {
    case 'header':
      return headers[p.name.toLowerCase()];
    case 'bearer':
      return auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    case 'basic': {
      if (!auth?.startsWith('Basic ')) return undefined;
      const user = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      return user.endsWith(':') ? user.slice(0, -1) : user;
    }
    case 'query':
      return url.searchParams.get(p.name) ?? undefined;
  }
}

export function budgetedApi(transport: Transport, o: BudgetOptions, variant: ApiVariant = {}): BudgetedApi {
  const { config } = o;
  const sec = config.security;
  const authPaths = new Set([sec.requests.protected.path, sec.requests.validKey.path, sec.requests.restrictedKey.path].filter((p): p is string => p !== null));
  const goodKeys = new Set([config.apiKeys[0], sec.restrictedApiKey].filter((k): k is string => Boolean(k)));

  async function fetchBudgeted(raw: string, options: FetchOptions = {}): Promise<FetchResponse> {
    const url = new URL(raw, config.baseUrl || 'http://target.invalid');
    const method = (options.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
    const call = `${method} ${url.pathname}`;
    const preflight = method === 'OPTIONS' || method === 'HEAD';
    const credential = credentialOf(headers, url);
    const authenticated = sec.keyIn.some((p) => {
      const k = presented(p, headers, url);
      return k !== undefined && goodKeys.has(k);
    });
    const isFailedAttempt = !preflight && authPaths.has(url.pathname) && !authenticated;
    const counted = isFailedAttempt && variant.countAsFailedAttempt !== false;
    const facts = { method, path: preflight ? '' : url.pathname, keyId: keyIdOf(credential), failedAttempt: counted, headers };
    const declared = scopesFor(config, facts).filter((sc) => !(variant.throwawayKey && sc.id.includes('|key:')));
    const pathScopes = declared.filter((sc) => sc.id.startsWith('path:'));
    // A hold-only scope per path: a 429 from a limit nobody declared still holds that path.
    const holdOnly: Scope = { id: `hold:${url.pathname}`, limit: Number.MAX_SAFE_INTEGER, windowMs: 1, label: `the limit ${call} answered 429 for` };
    const authFail = isFailedAttempt ? scopesFor(config, { ...facts, failedAttempt: true }).filter((sc) => sc.id.startsWith('auth-fail')) : [];
    const scopes = preflight ? declared : [...declared, holdOnly];
    // What a 429 holds: the declared path limit if there is one, else the path itself; and the
    // failed-attempt limit for a failed attempt. Preflights hold nothing (CORS answers before limits).
    const holdScopes = preflight ? [] : [...(pathScopes.length ? pathScopes : [holdOnly]), ...authFail];
    const fallbackS = Math.max(1, ...declared.map((sc) => sc.windowMs / 1000));

    for (let attempt = 0; ; attempt++) {
      const cap = variant.maxWaitMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + variant.maxWaitMs;
      const backoff = Math.min(o.backoffDeadline?.() ?? o.deadline(), cap);
      // A request that will not be sent (the base URL is known down) takes no room and waits for none.
      if (!transport.unsent?.()) {
        try {
          await o.ledger.take(scopes, { planned: Math.min(o.deadline(), cap), hold: backoff }, {
            ignoreRemaining: variant.reachLimit === true,
            onWait: o.onWait && ((w) => o.onWait!({ ...w, call })),
          });
        } catch (err) {
          if (err instanceof RateBudgetError && variant.maxWaitMs === undefined && !variant.reachLimit && o.onExhausted) throw o.onExhausted(err, call);
          throw err;
        }
      }
      let res: FetchResponse;
      try {
        res = await transport.fetch(raw, options);
      } catch (err) {
        if (err instanceof NoAnswerError) o.onResponse?.({ call, status: null, class: 'no-answer' });
        throw err;
      }
      const status = res.status();
      const cls = classify(status);
      if (cls !== 'success') o.onResponse?.({ call, status, class: cls });
      if (cls === 'server-error') o.ledger.serverError(call);
      if (status === 429) {
        o.ledger.rateLimited(call);
        // Sent within every declared limit (take() made room), yet refused: the settings do not
        // describe this limit. A caller going past a limit on purpose (reachLimit) predicts its own.
        // Only the first attempt: a retry follows the service's own 429.
        if (!variant.reachLimit && !preflight && attempt === 0) o.ledger.unpredicted(call, declared.map((sc) => sc.label).join(', ') || 'none');
      }
      const signal = rateSignal(res.headers());
      // A served answer saying nothing remains while every declared limit had room: a limit nobody declared.
      if (status !== 429 && signal.remaining === 0 && !variant.reachLimit && !preflight && attempt === 0) o.ledger.unpredicted(call, declared.map((sc) => sc.label).join(', ') || 'none', true);
      const hold = holdSeconds(status, signal, fallbackS);
      if (hold === undefined || (status !== 429 && variant.reachLimit)) return res;
      const until = Date.now() + hold * 1000;
      if (holdScopes.length) o.ledger.hold(holdScopes, until, status === 429 ? 'rate-limited' : 'nothing-remaining');
      // Otherwise retried: the client read the answer already, there is nothing to release.
      if (status !== 429 || variant.retryRateLimited === false || attempt >= 2 || until > (o.backoffDeadline?.() ?? o.deadline())) return res;
    }
  }

  return {
    fetch: fetchBudgeted,
    unsent: () => transport.unsent?.(),
    variant: (v: ApiVariant) => budgetedApi(transport, o, { ...variant, ...v }),
  };
}
