/**
 * The one classification of an HTTP answer that every check interprets the same way.
 * - success (2xx), redirect (3xx)
 * - contract (400, 422 and other 4xx not named below): the request reached the handler and its
 *   shape was refused; for a valid key that means authentication passed
 * - auth (401, 403), route-missing (404, 405), rate-limited (429): never a pass for a security check
 * - server-error (5xx), no-answer (refused, reset, timed out: status null)
 */
import { z } from '../zod.ts';

export const RESPONSE_CLASSES = ['success', 'redirect', 'contract', 'auth', 'route-missing', 'rate-limited', 'server-error', 'no-answer'] as const;
export type ResponseClass = (typeof RESPONSE_CLASSES)[number];
export const responseClassSchema = z.enum(RESPONSE_CLASSES);

export function classify(status: number | null): ResponseClass {
  if (status === null) return 'no-answer';
  if (status >= 200 && status < 300) return 'success';
  if (status >= 300 && status < 400) return 'redirect';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404 || status === 405) return 'route-missing';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'server-error';
  return 'contract';
}

/** The classes that mean the service itself failed to answer (outage evidence). */
export function isFailureClass(c: ResponseClass): boolean {
  return c === 'server-error' || c === 'no-answer';
}
