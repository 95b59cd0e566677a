/**
 * How the security checks judge answers, as pure functions over the one response
 * classification (src/http/response-class.ts): which class of security impact
 * (src/triage/impact.ts) an answer stands for, or why it proves nothing.
 *
 * A check runs many cases and reports the worst. A case that proves nothing (rate-limited 429,
 * a missing route, a request refused for its shape before authentication could be judged) is
 * *inconclusive*: it never passes a check; when nothing worse was found the check fails as a
 * monitoring gap that says what was not tested and why.
 */
import { isSuccessStatus } from '../../config/request-spec.ts';
import { classify } from '../http/response-class.ts';
import type { Impact } from '../triage/impact.ts';

export type SecurityClass = Extract<Impact, { kind: 'security' }>['class'];

const RANK: Record<SecurityClass, number> = { breach: 3, vulnerability: 2, issue: 1, hardening: 0 };

export interface CaseResult {
  /** What was sent, in words: "no key", "10 KB key". Never the key itself. */
  case: string;
  status: number | null;
  /** Why the case failed, or undefined when it passed. */
  problem?: string;
  class?: SecurityClass;
  /** Why the case proves nothing (it neither passes nor fails the check on its own). */
  inconclusive?: string;
}

export function worst(results: readonly CaseResult[]): SecurityClass | undefined {
  let w: SecurityClass | undefined;
  for (const r of results) if (r.class && (!w || RANK[r.class] > RANK[w])) w = r.class;
  return w;
}

/** The worst security class, else a monitoring gap when any case was inconclusive, else nothing (pass). */
export function securityImpact(results: readonly CaseResult[], what = 'authentication'): Impact | undefined {
  const c = worst(results);
  if (c) return { kind: 'security', class: c };
  const open = results.filter((r) => r.inconclusive);
  if (open.length) return { kind: 'gap', reason: `${what} was not tested for ${open.map((r) => `${r.case} (${r.inconclusive})`).join('; ')}` };
  return undefined;
}

/** Why an answer proves nothing about authentication, or undefined when it does. */
export function inconclusiveReason(status: number | null): string | undefined {
  switch (classify(status)) {
    case 'rate-limited':
      return `rate-limited (${status}): the service answered before judging the request`;
    case 'route-missing':
      return `route missing (${status}): the configured path does not answer this method`;
    case 'contract':
      return `refused for its shape (${status}) before the key was judged: describe the request (CREDLINK_PROTECTED_*)`;
    default:
      return undefined;
  }
}

/**
 * A case whose request got no answer (timed out, refused, reset): it proves nothing, so it never
 * passes; undefined when it was answered. Checks that pass on "nothing bad in the answer" use it
 * first, so a timeout cannot look like a clean answer.
 */
export function unanswered(c: string, s: { status: number | null; error?: string }): CaseResult | undefined {
  return s.status === null ? { case: c, status: null, inconclusive: `no answer (${s.error ?? 'no response'}): nothing was judged` } : undefined;
}

/**
 * A request without a valid key must be refused with 401. 2xx (or a status the environment
 * lists as success) = served: breach. 5xx or no answer: issue. 403: hardening. 3xx is left to
 * security.no-redirect. 429, 404/405, 400/422: inconclusive (`alsoOk` statuses are fine for
 * this case, e.g. 431 for an oversized header).
 */
export function judgeRejection(c: string, status: number | null, alsoOk: readonly number[] = [], success: readonly string[] = ['2xx']): CaseResult {
  if (status !== null && alsoOk.includes(status)) return { case: c, status };
  if (isSuccessStatus(success, status) || classify(status) === 'success') return { case: c, status, problem: `served without a valid key (${status})`, class: 'breach' };
  switch (classify(status)) {
    case 'no-answer':
      return { case: c, status, problem: 'no answer', class: 'issue' };
    case 'redirect':
      return { case: c, status };
    case 'server-error':
      return { case: c, status, problem: `server error instead of 401 (${status})`, class: 'issue' };
    case 'auth':
      return status === 401 ? { case: c, status } : { case: c, status, problem: `rejected with ${status} instead of 401`, class: 'hardening' };
    default:
      return { case: c, status, inconclusive: inconclusiveReason(status) };
  }
}

