/**
 * One open-model sampling of every probed endpoint per run, shared by the checks of
 * checks/performance. Endpoints are sampled at the same time (each at the configured rate),
 * so the error rate is service-wide like the runbook's. The result is cached in the run's
 * folder: Playwright restarts the worker after a failing test, and the next check must judge
 * the same samples, not send another round of traffic.
 *
 * The probe window (samples / rate, 5 s by default) is most of a run's time, so the CLI starts
 * the sampling itself, beside the checks, as the run begins (startProbe): its process is idle
 * while the checks run, so the probe's timers are not held up by a check's work. It marks the
 * run folder (PROBE_PENDING) until the samples are in the cache; a check that needs them waits
 * for that, and samples itself only when no probe was started or the one started went away.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from '../../config/index.ts';
import { reachabilityOf } from '../http/reachability.ts';
import { answerSeen, disclosureSeen } from '../http/answers.ts';
import { AnswerScanner, SCAN_BODY_MAX } from '../security/disclosure.ts';
import { openModel } from '../probes/open-model.ts';
import { RequestLedger } from '../budget/ledger.ts';
import { clientScope, planProbe } from '../budget/plan.ts';
import { demandOf } from '../budget/run-plan.ts';
import { sharedWindow } from '../monitor/reuse.ts';
import type { EndpointSamples } from './probe-verdict.ts';

export interface ProbeRun {
  rate: number;
  endpoints: EndpointSamples[];
  /** Set when the samples are a monitor's window (src/monitor/reuse.ts), not this run's probe: what they are. */
  window?: string;
}

export const PROBE_CACHE = 'perf-samples.json';
/** Present while the CLI's probe runs: holds the epoch ms by which it will have finished. */
export const PROBE_PENDING = 'perf-samples.pending';
/** The checks that judge the probe's samples. */
export const PROBE_CHECKS: readonly string[] = ['perf.latency', 'perf.error-rate', 'perf.degradation'];
const POLL_MS = 50;

/**
 * The probe as configured, reduced to fit the target's declared rate limits (src/budget/plan.ts)
 * and what the run's other checks send in the first window:
 * `limitedBy` says why, for the checks' skip reasons and evidence.
 */
export function probeSettings(c: ResolvedConfig) {
  const configured = c.probe ?? { samples: 100, rate: 20, maxInFlight: 64, paths: [c.paths.health, c.paths.status, c.paths.apiHealth].filter((p): p is string => p !== null), dbSamples: 60 };
  // The probe leaves the other checks of the run their first window (the run's plan counts them).
  const plan = planProbe(c, configured, demandOf(c).otherFirst);
  return { ...configured, rate: plan.rate, samples: plan.samples, limitedBy: plan.limitedBy };
}

/** Every check judging the sampling saw its answers (and what they disclosed): each reports them to its own answer sink. */
export async function sampleEndpoints(c: ResolvedConfig): Promise<ProbeRun> {
  const run = await sampleOnce(c);
  for (const e of run.endpoints) {
    const byStatus = new Map<number | null, number>();
    for (const s of e.samples) {
      byStatus.set(s.status, (byStatus.get(s.status) ?? 0) + 1);
      for (const d of s.disclosures ?? []) disclosureSeen({ kind: d.kind, call: e.name, status: s.status, excerpt: d.excerpt });
    }
    for (const [status, n] of byStatus) answerSeen(e.name, status, n);
  }
  return run;
}

function readCache(c: ResolvedConfig): ProbeRun | undefined {
  if (!c.runDir) return undefined;
  try {
    return JSON.parse(fs.readFileSync(path.join(c.runDir, PROBE_CACHE), 'utf8')) as ProbeRun;
  } catch {
    return undefined;
  }
}

