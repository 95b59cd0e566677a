/**
 * Runbook "Incident: API Key Authentication Failures": the protected endpoint accepts a valid
 * key presented as the environment declares (CREDLINK_API_KEY_IN, default X-API-Key), and only
 * that way; refuses every other request with 401 (never 2xx, never 5xx), keys derived from the
 * valid one included; never echoes a key, never redirects a keyed call, never exposes a stack
 * trace, and limits failed attempts per client (429 + Retry-After).
 *
 * Requests are the ones the environment describes (CREDLINK_PROTECTED_*, *_VALID_KEY_PROBE_*,
 * *_RESTRICTED_KEY_PROBE_*: method, path, headers, JSON or multipart body, success statuses).
 * Every answer is read through one classification (src/http/response-class.ts): a 429, a
 * missing route or a request refused for its shape proves nothing about authentication, so it
 * never passes a check; the request budget (src/budget/) keeps the run under the declared rate
 * limits and backs off as Retry-After says before that happens.
 *
 * Order is kept (one file = one worker, in order): the probes first, the failed-attempt burst
 * last, so its limit cannot mask the others. Budget: one valid-key and one restricted-key
 * request per run (shared, auth-probes.ts); requests with a valid key in other places or with
 * derived keys use the valid-key probe's call, which the environment makes side-effect free.
 */
import crypto from 'node:crypto';
import { runbook, test, type Check } from '../fixtures.ts';
import { runConfig } from '../../config/index.ts';
import { describePresentation, type Presentation, type RequestSpec } from '../../config/request-spec.ts';
import { authCheckTimeoutMs, failedAttemptBlocker } from '../../src/budget/plan.ts';
import type { BudgetedApi } from '../../src/budget/budgeted-api.ts';
import { RateBudgetError, RequestLedger } from '../../src/budget/ledger.ts';
import { answerSeen } from '../../src/http/answers.ts';
import { classify } from '../../src/http/response-class.ts';
import { buildRequest, describeRequest, presentKey } from '../../src/http/request-builder.ts';
import { send, type HttpSample } from '../../src/probes/http.ts';
import { deriveKeys } from '../../src/security/derived-keys.ts';
import { disclosuresOf } from '../../src/security/disclosure.ts';
import { judgeFailedAttempts, type AttemptSeries } from '../../src/security/failed-attempts.ts';
import { inconclusiveReason, judgeRejection, judgeValidKey, keyAccepted, securityImpact, summarize, unanswered, type CaseResult } from '../../src/security/verdict.ts';
import type { Scrubber } from '../../src/secrets/scrub.ts';
import { restrictedKeyProbe, validKeyProbe } from './auth-probes.ts';

const cfg = runConfig();
const { security: sec, apiKeys } = cfg;
const { protected: prot, validKey: probeSpec, restrictedKey: restrictedSpec } = sec.requests;
const primary = sec.keyIn[0]!;
const call = `${prot.method} ${prot.path}`;
const probeCall = describeRequest(probeSpec);
const statusOf = (s: HttpSample) => s.status ?? s.error ?? 'no answer';
/** A short quote of an answer for a finding's text: scrubbed whole, then cut (src/secrets/scrub.ts). */
const quote = (scrubber: Scrubber, s: HttpSample, n: number) => scrubber.excerpt(s.body.replace(/\s+/g, ' '), n);

// Paced requests may wait for a window of the target's limits: give each check that much more time.
test.describe.configure({ timeout: authCheckTimeoutMs(cfg) });

const skipWithoutProtected = () => test.skip(prot.path === null, 'this deployment has no protected endpoint (CREDLINK_PROTECTED_PATH=none)');
const skipWithoutProbe = () => {
  test.skip(apiKeys.length === 0, 'no API key configured (CREDLINK_API_KEYS)');
  test.skip(probeSpec.path === null, 'no valid-key probe on this deployment (CREDLINK_VALID_KEY_PROBE_PATH=none)');
};

/** A random key of the usual shape that no deployment holds. */
const wrongKey = () => `clk_${crypto.randomBytes(24).toString('base64url')}`;
/** The protected call without a valid key: `headers` carry whatever the case presents. */
const unkeyed = (headers: Record<string, string> = {}, spec: RequestSpec = prot) => buildRequest(spec, { headers });
const withKey = (value: string, as: Presentation = primary, spec: RequestSpec = probeSpec) => buildRequest(spec, { key: { value, as } });

