/**
 * The bench's verdicts and its printed table: each scenario's medians as ratios to the two floors,
 * and its goals, PASS or MISS.
 */
import type { Accuracy } from './accuracy.ts';
import type { Measured } from './measure.ts';

export interface ScenarioFigures {
  id: string;
  label: string;
  runs: Omit<Measured, 'tail'>[];
  wallS: number;
  cpuS: number;
  treePssMiB: number;
  treeRssMiB: number;
  processMiB: number;
  /** Runs whose exit code was not the scenario's (a healthy run that found something, a crash). */
  unexpectedExits: number;
}

/** What the bench reads of the newest remote run's runbook.json (loosely: older builds have no timings). */
export interface RemoteRun {
  verdict?: { status?: string };
  timings?: {
    totalMs?: number;
    cpuSeconds?: number;
    peakRssMiB?: number;
    phases?: { name: string; startMs: number; ms: number }[];
  };
}

export interface Goal {
  goal: string;
  value: number | null;
  limit: number | null;
  unit: string;
  pass: boolean;
}

/** Peak memory a run may take, MiB. */
export const MEMORY_GOAL_MIB = 200;
/** The remote run's wall time may exceed the probe window by this much (s). */
export const WALL_OVER_PROBE_S = 2.5;
export const CPU_OVER_FLOOR = 2;
export const LOCAL_OVER_REMOTE_S = 2;
export const OUTAGE_OVER_HEALTHY_S = 3;
export const ACCURACY_SHARE = 0.02;

export function goalsOf(figures: ScenarioFigures[], o: { probeWindowS: number; remoteRun?: RemoteRun; accuracy?: Accuracy }): Goal[] {
  const f = (id: string) => figures.find((x) => x.id === id);
  const remote = f('remote');
  const floor = f('floor-playwright');
  const goals: Goal[] = [];
  const add = (goal: string, value: number | undefined, limit: number | undefined, unit: string) => {
    if (value === undefined || limit === undefined) return;
    goals.push({ goal, value, limit, unit, pass: value <= limit });
  };
  add(`remote full run wall <= probe window (${o.probeWindowS} s) + ${WALL_OVER_PROBE_S} s`, remote?.wallS, o.probeWindowS + WALL_OVER_PROBE_S, 's');
  add(`remote full run CPU <= ${CPU_OVER_FLOOR} x bare Playwright CPU`, remote?.cpuS, floor && floor.cpuS * CPU_OVER_FLOOR, 's');
  add(`remote full run largest process peak RSS <= ${MEMORY_GOAL_MIB} MiB`, remote?.processMiB, MEMORY_GOAL_MIB, 'MiB');
  add(`local full run wall <= remote + ${LOCAL_OVER_REMOTE_S} s`, f('local')?.wallS, remote && remote.wallS + LOCAL_OVER_REMOTE_S, 's');
  add(`outage run wall <= healthy remote + ${OUTAGE_OVER_HEALTHY_S} s`, f('outage')?.wallS, remote && remote.wallS + OUTAGE_OVER_HEALTHY_S, 's');
  if (remote) {
    const cpu = o.remoteRun?.timings?.cpuSeconds;
    goals.push({ goal: 'the run reports its CPU seconds (runbook.json timings.cpuSeconds, for /metrics)', value: cpu ?? null, limit: null, unit: 's', pass: typeof cpu === 'number' });
  }
  if (o.accuracy) {
    const { truth, probe } = o.accuracy;
    const off = Math.abs(probe.p95 / truth.p95 - 1);
    goals.push({ goal: `probe p95 within ${ACCURACY_SHARE * 100}% of the injected truth`, value: Math.round(off * 10_000) / 100, limit: ACCURACY_SHARE * 100, unit: '%', pass: off <= ACCURACY_SHARE });
  }
  return goals;
}

