/**
 * Confirmation before "down": a request that failed (5xx or no answer) is asked again a few
 * times, spaced, within the time budget of the check, before its failure counts. One blip (a
 * single 500, a reset connection) must not become an outage; a failure that persists stays a
 * failure. Deterministic failures (a handler that always answers 500) are unchanged, so checks
 * judge the same answer they did before, only confirmed.
 *
 * Used by send() (src/probes/http.ts) for every check request: no check re-asks on its own.
 */
export interface ConfirmPolicy {
  /** Pause before each re-ask, ms; its length is the number of re-asks. */
  spacingMs: readonly number[];
  /** Time left for re-asks; a re-ask starts only if it can finish in it (its last attempt's duration as the estimate). */
  budgetMs: number;
}

/** Two re-asks, after 250 ms and 750 ms more: three answers within about a second for a fast failure. */
export const DEFAULT_SPACING_MS = [250, 750] as const;
/** Budget when no check is running (tools, unit tests). */
export const DEFAULT_BUDGET_MS = 5000;

export interface Attempted {
  ms: number;
}

export interface Confirmation<T> {
  /** The answer that counts: the first success among the re-asks, or the last failure. */
  final: T;
  /** Every attempt, oldest first (the first request included). */
  attempts: T[];
}

/** `again` resolves undefined when it may not ask again (e.g. no room in the request budget): confirmation stops there. */
export async function confirm<T extends Attempted>(first: T, again: () => Promise<T | undefined>, failed: (t: T) => boolean, policy: ConfirmPolicy): Promise<Confirmation<T>> {
  const attempts = [first];
  if (!failed(first)) return { final: first, attempts };
  const started = performance.now();
  let last = first;
  for (const pause of policy.spacingMs) {
    const left = policy.budgetMs - (performance.now() - started);
    if (left < pause + last.ms) break;
    await new Promise((r) => setTimeout(r, pause));
    const next = await again();
    if (next === undefined) break;
    last = next;
    attempts.push(last);
    if (!failed(last)) break;
  }
  return { final: last, attempts };
}
