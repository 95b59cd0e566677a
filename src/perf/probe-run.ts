/**
 * One open-model sampling of every probed endpoint per run, shared by the checks of
 * checks/performance. Endpoints are sampled at the same time (each at the configured rate),
 * so the error rate is service-wide like the runbook's. The result is cached in the run's
 * folder: Playwright restarts the worker after a failing test, and the next check must judge
 * the same samples, not send another round of traffic.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from '../../config/index.ts';
import { openModel } from '../probes/open-model.ts';
import { planProbe } from '../budget/plan.ts';
import type { EndpointSamples } from './probe-verdict.ts';

export interface ProbeRun {
  rate: number;
  endpoints: EndpointSamples[];
}

export const PROBE_CACHE = 'perf-samples.json';

/**
 * The probe as configured, reduced to fit the target's declared rate limits (src/budget/plan.ts):
 * `limitedBy` says why, for the checks' skip reasons and evidence.
 */
export function probeSettings(c: ResolvedConfig) {
  const configured = c.probe ?? { samples: 100, rate: 20, maxInFlight: 64, paths: [c.paths.health, c.paths.status, c.paths.apiHealth].filter((p): p is string => p !== null), dbSamples: 60 };
  const plan = planProbe(c, configured);
  return { ...configured, rate: plan.rate, samples: plan.samples, limitedBy: plan.limitedBy };
}

export async function sampleEndpoints(c: ResolvedConfig): Promise<ProbeRun> {
  const cache = c.runDir ? path.join(c.runDir, PROBE_CACHE) : undefined;
  if (cache && fs.existsSync(cache)) return JSON.parse(fs.readFileSync(cache, 'utf8')) as ProbeRun;
  const p = probeSettings(c);
  const endpoints = await Promise.all(
    p.paths.map(async (pathname): Promise<EndpointSamples> => {
      const r = await openModel({
        url: `${c.baseUrl}${pathname}`,
        rate: p.rate,
        count: p.samples,
        timeoutMs: c.timeouts.requestMs,
        maxInFlight: p.maxInFlight,
        headers: { 'user-agent': 'credlink-checks/0.1 (+runbook monitor; latency probe)' },
      });
      return { name: `GET ${pathname}`, samples: r.samples, dropped: r.dropped, scheduled: r.scheduled };
    }),
  );
  const run: ProbeRun = { rate: p.rate, endpoints };
  if (cache) fs.writeFileSync(cache, JSON.stringify(run));
  return run;
}