/** Waits while the CLI's probe runs (bounded by the end it announced); its samples, if it finished. */
async function awaitStartedProbe(c: ResolvedConfig): Promise<ProbeRun | undefined> {
  if (!c.runDir) return undefined;
  const pending = path.join(c.runDir, PROBE_PENDING);
  for (;;) {
    const cached = readCache(c);
    if (cached) return cached;
    let until: number;
    try {
      until = Number(fs.readFileSync(pending, 'utf8'));
    } catch {
      return readCache(c);
    }
    if (!(Date.now() < until)) return undefined;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** A fresh window of a monitor of this environment, as a probe run (no traffic sent). */
function fromWindow(c: ResolvedConfig): ProbeRun | undefined {
  const w = sharedWindow(c);
  return 'none' in w ? undefined : { rate: 0, endpoints: w.endpoints, window: w.label };
}

async function sampleOnce(c: ResolvedConfig): Promise<ProbeRun> {
  const shared = fromWindow(c);
  if (shared) return shared;
  const started = await awaitStartedProbe(c);
  if (started) return started;
  return probeIntoCache(c);
}

/** The probe's deadline: its window plus one request timeout, and a margin for a loaded machine. */
function probeEndsBy(c: ResolvedConfig, p: ReturnType<typeof probeSettings>): number {
  return Date.now() + (p.samples / p.rate) * 1000 + c.timeouts.requestMs + 5000;
}

/**
 * Starts the run's probe beside the checks (docs/checks.md); settles when the samples are
 * in the cache, or at once when there is nothing to probe. Aborting stops scheduling requests and
 * stores nothing: a check that still needs samples then takes them itself.
 */
export async function startProbe(c: ResolvedConfig, signal?: AbortSignal): Promise<void> {
  const p = probeSettings(c);
  if (!c.runDir || p.paths.length === 0 || p.samples === 0) return;
  // A monitor's fresh window answers p95 and error rate: no probe traffic (the checks read the window).
  if (fromWindow(c)) return;
  const pending = path.join(c.runDir, PROBE_PENDING);
  fs.writeFileSync(pending, String(probeEndsBy(c, p)));
  try {
    await probeIntoCache(c, signal);
  } finally {
    fs.rmSync(pending, { force: true });
  }
}

async function probeIntoCache(c: ResolvedConfig, signal?: AbortSignal): Promise<ProbeRun> {
  const cache = c.runDir ? path.join(c.runDir, PROBE_CACHE) : undefined;
  const p = probeSettings(c);
  const reachability = reachabilityOf(c);
  const down = reachability.down();
  // The base URL is known not to answer in this run (src/http/reachability.ts): the requests
  // would all time out; they are counted as what they would be, unanswered, without waiting.
  const endpoints = down
    ? p.paths.map((pathname): EndpointSamples => ({
        name: `GET ${pathname}`,
        samples: Array.from({ length: p.samples }, () => ({ ms: 0, status: null, error: `not sent: ${down.line}` })),
        dropped: 0,
        scheduled: p.samples,
      }))
    : await sampleAll(c, p, signal);
  if (signal?.aborted) return { rate: p.rate, endpoints };
  if (!down && endpoints.every((e) => e.samples.length > 0 && e.samples.every((s) => s.status === null))) {
    const first = endpoints[0]!;
    await reachability.noAnswer(first.name, first.samples[0]?.error ?? 'no answer');
  }
  const run: ProbeRun = { rate: p.rate, endpoints };
  if (cache) {
    // Whole or not at all: a check may be reading it as it appears.
    const tmp = `${cache}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(run));
    fs.renameSync(tmp, cache);
  }
  return run;
}

/** Bytes of the probe's answers scanned for disclosures in one run (every answer's head, until spent). */
const PROBE_SCAN_MAX = 2 * 1024 * 1024;

async function sampleAll(c: ResolvedConfig, p: ReturnType<typeof probeSettings>, signal?: AbortSignal): Promise<EndpointSamples[]> {
  const scanner = new AnswerScanner(PROBE_SCAN_MAX);
  const inspect = { maxBytes: SCAN_BODY_MAX, look: (status: number, head: string) => scanner.scan(status, head) };
  // The probe's requests count against the per-client limit the checks are paced by (the same
  // ledger, shared with later runs against this target): recorded up front, at the time the last
  // of them goes out, so the checks get the rest of the allowance now and all of it a window later.
  const client = clientScope(c);
  if (client && c.runDir) RequestLedger.forRun(c).record(client, p.samples * p.paths.length, Date.now() + (p.samples / p.rate) * 1000);
  return Promise.all(
    p.paths.map(async (pathname): Promise<EndpointSamples> => {
      const r = await openModel({
        url: `${c.baseUrl}${pathname}`,
        rate: p.rate,
        count: p.samples,
        timeoutMs: c.timeouts.requestMs,
        maxInFlight: p.maxInFlight,
        headers: { 'user-agent': 'credlink-checks/0.1 (+runbook monitor; latency probe)' },
        signal,
        inspect,
      });
      return { name: `GET ${pathname}`, samples: r.samples, dropped: r.dropped, scheduled: r.scheduled };
    }),
  );
}
