/**
 * Runbook "Incident: API Key Authentication Failures", the defences against guessing keys:
 * keys derived from the valid one are refused (an exact comparison), and failed attempts are
 * limited per client (429 + Retry-After); and, last of all, the target answered 429 only where the
 * declared rate limits say it may.
 *
 * The last file of the run (files run in name order, one worker; tests/unit/run-plan.test.ts keeps
 * it last), so these two overlap everything else instead of holding it up: with a default
 * failed-attempt limit (20 a minute) the other API-key checks use the first window's failed
 * attempts, the derived keys the next window's, and the failed-attempt burst comes after them,
 * so its limit cannot mask another check. The run says at its start what that costs
 * (src/budget/run-plan.ts), and a wait for the window prints one line (src/budget/wait-line.ts).
 */
import { runbook, test } from '../fixtures.ts';
import { describePresentation } from '../../config/request-spec.ts';
import { authCheckTimeoutMs, failedAttemptBlocker, scopesFor } from '../../src/budget/plan.ts';
import { RateBudgetError, RequestLedger, WAIT_NOTICE_MS } from '../../src/budget/ledger.ts';
import { WAIT_LINE_MARK, waitLine } from '../../src/budget/wait-line.ts';
import { answerSeen } from '../../src/http/answers.ts';
import { classify } from '../../src/http/response-class.ts';
import { send, type HttpSample } from '../../src/probes/http.ts';
import { deriveKeys } from '../../src/security/derived-keys.ts';
import { judgeFailedAttempts, type AttemptSeries } from '../../src/security/failed-attempts.ts';
import { keyAccepted, refusedBaseline, securityImpact, summarize, unanswered, type CaseResult } from '../../src/security/verdict.ts';
import { keylessProbe, validKeyProbe } from './auth-probes.ts';
import { apiKeys, call, cfg, keyHeader, primary, probeCall, probeSpec, prot, sec, skipWithoutProbe, skipWithoutProtected, statusOf, unkeyed, withKey, wrongKey } from './auth-requests.ts';

// Paced requests may wait for a window of the target's limits: give each check that much more time.
test.describe.configure({ timeout: authCheckTimeoutMs(cfg) });

test('keys derived from a valid key (other case, prefixes, suffixes, whitespace, one character changed) are refused', runbook('security.derived-keys-rejected'), async ({ api, check }) => {
  skipWithoutProbe();
  const keyless = await keylessProbe(api, probeSpec);
  const results: CaseResult[] = [];
  const answers: unknown[] = [{ case: 'no key (baseline)', status: keyless.status }];
  // Each derived key is as secret as the key (secretsOf lists them): only its description is reported.
  for (const d of deriveKeys(apiKeys[0]!)) {
    const s = await send(api, withKey(d.key));
    const accepted = keyAccepted(s.status, probeSpec.success, keyless.status);
    answers.push({ case: `the key ${d.name}`, status: s.status });
    if (accepted === 'yes') results.push({ case: `the key ${d.name}`, status: s.status, problem: `accepted the valid key ${d.name} (${s.status}): keys are matched loosely`, class: 'breach' });
    else if (accepted === 'unknown') results.push(unanswered(`the key ${d.name}`, s) ?? { case: `the key ${d.name}`, status: s.status, inconclusive: `answered ${s.status} while the request without a key answered ${statusOf(keyless)}` });
    else results.push({ case: `the key ${d.name}`, status: s.status });
  }
  // Derived keys refused prove an exact comparison only where the exact key is served.
  const baseline = refusedBaseline((await validKeyProbe(api)).status, probeSpec.success);
  if (baseline) {
    results.push(baseline);
    answers.push({ case: 'the valid key itself (the valid-key probe)', status: baseline.status });
  }
  const impact = securityImpact(results, 'key matching');
  if (impact) await check.evidence(`answers of ${probeCall} with keys derived from the valid key`, answers, 'curl -i -X {{protectedMethod}} {{keyCurl}} {{baseUrl}}{{protectedPath}}');
  check.that({
    label: 'DERIVED KEYS',
    ok: !impact,
    actual: summarize(results),
    expected: `every derived key refused (401) in ${describePresentation(primary)}`,
    call: probeCall,
    impact,
  });
});

