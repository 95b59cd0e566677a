/**
 * What a failing check measured about the damage, recorded at run time (checks/fixtures.ts)
 * and turned into a severity by src/triage/severity-policy.ts.
 */
import { z } from '../zod.ts';

export const impactSchema = z.discriminatedUnion('kind', [
  /** The endpoint did not answer, or answered 5xx: it counts toward its group's outage share. */
  z.object({ kind: z.literal('unavailable'), status: z.number().nullable() }),
  /** A share of the units (pods, endpoints, origins) is affected. */
  z.object({ kind: z.literal('affected'), fraction: z.number().min(0).max(1) }),
  /**
   * A measured value crossed an alert threshold tier. Ratios are fractions (0.06 = 6%), times ms
   * (the catalog entry's `threshold` says which); `scope` names where it was measured ("GET /health").
   */
  z.object({ kind: z.literal('threshold'), tier: z.enum(['warning', 'critical']), value: z.number(), limit: z.number(), scope: z.string().optional() }),
  /**
   * A one-shot request failed (5xx or no answer) and then succeeded when asked again: intermittent
   * errors, counted; too few requests to measure an error rate, never an outage.
   */
  z.object({ kind: z.literal('intermittent'), call: z.string(), failed: z.number().int().nonnegative(), attempts: z.number().int().positive() }),
  /** Performance is worse than a baseline by this many percent. */
  z.object({ kind: z.literal('degradation'), percent: z.number() }),
  /** breach = data exposed or auth bypassed; vulnerability = exploitable in production; issue = non-critical; hardening = best practice missing. */
  z.object({ kind: z.literal('security'), class: z.enum(['breach', 'vulnerability', 'issue', 'hardening']) }),
  /**
   * The service reports something about itself (checks.database "unknown") that nothing the
   * monitor can see corroborates: at most SEV-2; `corroborate` says what would (DATABASE_URL, Prometheus).
   */
  z.object({ kind: z.literal('unverified'), claim: z.string(), corroborate: z.string() }),
  /** The check could not see what it should (no data, no permission): a monitoring gap. */
  /** cause 'rate-limit': the request was not sent, the target's rate limit left no room (a 429, or nothing remaining). */
  z.object({ kind: z.literal('gap'), reason: z.string(), cause: z.literal('rate-limit').optional() }),
]);

export type Impact = z.infer<typeof impactSchema>;
