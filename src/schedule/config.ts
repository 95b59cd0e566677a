/**
 * schedule.json: which environments the daemon monitors and when. Validated once at start,
 * every problem reported at once (exit 2). Each environment runs on a cron expression (croner
 * syntax: 5 fields, or 6 with seconds first when the environment says `"cronSeconds": true`) or a
 * fixed interval, with a random start delay (jitter) so several environments do not hit shared
 * infrastructure in the same second.
 */
import path from 'node:path';
import { Cron } from 'croner';
import { z } from '../zod.ts';
import { locationSchema } from '../../config/location.ts';
import { ConfigError } from '../errors.ts';
import { catalog } from '../../runbooks/catalog.ts';
import { matchesPattern } from '../monitor/cadence.ts';

const envName = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be an environment name (environments/<name>.env)');

/** Report folders kept per environment: a folder goes when it is beyond the newest `runs` or older than `days` (null: no such limit). */
const retentionFields = {
  runs: z.number().int().min(1).max(1_000_000).nullable(),
  days: z.number().positive().max(36_500).nullable(),
};
export const DEFAULT_RETENTION = { runs: 300, days: 7 } as const;

/** The croner options of an environment's expression: the field count is enforced, not guessed. */
export function cronOptions(e: { timezone: string; cronSeconds?: boolean }): { timezone: string; mode: '5-part' | '5-or-6-parts' } {
  return { timezone: e.timezone, mode: e.cronSeconds ? '5-or-6-parts' : '5-part' };
}

/** Why a cron expression is refused, or null. */
export function cronProblem(expr: string, e: { timezone: string; cronSeconds?: boolean }): string | null {
  const trimmed = expr.trim();
  if (!trimmed.startsWith('@')) {
    const fields = trimmed.split(/\s+/).filter(Boolean).length;
    const ok = fields === 5 || (fields === 6 && e.cronSeconds === true);
    if (!ok) {
      return fields === 6
        ? `has 6 fields: a first field of seconds needs "cronSeconds": true in this environment (or use 5 fields: minute hour day-of-month month day-of-week)`
        : `has ${fields} field(s): use 5 (minute hour day-of-month month day-of-week)${e.cronSeconds ? ', or 6 with seconds first' : ''}`;
    }
  }
  try {
    new Cron(expr, { paused: true, ...cronOptions(e) }).stop();
  } catch (err) {
    return `is not a valid cron expression (${(err as Error).message})`;
  }
  return null;
}

function timezoneProblem(tz: string): string | null {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return null;
  } catch {
    return `"${tz}" is not a time zone (IANA names such as "UTC" or "Europe/Berlin")`;
  }
}

export const scheduleEnvSchema = z
  .object({
    env: envName,
    /** The environment file (default environments/<env>.env); relative paths are relative to schedule.json. */
    envFile: z.string().min(1).optional(),
    /** Cron expression of the full suite, e.g. "*\/5 * * * *" (every 5 minutes); with neither this nor intervalSeconds only due checks run. */
    cron: z.string().optional(),
    /** Allows a 6-field cron expression whose first field is seconds. */
    cronSeconds: z.boolean().default(false),
    /** Or a fixed interval between run starts, seconds. */
    intervalSeconds: z.number().int().min(10).max(86_400).optional(),
    /** Random delay before each run, 0..jitterSeconds. */
    jitterSeconds: z.number().int().min(0).max(3600).default(0),
    /** Only checks matching this (Playwright --grep), e.g. "@health\\.|@db\\.". */
    grep: z.string().optional(),
    /** Cron time zone (default UTC). */
    timezone: z.string().default('UTC'),
    /** Overrides the top-level `retention` for this environment. */
    retention: z.object(retentionFields).partial().strict().optional(),
    /**
     * The continuous sampler of a remote environment (docs/monitoring-window.md): its rolling window
     * (default 300 s, as the runbook's [5m] queries) and round interval (default: what the declared
     * rate limit allows, 2 s without one). enabled: false = judged by scheduled runs only.
     */
    window: z
      .object({
        enabled: z.boolean().default(true),
        seconds: z.number().int().min(60).max(3600).default(300),
        sampleIntervalSeconds: z.number().min(1).max(600).optional(),
      })
      .strict()
      .optional(),
    /**
     * Per check: how often it is due, seconds, overriding runbooks/cadence.ts for this environment
     * ("security.cors-*": 600); keys are check ids or id patterns with "*". false: no due-check
     * runs, only the full suite on cron / intervalSeconds (as before cadences).
     */
    cadence: z
      .union([z.literal(false), z.record(z.string(), z.number().int().min(10).max(86_400))])
      .optional(),
  })
  .strict();

