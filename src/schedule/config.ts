/**
 * schedule.json: which environments the daemon monitors and when. Validated once at start,
 * every problem reported at once (exit 2). Each environment runs on a cron expression (croner
 * syntax, 5 or 6 fields) or a fixed interval, with a random start delay (jitter) so several
 * environments do not hit shared infrastructure in the same second.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Cron } from 'croner';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';

const envName = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be an environment name (environments/<name>.env)');

export const scheduleEnvSchema = z
  .object({
    env: envName,
    /** Cron expression, e.g. "*\/5 * * * *" (every 5 minutes). */
    cron: z.string().optional(),
    /** Or a fixed interval between run starts, seconds. */
    intervalSeconds: z.number().int().min(10).max(86_400).optional(),
    /** Random delay before each run, 0..jitterSeconds. */
    jitterSeconds: z.number().int().min(0).max(3600).default(0),
    /** Only checks matching this (Playwright --grep), e.g. "@health\\.|@db\\.". */
    grep: z.string().optional(),
    /** Cron time zone (default UTC). */
    timezone: z.string().default('UTC'),
  })
  .strict()
  .refine((e) => (e.cron === undefined) !== (e.intervalSeconds === undefined), { message: 'give exactly one of "cron" or "intervalSeconds"' });

export const scheduleSchema = z
  .object({
    listen: z
      .object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65_535).default(9464) })
      .strict()
      .default({ host: '127.0.0.1', port: 9464 }),
    /** Alert state, outbox and run history (default .state, gitignored). */
    stateDir: z.string().default('.state'),
    reportsDir: z.string().default('reports'),
    /** Runs kept per environment for trends and baselines. */
    historySize: z.number().int().min(1).max(10_000).default(200),
    /** A run still going after this long is abandoned (its Playwright process is stopped). */
    runTimeoutSeconds: z.number().int().min(10).max(86_400).default(900),
    /** On SIGTERM: how long a run in progress may finish before it is abandoned. */
    shutdownGraceSeconds: z.number().int().min(0).max(600).default(30),
    environments: z.array(scheduleEnvSchema).min(1, 'list at least one environment'),
  })
  .strict();

export type ScheduleConfig = z.output<typeof scheduleSchema>;
export type ScheduleEnv = ScheduleConfig['environments'][number];

/** Pure: parsed JSON -> ScheduleConfig, or every problem (file: path: message). */
export function parseSchedule(raw: unknown, file: string): ScheduleConfig {
  const parsed = scheduleSchema.safeParse(raw);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const i of parsed.error.issues) problems.push(`${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(problems);
  }
  const seen = new Set<string>();
  parsed.data.environments.forEach((e, i) => {
    if (seen.has(e.env)) problems.push(`${file}: environments.${i}.env: "${e.env}" is listed twice`);
    seen.add(e.env);
    if (e.cron !== undefined) {
      try {
        new Cron(e.cron, { paused: true, timezone: e.timezone }).stop();
      } catch (err) {
        problems.push(`${file}: environments.${i}.cron: "${e.cron}" is not a valid cron expression (${(err as Error).message})`);
      }
    }
  });
  if (problems.length) throw new ConfigError(problems);
  return parsed.data;
}

export function loadSchedule(file: string): ScheduleConfig {
  const rel = path.relative(process.cwd(), file);
  const shown = rel && !rel.startsWith('..') ? rel : path.resolve(file);
  if (!fs.existsSync(file)) throw new ConfigError([`${shown}: missing: copy schedule.example.json to ${shown} and list your environments`]);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError([`${shown}: not valid JSON: ${(e as Error).message}`]);
  }
  return parseSchedule(raw, shown);
}
