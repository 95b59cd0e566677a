import { parse, type Command } from './contract.ts';
import { reusableResults, sharedWindow } from '../monitor/reuse.ts';
import { executeRun } from '../run/execute.ts';
import { configFrom, exitCodeFor, failOnFrom, printOutcome } from './common.ts';
import { runOptions } from './options.ts';

const options = { ...runOptions };

const command: Command = {
  usage: 'run --env NAME|PATH [options]',
  stopsInOrder: true,
  description: [
    'Runs every check of the catalog (or those --grep selects) against the environment and prints the triage:',
    'incidents first (one per root cause) with the runbook section, the severity and why, first steps and the failing',
    'checks each one explains; skips grouped by reason; the verdict again as the last line. Progress goes to stderr.',
    '',
    'Reports: <reports-dir>/<env>/<run-id>/ (index.html, runbook.md, runbook.json, junit.xml, allure-results/,',
    'and runbook.html when CREDLINK_RUNBOOK_PATH is set).',
    '',
    'Exit: 0 healthy (or nothing at or above --fail-on), 1 incidents at or above --fail-on, 6 no check executed,',
    '130 interrupted (SIGINT/SIGTERM: the report says so, everything the run started is stopped and removed).',
  ].join('\n'),
  options,
  async run(ctx) {
    const { values } = parse(ctx.args, options);
    const loaded = configFrom(values);
    const failOn = failOnFrom(values, loaded);
    const shared = sharedWindow(loaded);
    if (!('none' in shared)) ctx.err(`p95 and error rate: ${shared.label}: no probe traffic from this run\n`);
    // Expensive checks a running monitor passed within their validity: not repeated, said per check.
    const reuse = reusableResults(loaded);
    for (const r of reuse) ctx.err(`${r.checkId}: ${r.reason}\n`);
    const config = reuse.length ? Object.freeze({ ...loaded, reuse }) : loaded;
    const { report, runDir } = await executeRun({ config, reportsDir: values['reports-dir'] ?? 'reports', grep: values.grep, log: (l) => ctx.err(`${l}\n`), signal: ctx.signal, since: performance.timeOrigin });
    printOutcome(ctx, report, runDir, Boolean(values.json), config.runbook);
    return exitCodeFor(report, failOn);
  },
};
export default command;
