/**
 * Reads one environment file (environments/<name>.env), resolves ${VAR} references against
 * the process environment, validates everything at once and returns a frozen ResolvedConfig.
 * Every problem is reported in one ConfigError, one line each, naming the file and the fix.
 */
import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { envSchema, ENV_KEYS, EXAMPLE_MARKER, RUNBOOK_VARS, type EnvVars } from './schema.ts';
import type { ResolvedConfig } from './resolved.ts';
import { ConfigError } from '../src/errors.ts';
import { parseAlertRoutes } from './alert-routes.ts';
import { malformedLineProblems } from './env-lines.ts';
import { locationProblem } from './location.ts';
import { parseHeaders, type RequestBody, type RequestSpec } from './request-spec.ts';

export const ENVIRONMENTS_DIR = path.resolve(import.meta.dirname, '..', 'environments');

export function envFileFor(name: string): string {
  return path.join(ENVIRONMENTS_DIR, `${name}.env`);
}

export function listEnvironments(): { name: string; configured: boolean }[] {
  if (!fs.existsSync(ENVIRONMENTS_DIR)) return [];
  const names = new Map<string, boolean>();
  for (const f of fs.readdirSync(ENVIRONMENTS_DIR)) {
    const m = /^([a-z0-9][a-z0-9-]*)\.env(\.example)?$/.exec(f);
    if (m?.[1]) names.set(m[1], (names.get(m[1]) ?? false) || !m[2]);
  }
  return [...names].map(([name, configured]) => ({ name, configured })).sort((a, b) => a.name.localeCompare(b.name));
}

export interface LoadOptions {
  /** Environment name; its file is environments/<name>.env. */
  env?: string;
  /** Explicit file path instead of a name (`--env-file`). */
  file?: string;
  /** The process environment used for ${VAR} references (injected for tests). */
  processEnv?: Record<string, string | undefined>;
}

export function loadConfig(opts: LoadOptions): Readonly<ResolvedConfig> {
  const file = opts.file ? path.resolve(opts.file) : envFileFor(opts.env ?? 'local');
  // The environment's name is the file's name without ".env" (staging.env -> staging), unless --env names it.
  const env = opts.env ?? path.basename(file).replace(/\.env$/, '');
  const rel = path.relative(process.cwd(), file);
  const shown = rel && !rel.startsWith('..') ? rel : file;
  if (opts.file) {
    // --env-file: the tool answers for the file it was given (exit 2), whatever is wrong with it.
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && fs.existsSync(`${file}.example`)) throw new ConfigError([`${shown}: missing: copy ${shown}.example to ${shown} and fill in its values`]);
      throw new ConfigError([`${shown}: ${code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file' : `cannot be read (${code})`}: give the path of an environment file (environments/staging.env.example is a template)`]);
    }
    if (st.isDirectory()) throw new ConfigError([`${shown}: is a directory: give the path of an environment file, e.g. ${path.join(shown, 'staging.env')}`]);
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch (e) {
      throw new ConfigError([`${shown}: cannot be read (${(e as NodeJS.ErrnoException).code})`]);
    }
  }
  if (!/^[a-z0-9][a-z0-9-]*$/.test(env)) {
    const suggestion = env.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'my-env';
    throw new ConfigError([
      opts.env
        ? `environment name "${env}" is not valid: use lowercase letters, digits and "-" (e.g. ${suggestion})`
        : `${shown}: the environment name "${env}" comes from the file name and is not valid: use lowercase letters, digits and "-" (rename it to ${suggestion}.env)`,
    ]);
  }
  if (!fs.existsSync(file)) {
    const example = fs.existsSync(`${file}.example`);
    throw new ConfigError([
      example
        ? `${shown}: missing: copy ${shown}.example to ${shown} and fill in its values`
        : `${shown}: missing: no environment "${env}" (known: ${listEnvironments().map((e) => e.name).join(', ') || 'none'})`,
    ]);
  }
  const text = fs.readFileSync(file, 'utf8');
  // Lines dotenv would skip are problems too, reported with the file's others (all at once).
  const lineProblems = malformedLineProblems(text, shown);
  let config: ResolvedConfig;
  try {
    config = parseEnv(dotenv.parse(text), { env, file: shown, processEnv: opts.processEnv ?? process.env });
  } catch (e) {
    if (e instanceof ConfigError && lineProblems.length) throw new ConfigError([...lineProblems, ...e.lines]);
    throw e;
  }
  if (lineProblems.length) throw new ConfigError(lineProblems);
  return Object.freeze(config);
}

