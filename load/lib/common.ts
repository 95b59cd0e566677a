/**
 * What every scenario shares (k6 runtime, not Node): the target from __ENV, one probe
 * iteration over the configured paths, thresholds from the runbook, and handleSummary writing
 * k6-summary.json into the run's report folder (CREDLINK_RUN_DIR), where
 * `credlink-checks load` reads it back.
 */
import http from 'k6/http';
import { check } from 'k6';
import type { Options } from 'k6/options';
import { k6Thresholds, limitsFromEnv, PROBE_TAG, thresholdRules } from './thresholds.ts';

export const BASE_URL = (__ENV.CREDLINK_BASE_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
export const PATHS = (__ENV.CREDLINK_PROBE_PATHS ?? '/health,/api/v1/status,/api/v1/health').split(',').filter((p) => p.length > 0);
export const thresholds = k6Thresholds(thresholdRules(limitsFromEnv(__ENV)));

/** One request to each probed path; the API key is never sent (health paths need none). */
export function probe(): void {
  for (const path of PATHS) {
    const res = http.get(`${BASE_URL}${path}`, {
      tags: { [PROBE_TAG]: 'yes', endpoint: path },
      timeout: `${__ENV.CREDLINK_REQUEST_TIMEOUT_MS ?? '10000'}ms`,
      redirects: 0,
    });
    check(res, { 'status is 2xx': (r) => r.status >= 200 && r.status < 300 });
  }
}

/** k6 calls this at the end; the JSON is what src/load/summary.ts maps to runbook sections. */
export function summaryFiles(data: object, scenario: string): Record<string, string> {
  const dir = __ENV.CREDLINK_RUN_DIR;
  const json = JSON.stringify({ scenario, ...data }, null, 2);
  const line = `credlink-checks: k6 scenario "${scenario}" finished; summary ${dir ? `in ${dir}/k6-summary.json` : 'on stdout (CREDLINK_RUN_DIR unset)'}\n`;
  return dir ? { [`${dir}/k6-summary.json`]: json, stdout: line } : { stdout: json };
}

/**
 * Options of an open-model scenario: a constant arrival rate (RATE iterations/s, default
 * `defaults.rate`) for DURATION, with enough VUs that a slow service cannot throttle the load.
 */
export function constantArrivalOptions(name: string, defaults: { rate: number; duration: string }): Options {
  const rate = Number(__ENV.RATE ?? String(defaults.rate));
  return {
    scenarios: {
      [name]: {
        executor: 'constant-arrival-rate',
        rate,
        timeUnit: '1s',
        duration: __ENV.DURATION ?? defaults.duration,
        preAllocatedVUs: Math.max(10, rate * 2),
        maxVUs: Math.max(50, rate * 10),
      },
    },
    thresholds,
  };
}
