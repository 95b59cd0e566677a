import type { Command } from '../cli.ts';
import { parse } from '../cli.ts';
import { loadConfig, type ResolvedConfig } from '../../config/index.ts';
import { UsageError } from '../errors.ts';
import { renderCutover, runCutover } from '../cutover/cutover.ts';
import { parseFaults } from '../target/faults.ts';

const options = {
  blue: { type: 'string' },
  green: { type: 'string' },
  production: { type: 'string' },
  'after-switch': { type: 'boolean', default: false },
  'blue-colour': { type: 'string', default: 'blue' },
  'green-colour': { type: 'string', default: 'green' },
  'green-fault': { type: 'string' },
  'blue-fault': { type: 'string' },
  paths: { type: 'string' },
  rate: { type: 'string', default: '50' },
  samples: { type: 'string', default: '100' },
  'min-delta-ms': { type: 'string', default: '100' },
  grep: { type: 'string' },
  json: { type: 'boolean', default: false },
  'reports-dir': { type: 'string', default: 'reports' },
} as const;

/** An environment name (environments/<name>.env) or a path to an env file. */
function envOf(value: string): Readonly<ResolvedConfig> {
  return /[/\\]|\.env$/.test(value) ? loadConfig({ file: value }) : loadConfig({ env: value });
}

function num(flag: string, v: string | undefined, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${flag} must be a number from ${min} to ${max} (got "${v}")`);
  return n;
}

const command: Command = {
  summary: [
    'Blue-green cutover as a decision (runbook "2. Blue-Green Deployment"): GO / NO-GO with reasons and the rollback command.',
    'Before the switch: green passes the suite (nothing at or above SEV-2), green vs blue p95 and error-rate deltas inside the',
    'degradation bands (measured together, >= 100 samples each), status parity. --after-switch also requires the production',
    'Service selector to name green and the public URL to be healthy. Exit 0 GO, 1 NO-GO.',
    'Rehearse locally: cutover --blue local --green local --green-fault slow-responses=300',
  ].join('\n'),
  usage:
    'cutover --blue ENV|FILE --green ENV|FILE [--production ENV|FILE] [--after-switch] [--green-fault F[=V],...] [--paths /health,...] [--rate N] [--samples N] [--min-delta-ms N] [--grep REGEX] [--json] [--reports-dir DIR]',
  stopsInOrder: true,
  async run(ctx) {
    const { values } = parse(ctx.args, options);
    if (!values.blue || !values.green) throw new UsageError('--blue and --green are required, e.g. cutover --blue blue --green green (or --blue local --green local to rehearse)');
    const blue = envOf(values.blue);
    const green = envOf(values.green);
    const production = values.production ? envOf(values.production) : undefined;
    const faults = { blue: values['blue-fault'] ? parseFaults(values['blue-fault']) : undefined, green: values['green-fault'] ? parseFaults(values['green-fault']) : undefined };
    if (faults.green && green.target !== 'embedded') throw new UsageError(`--green-fault needs an embedded green (e.g. --green local); "${green.env}" is remote`);
    if (faults.blue && blue.target !== 'embedded') throw new UsageError(`--blue-fault needs an embedded blue (e.g. --blue local); "${blue.env}" is remote`);
    const samples = num('samples', values.samples, 100, 100_000);
    const paths = values.paths?.split(',').map((p) => p.trim()).filter(Boolean);
    if (paths?.some((p) => !p.startsWith('/'))) throw new UsageError('--paths must be paths starting with "/", comma-separated');
    const verdict = await runCutover({
      blue,
      green,
      production,
      afterSwitch: Boolean(values['after-switch']),
      colours: { blue: values['blue-colour'] ?? 'blue', green: values['green-colour'] ?? 'green' },
      faults,
      reportsDir: values['reports-dir'] ?? 'reports',
      grep: values.grep,
      measure: { paths, rate: num('rate', values.rate, 1, 1000), samples, minDeltaMs: num('min-delta-ms', values['min-delta-ms'], 0, 60_000) },
      log: (l) => ctx.err(`${l}\n`),
      signal: ctx.signal,
    });
    ctx.out(values.json ? JSON.stringify(verdict, null, 2) + '\n' : renderCutover(verdict));
    return verdict.decision === 'GO' ? 0 : 1;
  },
};
export default command;