test('a valid API key is accepted by the protected endpoint', runbook('security.valid-key-accepted'), async ({ api, check }) => {
  skipWithoutProbe();
  const s = await validKeyProbe(api);
  const v = judgeValidKey(s.status, probeSpec.success);
  test.skip(v.kind === 'redirect', `${probeCall} answered ${s.status} (a redirect): security.no-redirect covers it`);
  // 400/422 to a valid key: authentication passed, only the request's shape was refused.
  // security.request-contract reports that; it is never a lockout.
  if (v.kind === 'accepted' || v.kind === 'contract') return;
  await check.evidence(`response of ${probeCall} with the probe key`, { status: s.status, error: s.error, body: s.body }, 'curl -i -X {{protectedMethod}} {{keyCurl}} {{baseUrl}}{{protectedPath}}');
  check.that({
    label: 'STATUS',
    ok: false,
    actual: v.kind === 'inconclusive' ? `not tested: ${v.reason}` : statusOf(s),
    expected: `${probeSpec.success.join(',')} with a valid key in ${describePresentation(primary)}`,
    call: probeCall,
    // A valid key refused locks customers out: the catalog's SEV-1. A 429 or a missing route proves nothing: a gap.
    impact: v.kind === 'inconclusive' ? { kind: 'gap', reason: `the valid key was not tested: ${v.reason}` } : undefined,
  });
});

test('the described valid-key and restricted-key requests pass the service\'s request contract (no 400/422)', runbook('security.request-contract'), async ({ api, check, scrubber }) => {
  skipWithoutProbe();
  const gaps: string[] = [];
  const evidence: unknown[] = [];
  const s = await validKeyProbe(api);
  const v = judgeValidKey(s.status, probeSpec.success);
  if (v.kind === 'contract') {
    gaps.push(`${probeCall} answered ${s.status} to a valid key: authentication passed, the request was refused for its shape ("${quote(scrubber, s, 160)}")`);
    evidence.push({ request: probeCall, status: s.status, body: s.body });
  }
  if (sec.restrictedApiKey && restrictedSpec.path !== null) {
    const r = await restrictedKeyProbe(api);
    if (classify(r.status) === 'contract') {
      gaps.push(`${describeRequest(restrictedSpec)} answered ${r.status} to the restricted key: the request was refused for its shape ("${quote(scrubber, r, 160)}")`);
      evidence.push({ request: describeRequest(restrictedSpec), status: r.status, body: r.body });
    }
  }
  test.skip(!gaps.length && v.kind !== 'accepted', `the valid-key probe answered ${statusOf(s)}: security.valid-key-accepted covers it`);
  if (gaps.length) await check.evidence('answers that refused the described request', evidence, 'curl -i -X {{protectedMethod}} {{keyCurl}} {{baseUrl}}{{protectedPath}}');
  check.that({
    label: 'CONTRACT',
    ok: gaps.length === 0,
    actual: gaps.join('; '),
    expected: `the described requests are accepted (${probeSpec.success.join(',')}; restricted ${restrictedSpec.success.join(',')}): describe method, headers and body with CREDLINK_VALID_KEY_PROBE_* / CREDLINK_PROTECTED_FORM`,
    call: probeCall,
    impact: { kind: 'gap', reason: 'the checks\' requests do not match the service\'s contract, so what the key may do was not fully tested' },
  });
});

