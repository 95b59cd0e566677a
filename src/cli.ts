/**
 * credlink-checks: the command line. A lazy command map, node:util parseArgs, and the one place
 * that turns errors into exit codes (src/errors.ts lists them). Nothing else exits the process.
 * Each command declares its options once (src/commands/options.ts): parseArgs and --help read
 * the same structure.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { optionsHelp, type OptionSpecs, type OptionValues } from './commands/options.ts';
import { CliError, EXIT, UsageError } from './errors.ts';
import { installShutdown, stopRequestOf, type Shutdown } from './process/shutdown.ts';
import { TERMINAL_WIDTH, wrap } from './reporter/wrap.ts';
import { PROJECT_ROOT } from './run/paths.ts';

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

/** Commands in the order the help lists them, each with its one-line summary (also read by src/docs/). */
export const commands: Record<string, { summary: string; load: () => Promise<{ default: Command }> }> = {
  run: { summary: 'run every check against an environment and print the triage', load: () => import('./commands/run.ts') },
  drill: { summary: 'rehearse an incident: the reference target with faults injected, then the suite', load: () => import('./commands/drill.ts') },
  gate: { summary: 'post-deploy gate for CI: exit 1 on incidents at or above --fail-on, job summary', load: () => import('./commands/gate.ts') },
  cutover: { summary: 'blue-green cutover as a decision: GO / NO-GO with reasons and the rollback', load: () => import('./commands/cutover.ts') },
  schedule: { summary: 'monitoring daemon: runs on a schedule, pages, serves status page and /metrics', load: () => import('./commands/schedule.ts') },
  report: { summary: 'rebuild the reports of a past run (HTML, living runbook, Allure)', load: () => import('./commands/report.ts') },
  coverage: { summary: 'which runbook sections the checks cover, drift, sections with no check', load: () => import('./commands/coverage.ts') },
  list: { summary: 'the catalog: check id, runbook section, default severity', load: () => import('./commands/list.ts') },
  validate: { summary: 'validate environment files and the catalog (every problem at once)', load: () => import('./commands/validate.ts') },
  target: { summary: 'start the reference CredLink target alone (optionally with faults)', load: () => import('./commands/target.ts') },
  load: { summary: 'run a k6 load scenario; failed thresholds mapped to runbook sections', load: () => import('./commands/load.ts') },
};

export function version(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Damerau-Levenshtein distance (adjacent swaps count 1), for did-you-mean. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest known name: a unique prefix, or at most 2 edits away (1 for short names). */
export function didYouMean(input: string, known: readonly string[]): string | undefined {
  const s = input.toLowerCase();
  const prefixed = known.filter((k) => s.length >= 2 && k.startsWith(s));
  if (prefixed.length === 1) return prefixed[0];
  const scored = known.map((k) => ({ k, d: editDistance(s, k) })).sort((a, b) => a.d - b.d);
  const best = scored[0];
  if (!best || best.d > (s.length <= 4 ? 1 : 2)) return undefined;
  return scored.filter((x) => x.d === best.d).length === 1 ? best.k : undefined;
}

/** parseArgs over a command's declared options; usage errors become UsageError (one line, exit 2). */
export function parse<T extends OptionSpecs>(args: string[], options: T, allowPositionals = false): { values: OptionValues<T>; positionals: string[] } {
  const config: Record<string, { type: 'string' | 'boolean'; default?: string | boolean; short?: string }> = {};
  for (const [name, o] of Object.entries(options)) config[name] = { type: o.type, ...(o.default !== undefined ? { default: o.default } : {}), ...(o.short ? { short: o.short } : {}) };
  try {
    const r = parseArgs({ args, options: config, allowPositionals, strict: true });
    return { values: r.values as OptionValues<T>, positionals: r.positionals };
  } catch (err) {
    const line = (err as Error).message.split('\n')[0]!;
    const unknown = /Unknown option '--?([^']+)'/.exec(line)?.[1];
    const hint = unknown ? didYouMean(unknown, Object.keys(options)) : undefined;
    throw new UsageError(`${line}${hint ? `: did you mean --${hint}?` : ''} (see --help)`);
  }
}

function topHelp(): string {
  const lines = [`credlink-checks ${version()}: the CredLink operations runbook as executable checks`, '', 'Usage: credlink-checks <command> [options]', '', 'Commands:'];
  const w = Math.max(...Object.keys(commands).map((n) => n.length)) + 4;
  for (const [name, c] of Object.entries(commands)) {
    const [first, ...rest] = wrap(c.summary, { indent: w + 2, hang: w + 2 });
    lines.push(`  ${name.padEnd(w)}${first!.slice(w + 2)}`, ...rest);
  }
  lines.push(
    '',
    'Run "credlink-checks <command> --help" for its options; "credlink-checks --version" for the version.',
    ...wrap('Exit codes: 0 healthy, 1 incidents at or above --fail-on, 2 usage or configuration error, 3 environment error, 4 refused, 5 internal error, 6 no evidence (no check executed), 130 interrupted.'),
  );
  return lines.join('\n') + '\n';
}

/**
 * A description as help text: unindented lines are joined into paragraphs (blank lines separate
 * them) and wrapped; indented lines (tables such as the fault list) are kept as written.
 */
export function paragraphs(text: string): string[] {
  const out: string[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) out.push(...wrap(para.join(' '), { hang: 0 }));
    para = [];
  };
  for (const line of text.split('\n')) {
    if (!line.trim()) {
      flush();
      out.push('');
    } else if (/^\s/.test(line)) {
      flush();
      const indent = line.length - line.trimStart().length;
      out.push(...(line.length <= TERMINAL_WIDTH ? [line] : wrap(line, { indent, hang: indent + 2 })));
    } else para.push(line.trim());
  }
  flush();
  return out;
}

export function commandHelp(name: string, summary: string, cmd: Command): string {
  const lines = [...wrap(`credlink-checks ${name}: ${summary}`, { hang: 2 }), '', ...wrap(`Usage: credlink-checks ${cmd.usage}`, { hang: 4 })];
  if (cmd.description) lines.push('', ...paragraphs(cmd.description));
  lines.push('', 'Options:', ...optionsHelp(cmd.options));
  return lines.join('\n') + '\n';
}

export async function main(argv: string[]): Promise<number> {
  const out = (t: string) => void process.stdout.write(t);
  const err = (t: string) => void process.stderr.write(t);
  const [name, ...args] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    out(`credlink-checks ${version()}\n`);
    return EXIT.healthy;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && args[0] && commands[args[0]]) return main([args[0], '--help']);
    out(topHelp());
    return name ? EXIT.healthy : EXIT.usage;
  }
  const entry = commands[name];
  if (!entry) {
    const hint = didYouMean(name, Object.keys(commands));
    err(`credlink-checks: unknown command "${name}"${hint ? `: did you mean "${hint}"?` : ''}\n`);
    err(`${wrap(`commands: ${Object.keys(commands).join(', ')} (credlink-checks --help)`, { hang: 2 }).join('\n')}\n`);
    return EXIT.usage;
  }
  let shutdown: Shutdown | undefined;
  try {
    const cmd = (await entry.load()).default;
    if (args.includes('--help') || args.includes('-h')) {
      out(commandHelp(name, entry.summary, cmd));
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
