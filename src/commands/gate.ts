import type { Command } from '../cli.ts';
import { parse } from '../cli.ts';
import { executeRun } from '../run/execute.ts';
import { renderGate, shouldRetry } from '../gate/verdict.ts';
import { configFrom, exitCodeFor, failOnFrom, runOptions } from './common.ts';

/**
 * The post-deploy verification gate: run the suite once, re-run it once only when every
 * blocking finding is network-level, print a one-screen verdict with the JUnit and runbook.md
 * paths, exit 1 when a finding is at or above --fail-on.
 */
const command: Command = {
  summary: 'Post-deploy gate: run the suite, re-run once only on network errors, exit 1 on findings at or above --fail-on (default CREDLINK_FAIL_ON).',
  usage: 'gate --env NAME | --env-file PATH [--fail-on SEV-n] [--grep REGEX] [--json] [--reports-dir DIR]',
  stopsInOrder: true,
  async run(ctx) {
    const { values } = parse(ctx.args, runOptions);
    const config = configFrom(values);
    const failOn = failOnFrom(values, config);
    const log = (l: string) => ctx.err(`${l}\n`);
    const opts = { config, reportsDir: values['reports-dir'] ?? 'reports', grep: values.grep, log, signal: ctx.signal };
    let outcome = await executeRun(opts);
    let retried = false;
    if (!ctx.signal.aborted && shouldRetry(outcome.report, failOn)) {
      ctx.err(`gate: every blocking finding is a network error: running the suite once more\n`);
      outcome = await executeRun(opts);
      retried = true;
    }
    if (values.json) ctx.out(JSON.stringify({ failOn, retried, runDir: outcome.runDir, report: outcome.report }, null, 2) + '\n');
    else ctx.out(renderGate({ report: outcome.report, runDir: outcome.runDir, failOn, retried }));
    return exitCodeFor(outcome.report, failOn);
  },
};
export default command;
