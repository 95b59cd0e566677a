/**
 * What a one-shot run (run, gate, drill) will spend of the target's limits, and so how long it
 * will take and why, said before the checks start. Pure: the counts come from the configuration
 * (the API-key checks' requests are known from it), the ledger's state is passed in.
 *
 * A run has two phases under a failed-attempt limit:
 * - first window: every check but the two of wrong-key-guessing.spec.ts (the last file of the run),
 *   the API-key checks within 80% of the failed-attempt limit;
 * - the keys derived from the valid key, then the failed-attempt check's burst (which goes beyond
 *   the limit on purpose, so it is last). When the first window has no room left for the derived
 *   keys, they wait for the next window, and the failed-attempt check goes right after them in it:
 *   one window for the two of them, while everything else is done in seconds.
 * Before the checks start, the run waits (one line) until the target's budget folder, shared with
 * earlier runs against the target, has room for its first window: a run that follows another one
 * waits once, up front, instead of having its checks refused or cut short.
 */
import type { ResolvedConfig } from '../../config/resolved.ts';
import { formatRate } from '../../config/request-spec.ts';
import { deriveKeys } from '../security/derived-keys.ts';
import { KEY_PLACES, samePlace } from '../security/key-places.ts';
import { catalog } from '../../runbooks/catalog.ts';
import { ruleOf } from '../monitor/cadence.ts';
import { authFailScope, clientScope, failedAttemptBlocker, type Scope } from './plan.ts';

type Cfg = Pick<ResolvedConfig, 'rateLimits' | 'security' | 'apiKeys' | 'probe' | 'paths' | 'timeouts'>;

/** Checks whose requests demandOf counts from the configuration, and the probe's (counted apart). */
const COUNTED_APART = new Set([
  'security.no-key-rejected',
  'security.wrong-key-rejected',
  'security.key-not-echoed',
  'security.malformed-keys-rejected',
  'security.key-strict',
  'security.error-disclosure',
  'security.derived-keys-rejected',
  'security.auth-rate-limit',
  'security.valid-key-accepted',
  'perf.latency',
  'perf.error-rate',
  'perf.degradation',
]);

/**
 * Requests of the run's other HTTP checks (health documents, CORS preflights, security headers):
 * what one run of each sends, as declared beside the catalog (runbooks/cadence.ts, counted from
 * the checks' code: an upper bound); the ledger paces the real ones.
 */
export function otherHttpRequests(selected: Selected = () => true): number {
  let n = 0;
  for (const id of Object.keys(catalog)) {
    if (COUNTED_APART.has(id) || !selected(id)) continue;
    n += ruleOf(id)?.requests ?? 0;
  }
  return n;
}
/** Seconds a run takes besides waiting: starting Playwright and the checks themselves (measured, loopback). */
export const BASE_RUN_S = 8;

export interface Demand {
  /** Failed attempts of the API-key checks of the first phase (paced under the failed-attempt limit). */
  failedFirst: number;
  /** Failed attempts of the derived-keys check (paced likewise). */
  failedDerived: number;
  /** Requests of the failed-attempt check, at most (not paced by the failed-attempt limit: it goes beyond it on purpose). */
  burst: number;
  /** Requests of the latency probe. */
  probe: number;
  /** Every other request of the first phase (the per-client limit). */
  otherFirst: number;
}

/** Which checks a run includes: all, or those a --grep selected. */
export type Selected = (checkId: string) => boolean;

/** What the run's checks will send, from the configuration (checks/security/*.spec.ts, the latency probe). */
export function demandOf(c: Cfg, selected: Selected = () => true, probe = { samples: 0, endpoints: 0 }): Demand {
  const sec = c.security;
  const prot = sec.requests.protected;
  const probeSpec = sec.requests.validKey;
  const primary = sec.keyIn[0]!;
  const header = primary.kind !== 'query';
  const hasProt = prot.path !== null;
  const hasProbe = c.apiKeys.length > 0 && probeSpec.path !== null;
  // Shared requests (checks/security/auth-probes.ts): the keyless one per described call, the wrong-key one.
  const keyless = new Set<string>();
  let wrongKey = false;
  let first = 0;
  if (hasProt && selected('security.no-key-rejected')) keyless.add(JSON.stringify(prot));
  if (hasProt && header && (selected('security.wrong-key-rejected') || selected('security.key-not-echoed'))) wrongKey = true;
  if (hasProt && header && selected('security.malformed-keys-rejected')) first += 4;
  if (hasProbe && selected('security.key-strict')) {
    keyless.add(JSON.stringify(probeSpec));
    first += KEY_PLACES.filter((p) => !sec.keyIn.some((d) => samePlace(d, p))).length + 1;
  }
  if (hasProt && selected('security.error-disclosure')) first += 1;
  first += keyless.size + (wrongKey ? 1 : 0);
  let derived = 0;
  if (hasProbe && selected('security.derived-keys-rejected')) {
    derived = deriveKeys(c.apiKeys[0]!).length + (keyless.has(JSON.stringify(probeSpec)) ? 0 : 1);
  }
  const burstOn = hasProt && header && sec.rateLimitCheck && selected('security.auth-rate-limit') && !failedAttemptBlocker(c, prot.path!);
  // At most two series of max+1 (rotating keys, then one repeated key when the first saw no limit).
  const burst = burstOn ? 2 * (sec.authFailLimit.max + 1) : 0;
  return { failedFirst: first, failedDerived: derived, burst, probe: probe.samples * probe.endpoints, otherFirst: otherHttpRequests(selected) + first + (hasProbe && selected('security.valid-key-accepted') ? 1 : 0) };
}

