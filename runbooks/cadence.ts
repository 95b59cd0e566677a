/**
 * How often each check runs under the monitoring daemon, beside the catalog: plain data
 * (principle 18: a result carries its time and validity; past it, it is stale, never passed).
 *
 * - `every`: seconds between runs of the check, or 'window': judged by the continuous sampler at
 *   every round (src/monitor/); without a sampler (an embedded target, `window.enabled: false`)
 *   a window check runs every WINDOW_FALLBACK_SECONDS.
 * - `requests` / `failedAttempts`: requests to the target one run of the check sends, and how
 *   many of them fail authentication (counted against CREDLINK_AUTH_FAIL_LIMIT apart). Counted
 *   from the checks' code (checks/), the sharing of answers between the auth checks ignored:
 *   an upper bound. Checks that talk only to PostgreSQL, Kubernetes or Prometheus send none.
 * - A result is valid for 2 x `every` + VALIDITY_GRACE_SECONDS.
 *
 * Measured (bench `monitor` section): a due-check run is a Playwright run of about 4 CPU-s
 * whatever it checks, so the checks are grouped on cadences that fall together (5 minutes,
 * 30 minutes, hourly): a 60 s cadence for the health document, database and Kubernetes checks cost
 * about 8% of a core, against a goal of 2% for the whole monitor. What must be seen within
 * seconds (an outage, errors, slowness) is the window's, at every round. When cadences fall
 * together (every 30 minutes, every hour) their checks share one run, which may span RUN_WINDOWS
 * windows of what the sampler leaves of the limit (36 requests a window at 100/min): the 5-minute
 * checks send 17, the 30-minute ones 32 (what changes only with a deploy: CORS, headers, how keys
 * are parsed), the hourly ones 33; more than that is split into runs a window apart (batchDue).
 *
 * schedule.json `cadence` overrides `every` per environment ("security.cors-*": 900).
 * Rules are matched in order; the first rule naming a check wins.
 */
export interface CadenceRule {
  checks: readonly string[];
  every: number | 'window';
  requests: number;
  failedAttempts: number;
  why: string;
}

export const WINDOW_FALLBACK_SECONDS = 60;
export const VALIDITY_GRACE_SECONDS = 60;

export const cadenceRules: readonly CadenceRule[] = [
  {
    checks: ['health.root', 'health.status', 'health.api-health', 'perf.latency', 'perf.error-rate'],
    every: 'window',
    requests: 1,
    failedAttempts: 0,
    why: 'availability, p95 and error rate: the sampler asks every round and judges the window',
  },
  {
    checks: ['health.document', 'health.self-status', 'health.database-reported', 'health.database-truthful'],
    every: 300,
    requests: 1,
    failedAttempts: 0,
    why: 'one GET of the health document: cheap, and the database as the service sees it',
  },
  { checks: ['health.latency'], every: 300, requests: 3, failedAttempts: 0, why: 'three timed GETs of the health path for the trend chart' },
  { checks: ['db.*'], every: 300, requests: 0, failedAttempts: 0, why: 'PostgreSQL only (read-only role, statement timeout): no request to the API' },
  { checks: ['perf.db-latency'], every: 300, requests: 0, failedAttempts: 0, why: 'up to 60 SELECT 1 round trips: not worth more often than the window' },
  { checks: ['perf.degradation'], every: 300, requests: 0, failedAttempts: 0, why: 'compares with baseline runs; its samples come from the probe' },
  { checks: ['k8s.*'], every: 300, requests: 0, failedAttempts: 0, why: 'reads of the Kubernetes API (pods, events, metrics): cheap, and what pages a crash loop' },
  { checks: ['prom.*'], every: 300, requests: 0, failedAttempts: 0, why: 'one instant query each: Prometheus already judges [5m]' },
  {
    checks: ['security.valid-key-accepted', 'security.restricted-key-forbidden', 'security.no-redirect', 'security.request-contract'],
    every: 300,
    requests: 1,
    failedAttempts: 0,
    why: 'the key matrix: a key that stops working is also seen by the sampler\'s valid-key call, when declared',
  },
  { checks: ['security.no-key-rejected', 'security.wrong-key-rejected'], every: 300, requests: 1, failedAttempts: 1, why: 'one refused request each' },
  { checks: ['security.malformed-keys-rejected'], every: 1800, requests: 6, failedAttempts: 6, why: 'six malformed keys: how keys are parsed changes only with a deploy' },
  { checks: ['security.key-strict'], every: 1800, requests: 4, failedAttempts: 4, why: 'the key in the ways the environment does not declare: changes only with a deploy' },
  { checks: ['security.error-disclosure', 'security.key-not-echoed'], every: 300, requests: 2, failedAttempts: 1, why: 'error bodies of refused and malformed requests' },
  { checks: ['security.cors-no-any-origin'], every: 1800, requests: 12, failedAttempts: 0, why: 'preflights from any origin and the look-alikes of an allowed one (null, suffix, prefix, http): the allow-list changes only with a deploy' },
  { checks: ['security.cors-allowed-origins'], every: 1800, requests: 5, failedAttempts: 0, why: 'a preflight per allowed origin and endpoint, and one actual GET from an allowed origin: the allow-list changes only with a deploy' },
  { checks: ['security.cors-*'], every: 1800, requests: 4, failedAttempts: 0, why: 'preflights per allowed origin and one disallowed origin: the allow-list changes only with a deploy' },
  { checks: ['security.headers'], every: 1800, requests: 1, failedAttempts: 0, why: 'headers of one answer: changes only with a deploy' },
  { checks: ['security.derived-keys-rejected'], every: 3600, requests: 12, failedAttempts: 12, why: 'a dozen refused keys: costly against the failed-attempt limit, changes only with a deploy (and the gate runs it)' },
  { checks: ['security.auth-rate-limit'], every: 3600, requests: 21, failedAttempts: 21, why: 'fills one failed-attempt window on purpose (max + 1): hourly, and in the gate' },
  { checks: ['security.rate-limits-declared'], every: 300, requests: 0, failedAttempts: 0, why: 'reads the 429s the other checks of its run received inside the declared limits: no request of its own' },
  { checks: ['manual.*'], every: 86_400, requests: 0, failedAttempts: 0, why: 'not automatable: never run, listed for completeness' },
];
