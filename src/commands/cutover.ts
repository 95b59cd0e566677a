import { parse, type Command } from './contract.ts';
import { loadConfig, type ResolvedConfig } from '../../config/index.ts';
import { UsageError } from '../errors.ts';
import { renderCutover, runCutover } from '../cutover/cutover.ts';
import { DEFAULT_JUDGE } from '../cutover/judge.ts';
import { DEFAULT_RATE, DEFAULT_REMOTE_RATE, DEFAULT_SAMPLES, MIN_SAMPLES } from '../cutover/plan.ts';
import { MAX_BATCHES } from '../cutover/sequential.ts';
import { parseFaults } from '../target/faults.ts';
import { commonOptions } from './options.ts';
import { isEnvPath } from './common.ts';
import path from 'node:path';

const options = {
  blue: { type: 'string', value: 'ENV|FILE', description: 'the side serving production now: an environment name or an env file (required)' },
  green: { type: 'string', value: 'ENV|FILE', description: 'the side to switch to (required)' },
  production: { type: 'string', value: 'ENV|FILE', description: 'holds the production Service (KUBE_*) and the public URL for --after-switch (default: blue)' },
  'after-switch': { type: 'boolean', default: false, description: 'also require the production Service selector to name green and the public URL to answer 200' },
  'blue-colour': { type: 'string', value: 'LABEL', default: 'blue', description: "blue's value of KUBE_COLOR_LABEL in the Service selector" },
  'green-colour': { type: 'string', value: 'LABEL', default: 'green', description: "green's value of KUBE_COLOR_LABEL in the Service selector" },
  'green-fault': { type: 'string', value: 'F[=V],...', description: 'faults for an embedded green (rehearsal; see drill --help)' },
  'blue-fault': { type: 'string', value: 'F[=V],...', description: 'faults for an embedded blue (rehearsal)' },
  paths: { type: 'string', value: '/a,/b', description: 'paths compared between the colours (default: the health path)' },
  rate: { type: 'string', value: 'N', description: `requests per second per colour and path while comparing (default: ${DEFAULT_REMOTE_RATE} for remote colours, ${DEFAULT_RATE} when a colour is embedded)` },
  samples: { type: 'string', value: 'N', default: String(DEFAULT_SAMPLES), description: `samples per colour and path, at least ${MIN_SAMPLES} (the default is planned for the 20%/50% bands; see docs/cutover-statistics.md)` },
  batches: {
    type: 'string',
    value: 'N',
    default: String(MAX_BATCHES),
    description: `at most this many batches of --samples when a batch leaves a metric inconclusive and nothing significantly worse (1 to ${MAX_BATCHES}; 1: no extension; docs/cutover-statistics.md)`,
  },
  'state-dir': {
    type: 'string',
    value: 'DIR',
    default: '.state',
    description: "a monitoring daemon's state directory: a fresh window of a remote green there gives its suite p95 and error rate without probing, and its passes of the hourly checks made since green started are reused (never with --after-switch); none: neither",
  },
  'jitter-floor-ms': { type: 'string', value: 'MS', default: String(DEFAULT_JUDGE.floorMs), description: 'latency differences under this many ms are measurement jitter, whatever their ratio' },
  'min-delta-ms': { type: 'string', value: 'MS', description: 'deprecated: read as --jitter-floor-ms (the comparison is a statistical test now, not a p95 difference against a floor)' },
  grep: commonOptions.grep,
  json: { type: 'boolean', default: false, description: 'print the decision as JSON' },
  'reports-dir': commonOptions['reports-dir'],
} as const;

/** An environment name (environments/<name>.env) or a path to an env file. */
function envOf(value: string): Readonly<ResolvedConfig> {
  return isEnvPath(value) ? loadConfig({ file: value }) : loadConfig({ env: value });
}

