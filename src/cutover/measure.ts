/**
 * Blue and green measured at the same moment, the same way: for each endpoint, an open-model
 * sampler (src/probes/open-model.ts) runs against both colours concurrently at the same rate
 * with the same sample count, so both see the same network and the same minute.
 * Errors are answers >= 500 or no answer; 429s are counted apart (a rate-limited measurement
 * proves nothing about the deployment).
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

async function one(baseUrl: string, path: string, o: MeasureOptions): Promise<ColourLatency> {
  const url = `${baseUrl}${path}`;
  const r = await openModel({ url, rate: o.rate, count: o.samples, timeoutMs: o.timeoutMs, signal: o.signal });
  const errors = r.samples.filter((s) => s.status === null || s.status >= 500).length;
  const rateLimited = r.samples.filter((s) => s.status === 429).length;
  return {
    url,
    summary: summarize(r.samples.map((s) => s.ms)),
    samples: r.samples.length,
    errors,
    rateLimited,
    dropped: r.dropped,
    errorRate: r.samples.length ? errors / r.samples.length : null,
  };
}

export async function measurePair(blueUrl: string, greenUrl: string, o: MeasureOptions): Promise<EndpointPair[]> {
  const out: EndpointPair[] = [];
  for (const path of o.paths) {
    if (o.signal?.aborted) break;
    const [blue, green] = await Promise.all([one(blueUrl, path, o), one(greenUrl, path, o)]);
    out.push({ path, blue, green });
  }
  return out;
}
