import { parse, type Command } from './contract.ts';
import { UsageError } from '../errors.ts';
import { wrap } from '../reporter/wrap.ts';
import { executeRun } from '../run/execute.ts';
import { FAULT_NAMES, faultCatalog, faultUsage, formatFaultValue, parseFaults, type FaultSpec } from '../target/faults.ts';
import { configFrom, exitCodeFor, failOnFrom, printOutcome } from './common.ts';
import { commonOptions, runOptions } from './options.ts';

const options = { ...runOptions, 'env-file': { ...commonOptions['env-file'], description: 'an embedded environment file other than environments/local.env' } };

/** One fault per entry: its syntax (with the value's unit), what it does, the value's range and default. */
export function faultsHelp(): string[] {
  const rows = FAULT_NAMES.map((name) => {
    const spec: FaultSpec = faultCatalog[name];
    const p = spec.param;
    const syntax = faultUsage(name);
    const value = !p
      ? ' Takes no value.'
      : p.unit === 'path'
        ? ` Value: a request path, default ${p.default}.`
        : p.unit === 'path:%'
          ? ` Value: PATH:PCT with PCT ${p.min}-${p.max} %, default ${formatFaultValue(p.default)}.`
          : ` Value: ${p.min}-${p.max} ${p.unit}, default ${p.default} ${p.unit}.`;
    return { syntax, text: `${spec.description}.${value}` };
  });
  const col = Math.max(...rows.map((r) => r.syntax.length)) + 4;
  return rows.flatMap((r) => {
    const [first, ...rest] = wrap(r.text, { indent: col, hang: col });
    return [`  ${r.syntax.padEnd(col - 2)}${first!.slice(col)}`, ...rest];
  });
}

const command: Command = {
  usage: 'drill FAULT[=VALUE][,FAULT[=VALUE]...] [options]',
  stopsInOrder: true,
  get description() {
    return [
      'Starts the reference CredLink target (PostgreSQL on loopback, the Kubernetes API simulator) with the faults injected,',
      'runs the suite against it and prints the triage, as `run` does. A value after = sets the fault\'s parameter; without',
      'it the default applies. Several faults: comma-separated. Drills are stored apart, in',
      '<reports-dir>/_drill/<env>/<run-id>/: never the environment\'s history, baseline or alert input.',
      '',
      'Faults:',
      ...faultsHelp(),
    ].join('\n');
  },
  options,
  async run(ctx) {
    const { values, positionals } = parse(ctx.args, options, true);
    if (positionals.length !== 1) throw new UsageError(`drill takes one fault list, e.g. "drill service-unavailable" or "drill slow-responses=3000,database-down" (faults: see drill --help)`);
    const faults = parseFaults(positionals[0]!);
    const config = configFrom(values, 'local');
    if (config.target !== 'embedded') throw new UsageError(`drill injects faults into the reference target: environment "${config.env}" is not embedded (use --env local)`);
    const failOn = failOnFrom(values, config);
    const { report, runDir } = await executeRun({ config, faults, reportsDir: values['reports-dir'] ?? 'reports', grep: values.grep, log: (l) => ctx.err(`${l}\n`), signal: ctx.signal, kind: 'drill', since: performance.timeOrigin });
    printOutcome(ctx, report, runDir, Boolean(values.json), config.runbook);
    return exitCodeFor(report, failOn);
  },
};
export default command;
