/**
 * The cadence plan of one environment (runbooks/cadence.ts, with schedule.json `cadence`
 * overrides) and the request budget planned across it. Pure.
 * - which checks apply (Kubernetes, database and Prometheus checks only where configured);
 * - which are due at an instant (never the window checks while a sampler judges them);
 * - the Playwright --grep of the due ones;
 * - the budget: requests a minute of the sampler and of each check against 80% of the declared
 *   limit, the failed attempts apart against CREDLINK_AUTH_FAIL_LIMIT; a plan that cannot fit is
 *   refused in one line naming the check and the limit. Scheduled runs are then given the part of
 *   the limit the sampler leaves (runLimit), so together they stay inside it.
 */
import type { ResolvedConfig } from '../../config/index.ts';
import { formatRate, type RateLimit } from '../../config/request-spec.ts';
import { catalog, type CheckId } from '../../runbooks/catalog.ts';
import { cadenceRules, VALIDITY_GRACE_SECONDS, WINDOW_FALLBACK_SECONDS, type CadenceRule } from '../../runbooks/cadence.ts';
import { allowance, SHARE } from '../budget/plan.ts';
import type { SamplerPlan } from './plan.ts';

export interface CheckCadence {
  checkId: CheckId;
  /** Seconds between runs (for a window check without a sampler: the fallback). */
  everySeconds: number;
  /** Judged by the sampler's window: never run by the cadence. */
  window: boolean;
  /** A result older than this is stale. */
  validSeconds: number;
  requests: number;
  failedAttempts: number;
  /** "runbooks/cadence.ts" or "schedule.json cadence". */
  from: string;
}

const glob = (p: string) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
export const matchesPattern = (pattern: string, id: string): boolean => glob(pattern).test(id);

/** The rule of a check: the first naming it. Undefined: not declared (a test keeps that from happening). */
export function ruleOf(id: string): CadenceRule | undefined {
  return cadenceRules.find((r) => r.checks.some((p) => matchesPattern(p, id)));
}

/** Does a check apply to this environment (its system configured, automatable)? */
export function applies(id: CheckId, c: Pick<ResolvedConfig, 'kube' | 'databaseUrl' | 'prometheus' | 'target'>): boolean {
  const e = catalog[id];
  if ('notAutomatable' in e && e.notAutomatable) return false;
  if (id.startsWith('k8s.')) return Boolean(c.kube);
  if (id.startsWith('prom.')) return Boolean(c.prometheus);
  // The embedded target brings its own PostgreSQL (its URL is known once the run starts it).
  if (id.startsWith('db.') || id === 'perf.db-latency' || id === 'health.database-truthful') return Boolean(c.databaseUrl) || c.target === 'embedded';
  return true;
}

export function cadencesFor(c: Pick<ResolvedConfig, 'kube' | 'databaseUrl' | 'prometheus' | 'target'>, o: { sampler: boolean; overrides?: Record<string, number> }): CheckCadence[] {
  const out: CheckCadence[] = [];
  for (const id of Object.keys(catalog) as CheckId[]) {
    if (!applies(id, c)) continue;
    const rule = ruleOf(id);
    if (!rule) continue;
    const override = Object.entries(o.overrides ?? {}).find(([p]) => matchesPattern(p, id));
    const window = rule.every === 'window' && o.sampler && !override;
    const every = override ? override[1] : rule.every === 'window' ? WINDOW_FALLBACK_SECONDS : rule.every;
    out.push({
      checkId: id,
      everySeconds: every,
      window,
      validSeconds: 2 * every + VALIDITY_GRACE_SECONDS,
      requests: window ? 0 : rule.requests,
      failedAttempts: window ? 0 : rule.failedAttempts,
      from: override ? `schedule.json cadence "${override[0]}"` : 'runbooks/cadence.ts',
    });
  }
  return out;
}

/** Does an environment's own `grep` (schedule.json) select the check? (Matched as Playwright does: title and tags.) */
export function selectedBy(grep: string | undefined, id: CheckId): boolean {
  if (grep === undefined) return true;
  const e = catalog[id];
  return new RegExp(grep).test(`${e.title} @${id} @${e.severity} @section:${e.section}`);
}

/** Checks due at `now` (epoch ms): never attempted, or attempted `every` seconds ago or more. */
export function dueChecks(cadences: readonly CheckCadence[], lastAttempt: ReadonlyMap<string, number>, now: number): CheckId[] {
  return cadences.filter((x) => !x.window && now - (lastAttempt.get(x.checkId) ?? -Infinity) >= x.everySeconds * 1000).map((x) => x.checkId);
}

