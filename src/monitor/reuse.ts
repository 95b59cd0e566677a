/**
 * One-shot commands (run, gate) share a monitor's window: when the state directory they are
 * given (--state-dir, default .state) holds a fresh window of the same environment and base URL,
 * its samples are the latency probe's (src/perf/probe-run.ts): p95 and error rate are judged on
 * "window: last 5 min, n=312" with today's rules, and the run sends no probe traffic. Fresh: the
 * daemon saved it within FRESH_MS (it saves every 10 s while it samples). Samples of a confirmed
 * outage are kept: in a run the outage is correlated with them (perf.error-rate is its
 * consequence), unlike the daemon's judgement, where the outage is an incident of its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from '../../config/index.ts';
import { cadencesFor, isStale } from './cadence.ts';
import type { EndpointSamples } from '../perf/probe-verdict.ts';
import { windowLabel } from './judge.ts';
import { readWindowFile } from './store.ts';

export const FRESH_MS = 30_000;

export interface SharedWindow {
  /** "window: last 5 min, n=312 (the monitor's samples, saved 4 s ago)". */
  label: string;
  endpoints: EndpointSamples[];
}

/**
 * The monitor's window for this run, or why there is none (for the log). `notBefore` (ms): the
 * window must not reach back before it (cutover: green's start, so no sample is of another build).
 */
export function sharedWindow(c: Pick<ResolvedConfig, 'env' | 'baseUrl' | 'monitorWindow'>, now = Date.now(), notBefore?: number): SharedWindow | { none: string } {
  if (!c.monitorWindow) return { none: 'no state directory given' };
  const r = readWindowFile(c.monitorWindow.stateDir, c.env);
  if ('none' in r) return r;
  const f = r.file;
  if (f.baseUrl !== c.baseUrl) return { none: `the monitor's window of ${c.env} samples ${f.baseUrl}, not ${c.baseUrl}` };
  const age = now - f.savedAt;
  if (age > FRESH_MS) return { none: `the monitor's window of ${c.env} was saved ${Math.round(age / 1000)} s ago (stale after ${FRESH_MS / 1000} s: is the daemon running?)` };
  const from = now - f.windowMs;
  if (notBefore !== undefined && from < notBefore) {
    return { none: `the monitor's window of ${c.env} (last ${Math.round(f.windowMs / 1000)} s) reaches back before ${c.env} started (${Math.round((now - notBefore) / 1000)} s ago): its older samples may be of the build before` };
  }
  const endpoints = f.windows.map((w) => {
    const samples = w.samples.filter((s) => s.t > from).map((s) => ({ ms: s.ms, status: s.status, ...(s.error ? { error: s.error } : {}) }));
    return { name: w.name, samples, dropped: 0, scheduled: samples.length };
  });
  const n = endpoints.reduce((a, e) => a + e.samples.length, 0);
  return { label: `${windowLabel(f.windowMs, n)} (the monitor's samples, saved ${Math.round(age / 1000)} s ago)`, endpoints };
}

/** Expensive checks (hourly cadence: they spend the failed-attempt budget or a whole window) whose result may be reused. */
const REUSABLE_FROM_SECONDS = 3600;

/**
 * Still-valid passing results of the expensive checks, from a running monitor of the same
 * environment (its window fresh, so its state is current): `run` skips those checks and says whose
 * result stands and until when. Never for `gate`: after a deploy every check runs again.
 */
export function reusableResults(c: ReuseConfig, now = Date.now()): { checkId: string; reason: string }[] {
  return monitorPasses(c, now).map(({ checkId, reason }) => ({ checkId, reason }));
}

type ReuseConfig = Pick<ResolvedConfig, 'env' | 'baseUrl' | 'monitorWindow' | 'kube' | 'databaseUrl' | 'prometheus' | 'target'>;

/** The same, with when the monitor ran each (`at`, ms): cutover reuses only those newer than green's start. */
export function monitorPasses(c: ReuseConfig, now = Date.now()): { checkId: string; reason: string; at: number }[] {
  if (!c.monitorWindow || 'none' in sharedWindow(c, now)) return [];
  let checks: Record<string, { env: string; checkId: string; lastRunAt: string; lastSeverity: string | null }>;
  try {
    checks = (JSON.parse(fs.readFileSync(path.join(c.monitorWindow.stateDir, 'alerts.json'), 'utf8')) as { checks: typeof checks }).checks ?? {};
  } catch {
    return [];
  }
  const out: { checkId: string; reason: string; at: number }[] = [];
  for (const x of cadencesFor(c, { sampler: true })) {
    if (x.everySeconds < REUSABLE_FROM_SECONDS) continue;
    const seen = Object.values(checks).find((s) => s.env === c.env && s.checkId === x.checkId);
    if (!seen || seen.lastSeverity !== null) continue;
    const at = Date.parse(seen.lastRunAt);
    if (isStale(x, at, now)) continue;
    const until = new Date(at + x.validSeconds * 1000).toISOString().slice(11, 16);
    out.push({ checkId: x.checkId, at, reason: `reused: the monitor's run of ${seen.lastRunAt.slice(0, 16).replace('T', ' ')} UTC passed it; valid until ${until} UTC (every ${x.everySeconds / 3600} h, runbooks/cadence.ts); --state-dir none runs it` });
  }
  return out;
}
