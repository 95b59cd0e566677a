/**
 * How the security checks judge answers, as pure functions: which class of security impact
 * (src/triage/impact.ts) a response stands for. The checks run many cases and report the worst.
 */
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
}

export function worst(results: readonly CaseResult[]): SecurityClass | undefined {
  let w: SecurityClass | undefined;
  for (const r of results) if (r.class && (!w || RANK[r.class] > RANK[w])) w = r.class;
  return w;
}

export function securityImpact(results: readonly CaseResult[]): Impact | undefined {
  const c = worst(results);
  return c ? { kind: 'security', class: c } : undefined;
}

/**
 * A request without a valid key must be rejected: 401 (429 once the failed-attempt limit is
 * reached; `alsoOk` adds statuses acceptable for this case, e.g. 431 for an oversized header).
 * 2xx = the endpoint served it: breach. 5xx = a rejection that inflates the error rate: issue.
 * 3xx is left to security.no-redirect. No answer or another 4xx: issue / hardening.
 */
export function judgeRejection(c: string, status: number | null, alsoOk: readonly number[] = []): CaseResult {
  if (status === null) return { case: c, status, problem: 'no answer', class: 'issue' };
  if (status === 401 || status === 429 || alsoOk.includes(status) || (status >= 300 && status < 400)) return { case: c, status };
  if (status >= 200 && status < 300) return { case: c, status, problem: `served without a valid key (${status})`, class: 'breach' };
  if (status >= 500) return { case: c, status, problem: `server error instead of 401 (${status})`, class: 'issue' };
  return { case: c, status, problem: `rejected with ${status} instead of 401`, class: 'hardening' };
}

/** "401 no key; 500 10 KB key": the failed cases, for the report's actual value. */
export function summarize(results: readonly CaseResult[]): string {
  const bad = results.filter((r) => r.problem);
  return bad.length ? bad.map((r) => `${r.case}: ${r.problem}`).join('; ') : results.map((r) => `${r.case}: ${r.status}`).join('; ');
}
