/**
 * k6 thresholds generated from the runbook's alert thresholds, each rule tagged with the catalog
 * id it stands for and its tier. Plain data and pure functions, no k6 or Node imports: the k6
 * scripts build `options.thresholds` from it, and the Node side (src/load/summary.ts) maps a
 * failed threshold back to its check, runbook section and severity with the same table.
 */
import { alertThresholds } from '../../runbooks/thresholds.ts';

export interface LoadLimits {
  responseTimeMs: { warning: number; critical: number };
  errorRate: { warning: number; critical: number };
}

export interface ThresholdRule {
  /** k6 metric (or submetric) the threshold is on. */
  metric: string;
  /** k6 threshold expression, e.g. "p(95)<2000". */
  expression: string;
  /** Catalog id of the invariant (runbooks/catalog.ts). */
  checkId: 'perf.latency' | 'perf.error-rate';
  /** warning/critical: the alert tier crossed when the threshold fails; invalid: the run proves nothing. */
  tier: 'warning' | 'critical' | 'invalid';
  /** Value the threshold compares with (ms, ratio, count). */
  limit: number;
}

export const RUNBOOK_LIMITS: LoadLimits = {
  responseTimeMs: { ...alertThresholds.responseTimeMs },
  errorRate: { ...alertThresholds.errorRate },
};

/** Requests the thresholds judge carry this tag (the scenarios set it). */
export const PROBE_TAG = 'credlink_probe';

export function thresholdRules(l: LoadLimits): ThresholdRule[] {
  const duration = `http_req_duration{${PROBE_TAG}:yes}`;
  const failed = `http_req_failed{${PROBE_TAG}:yes}`;
  return [
    { metric: duration, expression: `p(95)<${l.responseTimeMs.warning}`, checkId: 'perf.latency', tier: 'warning', limit: l.responseTimeMs.warning },
    { metric: duration, expression: `p(95)<${l.responseTimeMs.critical}`, checkId: 'perf.latency', tier: 'critical', limit: l.responseTimeMs.critical },
    { metric: failed, expression: `rate<${l.errorRate.warning}`, checkId: 'perf.error-rate', tier: 'warning', limit: l.errorRate.warning },
    { metric: failed, expression: `rate<${l.errorRate.critical}`, checkId: 'perf.error-rate', tier: 'critical', limit: l.errorRate.critical },
    // An arrival-rate run that could not start iterations hid latency (coordinated omission).
    { metric: 'dropped_iterations', expression: 'count<1', checkId: 'perf.latency', tier: 'invalid', limit: 1 },
  ];
}

/** `options.thresholds` for k6. */
export function k6Thresholds(rules: readonly ThresholdRule[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of rules) (out[r.metric] ??= []).push(r.expression);
  return out;
}

/** Limits from k6 `__ENV` (set by `credlink-checks load` from the environment file), runbook values otherwise. */
export function limitsFromEnv(env: Record<string, string | undefined>): LoadLimits {
  const num = (k: string, d: number) => {
    const v = Number(env[k]);
    return env[k] !== undefined && env[k] !== '' && Number.isFinite(v) && v > 0 ? v : d;
  };
  return {
    responseTimeMs: {
      warning: num('CREDLINK_RESPONSE_WARN_MS', RUNBOOK_LIMITS.responseTimeMs.warning),
      critical: num('CREDLINK_RESPONSE_CRIT_MS', RUNBOOK_LIMITS.responseTimeMs.critical),
    },
    errorRate: {
      warning: num('CREDLINK_ERROR_RATE_WARN', RUNBOOK_LIMITS.errorRate.warning),
      critical: num('CREDLINK_ERROR_RATE_CRIT', RUNBOOK_LIMITS.errorRate.critical),
    },
  };
}
