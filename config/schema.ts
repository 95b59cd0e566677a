/**
 * The environment schema: every variable an environment file may set.
 * Each field's `.describe()` is its documentation, its metadata (`default`, `secret`) the rest of
 * its row in docs/reference/configuration.md, which `npm run docs` generates from this file.
 * Empty string = unset. Values may reference the process environment as ${NAME}.
 */
import { z } from '../src/zod.ts';
import { SEVERITIES } from '../runbooks/severity.ts';
import {
  METHODS,
  parseForm,
  parseHeaders,
  parseJsonBody,
  parseLimitPer,
  parsePathLimits,
  parsePresentations,
  parseRate,
  parseSuccess,
  type Parsed,
} from './request-spec.ts';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const opt = <T extends z.ZodType>(t: T) => z.preprocess(blankToUndefined, t.optional());
/** The default is also recorded as metadata (`default`, as written in a file) for the reference page. */
const withDefault = <T extends z.ZodType>(t: T, d: z.input<T>) => z.preprocess(blankToUndefined, t.prefault(d as never)).meta({ default: String(d) });
/** Metadata of a variable that holds a secret: reference it as ${VAR}; every output scrubs it (config/resolved.ts secretsOf). */
const SECRET = { secret: true } as const;

const httpUrl = z
  .string()
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL such as https://staging.credlink.example');
const path = z.string().regex(/^\/[^\s]*$/, 'must be a path starting with "/"');
/** A path, or "none": this deployment has no such endpoint (its checks skip, saying so). */
const pathOrNone = z
  .string()
  .regex(/^(\/[^\s]*|none)$/i, 'must be a path starting with "/", or none when this deployment has no such endpoint')
  .transform((s) => (s.toLowerCase() === 'none' ? null : s));
/** A string parsed by one of config/request-spec.ts's parsers; its problem becomes the issue message. */
const parsedBy = <T>(fn: (s: string) => Parsed<T>) =>
  z.string().transform((s, ctx) => {
    const r = fn(s);
    if (r.ok) return r.value;
    ctx.issues.push({ code: 'custom', message: r.problem, input: s });
    return z.NEVER;
  });
const method = z.enum(METHODS);
/** A value, or none: declared absent (the check that needs it skips, saying so). */
const queryOrNone = z.string().transform((s) => (s.trim().toLowerCase() === 'none' ? null : s));
const metricOrNone = queryOrNone.refine((v) => v === null || /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(v), 'must be a metric name or none');
const headers = parsedBy((s) => parseHeaders(s));
const jsonBody = parsedBy(parseJsonBody);
const form = parsedBy(parseForm);
const success = parsedBy(parseSuccess);
const list = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const origins = list.pipe(
  z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'each origin must be scheme://host[:port] with no path')),
);
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v));
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const pct = z.coerce.number().gt(0).lte(100);
const ms = int(1, 600_000);

