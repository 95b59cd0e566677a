/**
 * `npm run bench`: a benchmark, not a test (nothing here asserts). docs/benchmark.md.
 *
 * In one run, side by side, each scenario RUNS times (round robin, so a change in the machine's
 * load weighs on every scenario alike), medians:
 *   floors: a bare Playwright run (one request, one worker, line reporter) and a plain fetch
 *   open-model probe at the suite's probe rate and count (bench/floors.ts);
 *   the tool: a remote full run against an already running reference target, the local
 *   embedded full run (`run --env local`, what `npm start` runs), an outage run (a target whose
 *   health answers 503), the Kubernetes checks only, one check.
 * Each: wall time, CPU of the whole process tree, memory of the tree (bench/measure.ts), as
 * ratios to the floors and against its goals (PASS/MISS); then the probe's accuracy
 * against a known injected latency (bench/accuracy.ts). Every figure goes to a JSON file.
 *
 * Options: --runs N (3) --only ID,ID --skip-accuracy --out FILE (default
 * <reports-dir>/bench/bench-<time>.json) --reports-dir DIR (reports)
 * --only monitor: the continuous monitor's section alone (bench/monitor.ts): --trials N (10),
 * --period S (600: the CPU share's averaging period), --skip-rates
 * accuracy: --rate N (50) --count N (500) --base MS (20) --tail MS (200)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.ts';
import { probeSettings } from '../src/perf/probe-run.ts';
import { PROJECT_ROOT } from '../src/run/paths.ts';
import { measureAccuracy, type Accuracy } from './accuracy.ts';
import { makeFloors } from './floors.ts';
import { measure, median, type Measured } from './measure.ts';
import { BIN, startTarget, type BenchTarget } from './targets.ts';
import { goalsOf, printReport, type RemoteRun, type ScenarioFigures } from './report.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    only: { type: 'string' },
    'skip-accuracy': { type: 'boolean', default: false },
    out: { type: 'string' },
    'reports-dir': { type: 'string', default: 'reports' },
    rate: { type: 'string', default: '50' },
    count: { type: 'string', default: '500' },
    base: { type: 'string', default: '20' },
    tail: { type: 'string', default: '200' },
    trials: { type: 'string', default: '10' },
    period: { type: 'string', default: '600' },
    'skip-rates': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`bench: --runs must be a whole number >= 1 (got "${values.runs}")\n`);
  process.exit(2);
}
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Scenario {
  id: string;
  label: string;
  /** The running target the scenario's runs go to: reset before each run. */
  target?: BenchTarget;
  command(): { cmd: string; args: string[]; env?: NodeJS.ProcessEnv };
  /** Exit codes that mean the scenario ran as intended (a healthy run 0, an outage 1). */
  exits: number[];
  /** Where its runs write reports (tool scenarios). */
  reportsDir?: string;
}

if (values.only === 'monitor') {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'credlink-bench-'));
  const at = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  try {
    const { runMonitorBench } = await import('./monitor.ts');
    await runMonitorBench({ trials: Number(values.trials), periodS: Number(values.period), skipRates: Boolean(values['skip-rates']), work, out: values.out ?? path.join(values['reports-dir']!, 'bench', `bench-monitor-${at}.json`), log });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  process.exit(0);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'credlink-bench-'));
const floors = makeFloors();
const targets: BenchTarget[] = [];
const started = new Date();
const load0 = os.loadavg();

