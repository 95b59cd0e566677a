/**
 * `npm run bench`: a benchmark, not a test (nothing here asserts).
 *
 * 1. Accuracy. The reference target answers GET /api/v1/status with a known injected latency
 *    (BASE ms on every request, plus TAIL ms on a deterministic 8%). The same number of requests
 *    at the same rate go through (a) the open-model probe the checks use and (b) autocannon, an
 *    independent load tool, in this process tree. Their p50/p95/p99 are printed next to the
 *    truth (the injected sequence's exact percentiles) as ratios.
 * 2. Cost. `credlink-checks run --env local`, whole process, RUNS times: median time to verdict
 *    and peak RSS of the process tree (sampled every 100 ms from /proc).
 *
 * Options: --rate N (50) --count N (500) --base MS (20) --tail MS (200) --runs N (5) --skip-run
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openModel } from '../src/probes/open-model.ts';
import { PROJECT_ROOT } from '../src/run/paths.ts';
import { summarize, type Summary } from '../src/stats/percentiles.ts';
import { EveryNth } from '../src/target/faults.ts';
import { LONG_TAIL_PCT } from '../src/target/app.ts';
import { startReferenceTarget } from '../src/target/index.ts';

interface AutocannonResult {
  latency: { p50: number; p97_5: number; p99: number };
  requests: { total: number };
  non2xx: number;
  errors: number;
}
interface AutocannonInstance {
  on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, r: AutocannonResult) => void) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '50' },
    count: { type: 'string', default: '500' },
    base: { type: 'string', default: '20' },
    tail: { type: 'string', default: '200' },
    runs: { type: 'string', default: '5' },
    'skip-run': { type: 'boolean', default: false },
  },
});
const rate = Number(values.rate);
const count = Number(values.count);
const base = Number(values.base);
const tail = Number(values.tail);
const runs = Number(values.runs);

const f1 = (n: number) => n.toFixed(1).padStart(8);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`.padStart(7);

/** The injected latency of each of `count` consecutive requests, as the target applies it. */
function truth(): Summary {
  const picker = new EveryNth();
  return summarize(Array.from({ length: count }, () => base + (picker.hit(LONG_TAIL_PCT) ? tail : 0)))!;
}

async function accuracy(): Promise<void> {
  process.stderr.write(`starting the reference target (slow-responses=${base}, long-tail=${tail})...\n`);
  const target = await startReferenceTarget({ faults: { 'slow-responses': base, 'long-tail': tail } });
  const url = `${target.url}/api/v1/status`;
  try {
    // Warm-up (connections, JIT), then reset the deterministic tail so each tool sees the same sequence.
    await openModel({ url, rate, count: 20, timeoutMs: 10_000 });
    await target.setFaults({ 'slow-responses': base, 'long-tail': tail });
    process.stderr.write(`probe: ${count} requests at ${rate}/s...\n`);
    const probe = await openModel({ url, rate, count, timeoutMs: 10_000, maxInFlight: 256 });
    const p = summarize(probe.samples.filter((s) => s.status === 200).map((s) => s.ms))!;

    await target.setFaults({ 'slow-responses': base, 'long-tail': tail });
    process.stderr.write(`autocannon: ${count} requests at ${rate}/s...\n`);
    const perRequest: number[] = [];
    const ac = await new Promise<AutocannonResult>((resolve, reject) => {
      const inst = autocannon({ url, connections: Math.max(1, Math.ceil((rate * (base + tail)) / 1000)), overallRate: rate, amount: count }, (err, r) =>
        err ? reject(err) : resolve(r),
      );
      inst.on('response', (_c, _s, _b, ms) => perRequest.push(ms));
    });
    const a = summarize(perRequest)!;
    const t = truth();

    const out: string[] = [];
    out.push('');
    out.push(`Latency of GET /api/v1/status, ${count} requests at ${rate}/s; injected ${base} ms + ${tail} ms on ${LONG_TAIL_PCT}% (deterministic)`);
    out.push(`            truth      probe  (ratio)  autocannon (ratio)`);
    for (const k of ['p50', 'p95', 'p99'] as const) out.push(`  ${k}   ${f1(t[k])}   ${f1(p[k])}  ${ratio(p[k], t[k])}  ${f1(a[k])}   ${ratio(a[k], t[k])}`);
    out.push(`  samples ${String(t.count).padStart(6)}   ${String(p.count).padStart(8)}           ${String(a.count).padStart(8)}`);
    out.push(`  probe: ${probe.dropped} dropped, ${Math.round(probe.durationMs)} ms; autocannon own histogram (coordinated-omission corrected): p50 ${ac.latency.p50} ms, p97.5 ${ac.latency.p97_5} ms, p99 ${ac.latency.p99} ms, non-2xx ${ac.non2xx}`);
    out.push('  (ratios > 1.00 are the client and loopback overhead on top of the injected latency)');
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    await target.stop();
  }
}

/** Sum of RSS (bytes) over `root` and all its descendants, from /proc. */
function treeRss(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      const pages = Number(fields[21]);
      const pid = Number(d);
      rss.set(pid, pages * 4096);
      (children.get(ppid) ?? children.set(ppid, []).get(ppid)!).push(pid);
    } catch {
      /* exited */
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

async function timeToVerdict(): Promise<void> {
  const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'credlink-bench-'));
  const results: { ms: number; rss: number; code: number }[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      process.stderr.write(`run --env local (${i + 1}/${runs})...\n`);
      const t0 = performance.now();
      const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'credlink-checks.js'), 'run', '--env', 'local', '--reports-dir', reports], {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'ignore', 'ignore'],
        env: { ...process.env, NO_COLOR: '1' },
      });
      let peak = 0;
      const timer = setInterval(() => {
        if (child.pid) peak = Math.max(peak, treeRss(child.pid));
      }, 100);
      const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
      clearInterval(timer);
      results.push({ ms: performance.now() - t0, rss: peak, code });
    }
  } finally {
    fs.rmSync(reports, { recursive: true, force: true });
  }
  const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  const out = [
    '',
    `credlink-checks run --env local, whole process (embedded PostgreSQL + target + every check), ${runs} runs:`,
    `  time to verdict: median ${(med(results.map((r) => r.ms)) / 1000).toFixed(1)} s (each: ${results.map((r) => (r.ms / 1000).toFixed(1)).join(', ')} s)`,
    `  peak RSS of the process tree: median ${(med(results.map((r) => r.rss)) / 2 ** 20).toFixed(0)} MiB, max ${(Math.max(...results.map((r) => r.rss)) / 2 ** 20).toFixed(0)} MiB`,
    `  exit codes: ${results.map((r) => r.code).join(', ')} (0 = healthy)`,
    `  machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
  ];
  process.stdout.write(out.join('\n') + '\n');
}

await accuracy();
if (!values['skip-run']) await timeToVerdict();
