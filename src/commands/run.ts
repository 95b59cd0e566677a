import type { Command } from '../cli.ts';
import { parse } from '../cli.ts';
import { executeRun } from '../run/execute.ts';
import { configFrom, exitCodeFor, failOnFrom, printOutcome, runOptions } from './common.ts';

const command: Command = {
  summary: 'Run every check against an environment and print the triage (runbook section, severity, first steps).',
  usage: 'run --env NAME | --env-file PATH [--grep REGEX] [--fail-on SEV-n] [--json] [--reports-dir DIR]',
  stopsInOrder: true,
  async run(ctx) {
    const { values } = parse(ctx.args, runOptions);
    const config = configFrom(values);
    const failOn = failOnFrom(values, config);
    const { report, runDir } = await executeRun({ config, reportsDir: values['reports-dir'] ?? 'reports', grep: values.grep, log: (l) => ctx.err(`${l}\n`), signal: ctx.signal });
    printOutcome(ctx, report, runDir, Boolean(values.json));
    return exitCodeFor(report, failOn);
  },
};
export default command;