function num(flag: string, v: string | undefined, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${flag} must be a number from ${min} to ${max} (got "${v}")`);
  return n;
}

const command: Command = {
  usage: 'cutover --blue ENV|FILE --green ENV|FILE [options]',
  stopsInOrder: true,
  description: [
    'The runbook\'s "2. Blue-Green Deployment" as a decision: GO (exit 0) or NO-GO (exit 1) with reasons and the rollback.',
    'Before the switch: green passes the suite (nothing at or above SEV-2); green vs blue latency (Mann-Whitney U), its',
    'p95 and error rate (Fisher exact), measured together, each with its effect, confidence interval and p-value, inside',
    "the runbook's bands (20% worse SEV-2, 50% SEV-1); status parity. --after-switch also requires",
    'the production Service selector to name green and the public URL to be healthy. Green\'s run is a candidate, stored',
    'apart in <reports-dir>/_candidate/<env>/<run-id>/ (never the environment\'s history). Interrupted: exit 130, no decision.',
    '',
    'Rehearse locally: cutover --blue local --green local --green-fault slow-responses=90 (how to read a decision: docs/cutover-statistics.md)',
  ].join('\n'),
  options,
  async run(ctx) {
    const { values } = parse(ctx.args, options);
    if (!values.blue || !values.green) throw new UsageError('--blue and --green are required, e.g. cutover --blue blue --green green (or --blue local --green local to rehearse)');
    const blue = envOf(values.blue);
    const green = envOf(values.green);
    const production = values.production ? envOf(values.production) : undefined;
    const faults = { blue: values['blue-fault'] ? parseFaults(values['blue-fault']) : undefined, green: values['green-fault'] ? parseFaults(values['green-fault']) : undefined };
    if (faults.green && green.target !== 'embedded') throw new UsageError(`--green-fault needs an embedded green (e.g. --green local); "${green.env}" is remote`);
    if (faults.blue && blue.target !== 'embedded') throw new UsageError(`--blue-fault needs an embedded blue (e.g. --blue local); "${blue.env}" is remote`);
    const samples = num('samples', values.samples, MIN_SAMPLES, 100_000);
    const batches = num('batches', values.batches, 1, MAX_BATCHES);
    if (!Number.isInteger(batches)) throw new UsageError(`--batches must be a whole number from 1 to ${MAX_BATCHES} (got "${values.batches}")`);
    const rate = values.rate !== undefined ? num('rate', values.rate, 1, 1000) : blue.target === 'embedded' || green.target === 'embedded' ? DEFAULT_RATE : DEFAULT_REMOTE_RATE;
    // A monitor of a remote green may have its state there (src/cutover/green-monitor.ts).
    const stateDir = values['state-dir'];
    const greenWatched = green.target === 'remote' && stateDir && stateDir !== 'none' ? Object.freeze({ ...green, monitorWindow: { stateDir: path.resolve(stateDir) } }) : green;
    if (values['min-delta-ms'] !== undefined) {
      ctx.err(`--min-delta-ms is deprecated: the comparison is a statistical test now; its value is used as --jitter-floor-ms (see docs/cutover-statistics.md)\n`);
    }
    const floorMs = num(values['min-delta-ms'] !== undefined ? 'min-delta-ms' : 'jitter-floor-ms', values['min-delta-ms'] ?? values['jitter-floor-ms'], 0, 60_000);
    const paths = values.paths?.split(',').map((p) => p.trim()).filter(Boolean);
    if (paths?.some((p) => !p.startsWith('/'))) throw new UsageError('--paths must be paths starting with "/", comma-separated');
    const verdict = await runCutover({
      blue,
      green: greenWatched,
      production,
      afterSwitch: Boolean(values['after-switch']),
      colours: { blue: values['blue-colour'] ?? 'blue', green: values['green-colour'] ?? 'green' },
      faults,
      reportsDir: values['reports-dir'] ?? 'reports',
      grep: values.grep,
      measure: { paths, rate, samples, floorMs, batches },
      log: (l) => ctx.err(`${l}\n`),
      signal: ctx.signal,
    });
    ctx.out(values.json ? JSON.stringify(verdict, null, 2) + '\n' : renderCutover(verdict));
    return verdict.decision === 'GO' ? 0 : 1;
  },
};
export default command;
