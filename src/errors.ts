/**
 * Named errors carrying data, turned into one-line messages and exit codes by src/cli.ts only.
 * Exit codes (README "Exit codes"): 0 healthy, 1 findings at/above --fail-on, 2 usage or
 * configuration error, 3 environment error (cannot start or reach what the run needs), 4 refused
 * (a safety rule stopped the command), 5 internal error (a bug: please report), 6 no evidence (no check
 * executed: nothing selected or everything skipped; never healthy), 130 interrupted.
 */
export const EXIT = { healthy: 0, findings: 1, usage: 2, environment: 3, refused: 4, internal: 5, noEvidence: 6, interrupted: 130 } as const;

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