test('a key without the permission gets 403 from the protected endpoint', runbook('security.restricted-key-forbidden'), async ({ api, check }) => {
  test.skip(!sec.restrictedApiKey, 'no restricted key configured (CREDLINK_RESTRICTED_API_KEY)');
  test.skip(restrictedSpec.path === null, 'no restricted-key probe on this deployment (CREDLINK_RESTRICTED_KEY_PROBE_PATH=none)');
  const s = await restrictedKeyProbe(api);
  const cls = classify(s.status);
  const what = describeRequest(restrictedSpec);
  test.skip(cls === 'redirect', `${what} answered ${s.status} (a redirect): security.no-redirect covers it`);
  test.skip(cls === 'contract', `${what} answered ${s.status}: refused for its shape, so the permission was not tested; security.request-contract reports it`);
  const expected = restrictedSpec.success;
  const open = inconclusiveReason(s.status);
  const result: CaseResult = expected.includes(String(s.status))
    ? { case: 'restricted key', status: s.status }
    : cls === 'success'
      ? { case: 'restricted key', status: s.status, problem: `served a key without the permission (${s.status})`, class: 'breach' }
      : s.status === 401
        ? { case: 'restricted key', status: 401, problem: 'answered 401 (unknown key) instead of 403', class: 'hardening' }
        : open
          ? { case: 'restricted key', status: s.status, inconclusive: open }
          : { case: 'restricted key', status: s.status, problem: `answered ${statusOf(s)} instead of ${expected.join(',')}`, class: 'issue' };
  const impact = securityImpact([result], 'the permission');
  if (impact) await check.evidence(`response of ${what} with the restricted key`, { status: s.status, body: s.body });
  check.that({ label: 'STATUS', ok: !impact, actual: summarize([result]), expected: `== ${expected.join(',')}`, call: what, impact });
});

/** Runs rejection cases, attaches their answers, fails with the worst class (or a gap). */
async function expectRejected(api: BudgetedApi, check: Check, cases: { name: string; headers: Record<string, string>; alsoOk?: number[] }[]): Promise<void> {
  const results: CaseResult[] = [];
  const answers: unknown[] = [];
  for (const c of cases) {
    const s = await send(api, unkeyed(c.headers));
    results.push(judgeRejection(c.name, s.status, c.alsoOk, prot.success));
    answers.push({ case: c.name, status: s.status, error: s.error, retryAfter: s.headers['retry-after'], body: s.body });
  }
  const impact = securityImpact(results);
  if (impact) await check.evidence(`answers of ${call}`, answers, 'curl -i -X {{protectedMethod}} {{baseUrl}}{{protectedPath}}');
  check.that({ label: 'STATUS', ok: !impact, actual: summarize(results), expected: '== 401', call, impact });
}

const keyHeader = (k: string) => presentKey(k, primary).headers;

test('the protected endpoint answers 401 without an API key', runbook('security.no-key-rejected'), async ({ api, check }) => {
  skipWithoutProtected();
  await expectRejected(api, check, [{ name: 'no key', headers: {} }]);
});

test('the protected endpoint answers 401 to a wrong API key', runbook('security.wrong-key-rejected'), async ({ api, check }) => {
  skipWithoutProtected();
  test.skip(primary.kind === 'query', 'the key is declared as a query parameter: security.key-strict and derived-keys cover it');
  await expectRejected(api, check, [{ name: 'wrong key', headers: keyHeader(wrongKey()) }]);
});

test('empty, malformed, oversized and non-ASCII keys get 401, never 5xx', runbook('security.malformed-keys-rejected'), async ({ api, check }) => {
  skipWithoutProtected();
  test.skip(primary.kind === 'query', 'the key is declared as a query parameter: header forms of a key do not apply');
  // Node sends header values as latin1: the UTF-8 bytes of a non-ASCII key go out unchanged.
  const nonAscii = Buffer.from('clé-ключ-鍵-🔑', 'utf8').toString('latin1');
  await expectRejected(api, check, [
    { name: 'empty key', headers: keyHeader('') },
    { name: 'malformed key', headers: keyHeader(`'; DROP TABLE keys; -- %00 \\ "`) },
    { name: '10 KB key', headers: keyHeader('k'.repeat(10 * 1024)), alsoOk: [400, 413, 431] },
    { name: 'non-ASCII key', headers: keyHeader(nonAscii), alsoOk: [400] },
  ]);
});

/** Ways to present a key that services commonly accept; the undeclared ones must be refused. */
const CANDIDATES: Presentation[] = [
  { kind: 'header', name: 'X-API-Key' },
  { kind: 'bearer' },
  { kind: 'basic' },
  { kind: 'query', name: 'api_key' },
  { kind: 'query', name: 'apiKey' },
  { kind: 'query', name: 'key' },
  { kind: 'header', name: 'Api-Key' },
  { kind: 'header', name: 'X-Auth-Token' },
  { kind: 'header', name: 'X-Api-Token' },
];
const same = (a: Presentation, b: Presentation) => a.kind === b.kind && ('name' in a ? a.name.toLowerCase() : '') === ('name' in b ? b.name.toLowerCase() : '');

