/**
 * The failed-attempt limit, judged from two series of wrong-key attempts (pure):
 * 1. rotating: a new random wrong key every attempt (what an attacker guessing keys sends);
 * 2. repeated: one wrong key over and over (sent only when the rotating series was never limited).
 * Outcomes: limited per client (pass, Retry-After within the window); limited only per key
 * (rotating keys are never limited: an attacker is never slowed down); not limited at all.
 *
 * Limiters often count in fixed windows: a rotating series can straddle a window boundary and
 * stay under the limit on both sides. The repeated series tells the cases apart anyway: a limit
 * per key cannot refuse a brand-new key before its own max+1 attempts, so a 429 sooner means the
 * count included the rotating keys' attempts: limited per client.
 * The last two are a hardening gap (SEV-3), or a security issue (SEV-2) when the environment
 * declares the limit required (CREDLINK_AUTH_FAIL_LIMIT_REQUIRED).
 */
import { classify } from '../http/response-class.ts';
import { retryAfterSeconds } from '../budget/rate-headers.ts';
import { countStatuses, inconclusiveReason, type CaseResult } from './verdict.ts';

export interface AttemptSeries {
  statuses: (number | null)[];
  /** Retry-After of the first 429, as sent. */
  retryAfter?: string;
  /** Seconds from the first attempt to the last. */
  seconds: number;
  /** Why the series ended before max+1 attempts without a 429 (the request budget had no room). */
  stopped?: string;
}

export type LimitOutcome = 'per-client' | 'per-key-only' | 'not-limited' | 'served' | 'inconclusive';

export interface FailedAttemptVerdict {
  outcome: LimitOutcome;
  result: CaseResult;
}

const describe = (what: string, s: AttemptSeries) => `${s.statuses.length} attempts with ${what} in ${Math.round(s.seconds)} s (${countStatuses(s.statuses)})`;

export function judgeFailedAttempts(
  rotating: AttemptSeries,
  repeated: AttemptSeries | undefined,
  /** perKeyMax: a lower declared per-key limit of the path (CREDLINK_RATE_LIMIT_PATHS ... per key / per header), if any. */
  o: { max: number; windowS: number; required: boolean; nowMs?: number; perKeyMax?: number },
): FailedAttemptVerdict {
  const gapClass = o.required ? 'issue' : 'hardening';
  const all = [...rotating.statuses, ...(repeated?.statuses ?? [])];
  if (all.some((s) => classify(s) === 'success')) {
    return { outcome: 'served', result: { case: 'wrong keys', status: all.find((s) => classify(s) === 'success') ?? null, problem: 'a wrong key was served', class: 'breach' } };
  }
  const limitedAt = (s: AttemptSeries) => s.statuses.indexOf(429);
  const perClient = (what: string, retryAfter: string | undefined): FailedAttemptVerdict => {
    const secs = retryAfterSeconds(retryAfter, o.nowMs ?? Date.now());
    const base = { case: what, status: 429 };
    if (secs === undefined || !(secs > 0 && secs <= o.windowS + 1)) {
      const problem = retryAfter === undefined ? '429 without Retry-After' : `Retry-After "${retryAfter}" is not within the ${o.windowS} s window`;
      return { outcome: 'per-client', result: { ...base, problem, class: 'hardening' } };
    }
    return { outcome: 'per-client', result: base };
  };
  if (limitedAt(rotating) >= 0) return perClient(describe('a new random wrong key each', rotating), rotating.retryAfter);
  // Sooner than any per-key count could refuse it (the failed-attempt max, or a lower declared per-key path limit).
  if (repeated && limitedAt(repeated) >= 0 && limitedAt(repeated) + 1 <= Math.min(o.max, o.perKeyMax ?? o.max)) {
    return perClient(`${describe('a new random wrong key each', rotating)}, then ${describe('one wrong key repeated', repeated)}`, repeated.retryAfter);
  }
  // Nothing limited the rotating keys. Answers that prove nothing make the whole check inconclusive.
  const odd = rotating.statuses.find((s) => classify(s) !== 'auth' && inconclusiveReason(s));
  if (odd !== undefined) return { outcome: 'inconclusive', result: { case: describe('a new random wrong key each', rotating), status: odd, inconclusive: inconclusiveReason(odd) } };
  // A target too slow for max+1 attempts to land inside one window (or a check that ran out of
  // time) never reached the limit: nothing is known about it, which is not "no limit".
  const perWindow = (x: AttemptSeries) => (x.seconds > o.windowS ? (x.statuses.length * o.windowS) / x.seconds : x.statuses.length);
  if (perWindow(rotating) < o.max + 1 && (!repeated || perWindow(repeated) < o.max + 1)) {
    const slow = rotating.seconds > o.windowS;
    return {
      outcome: 'inconclusive',
      result: {
        case: describe('a new random wrong key each', rotating),
        status: rotating.statuses.at(-1) ?? null,
        inconclusive: slow
          ? `the attempts took ${Math.round(rotating.seconds)} s, longer than the ${o.windowS} s window: at most ${Math.floor(perWindow(rotating))} landed in one window, fewer than the ${o.max + 1} that reach the declared limit (the target answers slowly)`
          : `only ${rotating.statuses.length} of the ${o.max + 1} attempts that reach the declared limit were answered${rotating.stopped ? ` (no more were sent: ${rotating.stopped})` : ''}`,
      },
    };
  }
  if (rotating.statuses.some((s) => classify(s) === 'server-error' || s === null)) {
    return { outcome: 'not-limited', result: { case: describe('a new random wrong key each', rotating), status: null, problem: `failed attempts answered with server errors or no answer (${countStatuses(rotating.statuses)})`, class: 'issue' } };
  }
  if (repeated && limitedAt(repeated) >= 0) {
    return {
      outcome: 'per-key-only',
      result: {
        case: `${describe('a new random wrong key each', rotating)}, then ${describe('one wrong key repeated', repeated)}`,
        status: 429,
        problem: `limited only per key: ${rotating.statuses.length} attempts with rotating wrong keys were never limited, the same wrong key repeated got 429 after ${limitedAt(repeated) + 1}; an attacker who changes the key on every guess is never slowed down`,
        class: gapClass,
      },
    };
  }
  const sent = repeated ? `${describe('a new random wrong key each', rotating)}, then ${describe('one wrong key repeated', repeated)}` : describe('a new random wrong key each', rotating);
  return {
    outcome: 'not-limited',
    result: { case: sent, status: rotating.statuses.at(-1) ?? null, problem: `no failed-attempt limit: no 429 after ${all.length} failed attempts (limit declared ${o.max} per ${o.windowS} s)`, class: gapClass },
  };
}
