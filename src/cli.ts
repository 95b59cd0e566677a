/**
 * credlink-checks: the command line. A lazy command map, node:util parseArgs, and the one place
 * that turns errors into exit codes (src/errors.ts lists them). Nothing else exits the process.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError, EXIT, UsageError } from './errors.ts';
import { installShutdown, stopRequestOf, type Shutdown } from './process/shutdown.ts';

export interface CommandContext {
  args: string[];
  out: (text: string) => void;
  err: (text: string) => void;
  /** Aborted on SIGINT / SIGTERM (src/process/shutdown.ts): stop, clean up, return. */
  signal: AbortSignal;
  /** How long the orderly stop may take after the first signal (default 30 s). */
  setGraceMs(ms: number): void;
}

export interface Command {
  summary: string;
  usage: string;
  /**
   * The command creates what must not outlive it (targets, temp files, child processes) and
   * watches ctx.signal: SIGINT/SIGTERM become an orderly stop. Other commands keep the default
   * signal behaviour.
   */
  stopsInOrder?: boolean;
  run(ctx: CommandContext): Promise<number>;
}

const commands: Record<string, () => Promise<{ default: Command }>> = {
  run: () => import('./commands/run.ts'),
  drill: () => import('./commands/drill.ts'),
  list: () => import('./commands/list.ts'),
  validate: () => import('./commands/validate.ts'),
  target: () => import('./commands/target.ts'),
  coverage: () => import('./commands/coverage.ts'),
  report: () => import('./commands/report.ts'),
  // Operating modes (issue 6)
  gate: () => import('./commands/gate.ts'),
  cutover: () => import('./commands/cutover.ts'),
  schedule: () => import('./commands/schedule.ts'),
  load: () => import('./commands/load.ts'),
};

/** parseArgs with usage errors as UsageError (one line, exit 2). */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]!);
  }
}

function help(): string {
  const lines = ['credlink-checks: the CredLink operations runbook as executable checks', '', 'Commands:'];
  for (const name of Object.keys(commands)) lines.push(`  ${name}`);
  lines.push('', 'Run "credlink-checks <command> --help" for its options. Exit codes: 0 healthy, 1 findings, 2 usage/config, 3 environment, 4 refused, 5 internal, 6 no evidence, 130 interrupted.');
  return lines.join('\n') + '\n';
}

export async function main(argv: string[]): Promise<number> {
  const out = (t: string) => void process.stdout.write(t);
  const err = (t: string) => void process.stderr.write(t);
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out(help());
    return name ? EXIT.healthy : EXIT.usage;
  }
  const load = commands[name];
  if (!load) {
    err(`credlink-checks: unknown command "${name}" (commands: ${Object.keys(commands).join(', ')})\n`);
    return EXIT.usage;
  }
  let shutdown: Shutdown | undefined;
  try {
    const cmd = (await load()).default;
    if (args.includes('--help') || args.includes('-h')) {
      out(`${cmd.summary}\n\nUsage: credlink-checks ${cmd.usage}\n`);
      return EXIT.healthy;
    }
    // From here on a signal is a request to stop in order, never an abrupt end.
    if (cmd.stopsInOrder) shutdown = installShutdown((line) => err(`credlink-checks ${name}: ${line}\n`));
    const signal = shutdown?.signal ?? new AbortController().signal;
    return await cmd.run({ args, out, err, signal, setGraceMs: (ms) => shutdown?.setGraceMs(ms) });
  } catch (e) {
    const stop = stopRequestOf(shutdown?.signal);
    // Whatever failed after a stop request failed because of it (a child got the signal too).
    if (stop && !(e instanceof CliError && e.exitCode === EXIT.interrupted)) {
      err(`credlink-checks ${name}: interrupted by ${stop}\n`);
      return EXIT.interrupted;
    }
    if (e instanceof CliError) {
      for (const line of e.lines) err(`credlink-checks ${name}: ${line}\n`);
      return e.exitCode;
    }
    err(`credlink-checks ${name}: internal error: ${(e as Error)?.message?.split('\n')[0] ?? String(e)} (a bug: please report it with the command you ran)\n`);
    return EXIT.internal;
  }
}
