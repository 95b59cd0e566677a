import fs from 'node:fs';
import { processFacts } from '../../config/index.ts';
import { parse, type Command } from './contract.ts';
import { catalogEntries } from '../coverage/catalog-entries.ts';
import { computeCoverage } from '../coverage/coverage.ts';
import { renderCoverage } from '../coverage/format.ts';
import { EXIT, UsageError } from '../errors.ts';
import { colours, plain } from '../reporter/summary.ts';
import { parseRunbook } from '../runbook-md/parse.ts';

const options = {
  runbook: { type: 'string', value: 'PATH', description: 'the runbook markdown file, e.g. RUNBOOK.md (required)' },
  'min-coverage': { type: 'string', value: 'PERCENT', description: 'exit 1 when covered / checkable sections is below this percentage' },
  json: { type: 'boolean', default: false, description: 'print the coverage report as JSON' },
} as const;

const command: Command = {
  usage: 'coverage --runbook PATH [options]',
  description: [
    'Lists each section of the runbook with the checks that cover it, catalog entries whose section the runbook no longer',
    'has (drift, with a did-you-mean), and checkable sections with no check.',
    '',
    'A section is checkable when it is a ### section in a chapter about health checks, incidents, performance,',
    'maintenance or monitoring whose body holds a command, inline code or a threshold. A file without one (e.g. a',
    'README) is not a runbook: exit 2, never "0 of 0 covered (100%)".',
    '',
    'Exit: 0 covered enough, 1 below --min-coverage, 2 usage error or not a runbook.',
  ].join('\n'),
  options,
  async run(ctx) {
    const { values } = parse(ctx.args, options);
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
    // "0 of 0 checkable sections covered (100%)" would pass any --min-coverage: a file without a
    // single checkable runbook section (a README, the wrong file) is not a runbook.
    if (report.checkable === 0) {
      const matched = report.sections.filter((s) => s.checks.length || s.manual.length).length;
      throw new UsageError(`${values.runbook} is not a runbook: no checkable section${matched ? '' : ' and no heading the catalog points to'} (see coverage --help); point --runbook at the runbook markdown`);
    }
    const below = min !== undefined && report.percent < min;
    if (values.json) ctx.out(JSON.stringify({ runbook: values.runbook, minCoverage: min ?? null, belowMinimum: below, ...report }, null, 2) + '\n');
    else ctx.out(renderCoverage(report, values.runbook, process.stdout.isTTY && !processFacts.noColor() ? colours : plain, min));
    return below ? EXIT.findings : EXIT.healthy;
  },
};
export default command;