test('failed attempts are limited per client: 429 with Retry-After inside the window', runbook('security.auth-rate-limit'), async ({ api, ledger, check }) => {
  test.skip(!sec.rateLimitCheck, 'off: it spends the failed-attempt budget (CREDLINK_AUTH_RATE_LIMIT_CHECK=true enables it; off by default in production)');
  skipWithoutProtected();
  test.skip(primary.kind === 'query', 'the key is declared as a query parameter: not supported by this check yet');
  const blocker = failedAttemptBlocker(cfg, prot.path!);
  test.skip(Boolean(blocker), `not run: ${blocker}`);
  const { max, windowS, required } = sec.authFailLimit;
  // Beyond the failed-attempt budget on purpose, with throwaway keys; other declared limits still pace it.
  // reachLimit: a served answer saying nothing remains (RateLimit-Remaining: 0) is not the limit; only a 429 is.
  const raw = api.variant({ retryRateLimited: false, countAsFailedAttempt: false, throwawayKey: true, reachLimit: true });
  // The burst must land inside one window: wait first (at most one window) until the declared limits
  // that pace it have room for all max+1 attempts at once, rather than have earlier checks of the run
  // (a scheduled run may span windows: src/monitor/cadence.ts RUN_WINDOWS) spread it past the window.
  const pacing = scopesFor(cfg, { method: prot.method, path: prot.path!, keyId: 'throwaway', failedAttempt: false }).filter((sc) => !sc.id.includes('|key:'));
  const room = pacing.map((scope) => ({ scope, waitMs: Math.min(ledger.waitForRoom(scope, max + 1).wait, scope.windowMs + 1000), held: false })).sort((a, b) => b.waitMs - a.waitMs)[0];
  if (room && room.waitMs > 0) {
    if (room.waitMs > WAIT_NOTICE_MS) process.stderr.write(`${WAIT_LINE_MARK}${waitLine(room, { checkId: 'security.auth-rate-limit', call: `${call} x ${max + 1} at once` })}\n`);
    await new Promise((r) => setTimeout(r, room.waitMs));
  }
  const series = async (keyFor: () => string): Promise<AttemptSeries & { last?: HttpSample }> => {
    const statuses: (number | null)[] = [];
    const t0 = Date.now();
    let retryAfter: string | undefined;
    let stopped: string | undefined;
    for (let i = 0; i <= max; i++) {
      let s: HttpSample;
      try {
        s = await send(raw, unkeyed(keyHeader(keyFor())));
      } catch (err) {
        // No room left in a declared limit: the attempts answered so far are judged as they are.
        if (!(err instanceof RateBudgetError)) throw err;
        stopped = err.message;
        // Held because the route answered 429: this check faced that 429 (as the api fixture records it).
        if (err.heldBy === 'rate-limited') answerSeen(call, 429);
        break;
      }
      statuses.push(s.status);
      test.skip(classify(s.status) === 'redirect', `${call} answered ${s.status} (a redirect): security.no-redirect covers it`);
      if (s.status === 429) retryAfter = s.headers['retry-after'];
      if (s.status === 429 || classify(s.status) === 'success') break;
      // Past one window without reaching max+1 attempts, this series can no longer show the limit
      // (the target answers too slowly): stop spending attempts; the judgement says inconclusive.
      if ((Date.now() - t0) / 1000 > windowS) break;
    }
    return { statuses, retryAfter, seconds: (Date.now() - t0) / 1000, ...(stopped ? { stopped } : {}) };
  };
  const rotating = await series(wrongKey);
  const repeatedKey = wrongKey();
  const tooSlow = rotating.statuses.length <= max && rotating.seconds > windowS;
  const repeated = tooSlow || rotating.statuses.includes(429) || rotating.statuses.some((s) => classify(s) !== 'auth') ? undefined : await series(() => repeatedKey);
  // A declared per-key count on this path (per key, or per the header the key is sent in) refuses one repeated key by itself.
  const perKey = cfg.rateLimits.paths.filter((l) => l.path === prot.path && (l.perKey || (primary.kind === 'header' && l.perHeader === primary.name.toLowerCase())));
  const v = judgeFailedAttempts(rotating, repeated, { max, windowS, required, ...(perKey.length ? { perKeyMax: Math.min(...perKey.map((l) => l.limit)) } : {}) });
  const judged = securityImpact([v.result], 'the failed-attempt limit');
  // Stopped because the target's limit left no room: a rate-limit gap (src/incidents correlates it).
  const impact = judged?.kind === 'gap' && (rotating.stopped || repeated?.stopped) ? { ...judged, cause: 'rate-limit' as const } : judged;
  const sent = `${describePresentation(primary)} on ${call}`;
  if (impact) {
    await check.evidence(`failed attempts on ${call}`, {
      sent: `${rotating.statuses.length} requests, each with a new random wrong key in ${sent}${repeated ? `; then ${repeated.statuses.length} requests repeating one wrong key` : ''}`,
      rotating: rotating.statuses,
      repeated: repeated?.statuses ?? null,
      retryAfter: rotating.retryAfter ?? repeated?.retryAfter ?? null,
      declaredLimit: `${max} per ${windowS} s (CREDLINK_AUTH_FAIL_LIMIT, CREDLINK_AUTH_FAIL_WINDOW_S)`,
      required,
    });
  }
  check.that({
    label: 'RATE LIMIT',
    ok: !impact,
    actual: impact ? summarize([v.result]) : `429 after ${rotating.statuses.length} attempts with rotating wrong keys, Retry-After ${rotating.retryAfter}`,
    expected: `429 with Retry-After <= ${windowS} s within ${max + 1} failed attempts from this client, whatever the key (wrong keys in ${sent})`,
    call,
    impact,
  });
});

