/**
 * The monitoring daemon's core. tick(env) is one run of one environment: run the suite (the
 * injected runner), turn the report into alert transitions (AlertMonitor), record the history,
 * prune the environment's old report folders, deliver what is queued (also after a failed run, so
 * a failed delivery is retried on the next run), and log one line saying what the run found.
 * Guarantees:
 * - never two runs of one environment at once: a tick while one is running is skipped, and an
 *   abandoned (timed-out) run still holds its environment until its process has really ended;
 * - a crash (the runner throws) or a hang (no result within runTimeoutSeconds) in one
 *   environment is recorded for that environment only; the others keep their schedule;
 * - stop(): no new runs; runs in progress get shutdownGraceSeconds, then are abandoned.
 * Timers (croner for cron expressions, setTimeout for intervals, jitter) live only in start(),
 * so tests drive tick() directly with a fake runner and clock.
 */
import path from 'node:path';
import { Cron } from 'croner';
import type { AlertMonitor, FlushResult, Transition } from '../alerting/monitor.ts';
import { makesHistory } from '../reporter/read.ts';
import type { RunbookReport } from '../reporter/schema.ts';
import { cronOptions, type ScheduleConfig, type ScheduleEnv } from './config.ts';
import { entryFromReport, type HistoryEntry, type RunHistory } from './history.ts';
import { pruneRunFolders, type RetentionPolicy } from './retention.ts';

export type Runner = (env: ScheduleEnv, signal: AbortSignal) => Promise<RunbookReport>;

export type TickOutcome = 'healthy' | 'findings' | 'no-evidence' | 'interrupted' | 'error' | 'timeout' | 'skipped-overlap' | 'skipped-stopping';

export interface TickResult {
  env: string;
  outcome: TickOutcome;
  transitions: Transition[];
  deliveries: FlushResult[];
  error?: string;
  /** Report folders removed by retention after this run. */
  pruned?: string[];
}

export interface EnvStatus {
  env: string;
  schedule: string;
  running: boolean;
  runs: Record<TickOutcome, number>;
  lastStartedAt: string | null;
  lastDurationMs: number | null;
  lastOutcome: TickOutcome | null;
  lastError: string | null;
  nextRunAt: string | null;
}

export interface SchedulerOptions {
  config: ScheduleConfig;
  runner: Runner;
  monitor: AlertMonitor;
  history: RunHistory;
  clock?: () => Date;
  /** 0..1, for jitter. */
  random?: () => number;
  log?: (line: string) => void;
  /** Report folders pruned after each run (src/schedule/retention.ts); absent: none. */
  retention?: { reportsDir: string; policyFor: (env: ScheduleEnv) => RetentionPolicy };
}

const zeroRuns = (): Record<TickOutcome, number> => ({ healthy: 0, findings: 0, 'no-evidence': 0, interrupted: 0, error: 0, timeout: 0, 'skipped-overlap': 0, 'skipped-stopping': 0 });

export class Scheduler {
  private readonly envs: Map<string, ScheduleEnv>;
  private readonly status = new Map<string, EnvStatus>();
  /** Environment -> the settle promise of its run in progress (held until the runner really ends). */
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly controllers = new Map<string, AbortController>();
  private readonly crons: Cron[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly nextAt = new Map<string, () => Date | null>();
  private stopping = false;
  private readonly clock: () => Date;
  private readonly random: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly o: SchedulerOptions) {
    this.clock = o.clock ?? (() => new Date());
    this.random = o.random ?? Math.random;
    this.log = o.log ?? (() => {});
    this.envs = new Map(o.config.environments.map((e) => [e.env, e]));
    for (const e of o.config.environments) {
      this.status.set(e.env, {
        env: e.env,
        schedule: e.cron !== undefined ? `cron "${e.cron}" ${e.timezone}` : e.intervalSeconds !== undefined ? `every ${e.intervalSeconds} s` : 'due checks only (runbooks/cadence.ts)',
        running: false,
        runs: zeroRuns(),
        lastStartedAt: null,
        lastDurationMs: null,
        lastOutcome: null,
        lastError: null,
        nextRunAt: null,
      });
    }
  }

  statuses(): EnvStatus[] {
    return [...this.status.values()].map((s) => ({ ...s, running: this.running.has(s.env), nextRunAt: this.nextAt.get(s.env)?.()?.toISOString() ?? null }));
  }

  isStopping(): boolean {
    return this.stopping;
  }

