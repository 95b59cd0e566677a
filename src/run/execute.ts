/**
 * One run of the suite: start the embedded target when the environment asks for it, run
 * Playwright on the checks with the resolved configuration, and read back runbook.json.
 * Everything the child prints is scrubbed of secrets before it is passed on.
 *
 * Lifecycle (README "Stopping and cleanup"): the reports directory and the --grep selection are
 * checked before anything starts; a stop request (ctx.signal) interrupts the Playwright runner
 * with SIGINT, so it ends its checks and writes a report marked "interrupted", then everything
 * the run started stops; the runner gets a deadline (CREDLINK_RUN_TIMEOUT_MS, plus a margin)
 * after which it is stopped the same way.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { processFacts, RESOLVED_CONFIG_VAR, secretsOf, type ResolvedConfig } from '../../config/index.ts';
import { DEFAULT_LOCATION } from '../../config/location.ts';
import { EnvironmentError, InterruptedError } from '../errors.ts';
import { ownProcess } from '../process/owned.ts';
import { stopRequestOf } from '../process/shutdown.ts';
import { bundleReady, ensureBundle } from '../k8s/bundle.ts';
import { PROBE_CHECKS, probeSettings, startProbe } from '../perf/probe-run.ts';
import { RequestLedger, WAIT_NOTICE_MS } from '../budget/ledger.ts';
import { demandOf, planRun, type Selected } from '../budget/run-plan.ts';
import { finishRunFolder } from '../report/run-outputs.ts';
import { runbookReportSchema, type RunbookReport } from '../reporter/schema.ts';
import { scrubRunDir } from '../secrets/run-dir.ts';
import { Scrubber } from '../secrets/scrub.ts';
import type { ActiveFaults } from '../target/faults.ts';
import type { EmbeddedStack } from './embedded.ts';
import { PLAYWRIGHT_NODE_FLAGS } from './node-flags.ts';
import { newRunId, PLAYWRIGHT_CONFIG, PROJECT_ROOT, runDirFor, type RunKind } from './paths.ts';
import { describeFsError, dirProblem, isFsEnvironmentError, prepareDir } from './reports-dir.ts';
import { assertSelects } from './select.ts';
import { RunClock } from './timings.ts';
import { sleepUnlessAborted } from '../process/wait.ts';

export interface ExecuteOptions {
  config: Readonly<ResolvedConfig>;
  reportsDir: string;
  /** Faults for an embedded target (drill). */
  faults?: ActiveFaults;
  /** Only checks whose title or tags match (Playwright --grep); must select at least one check. */
  grep?: string;
  /** Progress and child output, already scrubbed. */
  log?: (line: string) => void;
  /**
   * Aborting stops the run: the Playwright runner gets SIGINT, its process group SIGKILL if it has
   * not ended in time. A StopRequest (SIGINT/SIGTERM, src/process/shutdown.ts) yields the report
   * marked interrupted; any other reason (`schedule` abandoning a hung run) marks it and throws.
   */
  signal?: AbortSignal;
  /** Another Playwright config (tests run fixture suites through the same pipeline). */
  playwrightConfig?: string;
  /** observation (default), drill or candidate: drills and candidates are stored apart (src/run/paths.ts). */
  kind?: RunKind;
  /**
   * When the command started (epoch ms, e.g. `performance.timeOrigin`): the run's timings then
   * count from there, with a "tool start" phase up to the run. Default: now.
   */
  since?: number;
}

export interface RunOutcome {
  report: RunbookReport;
  runDir: string;
  config: ResolvedConfig;
}

const require = createRequire(import.meta.url);
/**
 * After SIGINT, how long the Playwright runner may take to end its checks and write its report
 * before its process group is killed: a user's stop waits longer than `schedule` abandoning a
 * hung run (the daemon waits 8 s for that).
 */
const INTERRUPT_GRACE_MS = { stop: 15_000, abandon: 5_000 };
/** Margin of the parent's deadline over Playwright's own globalTimeout. */
const DEADLINE_MARGIN_MS = 30_000;
const DEFAULT_RUN_MS = 600_000;
const BEFORE_CHECKS = 'before the checks started: nothing was checked';

/** Throws when the run must not go on: interrupted (exit 130) or abandoned. */
export function throwIfStopped(signal: AbortSignal | undefined, env: string, when: string): void {
  if (!signal?.aborted) return;
  const stop = stopRequestOf(signal);
  if (stop) throw new InterruptedError(`interrupted by ${stop} ${when}`);
  throw new EnvironmentError(`the run of ${env} was abandoned ${when}: ${String(signal.reason ?? 'aborted')}`);
}

