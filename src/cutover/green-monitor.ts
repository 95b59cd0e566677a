/**
 * What `cutover` takes from a monitor of green: when the state directory it is given (--state-dir,
 * default .state, as for `run`) holds a running monitor's state of the green environment (same
 * name, same base URL, its window fresh), green's suite
 * - judges p95 and error rate on the monitor's window instead of probing (src/monitor/reuse.ts),
 * - skips the expensive hourly checks the monitor passed within their validity, saying per check
 *   whose result stands and until when (never counted as passed by this run).
 *
 * Before the switch green is the candidate that was just deployed, so a result counts only if it
 * is about the build now running: the monitor's pass must be newer than green's start, and its
 * window must not reach back before it. Green's start is read from its status (or health)
 * document's `uptime` (seconds, as CredLink serves it): now minus uptime. A pod restarted since
 * only moves that start later (safe). A green whose documents give no uptime gets nothing reused:
 * nobody can tell whether the monitor's passes are of this build or the previous one.
 *
 * After the switch (--after-switch) nothing is reused, as for `gate`: the switch is the moment the
 * deploy goes live, and every check runs again on what now serves production. The window may
 * still give p95 and error rate there, under the same rule (not older than green's start).
 */
import type { ResolvedConfig } from '../../config/index.ts';
import fs from 'node:fs';
import { monitorPasses, sharedWindow } from '../monitor/reuse.ts';
import { windowFilePath } from '../monitor/store.ts';

export type StartedAt = { at: number; uptimeS: number } | { none: string };

export interface GreenMonitor {
  /** Green's config for its suite: with the window only when it may be used, with the reused checks. */
  config: Readonly<ResolvedConfig>;
  /** What is used, reused or run anyway and why: one line each, said at the start. */
  lines: string[];
  reused: { checkId: string; reason: string }[];
}

/** Green's start, from its status or health document's uptime (seconds). */
export async function readStartedAt(c: Pick<ResolvedConfig, 'baseUrl' | 'paths' | 'timeouts'>): Promise<StartedAt> {
  const paths = [c.paths.status, c.paths.health].filter((p): p is string => Boolean(p));
  if (!paths.length) return { none: 'green has neither a status nor a health path (CREDLINK_STATUS_PATH, CREDLINK_HEALTH_PATH)' };
  for (const p of paths) {
    try {
      const res = await fetch(`${c.baseUrl}${p}`, { redirect: 'manual', signal: AbortSignal.timeout(c.timeouts.requestMs) });
      const body = (await res.json().catch(() => null)) as { uptime?: unknown } | null;
      const uptime = body && typeof body === 'object' ? body.uptime : undefined;
      if (res.ok && typeof uptime === 'number' && Number.isFinite(uptime) && uptime >= 0) return { at: Date.now() - uptime * 1000, uptimeS: uptime };
    } catch {
      /* no answer: the next path, then "unknown" */
    }
  }
  return { none: `neither GET ${paths.join(' nor GET ')} on green gives an "uptime"` };
}

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

export function greenMonitor(green: Readonly<ResolvedConfig>, o: { afterSwitch: boolean; startedAt: StartedAt; now?: number }): GreenMonitor {
  if (!green.monitorWindow) return { config: green, lines: [], reused: [] };
  const now = o.now ?? Date.now();
  const { monitorWindow: _, ...withoutWindow } = green;
  const alone = Object.freeze(withoutWindow) as Readonly<ResolvedConfig>;
  // No monitor of green there at all: nothing to say (as for `run`).
  if (!fs.existsSync(windowFilePath(green.monitorWindow.stateDir, green.env))) return { config: alone, lines: [], reused: [] };
  const fresh = sharedWindow(green, now);
  if ('none' in fresh) return { config: alone, lines: [`green's monitor (${green.monitorWindow.stateDir}): ${fresh.none}: the suite probes green and runs every check`], reused: [] };
  if ('none' in o.startedAt) {
    return { config: alone, lines: [`green's monitor: not used: ${o.startedAt.none}, so its samples and passes may be of the build before this deploy; the suite probes green and runs every check`], reused: [] };
  }
  const since = o.startedAt.at;
  const lines: string[] = [];
  const w = sharedWindow(green, now, since);
  const windowed = !('none' in w);
  lines.push(windowed ? `green's p95 and error rate: ${w.label}: no probe traffic from the suite` : `green's monitor window not used: ${w.none}; the suite probes green`);
  const config = windowed ? green : alone;
  if (o.afterSwitch) {
    lines.push("after the switch every check runs again (as gate does): the monitor's passes are not reused");
    return { config, lines, reused: [] };
  }
  const reused: GreenMonitor['reused'] = [];
  for (const p of monitorPasses(green, now)) {
    if (p.at >= since) {
      reused.push({ checkId: p.checkId, reason: p.reason });
      lines.push(`${p.checkId}: ${p.reason}`);
    } else {
      lines.push(`${p.checkId}: runs: the monitor's pass of ${hhmm(p.at)} UTC predates green's start (${hhmm(since)} UTC, up ${Math.round(o.startedAt.uptimeS)} s): it may be of the build before`);
    }
  }
  return { config: reused.length ? Object.freeze({ ...config, reuse: reused }) : config, lines, reused };
}
