/**
 * The alert state machine of one (check, environment): consecutive failures and successes,
 * and whether an incident is open. Pure: (state, observation, policy) -> (state, action).
 * - a failure increments `failures` and zeroes `successes`; a pass does the opposite;
 * - a closed incident triggers after `triggerAfter` consecutive failures, or at the first
 *   failure whose severity is at or above `immediateAt` (SEV-0 by default);
 * - an open incident escalates (a new trigger on the same dedup key) when a failure is more
 *   severe than the one it was opened with, and resolves after `resolveAfter` consecutive passes;
 * - a skipped or absent check is no observation: nothing changes.
 */
import { atLeast, severityRank, type Severity } from '../../runbooks/severity.ts';

export interface AlertPolicy {
  triggerAfter: number;
  resolveAfter: number;
  immediateAt: Severity | null;
}

export const DEFAULT_POLICY: AlertPolicy = { triggerAfter: 3, resolveAfter: 2, immediateAt: 'SEV-0' };

export interface AlertState {
  failures: number;
  successes: number;
  /** An incident is open (triggered, not yet resolved). */
  open: boolean;
  /** Severity the open incident was last triggered with. */
  severity: Severity | null;
  /** ISO time the incident opened. */
  openedAt: string | null;
}

export const INITIAL_STATE: AlertState = { failures: 0, successes: 0, open: false, severity: null, openedAt: null };

export type Observation = { kind: 'fail'; severity: Severity } | { kind: 'pass' };

export type AlertAction = { kind: 'trigger'; severity: Severity } | { kind: 'escalate'; severity: Severity } | { kind: 'resolve' };

export interface Decision {
  state: AlertState;
  action: AlertAction | null;
}

export function decide(prev: AlertState, obs: Observation, policy: AlertPolicy, now: string): Decision {
  if (obs.kind === 'pass') {
    const state: AlertState = { ...prev, failures: 0, successes: prev.successes + 1 };
    if (prev.open && state.successes >= policy.resolveAfter) {
      return { state: { ...state, open: false, severity: null, openedAt: null }, action: { kind: 'resolve' } };
    }
    return { state, action: null };
  }
  const state: AlertState = { ...prev, failures: prev.failures + 1, successes: 0 };
  if (!prev.open) {
    const immediate = policy.immediateAt !== null && atLeast(obs.severity, policy.immediateAt);
    if (state.failures >= policy.triggerAfter || immediate) {
      return { state: { ...state, open: true, severity: obs.severity, openedAt: now }, action: { kind: 'trigger', severity: obs.severity } };
    }
    return { state, action: null };
  }
  if (prev.severity !== null && severityRank(obs.severity) < severityRank(prev.severity)) {
    return { state: { ...state, severity: obs.severity }, action: { kind: 'escalate', severity: obs.severity } };
  }
  return { state, action: null };
}