export async function executeRun(opts: ExecuteOptions): Promise<RunOutcome> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const clock = new RunClock(opts.since);
  if (opts.since !== undefined) clock.mark('tool start', opts.since);
  let stop: (() => Promise<void>) | undefined;
  try {
    // Nothing starts before the inputs are known to be usable (exit 2 / exit 3, one line each).
    const selecting = Date.now();
    const selection = assertSelects(opts.grep, opts.config);
    if (selection) clock.mark('selection (playwright --list)', selecting);
    prepareDir(opts.reportsDir);
    throwIfStopped(opts.signal, opts.config.env, BEFORE_CHECKS);
    let config: ResolvedConfig = { ...opts.config };
    let secrets: string[] = [];
    if (config.target === 'embedded') {
      log(`starting the reference CredLink target (PostgreSQL on loopback)${opts.faults && Object.keys(opts.faults).length ? ' with faults' : ''}...`);
      // Loaded only for an embedded target: a remote run needs none of the reference target's modules.
      const { startEmbedded } = await import('./embedded.ts');
      const embedded: EmbeddedStack = await clock.time('embedded start', () => startEmbedded(config, { faults: opts.faults }));
      config = embedded.config;
      secrets = embedded.secrets;
      let stopping: Promise<void> | undefined;
      stop = () => (stopping ??= embedded.stop());
    }
    throwIfStopped(opts.signal, config.env, BEFORE_CHECKS);
    // The embedded stack stops as soon as the checks are done, while the run folder is scrubbed.
    const probe = !selection || selection.some((t) => t.checkIds.some((id) => PROBE_CHECKS.includes(id)));
    const selected = selection ? (id: string) => selection.some((t) => t.checkIds.includes(id)) : undefined;
    return await runPlaywright(config, { ...opts, clock, teardown: stop, probe, selected }, secrets, log);
  } finally {
    await stop?.();
    clock.end();
  }
}

export interface RunnerOptions extends Pick<ExecuteOptions, 'reportsDir' | 'grep' | 'signal' | 'playwrightConfig' | 'kind'> {
  /** The run's clock (executeRun's, with the phases before the runner); default: a new one. */
  clock?: RunClock;
  /** Stops what the run started for the checks, once they are done (its time is the "teardown" phase). */
  teardown?: () => Promise<void>;
  /**
   * Whether the run's checks include the latency probe's: the probe then starts with the run,
   * beside the checks (src/perf/probe-run.ts). Default: only for the suite's own config without --grep.
   */
  probe?: boolean;
  /**
   * Called once the latency probe's window is over (at once when the run has none): cutover
   * measures its colours from then on, so the probe never sees the comparison's traffic.
   */
  onProbeDone?: () => void;
  /** The checks a --grep selected (for the run's budget plan); default: every check. */
  selected?: Selected;
}

/** Runs Playwright against an already resolved target (also used by tests with a shared target). */
export async function runPlaywright(base: ResolvedConfig, opts: RunnerOptions, extraSecrets: string[], log: (line: string) => void): Promise<RunOutcome> {
  const ownClock = opts.clock ? undefined : new RunClock();
  try {
    return await runner(base, opts, opts.clock ?? ownClock!, extraSecrets, log);
  } finally {
    ownClock?.end();
  }
}