/**
 * Windows of the limits one due-check run may span. A Playwright run costs about 4 CPU-s to start
 * whatever it checks (bench `monitor` section), so checks whose cadences fall together (every 30
 * minutes, every hour, at the start) go in one run rather than in runs a window apart: its checks
 * wait for room in the run's ledger, each at most one window (every check that sends requests may
 * wait that long: src/budget/plan.ts authCheckTimeoutMs). Three windows hold the whole catalog at the
 * default 100/min beside the sampler; a run over that is split.
 */
export const RUN_WINDOWS = 3;

/** What one due-check run may send: requests in one window of the limit scheduled runs are given, failed attempts in one window of CREDLINK_AUTH_FAIL_LIMIT, for `windows` windows. */
export interface RunCaps {
  /** Per window of the limit (null: no limit declared). */
  requests: number | null;
  /** Per window of CREDLINK_AUTH_FAIL_LIMIT. */
  failedAttempts: number;
  /** Seconds of one window of the limits: a deferred check waits that long for the next run. */
  windowS: number;
  /** Windows one run may span (RUN_WINDOWS). */
  windows: number;
}

export function runCapsOf(c: Pick<ResolvedConfig, 'rateLimits' | 'security'>, runLimit: RateLimit | undefined): RunCaps {
  const client = runLimit ?? c.rateLimits.client;
  const f = c.security.authFailLimit;
  return { requests: client ? allowance(client) : null, failedAttempts: allowance({ limit: f.max, windowS: f.windowS }), windowS: Math.max(client?.windowS ?? 0, f.windowS), windows: RUN_WINDOWS };
}

/** Does a run sending `requests` requests and `failed` failed attempts fit `caps.windows` windows of the caps? */
export function fitsRun(caps: RunCaps, requests: number, failed: number): boolean {
  return (caps.requests === null || requests <= caps.requests * caps.windows) && failed <= caps.failedAttempts * caps.windows;
}

/**
 * The due checks one run takes: the plan averages each check over its cadence, but at the
 * daemon's start (or after a pause) every check is due at once, and cadences fall together every
 * 30 minutes and every hour. Shortest cadence first (what pages), then the cheaper; a check is
 * added while the run's requests and failed attempts fit `caps.windows` windows of the caps (a
 * check bigger than that runs alone). The rest wait for a later run, one window on. Pure.
 */
export function batchDue(cadences: readonly CheckCadence[], due: readonly CheckId[], caps: RunCaps): { run: CheckId[]; deferred: CheckId[] } {
  const by = new Map(cadences.map((x) => [x.checkId, x]));
  const order = [...due].sort((a, b) => by.get(a)!.everySeconds - by.get(b)!.everySeconds || by.get(a)!.requests - by.get(b)!.requests);
  const run: CheckId[] = [];
  const deferred: CheckId[] = [];
  let requests = 0;
  let failed = 0;
  for (const id of order) {
    const x = by.get(id)!;
    if (run.length === 0 || fitsRun(caps, requests + x.requests, failed + x.failedAttempts)) {
      run.push(id);
      requests += x.requests;
      failed += x.failedAttempts;
    } else deferred.push(id);
  }
  return { run, deferred };
}

/** Playwright --grep selecting exactly these checks (by their @<id> tag). */
export function grepOf(ids: readonly string[]): string {
  return `@(?:${ids.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?=\\s|$)`;
}

/** Is a result of `at` (epoch ms) still valid at `now`? */
export function isStale(x: Pick<CheckCadence, 'validSeconds'>, at: number | null, now: number): boolean {
  return at === null || now - at > x.validSeconds * 1000;
}

export interface BudgetPlan {
  /** One line per consumer, and a total, for the daemon's start. */
  lines: string[];
  /** Why the plan cannot fit, one line naming the check and the limit. */
  problem?: string;
  /** The limit scheduled runs are given: what the sampler leaves of the declared one. Undefined: unchanged. */
  runLimit?: RateLimit;
}

const perMin = (n: number, everySeconds: number) => (n * 60) / everySeconds;
const r1 = (n: number) => Math.round(n * 10) / 10;

