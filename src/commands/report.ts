import fs from 'node:fs';
import path from 'node:path';
import type { Command } from '../cli.ts';
import { parse } from '../cli.ts';
import { UsageError } from '../errors.ts';
import { generateAllure } from '../report/allure-generate.ts';
import { loadHistory, readReport, runFolders } from '../report/history.ts';
import { renderHtml } from '../report/html.ts';

const command: Command = {
  summary:
    'Build the reports of a run that already happened (default: the latest run of the environment): index.html again (with the trend of the runs before it) and the Allure report with history across runs.',
  usage: 'report --env NAME [--run RUN_ID] [--reports-dir DIR] [--no-allure] [--json]',
  async run(ctx) {
    const { values } = parse(ctx.args, {
      env: { type: 'string' },
      run: { type: 'string' },
      'reports-dir': { type: 'string', default: 'reports' },
      'no-allure': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    });
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
    const html = path.join(runDir, 'index.html');
    fs.writeFileSync(html, renderHtml(report, loadHistory(envDir, runId)));
    const allure = values['no-allure'] ? undefined : await generateAllure(runDir, { name: `credlink-checks ${values.env} ${runId}`, log: (l) => ctx.err(`${l}\n`) });
    const out = { env: values.env, runId, runDir, html, allureReport: allure?.reportDir ?? null, allureHistory: allure?.historyFile ?? null };
    if (values.json) ctx.out(JSON.stringify(out, null, 2) + '\n');
    else {
      ctx.out(`triage report: ${html}\n`);
      if (allure) ctx.out(`allure report: ${allure.reportDir}/index.html (serve it: npx allure open ${allure.reportDir})\nallure history: ${allure.historyFile}\n`);
    }
    return 0;
  },
};
export default command;