/** How much of a scope is in use now, and for how long a given number of requests will find no room. */
export interface ScopeState {
  /** Milliseconds until the scope has room for `n` requests at once (holds included). */
  waitForRoom(scope: Scope, n: number): number;
}

export interface RunPlan {
  /** Lines to print before the checks start (the budget, the time, and why). */
  lines: string[];
  /** Wait before the checks start, ms (0: none): earlier runs left no room for the first phase. */
  startWaitMs: number;
  /** One line announcing that wait, when it is longer than WAIT_NOTICE_MS. */
  startWaitLine?: string;
  /** Expected wall time of the run, seconds (an estimate). */
  aboutS: number;
  /** Windows the run waits for, besides the start (0 or 1 with the defaults). */
  windows: number;
}

const s = (ms: number) => Math.max(1, Math.round(ms / 1000));

export function planRun(c: Cfg, demand: Demand, state?: ScopeState): RunPlan {
  const client = clientScope(c);
  const fail = c.security.authFailLimit.per === 'client' ? authFailScope(c) : undefined;
  const lines: string[] = [];
  const limits = [
    client ? `${client.label} (${client.limit} in any ${s(client.windowMs)} s)` : 'no per-client limit declared (CREDLINK_RATE_LIMIT=none)',
    `failed attempts CREDLINK_AUTH_FAIL_LIMIT=${c.security.authFailLimit.max} per ${c.security.authFailLimit.windowS} s${fail ? ` (${fail.limit} in any ${s(fail.windowMs)} s)` : ' per key'}`,
    ...c.rateLimits.paths.map((p) => `${p.path}=${formatRate(p)}${p.perKey ? ' per key' : ''}`),
  ];
  lines.push(`budget: ${limits.join(', ')}: this run uses at most 80% of each${demand.burst ? ', but for the failed-attempt check, which goes past the failed-attempt limit on purpose, last' : ''}`);

  // Up front: room for the first phase in what earlier runs against this target left. Waiting is
  // worth it up to one window of the declared limits; a longer "wait" the service asked for (a
  // lockout) is not sat out: the checks that meet it say what they could not test.
  let startWaitMs = 0;
  let startWhy = '';
  const capMs = Math.max(client?.windowMs ?? 0, c.security.authFailLimit.windowS * 1000, ...c.rateLimits.paths.map((p) => p.windowS * 1000)) + 5000;
  if (state) {
    const needs: [Scope | undefined, number][] = [
      [fail, Math.min(demand.failedFirst, fail?.limit ?? 0)],
      [client, Math.min(demand.probe + demand.otherFirst, client?.limit ?? 0)],
    ];
    for (const [scope, n] of needs) {
      if (!scope || n <= 0) continue;
      const w = state.waitForRoom(scope, n);
      if (w > capMs) {
        lines.push(`no wait before the checks: ${scope.label} has no room for ${s(w)} s (the target asked an earlier run to wait that long): checks that need it before then say what they could not test`);
        continue;
      }
      if (w > startWaitMs) {
        startWaitMs = w;
        startWhy = `${scope.label}: this run needs ${n} at once and earlier runs against this target used it in the last ${s(scope.windowMs)} s (or it asked to wait)`;
      }
    }
  }

  // The derived keys (and the burst after them) wait for the next window when the first has no room left.
  const reasons: string[] = [];
  let windows = 0;
  let windowMs = 0;
  if (fail && demand.failedDerived > 0 && demand.failedFirst + demand.failedDerived > fail.limit) {
    windows = 1;
    windowMs = fail.windowMs;
    reasons.push(
      `the API-key checks send ${demand.failedFirst + demand.failedDerived} failed attempts and ${fail.limit} fit in one ${s(fail.windowMs)} s window: the ${demand.failedDerived} keys derived from the valid key${demand.burst ? ' and then the failed-attempt check' : ''} wait for the next window`,
    );
  }
  if (client) {
    const first = demand.probe + demand.otherFirst;
    const second = demand.failedDerived + demand.burst;
    if (first > client.limit) {
      windows = 1;
      windowMs = Math.max(windowMs, client.windowMs);
      reasons.push(`the checks before the API-key checks send about ${first} requests and ${client.limit} fit in one ${s(client.windowMs)} s window: the last of them wait for the next window`);
    } else if (first + second > client.limit && windows === 0 && second > 0) {
      windows = 1;
      windowMs = client.windowMs;
      reasons.push(`about ${first + second} requests and ${client.limit} fit in one ${s(client.windowMs)} s window: the last API-key checks wait for the next window`);
    }
  }
  const aboutS = s(startWaitMs) * (startWaitMs > 0 ? 1 : 0) + (windows ? s(windowMs) : 0) + BASE_RUN_S;
  if (windows) {
    lines.push(`this run takes about ${aboutS} s: ${reasons.join('; ')}; everything else is done in about ${BASE_RUN_S} s. A higher real limit, declared, makes it faster (docs/one-shot-runs.md)`);
  } else {
    lines.push(`this run takes about ${aboutS} s: every check fits the declared limits without waiting for a window`);
  }
  return {
    lines,
    startWaitMs,
    startWaitLine: startWaitMs > 0 ? `waiting ${s(startWaitMs)} s before the checks start, for room under ${startWhy}` : undefined,
    aboutS,
    windows,
  };
}