async function runner(base: ResolvedConfig, opts: RunnerOptions, clock: RunClock, extraSecrets: string[], log: (line: string) => void): Promise<RunOutcome> {
  const runId = newRunId();
  const kind = opts.kind ?? 'observation';
  const runDir = prepareDir(runDirFor(opts.reportsDir, base.env, runId, kind), 'run folder');
  const config: ResolvedConfig = { ...base, runDir, runId, runKind: kind, location: base.location ?? DEFAULT_LOCATION, budgetDir: budgetDirFor(opts.reportsDir, base) };
  const scrub = new Scrubber([...secretsOf(config), ...extraSecrets]);
  const cli = require.resolve('@playwright/test/cli');
  const args = [...PLAYWRIGHT_NODE_FLAGS, cli, 'test', '-c', opts.playwrightConfig ?? PLAYWRIGHT_CONFIG];
  if (opts.grep) args.push('--grep', opts.grep);
  const env = { ...processFacts.env(), [RESOLVED_CONFIG_VAR]: JSON.stringify(config), FORCE_COLOR: '0', PW_TEST_HTML_REPORT_OPEN: 'never' };
  const tail: string[] = [];
  let stoppedBecause: string | undefined;
  // Once per install: the Kubernetes client as one module for the workers (src/k8s/bundle.ts).
  if (config.kube && !bundleReady()) await clock.time('kubernetes client build (once per install)', ensureBundle);
  // What the run will spend of the target's limits, how long that takes and why; and, when earlier
  // runs against the target left no room for the first phase, one wait up front (src/budget/run-plan.ts).
  const withProbe = opts.probe ?? (!opts.grep && !opts.playwrightConfig);
  const settings = probeSettings(config);
  const demand = demandOf(config, opts.selected, withProbe ? { samples: settings.samples, endpoints: settings.paths.length } : undefined);
  let plan: ReturnType<typeof planRun>;
  try {
    const ledger = RequestLedger.forRun(config);
    plan = planRun(config, demand, { waitForRoom: (scope, n) => ledger.waitForRoom(scope, n).wait });
  } catch (e) {
    const dir = config.budgetDir ?? runDir;
    if (isFsEnvironmentError(e)) throw dirProblem(dir, 'budget folder') ?? new EnvironmentError(`budget folder ${dir}: ${describeFsError(e)}`);
    throw e;
  }
  for (const line of plan.lines) log(line);
  if (plan.startWaitMs > 0) {
    if (plan.startWaitMs > WAIT_NOTICE_MS && plan.startWaitLine) log(plan.startWaitLine);
    await clock.time('waiting for the target\'s budget', () => sleepUnlessAborted(plan.startWaitMs, opts.signal));
    // Stopped while waiting: nothing was checked, and the run folder (empty) goes.
    if (opts.signal?.aborted) fs.rmSync(runDir, { recursive: true, force: true });
    throwIfStopped(opts.signal, config.env, BEFORE_CHECKS);
  }
  // The probe window overlaps the runner's start and the other checks; it stops with the runner.
  const probeStop = new AbortController();
  const probing = withProbe ? clock.time('latency probe', () => startProbe(config, probeStop.signal)).catch((e: unknown) => log(`the latency probe could not run beside the checks (they take their own samples): ${scrub.text(String((e as Error).message ?? e))}`)) : undefined;
  if (opts.onProbeDone) void (probing ?? Promise.resolve()).then(opts.onProbeDone);
  const spawnedAt = Date.now();
  const code = await new Promise<number>((resolve, reject) => {
    // Its own process group: the runner and its workers can be stopped together, and a Ctrl-C
    // in the terminal reaches the runner only through us (one orderly SIGINT).
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const owned = child.pid ? ownProcess(child.pid, { group: true, signal: 'SIGKILL' }) : undefined;
    const forward = (chunk: Buffer) => {
      for (const line of scrub.text(chunk.toString('utf8')).split('\n')) {
        // Stack frames are for bug reports, never for a user's or an environment's problem.
        if (!line.trim() || /^\s+at\s.+(:\d+:\d+\)?|<anonymous>\)?)$/.test(line)) continue;
        tail.push(line);
        if (tail.length > 20) tail.shift();
        log(line);
      }
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', reject);
    let kill: NodeJS.Timeout | undefined;
    const stop = (why: string, graceMs: number) => {
      if (stoppedBecause !== undefined) return;
      stoppedBecause = why;
      // SIGINT: Playwright interrupts the running checks and its reporters still write.
      child.kill('SIGINT');
      kill = setTimeout(() => killGroup(child.pid), graceMs);
    };
    const onAbort = () => {
      const req = stopRequestOf(opts.signal);
      stop(String(req ?? opts.signal?.reason ?? 'aborted'), req ? INTERRUPT_GRACE_MS.stop : INTERRUPT_GRACE_MS.abandon);
    };
    const runMs = config.timeouts.runMs ?? DEFAULT_RUN_MS;
    const deadline = setTimeout(() => {
      log(`the run did not end within its deadline (${Math.round(runMs / 1000)} s + ${DEADLINE_MARGIN_MS / 1000} s): stopping it`);
      stop(`the run deadline of ${Math.round(runMs / 1000)} s passed`, INTERRUPT_GRACE_MS.stop);
    }, runMs + DEADLINE_MARGIN_MS);
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('close', (c) => {
      opts.signal?.removeEventListener('abort', onAbort);
      clearTimeout(deadline);
      clearTimeout(kill);
      // Workers left behind by a runner that was killed go with their group.
      killGroup(child.pid);
      owned?.release();
      resolve(c ?? 1);
    });
  });
  const runnerSpan = { spawnedAt, exitedAt: Date.now() };
  probeStop.abort();
  await probing;
  // The teardown (embedded PostgreSQL stopping) overlaps the scrubbing; its error, if any, is thrown after.
  const teardown = opts.teardown ? clock.time('teardown', opts.teardown).then(() => undefined, (e: unknown) => ({ e })) : undefined;
  // Playwright's own reporters (JUnit, JSON, HTML), attachments and traces know nothing of our
  // secrets: rewrite whatever the run wrote before anyone reads it.
  let scrubbed: ReturnType<typeof scrubRunDir>;
  const scrubbing = Date.now();
  try {
    scrubbed = scrubRunDir(runDir, scrub);
  } catch (e) {
    if (isFsEnvironmentError(e)) throw dirProblem(runDir, 'run folder') ?? new EnvironmentError(`run folder ${runDir}: ${describeFsError(e)}`);
    throw e;
  }
  clock.mark('scrubbing', scrubbing);
  const failed = await teardown;
  if (failed) throw failed.e;
  for (const f of scrubbed.removed) log(`removed ${f} from the run folder: it could not be scrubbed of secrets`);
  const file = path.join(runDir, 'runbook.json');
  // Everything a person reads is rendered from the scrubbed runbook.json (scrub data, not markup),
  // with the run's timings; runbook.json gets them again once the rendering is counted too.
  const finish = (parsed: RunbookReport): RunbookReport => {
    const runnerTimings = parsed.timings;
    const withTimings = (): RunbookReport => ({ ...parsed, timings: clock.timings(runnerTimings, runnerSpan) });
    try {
      const rendering = Date.now();
      finishRunFolder(runDir, withTimings(), config.runbook);
      clock.mark('rendering', rendering);
      const final = withTimings();
      fs.writeFileSync(file, JSON.stringify(final, null, 2) + '\n');
      return final;
    } catch (e) {
      if (isFsEnvironmentError(e)) throw dirProblem(runDir, 'run folder') ?? new EnvironmentError(`run folder ${runDir}: ${describeFsError(e)}`);
      throw e;
    }
  };
  if (stoppedBecause !== undefined) {
    const marked = fs.existsSync(file) ? markInterrupted(runDir, stoppedBecause) : undefined;
    const report = marked && finish(marked);
    if (opts.signal?.aborted && !stopRequestOf(opts.signal)) throw new EnvironmentError(`the run of ${base.env} was abandoned: ${String(opts.signal.reason ?? 'aborted')}`);
    if (!report) throw new InterruptedError(`interrupted (${stoppedBecause}) before the run wrote its report`);
    return { report, runDir, config };
  }
  if (!fs.existsSync(file)) {
    throw dirProblem(runDir, 'run folder') ?? new EnvironmentError(`Playwright exited with code ${code} without writing ${path.relative(process.cwd(), file)}: ${tail.slice(-3).join(' | ') || 'no output'}`);
  }
  const report = finish(runbookReportSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8'))));
  return { report, runDir, config };
}

