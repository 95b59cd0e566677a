/**
 * Runbook "Incident: API Key Authentication Failures", the defences against guessing keys:
 * keys derived from the valid one are refused (an exact comparison), and failed attempts are
 * limited per client (429 + Retry-After).
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
import { authCheckTimeoutMs, failedAttemptBlocker } from '../../src/budget/plan.ts';
import { classify } from '../../src/http/response-class.ts';
import { send, type HttpSample } from '../../src/probes/http.ts';
import { deriveKeys } from '../../src/security/derived-keys.ts';
import { judgeFailedAttempts, type AttemptSeries } from '../../src/security/failed-attempts.ts';
import { keyAccepted, securityImpact, summarize, type CaseResult } from '../../src/security/verdict.ts';
import { keylessProbe } from './auth-probes.ts';
import { apiKeys, call, cfg, keyHeader, primary, probeCall, probeSpec, prot, sec, skipWithoutProbe, skipWithoutProtected, unkeyed, withKey, wrongKey } from './auth-requests.ts';

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
    else if (accepted === 'unknown') results.push({ case: `the key ${d.name}`, status: s.status, inconclusive: `answered ${s.status} while the request without a key answered ${keyless.status}` });
    else results.push({ case: `the key ${d.name}`, status: s.status });
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

test('failed attempts are limited per client: 429 with Retry-After inside the window', runbook('security.auth-rate-limit'), async ({ api, check }) => {
  test.skip(!sec.rateLimitCheck, 'off: it spends the failed-attempt budget (CREDLINK_AUTH_RATE_LIMIT_CHECK=true enables it; off by default in production)');
  skipWithoutProtected();
  test.skip(primary.kind === 'query', 'the key is declared as a query parameter: not supported by this check yet');
  const blocker = failedAttemptBlocker(cfg, prot.path!);
  test.skip(Boolean(blocker), `not run: ${blocker}`);
  const { max, windowS, required } = sec.authFailLimit;
  // Beyond the failed-attempt budget on purpose, with throwaway keys; other declared limits still pace it.
  const raw = api.variant({ retryRateLimited: false, countAsFailedAttempt: false, throwawayKey: true });
  const series = async (keyFor: () => string): Promise<AttemptSeries & { last?: HttpSample }> => {
    const statuses: (number | null)[] = [];
    const t0 = Date.now();
    let retryAfter: string | undefined;
    for (let i = 0; i <= max; i++) {
      const s = await send(raw, unkeyed(keyHeader(keyFor())));
      statuses.push(s.status);
      test.skip(classify(s.status) === 'redirect', `${call} answered ${s.status} (a redirect): security.no-redirect covers it`);
      if (s.status === 429) retryAfter = s.headers['retry-after'];
      if (s.status === 429 || classify(s.status) === 'success') break;
      // Past one window without reaching max+1 attempts, this series can no longer show the limit
      // (the target answers too slowly): stop spending attempts; the judgement says inconclusive.
      if ((Date.now() - t0) / 1000 > windowS) break;
    }
    return { statuses, retryAfter, seconds: (Date.now() - t0) / 1000 };
  };
  const rotating = await series(wrongKey);
  const repeatedKey = wrongKey();
  const tooSlow = rotating.statuses.length <= max && rotating.seconds > windowS;
  const repeated = tooSlow || rotating.statuses.includes(429) || rotating.statuses.some((s) => classify(s) !== 'auth') ? undefined : await series(() => repeatedKey);
  const v = judgeFailedAttempts(rotating, repeated, { max, windowS, required });
  const impact = securityImpact([v.result], 'the failed-attempt limit');
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