/** Pure: env-file variables -> ResolvedConfig, or a ConfigError listing every problem. */
export function parseEnv(
  raw: Record<string, string>,
  ctx: { env: string; file: string; processEnv: Record<string, string | undefined> },
): ResolvedConfig {
  const problems: string[] = [];
  const at = (key: string, msg: string) => problems.push(`${ctx.file}: ${key} ${msg}`);
  const known = new Set<string>(ENV_KEYS);
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'CREDLINK_LOCATION') {
      at(key, 'is where the monitor runs, not a property of the environment: set it in the process environment (or "location" in schedule.json)');
      continue;
    }
    if (!known.has(key)) {
      const hint = ENV_KEYS.find((k) => similar(k, key));
      at(key, `is not a known variable${hint ? `: did you mean ${hint}?` : ': see docs/reference/configuration.md'}`);
      continue;
    }
    values[key] = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = ctx.processEnv[name];
      if (v === undefined || v === '') at(key, `references \${${name}}, which is not set in the process environment: export ${name}`);
      return v ?? '';
    });
    if (values[key]!.includes(EXAMPLE_MARKER)) at(key, `still holds the example value ${EXAMPLE_MARKER}: set the real value`);
  }
  // The runbook is configured once for every environment: the process environment fills in
  // what the file leaves unset.
  for (const key of RUNBOOK_VARS) {
    const inherited = ctx.processEnv[key];
    if (values[key] === undefined && inherited) values[key] = inherited;
  }
  // Where this monitor runs: a fact of the process, the same for every environment it checks.
  const location = ctx.processEnv.CREDLINK_LOCATION || undefined;
  const badLocation = location === undefined ? null : locationProblem(location);
  if (badLocation) problems.push(`CREDLINK_LOCATION (process environment) ${badLocation}`);
  const parsed = envSchema.safeParse(values);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) at(String(issue.path[0] ?? '?'), issue.message);
  }
  if (problems.length) throw new ConfigError(problems);
  const v = parsed.data as EnvVars;
  if (v.CREDLINK_TARGET === 'remote') {
    if (!v.CREDLINK_BASE_URL) at('CREDLINK_BASE_URL', 'is required when CREDLINK_TARGET=remote: set the API base URL');
    if (!v.CREDLINK_API_KEYS?.length) at('CREDLINK_API_KEYS', 'is required when CREDLINK_TARGET=remote: set it to ${YOUR_SECRET_VAR}');
  }
  if (v.CREDLINK_RESPONSE_WARN_MS > v.CREDLINK_RESPONSE_CRIT_MS) at('CREDLINK_RESPONSE_WARN_MS', 'must not exceed CREDLINK_RESPONSE_CRIT_MS');
  if (v.CREDLINK_ERROR_RATE_WARN_PCT > v.CREDLINK_ERROR_RATE_CRIT_PCT) at('CREDLINK_ERROR_RATE_WARN_PCT', 'must not exceed CREDLINK_ERROR_RATE_CRIT_PCT');
  if (v.CREDLINK_DB_CONN_WARN_PCT > v.CREDLINK_DB_CONN_CRIT_PCT) at('CREDLINK_DB_CONN_WARN_PCT', 'must not exceed CREDLINK_DB_CONN_CRIT_PCT');
  if (v.CREDLINK_DB_RTT_WARN_MS > v.CREDLINK_DB_RTT_CRIT_MS) at('CREDLINK_DB_RTT_WARN_MS', 'must not exceed CREDLINK_DB_RTT_CRIT_MS');
  const runbook = resolveRunbook({ url: v.CREDLINK_RUNBOOK_URL, path: v.CREDLINK_RUNBOOK_PATH }, at);
  const alertRoutes = parseAlertRoutes(v.CREDLINK_ALERT_ROUTES, (msg) => at('CREDLINK_ALERT_ROUTES', msg));
  const requests = resolveRequests(v, at);
  if (problems.length) throw new ConfigError(problems);
  const tier = (w: number, c: number, scale = 1) => ({ warning: w / scale, critical: c / scale });
  return {
    env: ctx.env,
    envFile: ctx.file,
    target: v.CREDLINK_TARGET,
    production: v.CREDLINK_PRODUCTION,
    baseUrl: (v.CREDLINK_BASE_URL ?? '').replace(/\/+$/, ''),
    apiKeys: v.CREDLINK_API_KEYS ?? [],
    allowedOrigins: v.CREDLINK_ALLOWED_ORIGINS,
    paths: { health: v.CREDLINK_HEALTH_PATH, status: v.CREDLINK_STATUS_PATH, apiHealth: v.CREDLINK_API_HEALTH_PATH },
    protectedEndpoint: { method: v.CREDLINK_PROTECTED_METHOD, path: v.CREDLINK_PROTECTED_PATH },
    health: { requiredFields: v.CREDLINK_HEALTH_REQUIRED_FIELDS },
    rateLimits: { client: v.CREDLINK_RATE_LIMIT, paths: v.CREDLINK_RATE_LIMIT_PATHS },
    databaseUrl: v.DATABASE_URL,
    kube: v.KUBE_NAMESPACE
      ? {
          kubeconfig: v.KUBECONFIG,
          context: v.KUBE_CONTEXT,
          namespace: v.KUBE_NAMESPACE,
          deployment: v.KUBE_DEPLOYMENT,
          labelSelector: v.KUBE_LABEL_SELECTOR,
          service: v.KUBE_SERVICE,
          eventWindowMin: v.KUBE_EVENT_WINDOW_MIN,
        }
      : undefined,
    thresholds: {
      responseTimeMs: tier(v.CREDLINK_RESPONSE_WARN_MS, v.CREDLINK_RESPONSE_CRIT_MS),
      errorRate: tier(v.CREDLINK_ERROR_RATE_WARN_PCT, v.CREDLINK_ERROR_RATE_CRIT_PCT, 100),
      memoryRatio: tier(v.CREDLINK_MEMORY_WARN_PCT, v.CREDLINK_MEMORY_CRIT_PCT, 100),
      cpuRatio: tier(v.CREDLINK_CPU_WARN_PCT, v.CREDLINK_CPU_CRIT_PCT, 100),
      dbConnectionsRatio: tier(v.CREDLINK_DB_CONN_WARN_PCT, v.CREDLINK_DB_CONN_CRIT_PCT, 100),
      databaseRoundTripMs: tier(v.CREDLINK_DB_RTT_WARN_MS, v.CREDLINK_DB_RTT_CRIT_MS),
    },
    timeouts: {
      requestMs: v.CREDLINK_REQUEST_TIMEOUT_MS,
      dbConnectMs: v.CREDLINK_DB_CONNECT_TIMEOUT_MS,
      dbStatementMs: v.CREDLINK_DB_STATEMENT_TIMEOUT_MS,
      checkMs: v.CREDLINK_CHECK_TIMEOUT_MS,
      runMs: v.CREDLINK_RUN_TIMEOUT_MS,
    },
    retries: v.CREDLINK_RETRIES,
    failOn: v.CREDLINK_FAIL_ON,
    alerting: {
      slackWebhookUrl: v.CREDLINK_SLACK_WEBHOOK_URL,
      pagerduty: { routingKey: v.CREDLINK_PAGERDUTY_ROUTING_KEY, eventsUrl: v.CREDLINK_PAGERDUTY_EVENTS_URL },
      routes: alertRoutes,
      triggerAfter: v.CREDLINK_ALERT_TRIGGER_AFTER,
      resolveAfter: v.CREDLINK_ALERT_RESOLVE_AFTER,
      immediateAt: v.CREDLINK_ALERT_IMMEDIATE === 'none' ? null : v.CREDLINK_ALERT_IMMEDIATE,
      runbookUrl: runbook.url,
    },
    runbook,
    ...(location ? { location } : {}),
    kubeService: { name: v.KUBE_SERVICE, colorLabel: v.KUBE_COLOR_LABEL },
    probe: {
      samples: v.CREDLINK_PROBE_SAMPLES,
      rate: v.CREDLINK_PROBE_RATE,
      maxInFlight: v.CREDLINK_PROBE_MAX_IN_FLIGHT,
      paths: v.CREDLINK_PROBE_PATHS ?? [...new Set([v.CREDLINK_HEALTH_PATH, v.CREDLINK_STATUS_PATH, v.CREDLINK_API_HEALTH_PATH].filter((p) => p !== null))],
      dbSamples: v.CREDLINK_DB_PROBE_SAMPLES,
    },
    baseline: { env: v.CREDLINK_BASELINE_ENV ?? ctx.env, runs: v.CREDLINK_BASELINE_RUNS, minDeltaMs: v.CREDLINK_BASELINE_MIN_DELTA_MS },
    prometheus: v.PROMETHEUS_URL
      ? {
          url: v.PROMETHEUS_URL.replace(/\/+$/, ''),
          window: v.CREDLINK_PROM_WINDOW,
          selector: v.CREDLINK_PROM_SELECTOR,
          requestsMetric: v.CREDLINK_PROM_REQUESTS_METRIC,
          statusLabel: v.CREDLINK_PROM_STATUS_LABEL,
          durationMetric: v.CREDLINK_PROM_DURATION_METRIC,
          memoryQuery: v.CREDLINK_PROM_MEMORY_QUERY,
          cpuQuery: v.CREDLINK_PROM_CPU_QUERY,
          dbConnectionsQuery: v.CREDLINK_PROM_DB_CONNECTIONS_QUERY,
          timeoutMs: v.CREDLINK_PROM_TIMEOUT_MS,
          scrapeWaitS: v.CREDLINK_PROM_SCRAPE_WAIT_S,
          token: v.PROMETHEUS_TOKEN,
        }
      : undefined,
    security: {
      restrictedApiKey: v.CREDLINK_RESTRICTED_API_KEY,
      requests,
      keyIn: v.CREDLINK_API_KEY_IN,
      rateLimitCheck: v.CREDLINK_AUTH_RATE_LIMIT_CHECK ?? !v.CREDLINK_PRODUCTION,
      authFailLimit: {
        max: v.CREDLINK_AUTH_FAIL_LIMIT,
        windowS: v.CREDLINK_AUTH_FAIL_WINDOW_S,
        per: v.CREDLINK_AUTH_FAIL_LIMIT_PER.kind,
        ...(v.CREDLINK_AUTH_FAIL_LIMIT_PER.kind === 'header' ? { header: v.CREDLINK_AUTH_FAIL_LIMIT_PER.name } : {}),
        required: v.CREDLINK_AUTH_FAIL_LIMIT_REQUIRED,
      },
      disallowedOrigin: v.CREDLINK_DISALLOWED_ORIGIN,
    },
  };
}