  /** Ticks in progress (run, alert state, deliveries), so stop() can wait for all of it. */
  private readonly ticks = new Set<Promise<TickResult>>();

  /** `only`: run just these checks (a --grep of the due ones, src/schedule/cadence-runs.ts) instead of the environment's selection. */
  tick(envName: string, only?: { grep: string }): Promise<TickResult> {
    const p = this.doTick(envName, only);
    this.ticks.add(p);
    void p.finally(() => this.ticks.delete(p)).catch(() => {});
    return p;
  }

  private async doTick(envName: string, only?: { grep: string }): Promise<TickResult> {
    const configured = this.envs.get(envName);
    const env = configured && only ? { ...configured, grep: only.grep } : configured;
    if (!env) throw new Error(`unknown environment ${envName}`);
    const st = this.status.get(envName)!;
    const count = (r: TickResult): TickResult => {
      st.runs[r.outcome] += 1;
      return r;
    };
    if (this.stopping) return count({ env: envName, outcome: 'skipped-stopping', transitions: [], deliveries: [] });
    if (this.running.has(envName)) {
      this.log(`${envName}: previous run still in progress: this one is skipped`);
      return count({ env: envName, outcome: 'skipped-overlap', transitions: [], deliveries: [] });
    }
    const controller = new AbortController();
    this.controllers.set(envName, controller);
    const startedAt = this.clock();
    const t0 = performance.now();
    st.lastStartedAt = startedAt.toISOString();
    const run = this.o.runner(env, controller.signal);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.running.set(envName, settled);
    void settled.finally(() => {
      this.running.delete(envName);
      this.controllers.delete(envName);
    });
    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = this.o.config.runTimeoutSeconds * 1000;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    let result: TickResult;
    let report: RunbookReport | undefined;
    try {
      const r = await Promise.race([run, timedOut]);
      if (r === 'timeout') {
        controller.abort(`no result within ${this.o.config.runTimeoutSeconds} s`);
        result = { env: envName, outcome: 'timeout', transitions: [], deliveries: [], error: `no result within ${this.o.config.runTimeoutSeconds} s: run abandoned` };
      } else {
        report = r;
        // observe() uses only complete observations (a drill, an interrupted run or one without
        // evidence is no alert input: src/alerting/monitor.ts alertInput).
        const observed = this.o.monitor.observe(envName, r, { partial: only !== undefined });
        // Only observations that were not interrupted make history (docs/reports.md).
        if (makesHistory(r)) this.o.history.add(entryFromReport(r, startedAt.toISOString(), Math.round(performance.now() - t0)));
        result = { env: envName, outcome: r.verdict.status, transitions: observed.transitions, deliveries: [] };
        result.pruned = this.prune(env, r.runId);
      }
    } catch (e) {
      const msg = ((e as Error)?.message ?? String(e)).split('\n')[0]!;
      result = { env: envName, outcome: controller.signal.aborted ? 'timeout' : 'error', transitions: [], deliveries: [], error: msg };
    } finally {
      clearTimeout(timer);
    }
    const durationMs = Math.round(performance.now() - t0);
    if (result.outcome === 'error' || result.outcome === 'timeout') {
      this.safely(() => this.o.history.add(errorEntry(envName, startedAt, durationMs, result.outcome as 'error' | 'timeout', result.error ?? '')));
    }
    this.log(runLine(envName, result, report, durationMs, this.openCount(envName)));
    try {
      result.deliveries = await this.o.monitor.flush();
    } catch (e) {
      this.log(`${envName}: alert delivery failed: ${(e as Error).message}`);
    }
    st.lastDurationMs = durationMs;
    st.lastOutcome = result.outcome;
    st.lastError = result.error ?? null;
    return count(result);
  }

  private openCount(env: string): number {
    return Object.values(this.o.monitor.incidents()).filter((i) => i.env === env && i.open).length;
  }