/**
 * Where the run's request ledger keeps its counts: for a remote target, one folder per target
 * (its origin) under <reports-dir>/_budget, shared by every run against it that writes to the same
 * reports folder; for a target the run starts itself, the run folder (nobody else spent its budget).
 */
export function budgetDirFor(reportsDir: string, c: Pick<ResolvedConfig, 'target' | 'baseUrl' | 'budgetDir'>): string | undefined {
  if (c.budgetDir) return c.budgetDir;
  if (c.target === 'embedded' || !c.baseUrl) return undefined;
  let origin = c.baseUrl;
  try {
    origin = new URL(c.baseUrl).origin;
  } catch {
    /* the raw value names it */
  }
  return path.join(path.resolve(reportsDir), '_budget', crypto.createHash('sha256').update(origin).digest('hex').slice(0, 16));
}


function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* the group is gone */
  }
}

/**
 * The run was stopped: its report says so, whatever the reporter managed to record (an
 * interrupted run is never healthy and never makes history, README "Only observations make history").
 */
function markInterrupted(runDir: string, why: string): RunbookReport {
  const file = path.join(runDir, 'runbook.json');
  const report = runbookReportSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (report.verdict.status === 'interrupted') return report;
  const marked: RunbookReport = { ...report, verdict: { ...report.verdict, status: 'interrupted', reason: `stopped before every check finished: ${why}` } };
  fs.writeFileSync(file, JSON.stringify(marked, null, 2) + '\n');
  return marked;
}