test('the key counts only in the ways the environment declares (default X-API-Key)', runbook('security.key-strict'), async ({ api, check }) => {
  skipWithoutProbe();
  const key = apiKeys[0]!;
  const keyless = await send(api, unkeyed({}, probeSpec));
  const cases = [
    ...CANDIDATES.filter((p) => !sec.keyIn.some((d) => same(d, p))).map((p) => ({ name: describePresentation(p), req: withKey(key, p) })),
    { name: 'Authorization without a scheme', req: { ...unkeyed({ authorization: key }, probeSpec) } },
  ];
  const results: CaseResult[] = [];
  const answers: unknown[] = [{ case: 'no key (baseline)', status: keyless.status }];
  for (const c of cases) {
    const s = await send(api, c.req);
    const accepted = keyAccepted(s.status, probeSpec.success, keyless.status);
    answers.push({ case: c.name, status: s.status });
    if (accepted === 'yes') results.push({ case: c.name, status: s.status, problem: `the valid key is accepted in ${c.name} (${s.status}), which CREDLINK_API_KEY_IN does not declare`, class: 'issue' });
    else if (accepted === 'unknown') results.push(unanswered(c.name, s) ?? { case: c.name, status: s.status, inconclusive: `answered ${s.status} while the same request without a key answered ${statusOf(keyless)}` });
    else results.push({ case: c.name, status: s.status });
  }
  const impact = securityImpact(results, 'where the key counts');
  if (impact) await check.evidence(`answers of ${probeCall} with the valid key presented in other ways`, answers, 'curl -i -X {{protectedMethod}} -H "Authorization: Bearer <key>" {{baseUrl}}{{protectedPath}}');
  check.that({
    label: 'KEY PLACES',
    ok: !impact,
    actual: summarize(results),
    expected: `the key accepted only in ${sec.keyIn.map(describePresentation).join(', ')} (CREDLINK_API_KEY_IN)`,
    call: probeCall,
    impact,
  });
});