export function planBudget(c: Pick<ResolvedConfig, 'env' | 'rateLimits' | 'security'>, cadences: readonly CheckCadence[], sampler: SamplerPlan | null, fullSuiteSeconds: number | null): BudgetPlan {
  const client = c.rateLimits.client;
  const checks = cadences.filter((x) => x.requests > 0).map((x) => ({ id: x.checkId, rpm: perMin(x.requests, x.everySeconds), fpm: perMin(x.failedAttempts, x.everySeconds), x }));
  const samplerRpm = sampler ? sampler.perMinute + sampler.reaskPerMinute : 0;
  const checksRpm = checks.reduce((s, x) => s + x.rpm, 0);
  // A full-suite run on its own timer sends what every check sends once.
  const suite = cadences.reduce((s, x) => s + (ruleOf(x.checkId)?.requests ?? 0), 0);
  const suiteRpm = fullSuiteSeconds ? perMin(suite, fullSuiteSeconds) : 0;
  // What the continuous monitor adds must fit; the full suite's runs pace themselves (their own budget) as before.
  const total = samplerRpm + checksRpm;
  const f = c.security.authFailLimit;
  const failRpm = checks.reduce((s, x) => s + x.fpm, 0);
  const failRoom = (allowance({ limit: f.max, windowS: f.windowS }) * 60) / f.windowS;
  const room = client ? (allowance(client) * 60) / client.windowS : null;
  const label = client ? `CREDLINK_RATE_LIMIT=${formatRate(client)}` : 'no declared limit';
  const share = (n: number) => (room ? ` (${Math.round((n / ((client!.limit * 60) / client!.windowS)) * 100)}% of the limit)` : '');
  const top = [...checks].sort((a, b) => b.rpm - a.rpm);
  const lines = [
    `${c.env}: budget: ${r1(total)} requests/min planned against ${room ? `${r1(room)}/min (80% of ${label})` : label}${share(total)}`,
    ...(sampler ? [`${c.env}:   sampler ${r1(sampler.perMinute)}/min + re-asks up to ${sampler.reaskPerMinute}/min${share(samplerRpm)}`] : []),
    ...top.map((x) => `${c.env}:   ${x.id} every ${x.x.everySeconds} s: ${x.x.requests} request(s) = ${r1(x.rpm)}/min${share(x.rpm)}${x.x.from !== 'runbooks/cadence.ts' ? ` (${x.x.from})` : ''}`),
    ...(fullSuiteSeconds ? [`${c.env}:   and the full suite every ${fullSuiteSeconds} s: about ${suite} requests = ${r1(suiteRpm)}/min${share(suiteRpm)}, paced by its own request budget within what is left`] : []),
    `${c.env}:   failed authentication attempts apart: ${r1(failRpm)}/min against ${r1(failRoom)}/min (80% of CREDLINK_AUTH_FAIL_LIMIT=${f.max} per ${f.windowS} s)`,
  ];
  const out: BudgetPlan = { lines };
  if (room !== null && total > room) {
    const worst = top[0];
    out.problem = `${c.env}: the schedule needs ${r1(total)} requests/min (sampler ${r1(samplerRpm)}, checks ${r1(checksRpm)}) but 80% of ${label} is ${r1(room)}/min${worst ? `: ${worst.id} alone takes ${r1(worst.rpm)}/min; raise its cadence in schedule.json "cadence"` : ''}, or declare the real limit`;
  } else if (failRpm > failRoom) {
    const worst = [...checks].sort((a, b) => b.fpm - a.fpm)[0];
    out.problem = `${c.env}: the schedule sends ${r1(failRpm)} failed authentication attempts a minute but 80% of CREDLINK_AUTH_FAIL_LIMIT=${f.max} per ${f.windowS} s is ${r1(failRoom)}/min${worst ? `: ${worst.id} takes ${r1(worst.fpm)}/min; raise its cadence in schedule.json "cadence"` : ''}`;
  }
  if (client && sampler) {
    // Scheduled runs plan their own 80% share: hand them the part of the limit the sampler leaves.
    const left = allowance(client) - Math.ceil((samplerRpm * client.windowS) / 60);
    out.runLimit = { limit: Math.max(1, Math.floor(left / SHARE)), windowS: client.windowS };
  }
  // What one run of each cadence sends at once, against what one run may send (batchDue).
  const caps = runCapsOf(c, out.runLimit);
  const byEvery = new Map<number, { requests: number; failed: number }>();
  for (const x of cadences) {
    if (x.window) continue;
    const e = byEvery.get(x.everySeconds) ?? { requests: 0, failed: 0 };
    byEvery.set(x.everySeconds, { requests: e.requests + x.requests, failed: e.failed + x.failedAttempts });
  }
  if (byEvery.size) {
    const parts = [...byEvery.entries()].sort((a, b) => a[0] - b[0]).map(([every, e]) => `the ${every} s checks ${e.requests} requests (${e.failed} failing authentication)`);
    const all = [...byEvery.values()].reduce((a, e) => ({ requests: a.requests + e.requests, failed: a.failed + e.failed }), { requests: 0, failed: 0 });
    lines.push(
      `${c.env}:   per run: ${parts.join(', ')}; one window of the limits takes ${caps.requests ?? 'any number of'} requests and ${caps.failedAttempts} failed attempts, and a run may span ${caps.windows} (its checks wait for room, at most one window each): ${fitsRun(caps, all.requests, all.failed) ? 'cadences that fall together share one run' : 'cadences that fall together are split into runs a window apart when they send more'}`,
    );
  }
  return out;
}
