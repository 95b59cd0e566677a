/**
 * Degradation against a baseline: the p95 of each probed endpoint now, against the median p95
 * of the same endpoint over recent successful runs (of this environment, or of blue while green
 * is validated). The runbook's severity levels: > 50% worse = SEV-1, 20-50% = SEV-2
 * (src/triage/severity-policy.ts turns the percent into a severity).
 *
 * Millisecond p95s jitter by far more than 20%, so a difference also has to exceed an absolute
 * floor (`minDeltaMs`) to count.
 */
import fs from 'node:fs';
import path from 'node:path';
import { makesHistory, readReportFile } from '../reporter/read.ts';
import type { Measurement } from '../reporter/schema.ts';
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
