/**
 * Named errors carrying data, turned into one-line messages and exit codes by src/cli.ts only.
 * Exit codes (EXIT_MEANINGS below, docs/reference/exit-codes.md): 0 healthy, 1 findings at/above --fail-on, 2 usage or
 * configuration error, 3 environment error (cannot start or reach what the run needs), 4 refused
 * (a safety rule stopped the command), 5 internal error (a bug: please report), 6 no evidence (no check
 * executed: nothing selected or everything skipped; never healthy), 130 interrupted.
 */
export const EXIT = { healthy: 0, findings: 1, usage: 2, environment: 3, refused: 4, internal: 5, noEvidence: 6, interrupted: 130 } as const;

/** What each exit code means to the user: docs/reference/exit-codes.md is generated from this (`npm run docs`). */
export const EXIT_MEANINGS: Record<keyof typeof EXIT, string> = {
  healthy:
    'healthy (or every incident is less severe than --fail-on / CREDLINK_FAIL_ON); `cutover`: GO; `schedule`, `target`: stopped by SIGTERM or SIGINT',
  findings: 'incidents at or above the failing severity; `cutover`: NO-GO; `coverage`: runbook coverage below --min-coverage',
  usage:
    'usage or configuration error: one line per problem, naming the file, the variable and the fix (also: --grep not a valid regular expression or selecting no check; --env-file missing or a directory); `coverage`: the file is not a runbook (no checkable section)',
  environment:
    'environment error: something the command needs could not be started or reached (embedded PostgreSQL, Playwright; the reports directory missing and not creatable, not writable or full; `load`: k6 is not on PATH; `schedule`: the port is taken, the alert state file is damaged, another daemon holds the state directory or took it over, the lock cannot be written)',
  refused: 'refused by a safety rule (`load` against production without --allow-production)',
  internal: 'internal error (a bug: please report it with the command you ran)',
  noEvidence: 'no evidence: no check executed (none selected, every selected check skipped); never reported as healthy, and `gate` never passes on it',
  interrupted:
    'interrupted: `run`, `drill`, `gate` or `cutover` stopped by SIGINT or SIGTERM before the run finished (the report says "interrupted"); never reported as healthy',
};

export class CliError extends Error {
  readonly exitCode: number;
  readonly lines: string[];
  constructor(lines: string[], exitCode: number) {
    super(lines.join('\n'));
    this.lines = lines;
    this.exitCode = exitCode;
  }
}

/** Invalid or missing configuration: one line per problem. */
export class ConfigError extends CliError {
  override name = 'ConfigError';
  constructor(problems: string[]) {
    super(problems, EXIT.usage);
  }
}

/** The command line itself is wrong. */
export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string) {
    super([message], EXIT.usage);
  }
}

/** Something the run needs cannot be started or reached (embedded PostgreSQL, Playwright, k6). */
export class EnvironmentError extends CliError {
  override name = 'EnvironmentError';
  constructor(message: string) {
    super([message], EXIT.environment);
  }
}

/** A safety rule refused the command (e.g. load-testing production). */
export class RefusedError extends CliError {
  override name = 'RefusedError';
  constructor(message: string) {
    super([message], EXIT.refused);
  }
}

/** The command was stopped by a signal (SIGINT, SIGTERM) before it could finish. */
export class InterruptedError extends CliError {
  override name = 'InterruptedError';
  constructor(message: string) {
    super([message], EXIT.interrupted);
  }
}
