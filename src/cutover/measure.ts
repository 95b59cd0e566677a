/**
 * Blue and green measured at the same moment, the same way: for each endpoint, an open-model
 * sampler (src/probes/open-model.ts) runs against both colours concurrently at the same rate
 * with the same sample count, so both see the same network and the same minute. Green's
 * schedule is offset by half an interval: requests to the two colours never leave on the same
 * timer tick, where the second would wait behind the first in the measuring process (a
 * systematic handicap of a few tenths of a millisecond for whichever colour goes second).
 * Errors are answers >= 500 or no answer; 429s are counted apart (a rate-limited measurement
 * proves nothing about the deployment). The latencies of the other answers (below 500, not 429) are kept for the
 * statistical comparison (src/cutover/judge.ts).
 */
import { openModel } from '../probes/open-model.ts';
import { summarize, type Summary } from '../stats/percentiles.ts';

export interface ColourLatency {
  url: string;
  summary: Summary | null;
  samples: number;
  errors: number;
  rateLimited: number;
  dropped: number;
  errorRate: number | null;
  /** Latencies of the answered, not rate-limited requests, ms (absent in JSON output). */
  latenciesMs?: number[];
  /** Latencies of every request, what `summary` is of (absent in JSON output; for pooling batches). */
  allMs?: number[];
}

export interface EndpointPair {
  path: string;
  blue: ColourLatency;
  green: ColourLatency;
}

export interface MeasureOptions {
  paths: string[];
  rate: number;
  samples: number;
  timeoutMs: number;
  /** Stops scheduling new requests (src/probes/open-model.ts). */
  signal?: AbortSignal;
}

/** Requests in flight allowed: a second's worth at the rate, at least 32, at most 512. */
const inFlightFor = (rate: number) => Math.min(512, Math.max(32, Math.ceil(rate)));

async function one(baseUrl: string, path: string, o: MeasureOptions, delayMs: number): Promise<ColourLatency> {
  const url = `${baseUrl}${path}`;
  if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
  const r = await openModel({ url, rate: o.rate, count: o.samples, timeoutMs: o.timeoutMs, signal: o.signal, maxInFlight: inFlightFor(o.rate) });
  const errors = r.samples.filter((s) => s.status === null || s.status >= 500).length;
  const allMs = r.samples.map((s) => s.ms);
  const rateLimited = r.samples.filter((s) => s.status === 429).length;
  return {
    url,
    summary: summarize(allMs),
    samples: r.samples.length,
    errors,
    rateLimited,
    dropped: r.dropped,
    errorRate: r.samples.length ? errors / r.samples.length : null,
    latenciesMs: r.samples.filter((s) => s.status !== null && s.status < 500 && s.status !== 429).map((s) => s.ms),
    allMs,
  };
}

function poolColour(a: ColourLatency, b: ColourLatency): ColourLatency {
  const allMs = [...(a.allMs ?? []), ...(b.allMs ?? [])];
  const samples = a.samples + b.samples;
  const errors = a.errors + b.errors;
  return {
    url: a.url,
    summary: summarize(allMs),
    samples,
    errors,
    rateLimited: a.rateLimited + b.rateLimited,
    dropped: a.dropped + b.dropped,
    errorRate: samples ? errors / samples : null,
    latenciesMs: [...(a.latenciesMs ?? []), ...(b.latenciesMs ?? [])],
    allMs,
  };
}

/** Two batches of the same paths as one (the sequential extension judges the pooled samples). */
export function poolPairs(a: EndpointPair[], b: EndpointPair[]): EndpointPair[] {
  return a.map((x) => {
    const y = b.find((p) => p.path === x.path);
    return y ? { path: x.path, blue: poolColour(x.blue, y.blue), green: poolColour(x.green, y.green) } : x;
  });
}

export async function measurePair(blueUrl: string, greenUrl: string, o: MeasureOptions): Promise<EndpointPair[]> {
  const out: EndpointPair[] = [];
  for (const path of o.paths) {
    if (o.signal?.aborted) break;
    const [blue, green] = await Promise.all([one(blueUrl, path, o, 0), one(greenUrl, path, o, 500 / o.rate)]);
    out.push({ path, blue, green });
  }
  return out;
}