// Last in this file, the last file of the run (one worker, in order): the API-key matrix and the failed-attempt burst have run.
test('the target answers 429 only where the declared rate limits say it may', runbook('security.rate-limits-declared'), async ({ ledger, check }) => {
  // Every 429 to a request the run sent inside every declared limit (src/budget/budgeted-api.ts);
  // the failed-attempt check's own 429s are provoked on purpose and not counted.
  const unpredicted = Object.entries(RequestLedger.summary(ledger.dir)?.unpredicted ?? {});
  // What this check judges are those answers: correlation sees them as its own (src/http/answers.ts).
  for (const [c, u] of unpredicted) if (u.count) answerSeen(c, 429, u.count);
  if (unpredicted.length) await check.evidence('429 answers inside the declared limits', Object.fromEntries(unpredicted), 'curl -si -X {{protectedMethod}} {{baseUrl}}{{protectedPath}} | grep -i -E "^(HTTP|retry-after|ratelimit)"');
  check.that({
    label: 'RATE LIMITS',
    ok: unpredicted.length === 0,
    actual: unpredicted
      .map(([c, u]) => `${c} ${[u.count ? `answered 429 ${u.count}x` : '', u.remaining ? `said nothing remains (RateLimit-Remaining: 0) ${u.remaining}x` : ''].filter(Boolean).join(' and ')} to requests inside the declared limits (${u.declared})`)
      .join('; '),
    expected: '429 only beyond CREDLINK_RATE_LIMIT, CREDLINK_RATE_LIMIT_PATHS and the failed-attempt limit: describe the service\'s limits and how it counts (per client, per key, per header:X-API-Key)',
    call: unpredicted.map(([c]) => c).join(', '),
    impact: { kind: 'gap', reason: 'the rate-limit settings do not describe the target\'s limits: the checks it refused could not run' },
  });
});
