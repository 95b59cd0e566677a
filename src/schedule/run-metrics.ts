/**
 * What the daemon counts about its own runs, in memory (counters start at 0 with the process, as
 * Prometheus counters do; rate() handles the reset):
 * - CPU seconds per run: the daemon's own CPU (process.cpuUsage) plus that of the run's child
 *   processes (the Playwright runner and its workers, an embedded PostgreSQL), which Linux adds to
 *   the daemon's "children" time in /proc/self/stat once they have ended and been waited for.
 *   Measured as the difference over the run, so runs of several environments at the same time
 *   each count the CPU of the overlap (docs/scale-out.md says so); without /proc, the daemon's own only.
 * - the latency probe's requests per endpoint and class of answer, from each observed run's
 *   measurements (perf.latency records them, runbook.json `measurements[].answers`).
 */
import { BASELINE_CHECK } from '../perf/baseline.ts';
import { ownCpuSeconds, reapedChildrenCpuSeconds } from '../process/usage.ts';
import { RESPONSE_CLASSES, type ResponseClass } from '../http/response-class.ts';
import { makesHistory } from '../reporter/read.ts';
import type { RunbookReport } from '../reporter/schema.ts';
import type { LatencyHistogram } from '../stats/histogram.ts';
import type { Runner } from './scheduler.ts';

/**
 * The sum of two histograms with the same bounds. Bounds that changed (another version of the
 * tool) start the sum again: a Prometheus counter reset, which rate() handles.
 */
export function addHistograms(a: LatencyHistogram | undefined, b: LatencyHistogram): LatencyHistogram {
  if (!a || a.le.length !== b.le.length || a.le.some((v, i) => v !== b.le[i])) return { ...b, le: [...b.le], counts: [...b.counts] };
  return { le: a.le, counts: a.counts.map((c, i) => c + (b.counts[i] ?? 0)), count: a.count + b.count, sumMs: a.sumMs + b.sumMs };
}

export interface EnvRunMetrics {
  lastCpuSeconds: number | null;
  cpuSecondsTotal: number;
  /** endpoint ("GET /health") -> class -> requests. */
  probe: Map<string, Map<ResponseClass, number>>;
  /** endpoint -> latencies added up over the runs (ms). */
  latency: Map<string, LatencyHistogram>;
}

export class RunMetrics {
  private readonly envs = new Map<string, EnvRunMetrics>();

  constructor(private readonly cpu: () => number = () => ownCpuSeconds() + (reapedChildrenCpuSeconds() ?? 0)) {}

  private of(env: string): EnvRunMetrics {
    let m = this.envs.get(env);
    if (!m) {
      m = { lastCpuSeconds: null, cpuSecondsTotal: 0, probe: new Map(), latency: new Map() };
      this.envs.set(env, m);
    }
    return m;
  }

  /** The runner, measured: CPU over each run (also one that fails or is abandoned: it is counted when it really ends). */
  instrument(runner: Runner): Runner {
    return async (env, signal) => {
      const before = this.cpu();
      try {
        const report = await runner(env, signal);
        this.observe(env.env, report);
        return report;
      } finally {
        const used = Math.max(0, this.cpu() - before);
        const m = this.of(env.env);
        m.lastCpuSeconds = used;
        m.cpuSecondsTotal += used;
      }
    };
  }

  /** Adds the probe's answers of a run; only observations that make history count (not drills, not interrupted runs). */
  observe(env: string, report: RunbookReport): void {
    if (!makesHistory(report)) return;
    const m = this.of(env);
    for (const x of report.measurements) {
      if (x.checkId !== BASELINE_CHECK || !x.answers) continue;
      const byClass = m.probe.get(x.name) ?? new Map<ResponseClass, number>(RESPONSE_CLASSES.map((c) => [c, 0]));
      for (const [c, n] of Object.entries(x.answers) as [ResponseClass, number][]) byClass.set(c, (byClass.get(c) ?? 0) + n);
      m.probe.set(x.name, byClass);
      if (x.histogram) m.latency.set(x.name, addHistograms(m.latency.get(x.name), x.histogram));
    }
  }

  get(env: string): EnvRunMetrics | undefined {
    return this.envs.get(env);
  }
}
