/**
 * Where a monitor runs: its location ("eu", "us-east-1", "office"). Several daemons in different
 * places can check the same environments; every metric, runbook.json, incident and page says
 * where it was seen, and Prometheus/Alertmanager aggregate across locations (docs/scale-out.md). A property of the process, not of an environment: CREDLINK_LOCATION in the process
 * environment wins over schedule.json `location`; neither set = DEFAULT_LOCATION.
 */
import { z } from '../src/zod.ts';

/**
 * Stable when nothing is configured. Not the host name: in a Deployment that is the pod name,
 * which changes on every rollout and would start new metric series each time.
 */
export const DEFAULT_LOCATION = 'default';

/** A Prometheus label value that is also readable in a page: letters, digits, ".", "_", "-". */
export const locationSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. eu, us-east-1)');

/** Why a location value is refused, or null. */
export function locationProblem(value: string): string | null {
  const r = locationSchema.safeParse(value);
  return r.success ? null : `"${value}" ${r.error.issues[0]?.message ?? 'is not a location'}`;
}