/**
 * Did this answer accept a key? Success (or a listed success status) = yes. A contract refusal
 * (400/422) = yes too when the same request without a key was refused with 401/403: the key got
 * the request past authentication, only its shape was refused. Unknown when the request without a
 * key was served too, or the answer proves nothing (no answer, 429, 404/405). Otherwise no.
 */
export function keyAccepted(status: number | null, success: readonly string[], keylessStatus: number | null): 'yes' | 'no' | 'unknown' {
  // Served without any key: where a key is, or which, says nothing (security.no-key-rejected reports the breach).
  if (isSuccessStatus(success, keylessStatus) || classify(keylessStatus) === 'success') return 'unknown';
  // No answer (timeout, refused) is not a refusal: nothing was judged, never a pass.
  if (status === null) return 'unknown';
  if (isSuccessStatus(success, status) || classify(status) === 'success') return 'yes';
  const cls = classify(status);
  if (cls === 'contract') return classify(keylessStatus) === 'auth' ? 'yes' : 'unknown';
  if (cls === 'rate-limited' || cls === 'route-missing') return 'unknown';
  return 'no';
}

export type ValidKeyVerdict =
  | { kind: 'accepted' }
  /** Authentication passed; the request's shape was refused (400/422 or an unlisted 2xx): security.request-contract. */
  | { kind: 'contract'; status: number }
  | { kind: 'rejected'; status: number | null }
  | { kind: 'inconclusive'; reason: string }
  | { kind: 'redirect'; status: number };

/** The valid-key probe's answer. A 400/422 to a valid key is a contract gap, never a lockout. */
export function judgeValidKey(status: number | null, success: readonly string[]): ValidKeyVerdict {
  if (isSuccessStatus(success, status)) return { kind: 'accepted' };
  switch (classify(status)) {
    case 'success':
    case 'contract':
      return { kind: 'contract', status: status! };
    case 'redirect':
      return { kind: 'redirect', status: status! };
    case 'rate-limited':
    case 'route-missing':
      return { kind: 'inconclusive', reason: inconclusiveReason(status)! };
    default:
      return { kind: 'rejected', status };
  }
}

/**
 * The baseline of the checks that judge other keys against the valid one (key-strict, derived keys):
 * "every other key is refused" proves something only where the valid key itself is served. When the
 * valid-key probe is refused (401/403, an auth wall), a refusal of every other key is what the wall
 * answers anyway: the check cannot pass, it is a gap that follows from the refused valid key
 * (rule valid-keys-rejected makes it a consequence of that incident). Undefined when the baseline holds
 * or the valid-key answer is judged elsewhere (429, 404, 5xx, no answer have incidents of their own).
 */
export function refusedBaseline(validStatus: number | null, success: readonly string[]): CaseResult | undefined {
  const v = judgeValidKey(validStatus, success);
  if (v.kind !== 'rejected' || classify(validStatus) !== 'auth') return undefined;
  return { case: 'the valid key (baseline)', status: validStatus, inconclusive: `the valid key itself is refused (${validStatus}), so other keys being refused proves nothing (security.valid-key-accepted reports it)` };
}

/** "401 no key; 500 10 KB key": the failed cases (else the inconclusive ones), for the report's actual value. */
export function summarize(results: readonly CaseResult[]): string {
  const bad = results.filter((r) => r.problem);
  if (bad.length) return bad.map((r) => `${r.case}: ${r.problem}`).join('; ');
  const open = results.filter((r) => r.inconclusive);
  if (open.length) return open.map((r) => `${r.case}: not tested, ${r.inconclusive}`).join('; ');
  return results.map((r) => `${r.case}: ${r.status}`).join('; ');
}

/** "21x 401, 3x 429": statuses of a series of attempts. */
export function countStatuses(statuses: readonly (number | null)[]): string {
  return [...new Set(statuses)].map((st) => `${statuses.filter((x) => x === st).length}x ${st ?? 'no answer'}`).join(', ');
}
