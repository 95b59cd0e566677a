/**
 * The `status` of a health document, read as the IETF health-check response format draft
 * (draft-inadarei-api-health-check, "status") defines it, with the aliases it accepts (Node's
 * Terminus "ok"/"error", Spring Boot "up"/"down") and the ones common services add
 * ("healthy"/"unhealthy", "degraded"). Pure.
 */
export type HealthStatusClass = 'pass' | 'warn' | 'fail' | 'unknown';

export const HEALTH_STATUS_VALUES: Readonly<Record<Exclude<HealthStatusClass, 'unknown'>, readonly string[]>> = {
  pass: ['pass', 'ok', 'up', 'healthy'],
  // "healthy, with some concerns": the draft serves it with 2xx-3xx.
  warn: ['warn', 'warning', 'degraded'],
  fail: ['fail', 'error', 'down', 'unhealthy'],
};

export function classifyHealthStatus(value: unknown): HealthStatusClass {
  if (typeof value !== 'string') return 'unknown';
  const v = value.trim().toLowerCase();
  for (const [cls, values] of Object.entries(HEALTH_STATUS_VALUES)) if (values.includes(v)) return cls as HealthStatusClass;
  return 'unknown';
}
