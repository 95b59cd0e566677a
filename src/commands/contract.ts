/**
 * The contract between the command line (src/cli.ts, which only dispatches) and each command of
 * src/commands/: what a command declares, what it is given, and how it reads its arguments.
 */
import { parseArgs } from 'node:util';
import { didYouMean } from '../did-you-mean.ts';
import { UsageError } from '../errors.ts';
import type { OptionSpecs, OptionValues } from './options.ts';

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
  /** Synopsis after the command name, e.g. "run --env NAME [options]". */
  usage: string;
  /** What --help says besides the options: what it does, what it prints, when to use it. */
  description?: string;
  /** Every option, with its description (also what parseArgs accepts). */
  options: OptionSpecs;
  /**
   * The command creates what must not outlive it (targets, temp files, child processes) and
   * watches ctx.signal: SIGINT/SIGTERM become an orderly stop. Other commands keep the default
   * signal behaviour.
   */
  stopsInOrder?: boolean;
  run(ctx: CommandContext): Promise<number>;
}

/**
 * parseArgs over a command's declared options; usage errors become UsageError (one line, exit 2).
 * A string option never takes the next option as its value: `--env-file --json` is an error.
 */
export function parse<T extends OptionSpecs>(args: string[], options: T, allowPositionals = false): { values: OptionValues<T>; positionals: string[] } {
  const config: Record<string, { type: 'string' | 'boolean'; default?: string | boolean; short?: string }> = {};
  for (const [name, o] of Object.entries(options)) config[name] = { type: o.type, ...(o.default !== undefined ? { default: o.default } : {}), ...(o.short ? { short: o.short } : {}) };
  try {
    const r = parseArgs({ args, options: config, allowPositionals, strict: true });
    return { values: r.values as OptionValues<T>, positionals: r.positionals };
  } catch (err) {
    const line = (err as Error).message.split('\n')[0]!;
    const valueOf = /^Option '(-\w, )?--([^' ]+)(?: <value>)?' argument (missing|is ambiguous)/.exec(line);
    if (valueOf) {
      const name = valueOf[2]!;
      const placeholder = options[name]?.value ?? 'VALUE';
      if (valueOf[3] === 'missing') throw new UsageError(`--${name} needs a value: --${name} ${placeholder} (see --help)`);
      const at = args.findIndex((a) => a === `--${name}` || (!!options[name]?.short && a === `-${options[name]!.short}`));
      const next = at >= 0 ? args[at + 1] : undefined;
      throw new UsageError(
        `--${name} needs a value (${placeholder}) but is followed by the option ${next ? `"${next}"` : 'after it'}: give --${name} its value (one that starts with "-" is written --${name}=-...) (see --help)`,
      );
    }
    const unknown = /Unknown option '--?([^']+)'/.exec(line)?.[1];
    const hint = unknown ? didYouMean(unknown, Object.keys(options)) : undefined;
    throw new UsageError(`${line}${hint ? `: did you mean --${hint}?` : ''} (see --help)`);
  }
}