test('keys derived from a valid key (other case, prefixes, suffixes, whitespace, one character changed) are refused', runbook('security.derived-keys-rejected'), async ({ api, check }) => {
  skipWithoutProbe();
  const keyless = await send(api, unkeyed({}, probeSpec));
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

test('no response echoes the API key it was sent', runbook('security.key-not-echoed'), async ({ api, check }) => {
  skipWithoutProtected();
  test.skip(primary.kind === 'query', 'the key is declared as a query parameter: its echo in a URL is checked by security.no-redirect');
  const canary = wrongKey();
  const rejected = await send(api, unkeyed(keyHeader(canary)));
  const results: CaseResult[] = [];
  const echoes = (s: HttpSample, key: string) => s.body.includes(key) || Object.values(s.headers).some((v) => v.includes(key));
  // A 429 answered before the key was looked at cannot show whether the service echoes it.
  const judge = (c: string, s: HttpSample, key: string): CaseResult =>
    echoes(s, key) ? { case: c, status: s.status, problem: `the answer quotes the ${c}`, class: 'issue' } : s.status === 429 ? { case: c, status: 429, inconclusive: inconclusiveReason(429) } : (unanswered(c, s) ?? { case: c, status: s.status });
  results.push(judge('wrong key', rejected, canary));
  if (apiKeys[0] && probeSpec.path !== null) results.push(judge('valid key', await validKeyProbe(api), apiKeys[0]));
  const impact = securityImpact(results, 'whether keys are echoed');
  // The evidence goes through the scrubber: a quoted key shows as [REDACTED].
  if (impact) await check.evidence(`answer of ${call} to a wrong key`, { status: rejected.status, body: rejected.body });
  check.that({ label: 'ECHO', ok: !impact, actual: summarize(results), expected: 'no key in any response body or header', call, impact });
});

test('the protected endpoint answers keyed requests without redirecting', runbook('security.no-redirect'), async ({ api, check, config }) => {
  skipWithoutProbe();
  // The request context never follows redirects (maxRedirects: 0): Playwright would forward
  // X-API-Key to another origin (microsoft/playwright#40547). A redirect is a finding.
  const s = await validKeyProbe(api);
  const open = inconclusiveReason(s.status);
  const silent = unanswered('valid key', s);
  if (silent) {
    check.that({ label: 'REDIRECT', ok: false, actual: `not tested: ${silent.inconclusive}`, expected: 'no 3xx on a keyed call', call: probeCall, impact: { kind: 'gap', reason: `redirects of keyed calls were not tested: ${silent.inconclusive}` } });
  }
  if (classify(s.status) === 'rate-limited') {
    check.that({ label: 'REDIRECT', ok: false, actual: `not tested: ${open}`, expected: 'no 3xx on a keyed call', call: probeCall, impact: { kind: 'gap', reason: `redirects of keyed calls were not tested: ${open}` } });
  }
  const redirected = classify(s.status) === 'redirect';
  let impact: CaseResult | undefined;
  if (redirected) {
    const location = s.headers.location ?? '';
    let target = '(no Location)';
    try {
      target = new URL(location, config.baseUrl).origin;
    } catch {
      target = '(unparseable Location)';
    }
    const otherOrigin = target !== new URL(config.baseUrl).origin;
    impact = {
      case: 'valid key',
      status: s.status,
      problem: `${s.status} to ${otherOrigin ? `another origin ${target}` : 'the same origin'}`,
      class: otherOrigin ? 'vulnerability' : 'hardening',
    };
    await check.evidence(`redirect of ${probeCall}`, { status: s.status, location, followed: false });
  }
  check.that({
    label: 'REDIRECT',
    ok: !redirected,
    actual: impact ? summarize([impact]) : statusOf(s),
    expected: 'no 3xx on a keyed call (a client that follows it sends the key to the Location)',
    call: probeCall,
    impact: impact ? securityImpact([impact]) : undefined,
  });
});

test('no answer exposes a stack trace, an internal path, a credential or a version banner', runbook('security.error-disclosure'), async ({ api, check }) => {
  const missing = `/credlink-checks-missing-${crypto.randomBytes(4).toString('hex')}`;
  const requests = [
    // A path the tool made up: its 404 is expected, never a "route missing" finding (invented).
    { case: `GET ${missing} (a path that does not exist)`, req: { path: missing, invented: true } },
    ...(prot.path === null ? [] : [{ case: `${call} with a malformed JSON body and no key`, req: buildRequest(prot, { rawJson: '{"credlink-checks": ' }) }]),
  ];
  const results: CaseResult[] = [];
  const answers: unknown[] = [];
  for (const r of requests) {
    const s = await send(api, r.req);
    const found = disclosuresOf(s.status, s.body, s.headers);
    answers.push({ case: r.case, status: s.status, body: s.body });
    results.push(
      found.length
        ? { case: r.case, status: s.status, problem: `the ${s.status} answer exposes ${found.map((f) => `${f.kind === 'internal path' ? 'an' : 'a'} ${f.kind} ("${f.excerpt}")`).join(' and ')}`, class: 'issue' }
        : s.status === 429
          ? { case: r.case, status: 429, inconclusive: inconclusiveReason(429) }
          : (unanswered(r.case, s) ?? { case: r.case, status: s.status }),
    );
  }
  const impact = securityImpact(results, 'error disclosure');
  if (impact) await check.evidence('error answers that expose internals', answers, 'curl -i {{baseUrl}}/credlink-checks-missing');
  check.that({ label: 'DISCLOSURE', ok: !impact, actual: summarize(results), expected: 'error answers without stack traces or internal file paths', call: requests.map((r) => r.case).join(', '), impact });
});

test('failed attempts are limited per client: 429 with Retry-After inside the window', runbook('security.auth-rate-limit'), async ({ api, check }) => {
  test.skip(!sec.rateLimitCheck, 'off: it spends the failed-attempt budget (CREDLINK_AUTH_RATE_LIMIT_CHECK=true enables it; off by default in production)');
  skipWithoutProtected();
  test.skip(primary.kind === 'query', 'the key is declared as a query parameter: not supported by this check yet');
  const blocker = failedAttemptBlocker(cfg, prot.path!);
  test.skip(Boolean(blocker), `not run: ${blocker}`);
  const { max, windowS, required } = sec.authFailLimit;
  // Beyond the failed-attempt budget on purpose, with throwaway keys; other declared limits still pace it.
  // reachLimit: a served answer saying nothing remains (RateLimit-Remaining: 0) is not the limit; only a 429 is.
  const raw = api.variant({ retryRateLimited: false, countAsFailedAttempt: false, throwawayKey: true, reachLimit: true });
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

// Last in this file (one worker, in order): the API-key matrix and the failed-attempt burst have run.
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
