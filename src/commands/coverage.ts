import fs from 'node:fs';
import { processFacts } from '../../config/index.ts';
import type { Command } from '../cli.ts';
import { parse } from '../cli.ts';
import { catalogEntries } from '../coverage/catalog-entries.ts';
import { computeCoverage } from '../coverage/coverage.ts';
import { renderCoverage } from '../coverage/format.ts';
import { EXIT, UsageError } from '../errors.ts';
import { colours, plain } from '../reporter/summary.ts';
import { parseRunbook } from '../runbook-md/parse.ts';

const command: Command = {
  summary:
    'Runbook coverage: each section of a runbook markdown file with the checks that cover it, catalog entries whose section no longer exists (drift), and checkable sections with no check. Exit 1 below --min-coverage.',
  usage: 'coverage --runbook PATH [--min-coverage PERCENT] [--json]',
  async run(ctx) {
    const { values } = parse(ctx.args, {
      runbook: { type: 'string' },
      'min-coverage': { type: 'string' },
      json: { type: 'boolean', default: false },
    });
    if (!values.runbook) throw new UsageError('--runbook PATH is required (the runbook markdown file, e.g. --runbook RUNBOOK.md)');
    let min: number | undefined;
    if (values['min-coverage'] !== undefined) {
      min = Number(values['min-coverage'].replace(/%$/, ''));
      if (!Number.isFinite(min) || min < 0 || min > 100) throw new UsageError(`--min-coverage must be a percentage from 0 to 100 (got "${values['min-coverage']}")`);
    }
    let text: string;
    try {
      text = fs.readFileSync(values.runbook, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read the runbook ${values.runbook}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const report = computeCoverage(parseRunbook(text), catalogEntries());
    const below = min !== undefined && report.percent < min;
    if (values.json) ctx.out(JSON.stringify({ runbook: values.runbook, minCoverage: min ?? null, belowMinimum: below, ...report }, null, 2) + '\n');
    else ctx.out(renderCoverage(report, values.runbook, process.stdout.isTTY && !processFacts.noColor() ? colours : plain, min));
    return below ? EXIT.findings : EXIT.healthy;
  },
};
export default command;