  /** Retention after a run: never the run itself, nor a report an open incident's alert links to. */
  private prune(env: ScheduleEnv, runId: string): string[] {
    const r = this.o.retention;
    if (!r) return [];
    const keep = this.o.monitor.linkedRuns(env.env);
    keep.add(runId);
    const { removed, failed } = pruneRunFolders(path.join(path.resolve(r.reportsDir), env.env), r.policyFor(env), keep, this.clock());
    if (failed.length) this.log(`${env.env}: retention could not remove ${failed.length} report folder(s): ${failed.slice(0, 3).join('; ')}`);
    return removed;
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log(`state write failed: ${(e as Error).message}`);
    }
  }

  /** The environment's own selection (schedule.json `grep`), if any. */
  grepOf(env: string): string | undefined {
    return this.envs.get(env)?.grep;
  }

  /** Is a run of this environment in progress (a due-check run waits for it)? */
  isRunning(env: string): boolean {
    return this.running.has(env);
  }

  /** Starts the timers: one croner job or interval chain per environment, each with its jitter (none: its due checks only). */
  start(): void {
    for (const env of this.envs.values()) {
      const fire = () => {
        if (this.stopping) return;
        const delay = Math.round(this.random() * env.jitterSeconds * 1000);
        const t = setTimeout(() => {
          this.timers.delete(t);
          void this.tick(env.env).catch((e) => this.log(`${env.env}: ${(e as Error).message}`));
        }, delay);
        this.timers.add(t);
      };
      if (env.cron !== undefined) {
        const job = new Cron(env.cron, { ...cronOptions(env), catch: (e) => this.log(`${env.env}: ${String(e)}`) }, fire);
        this.crons.push(job);
        this.nextAt.set(env.env, () => job.nextRun());
      } else if (env.intervalSeconds !== undefined) {
        const every = env.intervalSeconds * 1000;
        let next = this.clock().getTime();
        const loop = () => {
          fire();
          next += every;
          const t = setTimeout(() => {
            this.timers.delete(t);
            loop();
          }, Math.max(0, next - this.clock().getTime()));
          this.timers.add(t);
        };
        this.nextAt.set(env.env, () => new Date(next));
        loop();
      }
    }
  }

  /** No new runs; runs in progress get the grace period, then are abandoned (their processes stopped). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const c of this.crons) c.stop();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (!this.ticks.size && !this.running.size) return;
    this.log(`waiting up to ${this.o.config.shutdownGraceSeconds} s for ${this.running.size} run(s) in progress`);
    const within = (ms: number, ps: Promise<unknown>[]) => Promise.race([Promise.allSettled(ps), new Promise((r) => setTimeout(r, ms).unref())]);
    await within(this.o.config.shutdownGraceSeconds * 1000, [...this.ticks, ...this.running.values()]);
    if (this.running.size) {
      this.log(`abandoning ${this.running.size} run(s): ${[...this.running.keys()].join(', ')}`);
      for (const c of this.controllers.values()) c.abort('daemon shutting down');
      // The runner stops its Playwright child on abort (SIGKILL after 5 s); the tick then saves its state: bounded wait.
      await within(8000, [...this.ticks, ...this.running.values()]);
    }
  }
}

/** The one log line of a run: environment, verdict, duration, incidents opened and resolved. */
export function runLine(env: string, r: TickResult, report: RunbookReport | undefined, durationMs: number, open: number): string {
  const secs = `${(durationMs / 1000).toFixed(1)} s`;
  if (!report) return `${env}: run ${r.outcome} after ${secs}: ${r.error ?? 'no report'}; ${open} incident(s) still open`;
  const verdict = `${report.verdict.status}${report.verdict.severity ? ` ${report.verdict.severity}` : ''}${report.verdict.reason ? ` (${report.verdict.reason})` : ''}`;
  const ids = (kind: string) => r.transitions.filter((t) => t.action.kind === kind).map((t) => t.incidentId);
  const opened = ids('trigger');
  const resolved = ids('resolve');
  const escalated = ids('escalate');
  const list = (xs: string[]) => (xs.length ? ` [${xs.join(', ')}]` : '');
  const kind = report.kind === 'observation' ? '' : ` (${report.kind}: no alert input)`;
  return `${env}: run ${report.runId} ${verdict}${kind} in ${secs}; ${report.incidents.length} incident(s) in this run; opened ${opened.length}${list(opened)}, ` +
    `${escalated.length ? `escalated ${escalated.length}${list(escalated)}, ` : ''}resolved ${resolved.length}${list(resolved)}; ${open} open` +
    `${r.pruned?.length ? `; ${r.pruned.length} old report folder(s) removed` : ''}`;
}

function errorEntry(env: string, startedAt: Date, durationMs: number, outcome: 'error' | 'timeout', error: string): HistoryEntry {
  return { env, runId: null, startedAt: startedAt.toISOString(), durationMs, outcome, severity: null, counts: null, findings: [], measurements: [], error };
}