export const envSchema = z.object({
  CREDLINK_TARGET: withDefault(z.enum(['embedded', 'remote']), 'remote').describe(
    '"embedded" starts the reference CredLink target on 127.0.0.1 (the local environment); "remote" checks CREDLINK_BASE_URL',
  ),
  CREDLINK_BASE_URL: opt(httpUrl).describe('Base URL of the CredLink API, no trailing path (required when CREDLINK_TARGET=remote)').meta({ defaultText: 'unset (required for remote)' }),
  CREDLINK_PRODUCTION: withDefault(bool, 'false').describe(
    'true for a production environment: load tests refuse it and rate-budget checks stay off unless enabled',
  ),
  CREDLINK_API_KEYS: opt(list).describe(
    'Comma-separated API keys the checks may use; the first is the probe key. Secret: reference it as ${VAR} from the process environment',
  ).meta(SECRET),
  CREDLINK_ALLOWED_ORIGINS: withDefault(origins, '').describe('Comma-separated origins the API must allow (CORS)'),
  CREDLINK_HEALTH_PATH: withDefault(pathOrNone, '/health').describe('Path of the main health endpoint, or none'),
  CREDLINK_STATUS_PATH: withDefault(pathOrNone, '/api/v1/status').describe('Path of the status endpoint, or none'),
  CREDLINK_API_HEALTH_PATH: withDefault(pathOrNone, '/api/v1/health').describe('Path of the versioned health endpoint, or none'),
  CREDLINK_HEALTH_REQUIRED_FIELDS: withDefault(list, '').describe(
    'Fields the /health document must carry besides checks.database (which the runbook reads), dotted, e.g. version,uptime; default none',
  ),
  CREDLINK_PROTECTED_METHOD: withDefault(method, 'POST').describe('HTTP method of the protected call used by the auth checks: GET, POST, PUT, PATCH or DELETE'),
  CREDLINK_PROTECTED_PATH: withDefault(pathOrNone, '/api/v1/sign').describe('Path of the protected call used by the auth checks, or none (the auth checks skip)'),
  CREDLINK_PROTECTED_HEADERS: opt(headers).describe('Extra request headers of the protected call: "Name: value; Name: value" (no credentials: keys are sent by the checks)'),
  CREDLINK_PROTECTED_BODY: opt(jsonBody).describe('JSON body of the protected call, or none (default {"document":"credlink-checks probe"} for POST/PUT/PATCH)').meta({ defaultText: '{"document":"credlink-checks probe"} for POST/PUT/PATCH' }),
  CREDLINK_PROTECTED_FORM: opt(form).describe(
    'Multipart body instead of JSON: "image=@png; title=probe" (text fields, and file parts @png / @jpeg the tool generates as small valid images)',
  ),
  CREDLINK_PROTECTED_SUCCESS: withDefault(success, '2xx').describe('Statuses that count as success of the protected call with a valid key: 200,201 or 2xx'),
  DATABASE_URL: opt(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')).describe(
    'PostgreSQL URL for the read-only database probe (a role without write grants). Unset: database checks skip (embedded: the tool provides one)',
  ).meta(SECRET),
  KUBECONFIG: opt(z.string()).describe('Path of the kubeconfig; unset = default kubeconfig, or the in-cluster service account').meta({ defaultText: '~/.kube/config, or the in-cluster service account; local: the Kubernetes API simulator' }),
  KUBE_CONTEXT: opt(z.string()).describe('kubeconfig context to use; unset = current context'),
  KUBE_NAMESPACE: opt(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes namespace name')).describe(
    'Namespace of the CredLink deployment. Unset: Kubernetes checks skip',
  ),
  KUBE_DEPLOYMENT: withDefault(z.string(), 'credlink-api').describe('Deployment name'),
  KUBE_LABEL_SELECTOR: withDefault(z.string(), 'app=credlink-api').describe('Label selector of the API pods'),
  CREDLINK_RESPONSE_WARN_MS: withDefault(ms, '2000').describe('Response time warning threshold (runbook: 2 s)'),
  CREDLINK_RESPONSE_CRIT_MS: withDefault(ms, '5000').describe('Response time critical threshold (runbook: 5 s)'),
  CREDLINK_ERROR_RATE_WARN_PCT: withDefault(pct, '1').describe('Error rate warning threshold, percent (runbook: 1)'),
  CREDLINK_ERROR_RATE_CRIT_PCT: withDefault(pct, '5').describe('Error rate critical threshold, percent (runbook: 5)'),
  CREDLINK_MEMORY_WARN_PCT: withDefault(pct, '80').describe('Memory usage warning threshold, percent of limit (runbook: 80)'),
  CREDLINK_MEMORY_CRIT_PCT: withDefault(pct, '95').describe('Memory usage critical threshold, percent of limit (runbook: 95)'),
  CREDLINK_CPU_WARN_PCT: withDefault(pct, '70').describe('CPU usage warning threshold, percent of limit (runbook: 70)'),
  CREDLINK_CPU_CRIT_PCT: withDefault(pct, '90').describe('CPU usage critical threshold, percent of limit (runbook: 90)'),
  CREDLINK_DB_CONN_WARN_PCT: withDefault(pct, '80').describe('Database connections warning threshold, percent of max_connections (runbook: 80)'),
  CREDLINK_DB_CONN_CRIT_PCT: withDefault(pct, '95').describe('Database connections critical threshold, percent of max_connections (runbook: 95)'),
  CREDLINK_DB_RTT_WARN_MS: withDefault(ms, '250').describe('SELECT 1 round trip / mean statement time warning threshold (not in the runbook)'),
  CREDLINK_DB_RTT_CRIT_MS: withDefault(ms, '1000').describe('SELECT 1 round trip / mean statement time critical threshold (not in the runbook)'),
  CREDLINK_REQUEST_TIMEOUT_MS: withDefault(ms, '10000').describe('Deadline of every HTTP request a check sends, for connecting, the headers and the whole body'),
  CREDLINK_DB_CONNECT_TIMEOUT_MS: withDefault(ms, '5000').describe('Database connection timeout'),
  CREDLINK_DB_STATEMENT_TIMEOUT_MS: withDefault(ms, '5000').describe('Database statement timeout'),
  CREDLINK_CHECK_TIMEOUT_MS: withDefault(ms, '60000').describe('Upper bound for one check, all its requests included'),
  CREDLINK_RUN_TIMEOUT_MS: withDefault(int(10_000, 7_200_000), '600000').describe('Upper bound for one run of the suite, 10000 (10 s) to 7200000 (2 h): checks still running then are stopped, the findings so far stand and the run says so; a run that found nothing is interrupted, never healthy'),
  CREDLINK_RETRIES: withDefault(int(0, 3), '0').describe('Retries of a failed check; a check that passes on retry is reported as flaky'),
  CREDLINK_FAIL_ON: withDefault(z.enum(SEVERITIES), 'SEV-3').describe(
    'Least severe incident that makes run, drill and gate exit 1 (SEV-3 = any incident); --fail-on overrides it',
  ),
  // --- Operating modes (issue 6): alerting of `schedule`, the Service read by `cutover --after-switch` ---
  CREDLINK_SLACK_WEBHOOK_URL: opt(httpUrl).describe(
    'Slack incoming webhook URL for alerts. Secret: reference it as ${VAR}. Unset: no Slack alerts',
  ).meta(SECRET),
  CREDLINK_PAGERDUTY_ROUTING_KEY: opt(z.string().min(8, 'must be a PagerDuty Events API v2 integration (routing) key')).describe(
    'PagerDuty Events API v2 routing key for alerts. Secret: reference it as ${VAR}. Unset: no PagerDuty alerts',
  ).meta(SECRET),
  CREDLINK_PAGERDUTY_EVENTS_URL: withDefault(httpUrl, 'https://events.pagerduty.com/v2/enqueue').describe(
    'PagerDuty Events API v2 endpoint (override only for a proxy or a test receiver)',
  ),
  CREDLINK_ALERT_ROUTES: withDefault(z.string(), 'SEV-0=pagerduty+slack,SEV-1=pagerduty+slack,SEV-2=pagerduty+slack,SEV-3=slack').describe(
    'Which channels each severity pages: SEV-n=channel+channel,... with channels pagerduty, slack or none; a channel that is not configured is skipped',
  ),
  CREDLINK_ALERT_TRIGGER_AFTER: withDefault(int(1, 100), '3').describe('schedule: consecutive runs in which an incident is present before it pages'),
  CREDLINK_ALERT_RESOLVE_AFTER: withDefault(int(1, 100), '2').describe('schedule: consecutive runs without the incident (that executed a check which formed it) before it resolves'),
  CREDLINK_ALERT_IMMEDIATE: withDefault(z.enum([...SEVERITIES, 'none']), 'SEV-0').describe(
    'schedule: incidents at or above this severity page at the first run that finds them ("none": always wait for CREDLINK_ALERT_TRIGGER_AFTER)',
  ),
  // The runbook is configured once: set these in the process environment (every environment
  // file inherits them, see RUNBOOK_VARS) or, to override, in an environment file.
  CREDLINK_RUNBOOK_URL: opt(httpUrl).describe(
    "Web address of the team's runbook (e.g. RUNBOOK.md in the team's repository): every output links a section as <url>#<anchor>. Unset, with CREDLINK_RUNBOOK_PATH unset too: sections are named without links",
  ).meta({ defaultText: 'inherited from the process environment' }),
  CREDLINK_RUNBOOK_PATH: opt(z.string().min(1)).describe(
    'Local path of the runbook markdown file: the daemon serves it at /runbook and every run writes runbook.html beside index.html, both annotated with the current state of the checks that cover each section (the living runbook); HTML reports and the status page link there',
  ).meta({ defaultText: 'inherited from the process environment' }),
  KUBE_SERVICE: withDefault(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes Service name'), 'credlink-api-service').describe(
    'Service whose selector picks the live colour (blue-green cutover)',
  ),
  KUBE_COLOR_LABEL: withDefault(z.string().min(1), 'environment').describe('Label key in the Service selector that names the colour (runbook: environment)'),
  // Performance probes, baselines and Prometheus (issue 5: checks/performance, src/perf, load/).
  CREDLINK_PROBE_SAMPLES: withDefault(int(1, 100_000), '100').describe(
    'Requests per probed endpoint for p50/p95/p99 and error rate; below 59 a p95 is "insufficient data"',
  ),
  CREDLINK_PROBE_RATE: withDefault(z.coerce.number().gt(0).lte(1000), '20').describe(
    'Requests per second per endpoint, sent at a fixed arrival rate (open model: a stall shows as latency)',
  ),
  CREDLINK_PROBE_MAX_IN_FLIGHT: withDefault(int(1, 1000), '64').describe(
    'Upper bound of concurrent probe requests per endpoint; a request that cannot start is dropped and the run is not valid evidence',
  ),
  CREDLINK_PROBE_PATHS: opt(
    z.string().transform((s) => (s.trim().toLowerCase() === 'none' ? [] : s.split(',').map((x) => x.trim()).filter(Boolean))).pipe(z.array(path)),
  ).describe('Comma-separated GET paths the latency/error-rate probe samples, or none; unset = the health paths that exist').meta({ defaultText: 'the health paths that exist' }),
  CREDLINK_BASELINE_ENV: opt(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be an environment name')).describe(
    'Environment whose recent healthy runs are the performance baseline (e.g. blue while green is validated); unset = this environment',
  ).meta({ defaultText: 'this environment' }),
  CREDLINK_BASELINE_RUNS: withDefault(int(1, 50), '5').describe('How many recent healthy runs make the baseline (their latencies pooled and compared with this run\'s: docs/cutover-statistics.md)'),
  CREDLINK_BASELINE_MIN_DELTA_MS: withDefault(z.coerce.number().min(0).max(600_000), '50').describe(
    'Latency differences from the baseline under this many ms are not degradation, whatever their ratio (the baseline was measured in other minutes: a loaded probe machine moves whole runs by tens of ms)',
  ),
  CREDLINK_DB_PROBE_SAMPLES: withDefault(int(1, 1000), '60').describe('SELECT 1 round trips for the database latency p95 (stops early once the p95 is decided; 5 s budget)'),
  PROMETHEUS_URL: opt(httpUrl.refine((s) => { try { const u = new URL(s); return !u.username && !u.password; } catch { return true; } }, 'must not carry credentials: put a token in PROMETHEUS_TOKEN')).describe(
    'Prometheus base URL for the key-metric checks; unset = Prometheus checks skip. Credentials in the URL are refused: use PROMETHEUS_TOKEN',
  ),
  PROMETHEUS_TOKEN: opt(z.string()).describe('Bearer token for Prometheus, if it needs one. Secret: reference it as ${VAR}').meta(SECRET),
  CREDLINK_PROM_WINDOW: withDefault(z.string().regex(/^\d+[smh]$/, 'must be a PromQL duration such as 5m'), '5m').describe('Range of rate() in the Prometheus queries (runbook: 5m)'),
  CREDLINK_PROM_SELECTOR: withDefault(z.string(), '').describe('Extra label matchers for the HTTP metrics, e.g. job="credlink-api",namespace="credlink-production"'),
  CREDLINK_PROM_REQUESTS_METRIC: withDefault(metricOrNone, 'http_requests_total').describe(
    'Counter of HTTP requests, or none (the service exports none: prom.error-rate and prom.counts-run-errors skip, saying so)',
  ),
  CREDLINK_PROM_STATUS_LABEL: withDefault(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), 'status').describe(
    'Label holding the HTTP status on the requests counter (runbook: status; the real service: status_code)',
  ),
  CREDLINK_PROM_DURATION_METRIC: withDefault(metricOrNone, 'http_request_duration_seconds').describe(
    'Histogram of request durations in seconds (its _bucket series feed histogram_quantile), or none',
  ),
  CREDLINK_PROM_MEMORY_QUERY: withDefault(
    queryOrNone,
    'sum(container_memory_usage_bytes{container="credlink-api"}) / sum(container_spec_memory_limit_bytes{container="credlink-api"})',
  ).describe('PromQL giving memory used as a fraction of the limit (runbook: container_memory_usage_bytes / container_spec_memory_limit_bytes), or none (no container metrics: the check skips instead of reporting "no data")'),
  CREDLINK_PROM_CPU_QUERY: withDefault(
    queryOrNone,
    'sum(rate(container_cpu_usage_seconds_total{container="credlink-api"}[5m])) / sum(container_spec_cpu_quota{container="credlink-api"} / container_spec_cpu_period{container="credlink-api"})',
  ).describe('PromQL giving CPU used as a fraction of the limit, or none'),
  CREDLINK_PROM_DB_CONNECTIONS_QUERY: withDefault(queryOrNone, 'sum(pg_stat_database_numbackends) / max(pg_settings_max_connections)').describe(
    'PromQL giving database connections as a fraction of max_connections (postgres_exporter names), or none',
  ),
  CREDLINK_PROM_TIMEOUT_MS: withDefault(ms, '5000').describe('Timeout of one Prometheus query'),
  CREDLINK_PROM_SCRAPE_WAIT_S: withDefault(int(0, 600), '30').describe(
    'How long prom.counts-run-errors waits for Prometheus to scrape the 5xx this run received before it says the metrics miss them (at least one scrape interval)',
  ),
  // Security checks (checks/security/)
  CREDLINK_RESTRICTED_API_KEY: opt(z.string().min(4)).describe(
    'A key that authenticates but lacks permission for the protected endpoint (expects 403). Unset: that check skips. Secret: reference it as ${VAR}',
  ).meta(SECRET),
  CREDLINK_VALID_KEY_PROBE_METHOD: opt(method).describe(
    'Method of the one request per run sent with a valid key; pick a side-effect-free call (default: CREDLINK_PROTECTED_METHOD)',
  ).meta({ defaultText: 'the protected call\'s' }),
  CREDLINK_VALID_KEY_PROBE_PATH: opt(pathOrNone).describe(
    'Path of the valid-key probe, or none; point it at a call that writes nothing and is not billed to a customer quota (default: CREDLINK_PROTECTED_PATH)',
  ).meta({ defaultText: 'the protected call\'s' }),
  CREDLINK_VALID_KEY_PROBE_HEADERS: opt(headers).describe('Extra headers of the valid-key probe (default: CREDLINK_PROTECTED_HEADERS)').meta({ defaultText: 'the protected call\'s' }),
  CREDLINK_VALID_KEY_PROBE_BODY: opt(jsonBody).describe('JSON body of the valid-key probe, or none (default: the protected call\'s body)').meta({ defaultText: 'the protected call\'s' }),
  CREDLINK_VALID_KEY_PROBE_FORM: opt(form).describe('Multipart body of the valid-key probe, as CREDLINK_PROTECTED_FORM (default: the protected call\'s body)').meta({ defaultText: 'the protected call\'s' }),
  CREDLINK_VALID_KEY_PROBE_SUCCESS: opt(success).describe('Statuses that mean the valid key was accepted (default: CREDLINK_PROTECTED_SUCCESS)').meta({ defaultText: 'the protected call\'s' }),
  CREDLINK_RESTRICTED_KEY_PROBE_METHOD: opt(method).describe('Method of the restricted-key probe (default: CREDLINK_PROTECTED_METHOD)').meta({ defaultText: 'the protected call\'s' }),
  CREDLINK_RESTRICTED_KEY_PROBE_PATH: opt(pathOrNone).describe('Path of the restricted-key probe, or none (default: CREDLINK_PROTECTED_PATH)').meta({ defaultText: 'the protected call\'s' }),
  CREDLINK_RESTRICTED_KEY_PROBE_HEADERS: opt(headers).describe('Extra headers of the restricted-key probe (default: CREDLINK_PROTECTED_HEADERS)').meta({ defaultText: 'the protected call\'s' }),
  CREDLINK_RESTRICTED_KEY_PROBE_BODY: opt(jsonBody).describe('JSON body of the restricted-key probe, or none (default: the protected call\'s body)').meta({ defaultText: 'the protected call\'s' }),
  CREDLINK_RESTRICTED_KEY_PROBE_FORM: opt(form).describe('Multipart body of the restricted-key probe (default: the protected call\'s body)').meta({ defaultText: 'the protected call\'s' }),
  CREDLINK_RESTRICTED_KEY_PROBE_SUCCESS: withDefault(success, '403').describe('Statuses that mean the restricted key was refused for lack of permission (default 403)'),
  CREDLINK_API_KEY_IN: withDefault(parsedBy(parsePresentations), 'header:X-API-Key').describe(
    'How the service takes an API key: header:NAME, bearer, basic, query:NAME, comma-separated; the first is how the checks send it. Any other way that works is a finding',
  ),
  CREDLINK_RATE_LIMIT: withDefault(parsedBy(parseRate), '100/min').describe(
    'Requests per client the target allows: N/s, N/min, N/h, N/<seconds>s (100/min, 10/60s), or none; the run plans its traffic to use at most 80% of it',
  ),
  CREDLINK_RATE_LIMIT_PATHS: withDefault(parsedBy(parsePathLimits), '').describe(
    'Stricter limits of single paths: "/sign=10/min per key, /verify=30/min" ("per key": each API key has its own count; "per header:X-API-Key": counted per value of that header, and every request without it, keyless, Bearer or query, shares one count per client)',
  ),
  CREDLINK_AUTH_RATE_LIMIT_CHECK: opt(bool).describe(
    'Run the failed-attempt rate-limit check (spends up to CREDLINK_AUTH_FAIL_LIMIT+1 rejected requests and leaves the probe client limited for the window). Unset: on, except off for CREDLINK_PRODUCTION=true',
  ).meta({ defaultText: 'on; off when CREDLINK_PRODUCTION=true' }),
  CREDLINK_AUTH_FAIL_LIMIT: withDefault(int(1, 1000), '20').describe('Failed authentication attempts the API allows inside the window before 429'),
  CREDLINK_AUTH_FAIL_WINDOW_S: withDefault(int(1, 86_400), '60').describe('Window of the failed-attempt limit, seconds (Retry-After must not exceed it)'),
  CREDLINK_AUTH_FAIL_LIMIT_PER: withDefault(parsedBy(parseLimitPer), 'client').describe(
    'How the service counts failed attempts: client (default), key (each wrong key its own count: the run then paces failed attempts per key), or header:NAME (per value of that header; every request without it shares one count per client)',
  ),
  CREDLINK_AUTH_FAIL_LIMIT_REQUIRED: withDefault(bool, 'false').describe(
    'true when this environment must limit failed attempts per client: no limit is then a security issue (SEV-2) instead of a hardening gap (SEV-3)',
  ),
  CREDLINK_DISALLOWED_ORIGIN: withDefault(z.string().regex(/^https?:\/\/[^/\s]+$/, 'must be scheme://host[:port] with no path'), 'https://not-allowed.credlink-checks.invalid').describe(
    'An origin the API must NOT allow, used by the CORS checks',
  ),
  KUBE_EVENT_WINDOW_MIN: withDefault(int(1, 1440), '15').describe('Warning events and container restarts younger than this many minutes fail k8s.warning-events / k8s.restarts'),
});

export type EnvInput = z.input<typeof envSchema>;
export type EnvVars = z.output<typeof envSchema>;
export const ENV_KEYS = Object.keys(envSchema.shape) as (keyof EnvVars)[];

/** Variables an environment file inherits from the process environment when it does not set them. */
export const RUNBOOK_VARS = ['CREDLINK_RUNBOOK_URL', 'CREDLINK_RUNBOOK_PATH'] as const;

/** Placeholder/example values that must never reach a real environment. */
export const EXAMPLE_MARKER = 'REPLACE_ME';
