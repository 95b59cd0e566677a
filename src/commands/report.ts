import path from 'node:path';
import { runbookFor } from '../../config/index.ts';
import { parse, type Command } from './contract.ts';
import { UsageError } from '../errors.ts';
import { generateAllure } from '../report/allure-generate.ts';
import { readReport, runFolders } from '../report/history.ts';
import { renderRunReports } from '../report/run-outputs.ts';
import { LIVING_RUNBOOK_FILE } from '../runbook-md/link.ts';
import { commonOptions, type OptionSpecs } from './options.ts';

const options = {
  env: { type: 'string', value: 'NAME', description: 'the environment whose runs are in <reports-dir>/<env>/ (required)' },
  run: { type: 'string', value: 'RUN_ID', description: 'the run to rebuild (default: the latest run of the environment)' },
  'reports-dir': commonOptions['reports-dir'],
  'no-allure': { type: 'boolean', default: false, description: 'skip the Allure report (index.html, runbook.md and runbook.html only)' },
  json: { type: 'boolean', default: false, description: 'print what was written as JSON' },
} as const satisfies OptionSpecs;

const command: Command = {
  description: [
    'Default: the latest run of the environment. Everything is rendered from the run\'s scrubbed runbook.json.',
    '',
    'With CREDLINK_RUNBOOK_PATH set (in the environment file or the process environment), runbook.html is the runbook',
    'document annotated with the run\'s state, and index.html links its sections there. The Allure report keeps history',
    'across runs in <reports-dir>/<env>/allure-history.jsonl: a run is added to it once, however often it is rebuilt.',
  ].join('\n'),
  usage: 'report --env NAME [options]',
  options,
  async run(ctx) {
    const { values } = parse(ctx.args, options);
    if (!values.env) throw new UsageError('--env NAME is required (the environment whose runs are in reports/<env>/)');
    if (!/^[A-Za-z0-9_.-]+$/.test(values.env) || values.env.startsWith('.')) throw new UsageError(`--env "${values.env}" is not an environment name`);
    const envDir = path.resolve(values['reports-dir'] ?? 'reports', values.env);
    const runs = runFolders(envDir);
    if (runs.length === 0) throw new UsageError(`no runs in ${envDir}: run "credlink-checks run --env ${values.env}" first`);
    const runId = values.run ?? runs.at(-1)!;
    if (!runs.includes(runId)) throw new UsageError(`no run "${runId}" in ${envDir} (latest: ${runs.at(-1)})`);
    const runDir = path.join(envDir, runId);
    const report = readReport(path.join(runDir, 'runbook.json'));
    if (!report) throw new UsageError(`${path.join(runDir, 'runbook.json')} is not a valid runbook.json`);
    const runbook = runbookFor(values.env);
    renderRunReports(runDir, report, runbook);
    const html = path.join(runDir, 'index.html');
    const living = runbook.path ? path.join(runDir, LIVING_RUNBOOK_FILE) : null;
    const allure = values['no-allure'] ? undefined : await generateAllure(runDir, { name: `credlink-checks ${values.env} ${runId}`, log: (l) => ctx.err(`${l}\n`) });
    const out = { env: values.env, runId, runDir, html, livingRunbook: living, allureReport: allure?.reportDir ?? null, allureHistory: allure?.historyFile ?? null, allureHistoryAppended: allure?.appended ?? null };
    if (values.json) ctx.out(JSON.stringify(out, null, 2) + '\n');
    else {
      ctx.out(`triage report: ${html}\n`);
      if (living) ctx.out(`living runbook: ${living}\n`);
      if (allure) {
        ctx.out(`allure report: ${allure.reportDir}/index.html (serve it: npx allure open ${allure.reportDir})\n`);
        ctx.out(`allure history: ${allure.historyFile}${allure.appended ? '' : ' (this run was already in it: not added again)'}\n`);
      }
    }
    return 0;
  },
};
export default command;
