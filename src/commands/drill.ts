import type { Command } from '../cli.ts';
import { parse } from '../cli.ts';
import { UsageError } from '../errors.ts';
import { executeRun } from '../run/execute.ts';
import { FAULT_NAMES, faultCatalog, faultUsage, parseFaults } from '../target/faults.ts';
import { configFrom, exitCodeFor, failOnFrom, printOutcome, runOptions } from './common.ts';

const command: Command = {
  summary: `Rehearse an incident: start the reference target with FAULT[,FAULT...] injected, run the suite, print the triage.\nFaults: ${FAULT_NAMES.map((f) => `\n  ${faultUsage(f).padEnd(34)} ${faultCatalog[f].description}`).join('')}`,
  usage: 'drill FAULT[=VALUE][,FAULT...] [--env-file PATH] [--grep REGEX] [--fail-on SEV-n] [--json]',
  async run(ctx) {
    const { values, positionals } = parse(ctx.args, runOptions, true);
    if (positionals.length !== 1) throw new UsageError(`drill takes one fault list, e.g. "drill service-unavailable" (faults: ${FAULT_NAMES.join(', ')})`);
    const faults = parseFaults(positionals[0]!);
    const config = configFrom(values, 'local');
    if (config.target !== 'embedded') throw new UsageError(`drill injects faults into the reference target: environment "${config.env}" is not embedded (use --env local)`);
    const failOn = failOnFrom(values, config);
    const { report, runDir } = await executeRun({ config, faults, reportsDir: values['reports-dir'] ?? 'reports', grep: values.grep, log: (l) => ctx.err(`${l}\n`) });
    printOutcome(ctx, report, runDir, Boolean(values.json));
    return exitCodeFor(report, failOn);
  },
};
export default command;
