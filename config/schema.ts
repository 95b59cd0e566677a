/**
 * The environment schema: every variable an environment file may set.
 * Each field's `.describe()` is its documentation (README and `credlink-checks validate` quote it).
 * Empty string = unset. Values may reference the process environment as ${NAME}.
 */
import { z } from 'zod';
import { SEVERITIES } from '../runbooks/severity.ts';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const opt = <T extends z.ZodType>(t: T) => z.preprocess(blankToUndefined, t.optional());
const withDefault = <T extends z.ZodType>(t: T, d: z.input<T>) => z.preprocess(blankToUndefined, t.prefault(d as never));

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
  CREDLINK_BASE_URL: opt(httpUrl).describe('Base URL of the CredLink API, no trailing path (required when CREDLINK_TARGET=remote)'),
  CREDLINK_PRODUCTION: withDefault(bool, 'false').describe(
    'true for a production environment: load tests refuse it and rate-budget checks stay off unless enabled',
  ),
  CREDLINK_API_KEYS: opt(list).describe(
    'Comma-separated API keys the checks may use; the first is the probe key. Secret: reference it as ${VAR} from the process environment',
  ),
  CREDLINK_ALLOWED_ORIGINS: withDefault(origins, '').describe('Comma-separated origins the API must allow (CORS)'),
  CREDLINK_HEALTH_PATH: withDefault(path, '/health').describe('Path of the main health endpoint'),
  CREDLINK_STATUS_PATH: withDefault(path, '/api/v1/status').describe('Path of the status endpoint'),
  CREDLINK_API_HEALTH_PATH: withDefault(path, '/api/v1/health').describe('Path of the versioned health endpoint'),
  CREDLINK_PROTECTED_METHOD: withDefault(z.enum(['GET', 'POST', 'PUT']), 'POST').describe('HTTP method of the protected endpoint used by auth checks'),
  CREDLINK_PROTECTED_PATH: withDefault(path, '/api/v1/sign').describe('Path of the protected endpoint used by auth checks'),
  DATABASE_URL: opt(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')).describe(
    'PostgreSQL URL for the read-only database probe (a role without write grants). Unset: database checks skip (embedded: the tool provides one)',
  ),
  KUBECONFIG: opt(z.string()).describe('Path of the kubeconfig; unset = default kubeconfig, or the in-cluster service account'),
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
  CREDLINK_REQUEST_TIMEOUT_MS: withDefault(ms, '10000').describe('Timeout of every HTTP request a check sends'),
  CREDLINK_DB_CONNECT_TIMEOUT_MS: withDefault(ms, '5000').describe('Database connection timeout'),
  CREDLINK_DB_STATEMENT_TIMEOUT_MS: withDefault(ms, '5000').describe('Database statement timeout'),
  CREDLINK_CHECK_TIMEOUT_MS: withDefault(ms, '60000').describe('Upper bound for one check, all its requests included'),
  CREDLINK_RETRIES: withDefault(int(0, 3), '0').describe('Retries of a failed check; a check that passes on retry is reported as flaky'),
  CREDLINK_FAIL_ON: withDefault(z.enum(SEVERITIES), 'SEV-3').describe(
    'Least severe finding that makes run/drill exit 1 (SEV-3 = any finding)',
  ),
  KUBE_SERVICE: withDefault(z.string(), 'credlink-api-service').describe('Service in front of the API pods (endpoints, blue-green selector)'),
  KUBE_EVENT_WINDOW_MIN: withDefault(int(1, 1440), '15').describe('Warning events younger than this many minutes fail k8s.warning-events; restarts younger than this count as growing'),
});

export type EnvInput = z.input<typeof envSchema>;
export type EnvVars = z.output<typeof envSchema>;
export const ENV_KEYS = Object.keys(envSchema.shape) as (keyof EnvVars)[];

/** Placeholder/example values that must never reach a real environment. */
export const EXAMPLE_MARKER = 'REPLACE_ME';