const DEFAULT_BODY: RequestBody = { kind: 'json', json: '{"document":"credlink-checks probe"}' };

/**
 * The three requests of the auth checks. The valid-key and restricted-key probes inherit each
 * part they do not set from the protected call; a body is inherited as a whole (JSON or form).
 */
function resolveRequests(v: EnvVars, at: (key: string, msg: string) => void): ResolvedConfig['security']['requests'] {
  // A custom key header must not also be fixed by a *_HEADERS variable.
  const keyHeaders = v.CREDLINK_API_KEY_IN.flatMap((p) => (p.kind === 'header' ? [p.name.toLowerCase()] : []));
  for (const name of ['CREDLINK_PROTECTED_HEADERS', 'CREDLINK_VALID_KEY_PROBE_HEADERS', 'CREDLINK_RESTRICTED_KEY_PROBE_HEADERS'] as const) {
    const h = v[name];
    if (!h) continue;
    const r = parseHeaders(Object.entries(h).map(([k, x]) => `${k}: ${x.replace(/;/g, '\\;')}`).join('; '), keyHeaders);
    if (!r.ok) at(name, r.problem);
  }
  const bodyOf = (prefix: string, json: RequestBody | undefined, form: RequestBody | undefined): RequestBody | undefined => {
    if (json && form) at(`${prefix}_BODY`, `and ${prefix}_FORM are both set: a request has one body, keep one of them`);
    return form ?? json;
  };
  const protectedBody = bodyOf('CREDLINK_PROTECTED', v.CREDLINK_PROTECTED_BODY, v.CREDLINK_PROTECTED_FORM);
  const base: RequestSpec = {
    method: v.CREDLINK_PROTECTED_METHOD,
    path: v.CREDLINK_PROTECTED_PATH,
    headers: v.CREDLINK_PROTECTED_HEADERS ?? {},
    body: protectedBody ?? (v.CREDLINK_PROTECTED_METHOD === 'GET' || v.CREDLINK_PROTECTED_METHOD === 'DELETE' ? { kind: 'none' } : DEFAULT_BODY),
    success: v.CREDLINK_PROTECTED_SUCCESS,
  };
  const derive = (prefix: 'CREDLINK_VALID_KEY_PROBE' | 'CREDLINK_RESTRICTED_KEY_PROBE', success: string[]): RequestSpec => {
    const method = v[`${prefix}_METHOD`] ?? base.method;
    const own = bodyOf(prefix, v[`${prefix}_BODY`], v[`${prefix}_FORM`]);
    return {
      method,
      path: v[`${prefix}_PATH`] === undefined ? base.path : v[`${prefix}_PATH`]!,
      headers: v[`${prefix}_HEADERS`] ?? base.headers,
      body: own ?? (method === 'GET' && !protectedBody ? { kind: 'none' } : base.body),
      success,
    };
  };
  const out = {
    protected: base,
    validKey: derive('CREDLINK_VALID_KEY_PROBE', v.CREDLINK_VALID_KEY_PROBE_SUCCESS ?? base.success),
    restrictedKey: derive('CREDLINK_RESTRICTED_KEY_PROBE', v.CREDLINK_RESTRICTED_KEY_PROBE_SUCCESS),
  };
  const names = { protected: 'CREDLINK_PROTECTED', validKey: 'CREDLINK_VALID_KEY_PROBE', restrictedKey: 'CREDLINK_RESTRICTED_KEY_PROBE' } as const;
  for (const [k, spec] of Object.entries(out) as [keyof typeof names, RequestSpec][]) {
    if (spec.method === 'GET' && spec.body.kind !== 'none') at(`${names[k]}_METHOD`, `is GET, which carries no body: remove the body (${names[k]}_BODY/_FORM) or use POST`);
  }
  return out;
}