const num = (n: number, w: number, d = 1) => n.toFixed(d).padStart(w);
const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(2)}x` : '-').padStart(7);

export function printReport(r: {
  figures: ScenarioFigures[];
  goals: Goal[];
  accuracy?: Accuracy;
  machine: { cores: number; loadAverageBefore: number[]; loadAverageAfter: number[]; node: string };
  runs: number;
  probeNote: string;
  remoteRun?: RemoteRun;
}): void {
  const out: string[] = [];
  const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(' ');
  out.push('');
  out.push(`credlink-checks bench: ${r.machine.cores} cores, node ${r.machine.node}, load average ${load(r.machine.loadAverageBefore)} (start) / ${load(r.machine.loadAverageAfter)} (end); medians of ${r.runs} run(s)`);
  out.push(`  ${r.probeNote}`);
  out.push('  CPU: user+system of the whole process tree; PSS: the tree\'s proportional set size (shared pages once); RSS: summed over the tree; peak proc: the largest process\'s peak RSS');
  out.push('');
  const pw = r.figures.find((f) => f.id === 'floor-playwright');
  const fetch = r.figures.find((f) => f.id === 'floor-fetch');
  out.push(`  ${'scenario'.padEnd(34)}  wall s   CPU s  PSS MiB  RSS MiB  peak proc   wall/PW  CPU/PW  CPU/fetch`);
  for (const f of r.figures) {
    const flag = f.unexpectedExits ? `  (${f.unexpectedExits} unexpected exit code${f.unexpectedExits > 1 ? 's' : ''})` : '';
    out.push(
      `  ${f.label.padEnd(34)} ${num(f.wallS, 7)} ${num(f.cpuS, 7, 2)} ${num(f.treePssMiB, 8, 0)} ${num(f.treeRssMiB, 8, 0)} ${num(f.processMiB, 10, 0)}  ${ratio(f.wallS, pw?.wallS)} ${ratio(f.cpuS, pw?.cpuS)} ${ratio(f.cpuS, fetch?.cpuS).padStart(10)}${flag}`,
    );
  }
  const phases = r.remoteRun?.timings?.phases;
  if (phases?.length) {
    out.push('');
    out.push(`  phases of the last remote run (runbook.json timings; ${r.remoteRun?.timings?.cpuSeconds ?? '?'} CPU s reported by the run itself):`);
    for (const p of phases) out.push(`    ${(p.startMs / 1000).toFixed(2).padStart(6)} s +${(p.ms / 1000).toFixed(2).padStart(5)} s  ${p.name}`);
  }
  if (r.accuracy) {
    const { truth: t, probe: p, autocannon: a, settings: s } = r.accuracy;
    out.push('');
    out.push(`  probe accuracy: GET /api/v1/status, ${s.count} requests at ${s.rate}/s; injected ${s.base} ms + ${s.tail} ms on ${s.tailPct}% (deterministic)`);
    out.push(`              truth      probe  (ratio)  autocannon (ratio)`);
    for (const k of ['p50', 'p95', 'p99'] as const) out.push(`    ${k}   ${num(t[k], 8)}   ${num(p[k], 8)}  ${ratio(p[k], t[k])}  ${num(a[k], 8)}   ${ratio(a[k], t[k])}`);
    out.push(`    samples ${String(t.count).padStart(6)}   ${String(p.count).padStart(8)}           ${String(a.count).padStart(8)}`);
    out.push(`    probe: ${p.dropped} dropped, ${p.durationMs} ms; autocannon's own histogram (coordinated-omission corrected): p50 ${a.ownP50} ms, p97.5 ${a.ownP97_5} ms, p99 ${a.ownP99} ms, non-2xx ${a.non2xx}`);
  }
  out.push('');
  out.push('  goals:');
  for (const g of r.goals) {
    const v = g.value === null ? 'absent' : `${g.unit === 'MiB' ? g.value.toFixed(0) : g.value.toFixed(2)} ${g.unit}`;
    const l = g.limit === null ? '' : ` (limit ${g.unit === 'MiB' ? g.limit.toFixed(0) : g.limit.toFixed(2)} ${g.unit})`;
    out.push(`    ${g.pass ? 'PASS' : 'MISS'}  ${g.goal}: ${v}${l}`);
  }
  // The memory goal is the largest process; the tree's footprint is shown beside the floor's
  // (a tree under 200 MiB is not reachable: the bare-Playwright floor alone takes about that).
  const remote = r.figures.find((f) => f.id === 'remote');
  if (remote && pw) out.push(`    (the remote run's process tree: ${remote.treePssMiB.toFixed(0)} MiB PSS, the bare-Playwright floor's ${pw.treePssMiB.toFixed(0)} MiB)`);
  process.stdout.write(out.join('\n') + '\n');
}
