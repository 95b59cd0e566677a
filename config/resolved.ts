/**
 * The validated, typed configuration one run works with. Built by config/load.ts from an env
 * file, handed to Playwright workers as JSON in CREDLINK_RESOLVED_CONFIG (see config/index.ts).
 */
import { z } from '../src/zod.ts';
import { SEVERITIES } from '../runbooks/severity.ts';
import { deriveKeys } from '../src/security/derived-keys.ts';
import { pathLimitSchema, presentationSchema, rateLimitSchema, requestSpecSchema } from './request-spec.ts';

const tier = z.object({ warning: z.number(), critical: z.number() });

export const resolvedConfigSchema = z.object({
  /** Environment name (file stem), e.g. "staging". */
  env: z.string(),
  /** The env file it came from, for error messages; null when built in code. */
  envFile: z.string().nullable(),
  target: z.enum(['embedded', 'remote']),
  production: z.boolean(),
  baseUrl: z.string(),
  apiKeys: z.array(z.string()),
  allowedOrigins: z.array(z.string()),
  /** null = this deployment has no such endpoint (CREDLINK_*_PATH=none): its checks skip, saying so. */
  paths: z.object({ health: z.string().nullable(), status: z.string().nullable(), apiHealth: z.string().nullable() }),
  /** The protected call's method and path (the full request: security.requests.protected). */
  protectedEndpoint: z.object({ method: requestSpecSchema.shape.method, path: z.string().nullable() }),
  /** What the /health document must carry: checks.database always (the runbook reads it), plus these dotted fields. */
  health: z.object({ requiredFields: z.array(z.string()) }),
  /**
   * The target's rate limits as the environment declares them (src/budget/ plans the run's
   * traffic to use at most 80% of each). client: per client, every path; null = none declared.
   */
  rateLimits: z.object({ client: rateLimitSchema.nullable(), paths: z.array(pathLimitSchema) }),
  databaseUrl: z.string().optional(),
  kube: z
    .object({
      kubeconfig: z.string().optional(),
      context: z.string().optional(),
      namespace: z.string(),
      deployment: z.string(),
      labelSelector: z.string(),
      /** Service in front of the pods (endpoints, blue-green colour). */
      service: z.string(),
      /** Minutes: Warning events and restarts younger than this are "recent". */
      eventWindowMin: z.number(),
    })
    .optional(),
  thresholds: z.object({
    responseTimeMs: tier,
    errorRate: tier,
    memoryRatio: tier,
    cpuRatio: tier,
    dbConnectionsRatio: tier,
    databaseRoundTripMs: tier,
  }),
  /** runMs: deadline of one run of the suite (Playwright's globalTimeout); absent in configs built in code = 10 min. */
  timeouts: z.object({ requestMs: z.number(), dbConnectMs: z.number(), dbStatementMs: z.number(), checkMs: z.number(), runMs: z.number().optional() }),
  retries: z.number(),
  failOn: z.enum(SEVERITIES),
  /** Alert delivery of `schedule` (issue 6): secrets here are scrubbed (secretsOf). */
  alerting: z.object({
    slackWebhookUrl: z.string().optional(),
    pagerduty: z.object({ routingKey: z.string().optional(), eventsUrl: z.string() }),
    /** Channels per severity. */
    routes: z.record(z.enum(SEVERITIES), z.array(z.enum(['pagerduty', 'slack']))),
    triggerAfter: z.number(),
    resolveAfter: z.number(),
    /** Findings at or above this severity trigger at once; null = never at once. */
    immediateAt: z.enum(SEVERITIES).nullable(),
    runbookUrl: z.string().optional(),
  }),
  /**
   * Where the team's runbook lives (CREDLINK_RUNBOOK_URL / CREDLINK_RUNBOOK_PATH): every output
   * links its sections through src/runbook-md/link.ts; neither set = sections named, not linked.
   */
  runbook: z.object({ url: z.string().optional(), path: z.string().optional() }).default({}),
  /** The Service whose selector names the live colour (blue-green cutover). */
  kubeService: z.object({ name: z.string(), colorLabel: z.string() }),
  /** Open-model probe of checks/performance (issue 5). */
  probe: z
    .object({ samples: z.number(), rate: z.number(), maxInFlight: z.number(), paths: z.array(z.string()), dbSamples: z.number() })
    .optional(),
  /** Baseline for degradation: env whose recent healthy runs count, how many, and the noise floor. */
  baseline: z.object({ env: z.string(), runs: z.number(), minDeltaMs: z.number() }).optional(),
  /** Prometheus key-metric checks; absent = skipped. */
  prometheus: z
    .object({
      url: z.string(),
      window: z.string(),
      selector: z.string(),
      /** null: declared absent (none): the checks that need it skip. */
      requestsMetric: z.string().nullable(),
      statusLabel: z.string(),
      durationMetric: z.string().nullable(),
      memoryQuery: z.string().nullable(),
      cpuQuery: z.string().nullable(),
      dbConnectionsQuery: z.string().nullable(),
      timeoutMs: z.number(),
      /** How long prom.counts-run-errors waits for a scrape of the run's last answers. */
      scrapeWaitS: z.number(),
      /** Bearer token (secret). */
      token: z.string().optional(),
    })
    .optional(),
  /** Security checks (checks/security/). */
  security: z.object({
    restrictedApiKey: z.string().optional(),
    /** The requests the auth checks send, as the environment describes them (config/request-spec.ts). */
    requests: z.object({ protected: requestSpecSchema, validKey: requestSpecSchema, restrictedKey: requestSpecSchema }),
    /** How the service takes a key; the first is how the checks send it. Any other way that works is a finding. */
    keyIn: z.array(presentationSchema).min(1),
    rateLimitCheck: z.boolean(),
    /**
     * per: how the service counts failed attempts (client, or client and key); required: no limit
     * is a security issue (SEV-2) rather than a hardening gap (SEV-3).
     */
    authFailLimit: z.object({
      max: z.number(),
      windowS: z.number(),
      per: z.enum(['client', 'key', 'header']),
      /** With per 'header': the header (lower case) whose value is counted; requests without it share one count. */
      header: z.string().optional(),
      required: z.boolean(),
    }),
    disallowedOrigin: z.string(),
  }),
  /** Where this run writes its reports. */
  runDir: z.string().optional(),
  runId: z.string().optional(),
  /**
   * Where the request ledger's counts live (src/budget/ledger.ts): for a remote target, one folder
   * per target under <reports-dir>/_budget, shared by consecutive runs; absent = the run folder.
   */
  budgetDir: z.string().optional(),
  /** What the run is (runbook.json `kind`): only observations make history. Default observation. */
  runKind: z.enum(['observation', 'drill', 'candidate']).optional(),
  /**
   * Where the monitor runs (config/location.ts): CREDLINK_LOCATION of the process, or the daemon's
   * schedule.json `location`; absent = DEFAULT_LOCATION. Recorded in runbook.json and alerts.
   */
  location: z.string().optional(),
  /**
   * A monitoring daemon's state directory: when it holds a fresh window of this environment
   * (src/monitor/reuse.ts), the perf checks judge its samples instead of probing.
   */
  monitorWindow: z.object({ stateDir: z.string() }).optional(),
  /**
   * Checks a one-shot run does not repeat: a running monitor holds a still-valid passing result of
   * them (src/monitor/reuse.ts). Each is skipped with its reason, never counted as passed by this run.
   */
  reuse: z.array(z.object({ checkId: z.string(), reason: z.string() })).optional(),
});

