/**
 * Probe accuracy. The reference target answers GET /api/v1/status with a known injected latency
 * (BASE ms on every request, plus TAIL ms on a deterministic 8%). The same number of requests at
 * the same rate go through (a) the open-model probe the checks use and (b) autocannon, an
 * independent load tool, in this process. Their p50/p95/p99 are compared with the truth (the
 * injected sequence's exact percentiles).
 */
import { createRequire } from 'node:module';
import { openModel } from '../src/probes/open-model.ts';
import { summarize, type Summary } from '../src/stats/percentiles.ts';
import { EveryNth } from '../src/target/faults.ts';
import { LONG_TAIL_PCT } from '../src/target/app.ts';
import { startReferenceTarget } from '../src/target/index.ts';

interface AutocannonResult {
  latency: { p50: number; p97_5: number; p99: number };
  non2xx: number;
}
interface AutocannonInstance {
  on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, r: AutocannonResult) => void) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface AccuracySettings {
  rate: number;
  count: number;
  base: number;
  tail: number;
}

type Pcts = Pick<Summary, 'p50' | 'p95' | 'p99' | 'count'>;

export interface Accuracy {
  settings: AccuracySettings & { tailPct: number };
  truth: Pcts;
  probe: Pcts & { dropped: number; durationMs: number };
  autocannon: Pcts & { ownP50: number; ownP97_5: number; ownP99: number; non2xx: number };
}

/** The injected latency of each of `count` consecutive requests, as the target applies it. */
function truth(s: AccuracySettings): Summary {
  const picker = new EveryNth();
  return summarize(Array.from({ length: s.count }, () => s.base + (picker.hit(LONG_TAIL_PCT) ? s.tail : 0)))!;
}

const pcts = (s: Summary): Pcts => ({ p50: s.p50, p95: s.p95, p99: s.p99, count: s.count });

export async function measureAccuracy(s: AccuracySettings, log: (line: string) => void): Promise<Accuracy> {
  const faults = { 'slow-responses': s.base, 'long-tail': s.tail };
  log(`accuracy: starting a reference target (slow-responses=${s.base}, long-tail=${s.tail})...`);
  const target = await startReferenceTarget({ faults });
  const url = `${target.url}/api/v1/status`;
  try {
    // Warm-up (connections, JIT), then reset the deterministic tail so each tool sees the same sequence.
    await openModel({ url, rate: s.rate, count: 20, timeoutMs: 10_000 });
    await target.setFaults(faults);
    log(`accuracy: probe, ${s.count} requests at ${s.rate}/s...`);
    const probe = await openModel({ url, rate: s.rate, count: s.count, timeoutMs: 10_000, maxInFlight: 256 });
    const p = summarize(probe.samples.filter((x) => x.status === 200).map((x) => x.ms))!;

    await target.setFaults(faults);
    log(`accuracy: autocannon, ${s.count} requests at ${s.rate}/s...`);
    const perRequest: number[] = [];
    const ac = await new Promise<AutocannonResult>((resolve, reject) => {
      const connections = Math.max(1, Math.ceil((s.rate * (s.base + s.tail)) / 1000));
      const inst = autocannon({ url, connections, overallRate: s.rate, amount: s.count }, (err, r) => (err ? reject(err) : resolve(r)));
      inst.on('response', (_c, _s, _b, ms) => perRequest.push(ms));
    });
    const a = summarize(perRequest)!;
    return {
      settings: { ...s, tailPct: LONG_TAIL_PCT },
      truth: pcts(truth(s)),
      probe: { ...pcts(p), dropped: probe.dropped, durationMs: Math.round(probe.durationMs) },
      autocannon: { ...pcts(a), ownP50: ac.latency.p50, ownP97_5: ac.latency.p97_5, ownP99: ac.latency.p99, non2xx: ac.non2xx },
    };
  } finally {
    await target.stop();
  }
}
