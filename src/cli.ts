/**
 * credlink-checks: the command line. It only dispatches: a lazy command map, help, and the one
 * place that turns errors into exit codes (src/errors.ts lists them). Nothing else exits the
 * process. What a command is and how it parses its options: src/commands/contract.ts; each
 * command declares its options once (src/commands/options.ts), read by parseArgs and --help.
 */
import type { Command } from './commands/contract.ts';
import { optionsHelp } from './commands/options.ts';
import { didYouMean } from './did-you-mean.ts';
import { CliError, EXIT } from './errors.ts';
import { installShutdown, stopRequestOf, type Shutdown } from './process/shutdown.ts';
import { TERMINAL_WIDTH, wrap } from './reporter/wrap.ts';
import { version } from './version.ts';

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
  // `node bin/credlink-checks.js -- run ...` (the "--" keeps Node 20 off a later --env-file).
  const [name, ...args] = argv[0] === '--' ? argv.slice(1) : argv;
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