export type ResolvedConfig = z.infer<typeof resolvedConfigSchema>;

/** Every secret value the configuration holds: scrubbed from every output. */
export function secretsOf(c: ResolvedConfig): string[] {
  const out = [...c.apiKeys];
  // Keys derived from the probe key (other case, truncated, one character changed...) are sent by
  // security.derived-keys-rejected: they are as secret as the key itself.
  if (c.apiKeys[0]) out.push(...deriveKeys(c.apiKeys[0]).map((d) => d.key.trim()));
  if (c.prometheus?.token) out.push(c.prometheus.token);
  if (c.security.restrictedApiKey) out.push(c.security.restrictedApiKey);
  if (c.databaseUrl) {
    try {
      const u = new URL(c.databaseUrl);
      if (u.password) out.push(decodeURIComponent(u.password), u.password);
    } catch {
      /* validated earlier */
    }
  }
  if (c.alerting.slackWebhookUrl) {
    out.push(c.alerting.slackWebhookUrl);
    // The path of a Slack webhook is the secret part: scrub it on its own too.
    try {
      const u = new URL(c.alerting.slackWebhookUrl);
      if (u.pathname.length > 1) out.push(u.pathname);
    } catch {
      /* validated earlier */
    }
  }
  if (c.alerting.pagerduty.routingKey) out.push(c.alerting.pagerduty.routingKey);
  return [...new Set(out.filter((s) => s.length >= 4))];
}