try {
  log('starting the reference targets (healthy, and one with service-unavailable)...');
  const [healthy, outage] = await Promise.all([startTarget(work, 'bench-remote'), startTarget(work, 'bench-outage', 'service-unavailable')]);
  targets.push(healthy, outage);
  const probe = probeSettings(loadConfig({ file: healthy.envFile }));
  const probeWindowS = probe.samples / probe.rate;
  const env = { ...process.env, NO_COLOR: '1' };
  const tool = (id: string, ...args: string[]) => {
    const reportsDir = path.join(work, `reports-${id}`);
    return { reportsDir, command: () => ({ cmd: process.execPath, args: ['--', BIN, ...args, '--reports-dir', reportsDir], env }) };
  };
  const scenarios: Scenario[] = [
    {
      id: 'floor-playwright',
      label: 'floor: bare Playwright (1 request)',
      command: () => ({ ...floors.playwright, env: { ...env, FLOOR_URL: `${healthy.baseUrl}/health` } }),
      exits: [0],
    },
    {
      id: 'floor-fetch',
      label: `floor: fetch probe (${probe.samples * probe.paths.length} req)`,
      command: () => ({ ...floors.fetch({ rate: probe.rate, count: probe.samples, urls: probe.paths.map((p) => `${healthy.baseUrl}${p}`) }), env }),
      exits: [0],
    },
    { id: 'remote', label: 'remote full run', target: healthy, ...tool('remote', 'run', '--env-file', healthy.envFile), exits: [0] },
    { id: 'local', label: 'local full run (npm start)', ...tool('local', 'run', '--env', 'local'), exits: [0] },
    { id: 'outage', label: 'outage run (health 503)', target: outage, ...tool('outage', 'run', '--env-file', outage.envFile), exits: [1] },
    { id: 'kubernetes', label: 'Kubernetes checks only', target: healthy, ...tool('kubernetes', 'run', '--env-file', healthy.envFile, '--grep', '@k8s\\.'), exits: [0] },
    { id: 'one-check', label: 'one check (@health.root)', target: healthy, ...tool('one-check', 'run', '--env-file', healthy.envFile, '--grep', '@health\\.root'), exits: [0] },
  ];
  const only = values.only?.split(',').map((s) => s.trim());
  const selected = only ? scenarios.filter((s) => only.includes(s.id)) : scenarios;
  const results = new Map<string, Measured[]>(selected.map((s) => [s.id, []]));

  // Round robin: every scenario once per round.
  for (let round = 1; round <= runs; round++) {
    for (const s of selected) {
      log(`round ${round}/${runs}: ${s.label}...`);
      await s.target?.reset();
      const c = s.command();
      const m = await measure(c.cmd, c.args, { cwd: PROJECT_ROOT, env: c.env });
      if (!s.exits.includes(m.exit)) log(`  exit ${m.exit} (expected ${s.exits.join(' or ')}): ${m.tail.slice(-3).join(' | ')}`);
      results.get(s.id)!.push(m);
    }
  }

  const figures: ScenarioFigures[] = selected.map((s) => {
    const ms = results.get(s.id)!;
    return {
      id: s.id,
      label: s.label,
      runs: ms.map(({ tail: _t, ...rest }) => rest),
      wallS: median(ms.map((m) => m.wallMs)) / 1000,
      cpuS: median(ms.map((m) => m.cpuS)),
      treePssMiB: median(ms.map((m) => m.treePssMiB)),
      treeRssMiB: median(ms.map((m) => m.treeRssMiB)),
      processMiB: median(ms.map((m) => m.processMiB)),
      unexpectedExits: ms.filter((m) => !s.exits.includes(m.exit)).length,
    };
  });
  const remoteRun = latestReport(scenarios.find((s) => s.id === 'remote')!.reportsDir!);

  let accuracy: Accuracy | undefined;
  if (!values['skip-accuracy']) {
    accuracy = await measureAccuracy({ rate: Number(values.rate), count: Number(values.count), base: Number(values.base), tail: Number(values.tail) }, log);
  }

  const goals = goalsOf(figures, { probeWindowS, remoteRun, accuracy });
  const machine = { cores: os.cpus().length, loadAverageBefore: load0, loadAverageAfter: os.loadavg(), node: process.version };
  const probeNote = `suite probe: ${probe.samples} requests per endpoint at ${probe.rate}/s on ${probe.paths.join(', ')} (window ${probeWindowS} s); the remote env file declares the target's own limits (CREDLINK_RATE_LIMIT=none: the reference target limits only failed attempts)`;
  printReport({ figures, goals, accuracy, machine, runs, probeNote, remoteRun });

  const out = values.out ?? path.join(values['reports-dir']!, 'bench', `bench-${started.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.json`);
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(
    out,
    JSON.stringify(
      { startedAt: started.toISOString(), machine, runs, probe: { ...probe, windowS: probeWindowS }, scenarios: figures, goals, accuracy, remoteTimings: remoteRun?.timings ?? null },
      null,
      2,
    ) + '\n',
  );
  log(`figures written to ${out}`);
} finally {
  for (const t of targets) await t.stop();
  floors.remove();
  fs.rmSync(work, { recursive: true, force: true });
}

/** The newest runbook.json under a reports directory (any environment), for its timings. */
function latestReport(dir: string): RemoteRun | undefined {
  const found: { file: string; mtime: number }[] = [];
  const walk = (d: string, depth: number) => {
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && depth < 3) walk(p, depth + 1);
      else if (e.name === 'runbook.json') found.push({ file: p, mtime: fs.statSync(p).mtimeMs });
    }
  };
  walk(dir, 0);
  const newest = found.sort((a, b) => b.mtime - a.mtime)[0];
  if (!newest) return undefined;
  // Read loosely: reports of older builds have no timings.
  return JSON.parse(fs.readFileSync(newest.file, 'utf8')) as RemoteRun;
}