/** Same letters give or take one edit, or same words in another order. */
function similar(a: string, b: string): boolean {
  if (a.replace(/_/g, '') === b.replace(/_/g, '')) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return a.slice(i + 1) === b.slice(i + 1) || a.slice(i) === b.slice(i + 1) || a.slice(i + 1) === b.slice(i);
}

/**
 * The runbook's location, checked: a URL is kept without its fragment (anchors are added per
 * section), a path is made absolute and must be a readable file.
 */
export function resolveRunbook(v: { url?: string; path?: string }, at: (key: string, msg: string) => void): { url?: string; path?: string } {
  const out: { url?: string; path?: string } = {};
  if (v.url) out.url = v.url.replace(/#.*$/, '');
  if (v.path) {
    const abs = path.resolve(v.path);
    let isFile = false;
    try {
      isFile = fs.statSync(abs).isFile();
    } catch {
      /* reported below */
    }
    if (isFile) out.path = abs;
    else at('CREDLINK_RUNBOOK_PATH', `names no readable file (${abs}): point it at the runbook markdown, e.g. RUNBOOK.md`);
  }
  return out;
}

/**
 * The runbook's location for commands that need nothing else of an environment (`report`, the
 * status page): the environment file's CREDLINK_RUNBOOK_* when it has them (a missing file is
 * fine: reports may be copied from CI), else the process environment. Other variables of the file
 * are not read, so unset secrets do not stop a report. Invalid values: ConfigError.
 */
export function runbookFor(env?: string, processEnv: Record<string, string | undefined> = process.env): { url?: string; path?: string } {
  const problems: string[] = [];
  const file = env && /^[a-z0-9][a-z0-9-]*$/.test(env) ? envFileFor(env) : undefined;
  const raw = file && fs.existsSync(file) ? dotenv.parse(fs.readFileSync(file)) : {};
  const shown = file ? path.relative(process.cwd(), file) : 'process environment';
  const value = (key: (typeof RUNBOOK_VARS)[number]) => {
    const v = (raw[key] ?? '').replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => processEnv[name] ?? '');
    return v || processEnv[key] || undefined;
  };
  const at = (key: string, msg: string) => problems.push(`${shown}: ${key} ${msg}`);
  const url = value('CREDLINK_RUNBOOK_URL');
  const parsed = envSchema.shape.CREDLINK_RUNBOOK_URL.safeParse(url);
  if (!parsed.success) at('CREDLINK_RUNBOOK_URL', parsed.error.issues[0]?.message ?? 'is not valid');
  const r = resolveRunbook({ url: parsed.success ? parsed.data : undefined, path: value('CREDLINK_RUNBOOK_PATH') }, at);
  if (problems.length) throw new ConfigError(problems);
  return r;
}
