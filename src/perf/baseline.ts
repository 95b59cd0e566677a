/**
 * Degradation against a baseline: each probed endpoint's latencies now against the latencies of
 * the same endpoint in recent successful runs (of this environment, or of blue while green is
 * validated), judged by the cutover's comparison (src/cutover/judge.ts): a Mann-Whitney U test on
 * the whole distribution and a p95 ratio for the tail, each with its interval and p-value, graded
 * by the runbook's bands (> 50% worse = SEV-1, 20-50% = SEV-2).
 *
 * The baseline was measured in other minutes, not beside this run as cutover's two colours are:
 * the absolute floor (`minDeltaMs`, CREDLINK_BASELINE_MIN_DELTA_MS) stays at tens of
 * milliseconds here, because a loaded probe machine or network moves whole runs by that much.
 * Baseline runs recorded before raw latencies were kept (no `latenciesMs`) are compared the old
 * way: this run's p95 against the median of their p95s (`compareToBaseline`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { makesHistory, readReportFile } from '../reporter/read.ts';
import type { Measurement } from '../reporter/schema.ts';
import { DEFAULT_JUDGE, judgeLatency, type MetricVerdict } from '../cutover/judge.ts';
import { MIN_SAMPLES_FOR_P95 } from '../stats/percentiles.ts';

/** The checks whose measurements make a baseline, and whose failure disqualifies a run. */
export const BASELINE_CHECK = 'perf.latency';

export interface BaselineRun {
  runId: string;
  measurements: Measurement[];
}

export interface DegradationRow {
  name: string;
  current: number;
  baseline: number;
  /** How many baseline runs had this endpoint. */
  runs: number;
  percent: number;
  /** False when the difference is within the noise floor. */
  counted: boolean;
}

export interface Degradation {
  rows: DegradationRow[];
  /** The worst counted degradation, percent; 0 when none. */
  worstPercent: number;
  worst?: DegradationRow;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Pure: compare current p95s with the baseline runs' p95s, endpoint by endpoint. */
export function compareToBaseline(
  current: readonly { name: string; p95: number | null; samples: number }[],
  runs: readonly BaselineRun[],
  minDeltaMs: number,
): Degradation {
  const rows: DegradationRow[] = [];
  for (const c of current) {
    if (c.p95 === null || c.samples < MIN_SAMPLES_FOR_P95) continue;
    const past = runs
      .flatMap((r) => r.measurements.filter((m) => m.checkId === BASELINE_CHECK && m.name === c.name))
      .filter((m) => m.p95 !== null && m.samples >= MIN_SAMPLES_FOR_P95)
      .map((m) => m.p95!);
    if (past.length === 0) continue;
    const baseline = median(past);
    const percent = baseline > 0 ? ((c.p95 - baseline) / baseline) * 100 : 0;
    rows.push({ name: c.name, current: c.p95, baseline, runs: past.length, percent, counted: c.p95 - baseline > minDeltaMs });
  }
  const counted = rows.filter((r) => r.counted).sort((a, b) => b.percent - a.percent);
  return { rows, worstPercent: Math.max(0, counted[0]?.percent ?? 0), worst: counted[0] };
}

export interface JudgedEndpoint {
  name: string;
  /** Baseline runs whose latencies were pooled. */
  runs: number;
  baselineSamples: number;
  currentSamples: number;
  metrics: MetricVerdict[];
}

const BAND_ORDER = { OK: 0, inconclusive: 1, 'SEV-2': 2, 'SEV-1': 3 } as const;

/**
 * Pure: each endpoint's current latencies against the pooled latencies of the baseline runs that
 * kept them. Endpoints with fewer than MIN_SAMPLES_FOR_P95 latencies on either side are left out.
 */
export function judgeAgainstBaseline(
  current: readonly { name: string; latenciesMs: readonly number[] }[],
  runs: readonly BaselineRun[],
  minDeltaMs: number,
): { endpoints: JudgedEndpoint[]; worst?: { endpoint: JudgedEndpoint; metric: MetricVerdict } } {
  const endpoints: JudgedEndpoint[] = [];
  for (const c of current) {
    if (c.latenciesMs.length < MIN_SAMPLES_FOR_P95) continue;
    const past = runs.flatMap((r) => r.measurements.filter((m) => m.checkId === BASELINE_CHECK && m.name === c.name && m.latenciesMs?.length));
    const pooled = past.flatMap((m) => m.latenciesMs!);
    if (pooled.length < MIN_SAMPLES_FOR_P95) continue;
    const metrics = judgeLatency(pooled, c.latenciesMs, { ...DEFAULT_JUDGE, floorMs: minDeltaMs });
    endpoints.push({ name: c.name, runs: past.length, baselineSamples: pooled.length, currentSamples: c.latenciesMs.length, metrics });
  }
  let worst: { endpoint: JudgedEndpoint; metric: MetricVerdict } | undefined;
  for (const endpoint of endpoints) {
    for (const metric of endpoint.metrics) {
      const better = !worst || BAND_ORDER[metric.band] > BAND_ORDER[worst.metric.band] || (BAND_ORDER[metric.band] === BAND_ORDER[worst.metric.band] && metric.effect > worst.metric.effect);
      if (better) worst = { endpoint, metric };
    }
  }
  return { endpoints, worst };
}

/**
 * The `limit` most recent successful runs in reports/<env>/: readable runbook.json of an
 * observation that was not interrupted, measurements from the probe, and no performance finding.
 * Run ids sort by time.
 */
export function readBaselineRuns(reportsDir: string, env: string, limit: number, excludeRunId?: string): BaselineRun[] {
  const dir = path.join(reportsDir, env);
  if (!fs.existsSync(dir)) return [];
  const out: BaselineRun[] = [];
  const ids = fs.readdirSync(dir).filter((d) => d !== excludeRunId).sort().reverse();
  for (const id of ids) {
    if (out.length >= limit) break;
    const file = path.join(dir, id, 'runbook.json');
    if (!fs.existsSync(file)) continue;
    const r = readReportFile(file);
    if (!r || !makesHistory(r)) continue;
    if (r.findings.some((f) => f.checkId.startsWith('perf.'))) continue;
    const measurements = r.measurements.filter((m) => m.checkId === BASELINE_CHECK);
    if (measurements.length) out.push({ runId: r.runId, measurements });
  }
  return out;
}
