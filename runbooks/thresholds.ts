/**
 * The runbook's "Alert Thresholds" (Monitoring & Alerting), as numbers.
 * Ratios are fractions (0.01 = 1%). Times are milliseconds.
 * Environments may override each value (see config/schema.ts).
 */
export const alertThresholds = {
  errorRate: { warning: 0.01, critical: 0.05 },
  responseTimeMs: { warning: 2000, critical: 5000 },
  memoryRatio: { warning: 0.8, critical: 0.95 },
  cpuRatio: { warning: 0.7, critical: 0.9 },
  dbConnectionsRatio: { warning: 0.8, critical: 0.95 },
} as const;

/**
 * Not in the runbook: our defaults for a single `SELECT 1` round trip. The runbook's
 * "Slow Response Times" section measures it but names no limit.
 */
export const databaseRoundTripMs = { warning: 250, critical: 1000 } as const;

export type ThresholdName = keyof typeof alertThresholds;
export interface Tier {
  warning: number;
  critical: number;
}

/** Which tier a measured value falls into; higher is worse for every threshold here. */
export function tierOf(value: number, t: Tier): 'ok' | 'warning' | 'critical' {
  if (value > t.critical) return 'critical';
  if (value > t.warning) return 'warning';
  return 'ok';
}