export const scheduleSchema = z
  .object({
    /**
     * Where this daemon runs ("eu", "us-east-1"): a label on every metric, recorded in runbook.json
     * and alerts. CREDLINK_LOCATION in the process environment wins; neither: "default".
     */
    location: locationSchema.optional(),
    listen: z
      .object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65_535).default(9464) })
      .strict()
      .default({ host: '127.0.0.1', port: 9464 }),
    /** Alert state, outbox and run history (default .state, gitignored). */
    stateDir: z.string().default('.state'),
    reportsDir: z.string().default('reports'),
    /** Runs kept per environment for trends and baselines. */
    historySize: z.number().int().min(1).max(10_000).default(200),
    /** Report folders kept per environment (reportsDir/<env>/<run-id>), pruned after each run. */
    retention: z.object(retentionFields).partial().strict().default({}),
    /** Alert delivery: requests per delivery attempt pass, first backoff (doubling), timeout per request. */
    alertDelivery: z
      .object({
        attempts: z.number().int().min(1).max(10).default(4),
        backoffMs: z.number().int().min(10).max(60_000).default(500),
        timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
      })
      .strict()
      .default({ attempts: 4, backoffMs: 500, timeoutMs: 10_000 }),
    /** A run still going after this long is abandoned (its Playwright process is stopped). */
    runTimeoutSeconds: z.number().int().min(10).max(86_400).default(900),
    /** On SIGTERM: how long a run in progress may finish before it is abandoned. */
    shutdownGraceSeconds: z.number().int().min(0).max(600).default(30),
    environments: z.array(scheduleEnvSchema).min(1, 'list at least one environment'),
  })
  .strict();

export type ScheduleConfig = z.output<typeof scheduleSchema>;
export type ScheduleEnv = ScheduleConfig['environments'][number];

/** The retention that applies to one environment. */
export function retentionFor(config: ScheduleConfig, env: ScheduleEnv): { runs: number | null; days: number | null } {
  return { ...DEFAULT_RETENTION, ...config.retention, ...env.retention };
}

/**
 * Problems across fields (cron, time zone, duplicates), read from the raw input so that they are
 * reported together with the schema's own even when another field of the same entry is malformed.
 */
function crossProblems(raw: unknown): { path: string; message: string }[] {
  const envs = (raw as { environments?: unknown } | null)?.environments;
  if (!Array.isArray(envs)) return [];
  const out: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  envs.forEach((item, i) => {
    const e = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
    const at = (field: string, message: string) => out.push({ path: `environments.${i}${field ? `.${field}` : ''}`, message });
    if (typeof e.env === 'string') {
      if (seen.has(e.env)) at('env', `"${e.env}" is listed twice`);
      seen.add(e.env);
    }
    if (!item || typeof item !== 'object') return;
    // Neither: only the checks the cadence makes due run (plus the window); "cadence": false needs one of them.
    if (e.cron !== undefined && e.intervalSeconds !== undefined) at('', 'give exactly one of "cron" or "intervalSeconds"');
    else if (e.cron === undefined && e.intervalSeconds === undefined && e.cadence === false) at('', 'give one of "cron" or "intervalSeconds" (the full suite\'s schedule) when "cadence" is false');
    const timezone = typeof e.timezone === 'string' ? e.timezone : 'UTC';
    const tz = timezoneProblem(timezone);
    if (tz) at('timezone', tz);
    const cronSeconds = e.cronSeconds === true;
    if (typeof e.cron === 'string' && !tz) {
      const p = cronProblem(e.cron, { timezone, cronSeconds });
      if (p) at('cron', `"${e.cron}" ${p}`);
    }
    if (cronSeconds && e.cron === undefined) at('cronSeconds', 'applies to "cron" only');
    if (e.cadence && typeof e.cadence === 'object') {
      for (const pattern of Object.keys(e.cadence)) {
        if (!/^[a-z0-9.*-]+$/.test(pattern)) at(`cadence.${pattern}`, 'is not a check id or pattern such as "security.cors-*"');
        else if (!Object.keys(catalog).some((id) => matchesPattern(pattern, id))) at(`cadence.${pattern}`, 'names no check ("credlink-checks list" shows the ids)');
      }
    }
  });
  return out;
}

/** Pure: parsed JSON -> ScheduleConfig, or every problem at once (file: path: message). */
export function parseSchedule(raw: unknown, file: string): ScheduleConfig {
  const parsed = scheduleSchema.safeParse(raw);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))),
    ...crossProblems(raw),
  ]
    .sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }))
    .map((p) => `${file}: ${p.path || '(root)'}: ${p.message}`);
  if (problems.length || !parsed.success) throw new ConfigError(problems);
  const base = path.dirname(file);
  for (const e of parsed.data.environments) if (e.envFile !== undefined) e.envFile = path.resolve(base, e.envFile);
  return parsed.data;
}
