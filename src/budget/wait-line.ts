/**
 * The one terminal line that announces a wait for a rate-limit window (longer than
 * WAIT_NOTICE_MS, src/budget/ledger.ts): what waits, for which limit, how long and why. Pure.
 *
 * A check's worker writes it to stderr with WAIT_LINE_MARK in front; the runbook reporter
 * (src/reporter/runbook-reporter.ts) passes marked lines on to the terminal, nothing else a
 * worker prints.
 */
import type { WaitNotice } from './ledger.ts';

export const WAIT_LINE_MARK = '\u0001credlink-wait ';

const seconds = (ms: number) => Math.max(1, Math.round(ms / 1000));

export function waitLine(w: WaitNotice, what: { checkId?: string; call: string }): string {
  const who = what.checkId ? `${what.checkId} sends ${what.call} next` : `${what.call} is next`;
  const s = seconds(w.waitMs);
  if (w.held) {
    const why = w.heldBy === 'nothing-remaining' ? 'an answer it served said nothing remains of its limit (RateLimit-Remaining: 0, no 429 received)' : 'the target answered 429 (Retry-After)';
    return `waiting ${s} s: ${why}, for ${what.call}; ${who}`;
  }
  const kind = w.scope.id.startsWith('auth-fail') ? 'the failed-attempt limit ' : w.scope.id === 'client' ? 'the per-client limit ' : 'the limit ';
  return `waiting ${s} s for room under ${kind}${w.scope.label}: its 80% share, ${w.scope.limit} in any ${seconds(w.scope.windowMs)} s, is used up; ${who}`;
}
