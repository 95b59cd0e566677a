/**
 * The Playwright side of a run's timings (runbook.json `timings`): when the runner was ready,
 * when the first check started, each suite's span, the time checks spent on diagnostics, when the
 * reporters started, and the CPU and peak memory of the runner and its workers. The CLI adds
 * what happens around the runner (src/run/timings.ts).
 *
 * Workers report their own figures when they stop (checks/fixtures.ts `processFigures`): one
 * small file each in PROCESS_FIGURES_DIR of the run folder, read and removed here.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestResult } from '@playwright/test/reporter';
import { ownCpuSeconds, peakRssMiB, reapedChildrenCpuSeconds, round2 } from '../process/usage.ts';
import type { Phase, Timings } from './schema.ts';

/** Where workers leave their CPU and peak memory for the runner (removed before the folder is scrubbed). */
export const PROCESS_FIGURES_DIR = '.process-figures';
/** Annotation a check's diagnostics fixture records: milliseconds spent collecting or waiting for diagnostics. */
export const DIAGNOSTICS_MS_ANNOTATION = 'diagnostics-ms';

export interface ProcessFigures {
  cpuSeconds: number;
  peakRssMiB: number;
}

/** Called by a worker as it stops. */
export function writeWorkerFigures(runDir: string): void {
  const dir = path.join(runDir, PROCESS_FIGURES_DIR);
  fs.mkdirSync(dir, { recursive: true });
  const figures: ProcessFigures = { cpuSeconds: round2(ownCpuSeconds()), peakRssMiB: Math.round(peakRssMiB()) };
  fs.writeFileSync(path.join(dir, `worker-${process.pid}.json`), JSON.stringify(figures));
}

function readWorkerFigures(runDir: string): ProcessFigures[] {
  const dir = path.join(runDir, PROCESS_FIGURES_DIR);
  const out: ProcessFigures[] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    try {
      out.push(JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')) as ProcessFigures);
    } catch {
      /* a worker killed while writing: its figures are unknown */
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

export class RunnerTimings {
  /** The runner process's start: Node's time origin. */
  private readonly origin = performance.timeOrigin;
  private beganAt?: number;
  private firstTestAt?: number;
  private readonly suites = new Map<string, { start: number; end: number }>();
  private diagnostics?: { start: number; ms: number };
  private readonly cpuAtStart = reapedChildrenCpuSeconds();

  begin(): void {
    this.beganAt = Date.now();
  }

  testEnd(suite: string, result: TestResult): void {
    const start = result.startTime.getTime();
    const end = start + result.duration;
    this.firstTestAt = Math.min(this.firstTestAt ?? start, start);
    const s = this.suites.get(suite);
    this.suites.set(suite, { start: Math.min(s?.start ?? start, start), end: Math.max(s?.end ?? end, end) });
    for (const a of result.annotations) {
      if (a.type !== DIAGNOSTICS_MS_ANNOTATION) continue;
      const ms = Number(a.description);
      if (!Number.isFinite(ms)) continue;
      this.diagnostics = { start: Math.min(this.diagnostics?.start ?? end, end), ms: (this.diagnostics?.ms ?? 0) + ms };
    }
  }

  /** The runner's timings as its reporter ends (`reportersAt`: when the reporters started). */
  finish(runDir: string, reportersAt: number): Timings {
    const at = (t: number) => Math.round(t - this.origin);
    const phases: Phase[] = [];
    const add = (name: string, start: number, end: number) => phases.push({ name, startMs: at(start), ms: Math.max(0, Math.round(end - start)) });
    if (this.beganAt !== undefined) add('playwright start', this.origin, this.beganAt);
    if (this.beganAt !== undefined && this.firstTestAt !== undefined) add('workers start', this.beganAt, this.firstTestAt);
    for (const [name, s] of [...this.suites].sort((a, b) => a[1].start - b[1].start)) add(`suite ${name}`, s.start, s.end);
    if (this.diagnostics) phases.push({ name: 'diagnostics', startMs: at(this.diagnostics.start), ms: Math.round(this.diagnostics.ms) });
    const now = Date.now();
    add('reporters', reportersAt, now);

    const workers = readWorkerFigures(runDir);
    const own = ownCpuSeconds();
    // The workers, from the runner's reaped children; where /proc is not readable, from their own reports.
    const reaped = reapedChildrenCpuSeconds();
    const workersCpu = reaped !== undefined && this.cpuAtStart !== undefined ? reaped - this.cpuAtStart : undefined;
    const checks = own + Math.max(workersCpu ?? 0, workers.reduce((s, w) => s + w.cpuSeconds, 0));
    const processes: NonNullable<Timings['processes']> = [
      { role: 'runner', cpuSeconds: round2(own), peakRssMiB: Math.round(peakRssMiB()) },
      ...workers.map((w) => ({ role: 'worker' as const, cpuSeconds: w.cpuSeconds, peakRssMiB: w.peakRssMiB })),
    ];
    return {
      origin: new Date(this.origin).toISOString(),
      totalMs: at(now),
      phases,
      cpuSeconds: round2(checks),
      cpu: { checks: round2(checks) },
      peakRssMiB: Math.max(...processes.map((p) => p.peakRssMiB)),
      processes,
    };
  }
}
