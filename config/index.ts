/**
 * The configuration as the checks see it. The CLI resolves an environment (config/load.ts)
 * and passes it to the Playwright process as JSON in CREDLINK_RESOLVED_CONFIG; workers read
 * it here, once. This folder is the only code that reads process.env.
 */
import { resolvedConfigSchema, type ResolvedConfig } from './resolved.ts';

export const RESOLVED_CONFIG_VAR = 'CREDLINK_RESOLVED_CONFIG';
export { loadConfig, listEnvironments, envFileFor, parseEnv, runbookFor } from './load.ts';
export { secretsOf, type ResolvedConfig } from './resolved.ts';

let cached: Readonly<ResolvedConfig> | undefined;

/** The configuration of the current run, inside a Playwright worker or reporter. */
export function runConfig(): Readonly<ResolvedConfig> {
  if (cached) return cached;
  const raw = process.env[RESOLVED_CONFIG_VAR];
  if (!raw) {
    throw new Error(
      `${RESOLVED_CONFIG_VAR} is not set: run the checks through "credlink-checks run --env NAME", not "playwright test" directly`,
    );
  }
  cached = Object.freeze(resolvedConfigSchema.parse(JSON.parse(raw)));
  return cached;
}

export function hasRunConfig(): boolean {
  return Boolean(process.env[RESOLVED_CONFIG_VAR]);
}

/** Process facts the CLI needs (colour, CI), read here so nothing else touches process.env. */
export const processFacts = {
  noColor: () => Boolean(process.env.NO_COLOR) || process.env.TERM === 'dumb',
  ci: () => Boolean(process.env.CI),
  /** Started by npm (npm start, npm run, npx): npm sets npm_command for the scripts it runs. */
  launchedByNpm: () => Boolean(process.env.npm_command),
  /** GitHub Actions: annotations and the job summary file (`gate`). */
  github: () => ({ actions: process.env.GITHUB_ACTIONS === 'true', stepSummary: process.env.GITHUB_STEP_SUMMARY || undefined }),
  env: () => process.env,
  /** Where this monitor runs (config/location.ts): validated by loadConfig, which reads the same variable. */
  location: (): string | undefined => process.env.CREDLINK_LOCATION || undefined,
  /**
   * TEST ONLY (the crash-injection test of `schedule`): CREDLINK_TEST_REPLAY_DIR makes the daemon
   * replay prepared reports (<dir>/<env>.json) instead of running the checks, every
   * CREDLINK_TEST_INTERVAL_MS (default 200). Never set in production: the daemon then checks nothing.
   */
  scheduleReplay: (): { dir: string; intervalMs: number } | null => {
    const dir = process.env.CREDLINK_TEST_REPLAY_DIR;
    if (!dir) return null;
    const ms = Number(process.env.CREDLINK_TEST_INTERVAL_MS ?? '200');
    return { dir, intervalMs: Number.isFinite(ms) && ms >= 10 ? ms : 200 };
  },
};
