/**
 * The rolling window of one probed endpoint at one location: the samples of the last
 * `windowMs`, oldest first, at most `maxSamples` of them (principle 18: a monitor is a time
 * series; the runbook judges error rate and p95 over `[5m]`). Pure data and pure functions: the
 * sampler adds, the judge reads, the store persists.
 */

/** One request of the continuous sampler, as the window keeps it. */
export interface WindowSample {
  /** When it was scheduled, epoch ms. */
  t: number;
  /** From the scheduled start to the end of the answer, ms. */
  ms: number;
  /** HTTP status, or null when there was no answer (refused, reset, timed out). */
  status: number | null;
  /** Why there was no answer, one line. */
  error?: string;
  /**
   * The sample failed and its re-asks (today's confirmation rule, src/probes/confirm.ts) failed
   * too: the endpoint was down at that moment, not one lost request.
   */
  confirmed?: boolean;
  /**
   * Taken while the whole service was confirmed down (every sampled health endpoint): the outage
   * is its own incident, so these samples are left out of the error rate and p95 (and counted).
   */
  outage?: boolean;
}

export interface EndpointWindow {
  /** "GET /health": what is sampled. */
  name: string;
  /** Where the sampler runs (config/location.ts). */
  location: string;
  samples: WindowSample[];
}

/** Upper bound per endpoint whatever the window length: 1 sample a second for an hour. */
export const MAX_SAMPLES_PER_ENDPOINT = 3600;

/** Drops samples older than the window and beyond the bound (the oldest go first). In place; returns how many went. */
export function prune(w: EndpointWindow, now: number, windowMs: number, maxSamples = MAX_SAMPLES_PER_ENDPOINT): number {
  const before = w.samples.length;
  const from = now - windowMs;
  let first = 0;
  while (first < w.samples.length && w.samples[first]!.t <= from) first += 1;
  const over = Math.max(0, w.samples.length - first - maxSamples);
  if (first + over > 0) w.samples.splice(0, first + over);
  return before - w.samples.length;
}

/** Adds a sample in time order (a late answer of an earlier request goes before later ones). */
export function addSample(w: EndpointWindow, s: WindowSample): void {
  let i = w.samples.length;
  while (i > 0 && w.samples[i - 1]!.t > s.t) i -= 1;
  w.samples.splice(i, 0, s);
}

/** Size and age of a window, for the status page, /metrics and runbook.json. */
export interface WindowFacts {
  name: string;
  location: string;
  samples: number;
  /** Samples left out as part of a confirmed outage. */
  outage: number;
  /** Age of the oldest sample, s (how much of the window is filled); null when empty. */
  spanSeconds: number | null;
  /** Age of the newest sample, s: a window whose newest sample is old is stale. */
  ageSeconds: number | null;
}

export function factsOf(w: EndpointWindow, now: number): WindowFacts {
  const first = w.samples[0];
  const last = w.samples.at(-1);
  return {
    name: w.name,
    location: w.location,
    samples: w.samples.length,
    outage: w.samples.filter((s) => s.outage).length,
    spanSeconds: first ? Math.max(0, Math.round((now - first.t) / 100) / 10) : null,
    ageSeconds: last ? Math.max(0, Math.round((now - last.t) / 100) / 10) : null,
  };
}
