/**
 * The CLI's side of a run's timings (runbook.json `timings`, docs/benchmark.md): the phases
 * around the Playwright runner (tool start, embedded start, scrubbing, teardown, rendering),
 * merged with the runner's own (src/reporter/runner-timings.ts) on one time axis, and the
 * run's CPU seconds: the runner and its workers as the runner measured them, plus this process
 * and its other children over the run.
 */
import { ownCpuSeconds, peakRssMiB, reapedChildrenCpuSeconds, round2 } from '../process/usage.ts';
import type { Phase, Timings } from '../reporter/schema.ts';

/** Runs in flight in this process, and runs started so far: the daemon runs environments at the same time. */
let inFlight = 0;
let started = 0;

export class RunClock {
  private readonly phases: Phase[] = [];
  private readonly cpu0: number;
  private readonly children0: number | undefined;
  /** Another run was in flight when this one started. */
  private readonly overlapped = inFlight > 0;
  private readonly startedBefore = started;
  private done = false;

  /**
   * `since`: the process start (a CLI run: the process is the run's, its CPU counted from its
   * start); without it the run counts from now (the daemon, tests).
   */
  constructor(since?: number) {
    this.origin = since ?? Date.now();
    this.cpu0 = since === undefined ? ownCpuSeconds() : 0;
    this.children0 = since === undefined ? reapedChildrenCpuSeconds() : 0;
    inFlight += 1;
    started += 1;
  }

  readonly origin: number;

  /** Records a phase that ran from `start` to `end` (epoch ms). */
  mark(name: string, start: number, end = Date.now()): void {
    this.phases.push({ name, startMs: Math.round(start - this.origin), ms: Math.max(0, Math.round(end - start)) });
  }

  async time<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const start = Date.now();
    try {
      return await fn();
    } finally {
      this.mark(name, start);
    }
  }

  /** Another run of this process overlapped this one: the process's and its children's CPU are not this run's alone. */
  private get shared(): boolean {
    return this.overlapped || started > this.startedBefore + 1;
  }

  /** Ends the run's accounting (once). */
  end(): void {
    if (this.done) return;
    this.done = true;
    inFlight -= 1;
  }

  /**
   * The run's timings: this clock's phases and the runner's (re-based on this clock's origin),
   * `playwright start` counted from `spawnedAt` and `reporters` up to `exitedAt`.
   */
  timings(runner: Timings | undefined, runnerSpan?: { spawnedAt: number; exitedAt: number }): Timings {
    const shift = runner ? Date.parse(runner.origin) - this.origin : 0;
    const merged: Phase[] = [...this.phases];
    for (const p of runner?.phases ?? []) {
      let startMs = p.startMs + shift;
      let ms = p.ms;
      if (runnerSpan && p.name === 'playwright start') {
        ms += startMs - (runnerSpan.spawnedAt - this.origin);
        startMs = runnerSpan.spawnedAt - this.origin;
      }
      if (runnerSpan && p.name === 'reporters') ms = runnerSpan.exitedAt - this.origin - startMs;
      merged.push({ name: p.name, startMs: Math.round(startMs), ms: Math.max(0, Math.round(ms)) });
    }
    merged.sort((a, b) => a.startMs - b.startMs);
    const totalMs = Math.max(0, ...merged.map((p) => p.startMs + p.ms));
    const checks = runner?.cpu?.checks;
    const tool = ownCpuSeconds() - this.cpu0;
    const reaped = reapedChildrenCpuSeconds();
    const children = reaped !== undefined && this.children0 !== undefined ? Math.max(0, reaped - this.children0 - (checks ?? 0)) : undefined;
    const processes: NonNullable<Timings['processes']> = [{ role: 'tool', cpuSeconds: round2(tool), peakRssMiB: Math.round(peakRssMiB()) }, ...(runner?.processes ?? [])];
    return {
      origin: new Date(this.origin).toISOString(),
      totalMs,
      phases: merged,
      cpuSeconds: round2((checks ?? 0) + tool + (children ?? 0)),
      cpu: { checks: round2(checks ?? 0), tool: round2(tool), ...(children !== undefined ? { children: round2(children) } : {}), ...(this.shared ? { shared: true } : {}) },
      peakRssMiB: Math.max(...processes.map((p) => p.peakRssMiB)),
      processes,
    };
  }
}
