import { parse, type Command } from './contract.ts';
import { sharedWindow } from '../monitor/reuse.ts';
import { processFacts } from '../../config/index.ts';
import { executeRun } from '../run/execute.ts';
import { githubAnnotations, githubStepSummary, renderGate, shouldRetry } from '../gate/verdict.ts';
import { appendStepSummary } from '../gate/github.ts';
import { configFrom, exitCodeFor, failOnFrom } from './common.ts';
import { runOptions } from './options.ts';

const options = { ...runOptions, json: { ...runOptions.json, description: 'print {failOn, retried, runDir, report} as JSON instead of the verdict' } };

/**
 * The post-deploy verification gate: run the suite once, re-run it once only when every
 * blocking incident is network-level, print a one-screen verdict naming what blocks and what
 * does not, exit 1 when an incident is at or above --fail-on. In GitHub Actions it also writes
 * the job summary and ::error / ::warning annotations.
 */
const command: Command = {
  usage: 'gate --env NAME|PATH [options]',
  stopsInOrder: true,
  description: [
    'Post-deploy verification: runs the suite; when every blocking incident is a network error (connection refused or',
    'reset, DNS, no answer) it runs once more, never for a failing assertion. Prints a one-screen verdict: the incidents',
    'that block (at or above --fail-on) and, by name, those that do not; then the junit.xml and runbook.md paths.',
    '',
    'In GitHub Actions (GITHUB_ACTIONS=true) it also appends a Markdown job summary to $GITHUB_STEP_SUMMARY and prints',
    '::error (blocking) and ::warning (not blocking) annotations, one per incident.',
    '',
    'Exit: 0 nothing at or above --fail-on, 1 blocked, 6 no check executed (never a pass), 130 interrupted.',
  ].join('\n'),
  options,
  async run(ctx) {
    const { values } = parse(ctx.args, options);
    const config = configFrom(values);
    const failOn = failOnFrom(values, config);
    const log = (l: string) => ctx.err(`${l}\n`);
    const shared = sharedWindow(config);
    if (!('none' in shared)) ctx.err(`p95 and error rate: ${shared.label}: no probe traffic from this run\n`);
    const opts = { config, reportsDir: values['reports-dir'] ?? 'reports', grep: values.grep, log, signal: ctx.signal };
    let outcome = await executeRun(opts);
    let retried = false;
    if (!ctx.signal.aborted && shouldRetry(outcome.report, failOn)) {
      ctx.err(`gate: every blocking incident is a network error: running the suite once more\n`);
      outcome = await executeRun(opts);
      retried = true;
    }
    const gate = { report: outcome.report, runDir: outcome.runDir, failOn, retried, links: { url: config.runbook.url } };
    if (values.json) ctx.out(JSON.stringify({ failOn, retried, runDir: outcome.runDir, report: outcome.report }, null, 2) + '\n');
    else ctx.out(renderGate(gate));
    const gh = processFacts.github();
    if (gh.actions) {
      // Workflow commands on stderr: GitHub reads both streams, and stdout stays clean for --json.
      ctx.err(githubAnnotations(gate));
      if (gh.stepSummary) appendStepSummary(gh.stepSummary, githubStepSummary(gate), log);
    }
    return exitCodeFor(outcome.report, failOn);
  },
};
export default command;
