/**
 * Runs each environment's due checks (src/monitor/cadence.ts) as one Playwright run with a
 * --grep of them, through the Scheduler (so a due-check run and a full-suite run of one
 * environment never overlap, and its outcome goes through the same alert state). Every
 * `tickMs` it looks at what is due; checks of a run are marked attempted when it starts (a check
 * that skips is not asked again before its cadence comes round). A run takes only the due checks
 * that fit RUN_WINDOWS windows of the limit (batchDue: at the start every check is due at once,
 * and cadences fall together): its checks wait for room, at most one window each; the others go
 * in the next run, a window later, instead of being held as "not sent". What a check last did and
 * whether its result is still valid: snapshot() (stale past its validity, never passed).
 */
import type { AlertMonitor } from '../alerting/monitor.ts';
import { checkKey } from '../alerting/store.ts';
import { batchDue, dueChecks, grepOf, isStale, runCapsOf } from '../monitor/cadence.ts';
import { selectIds } from '../run/select.ts';
import type { ContinuousPlan } from './sampling.ts';
import type { Scheduler } from './scheduler.ts';

export const CADENCE_TICK_MS = 10_000;

export interface CheckFreshness {
  checkId: string;
  everySeconds: number;
  /** Judged by the sampler's window at every round. */
  window: boolean;
  validSeconds: number;
  lastRunAt: string | null;
  stale: boolean;
}

export class CadenceRuns {
  private readonly attempted = new Map<string, Map<string, number>>();
  /** Per environment: no due-check run before this instant (the window after a run that deferred checks). */
  private readonly notBefore = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private readonly plans: ContinuousPlan[];

  constructor(
    private readonly o: {
      plans: readonly ContinuousPlan[];
      scheduler: Scheduler;
      monitor: AlertMonitor;
      log: (line: string) => void;
      clock?: () => number;
      tickMs?: number;
    },
  ) {
    this.plans = o.plans.filter((p) => p.cadences !== null);
    for (const p of this.plans) this.attempted.set(p.env, new Map());
  }

  private now(): number {
    return (this.o.clock ?? Date.now)();
  }

  /** Starts the due-check runs that can start now; resolves when they ended (tests drive this directly). */
  async tick(): Promise<void> {
    const runs: Promise<unknown>[] = [];
    for (const p of this.plans) {
      if (this.o.scheduler.isRunning(p.env) || this.o.scheduler.isStopping()) continue;
      const last = this.attempted.get(p.env)!;
      const now = this.now();
      if (now < (this.notBefore.get(p.env) ?? -Infinity)) continue;
      const due = dueChecks(p.cadences!, last, now);
      if (due.length === 0) continue;
      const caps = runCapsOf(p.config, p.budget.runLimit);
      const { run, deferred } = batchDue(p.cadences!, due, caps);
      for (const id of run) last.set(id, now);
      if (deferred.length) {
        this.notBefore.set(p.env, now + caps.windowS * 1000);
        this.o.log(`${p.env}: ${run.length} due check(s) now, ${deferred.length} in a later run (one run sends at most ${caps.requests === null ? 'unlimited' : caps.requests * caps.windows} requests and ${caps.failedAttempts * caps.windows} failed attempts: ${caps.windows} windows of the limits)`);
      }
      const grep = grepOf(run);
      // Its selection from the suite's listing, not a Playwright listing of every new set of ids.
      try {
        selectIds(grep, run, p.config);
      } catch {
        // The run lists them itself, and reports what stops it.
      }
      runs.push(this.o.scheduler.tick(p.env, { grep }).catch((e) => this.o.log(`${p.env}: due-check run failed: ${(e as Error).message}`)));
    }
    await Promise.all(runs);
  }

  start(): void {
    if (this.plans.length === 0) return;
    const loop = () => {
      void this.tick();
      this.timer = setTimeout(loop, this.o.tickMs ?? CADENCE_TICK_MS);
    };
    loop();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Per check: its cadence, when it last ran (any run: due, full suite, window) and whether that result is stale. */
  snapshot(env: string): CheckFreshness[] {
    const p = this.o.plans.find((x) => x.env === env);
    if (!p?.cadences) return [];
    const checks = this.o.monitor.checks();
    const now = this.now();
    return p.cadences.map((x) => {
      const at = checks[checkKey(env, x.checkId)]?.lastRunAt ?? null;
      return { checkId: x.checkId, everySeconds: x.everySeconds, window: x.window, validSeconds: x.validSeconds, lastRunAt: at, stale: isStale(x, at ? Date.parse(at) : null, now) };
    });
  }
}
