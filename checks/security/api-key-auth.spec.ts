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
 * Keys derived from the valid key and the failed-attempt limit are checked in
 * wrong-key-guessing.spec.ts, the last file of the run: with a default failed-attempt limit the
 * checks here use the first window's failed attempts, those two the next window's, and the
 * failed-attempt burst comes last, so its limit cannot mask the others (src/budget/run-plan.ts).
 * Budget: one valid-key, one restricted-key, one keyless and one wrong-key request per run
 * (shared, auth-probes.ts); requests with a valid key in other places use the valid-key
 * probe's call, which the environment makes side-effect free.
 */
import crypto from 'node:crypto';
import { runbook, test, type Check } from '../fixtures.ts';
import { describePresentation } from '../../config/request-spec.ts';
import { authCheckTimeoutMs } from '../../src/budget/plan.ts';
import type { BudgetedApi } from '../../src/budget/budgeted-api.ts';
import { classify } from '../../src/http/response-class.ts';
import { buildRequest, describeRequest } from '../../src/http/request-builder.ts';
import { send, type HttpSample } from '../../src/probes/http.ts';
import { disclosuresOf } from '../../src/security/disclosure.ts';
import { inconclusiveReason, judgeRejection, judgeValidKey, keyAccepted, refusedBaseline, securityImpact, summarize, unanswered, type CaseResult } from '../../src/security/verdict.ts';
import type { Scrubber } from '../../src/secrets/scrub.ts';
import { KEY_PLACES as CANDIDATES, samePlace } from '../../src/security/key-places.ts';
import { keylessProbe, restrictedKeyProbe, runWrongKey, validKeyProbe, wrongKeyProbe } from './auth-probes.ts';
import { apiKeys, call, cfg, keyHeader, primary, probeCall, probeSpec, prot, restrictedSpec, sec, skipWithoutProbe, skipWithoutProtected, statusOf, unkeyed, withKey } from './auth-requests.ts';

/** A short quote of an answer for a finding's text: scrubbed whole, then cut (src/secrets/scrub.ts). */
const quote = (scrubber: Scrubber, s: HttpSample, n: number) => scrubber.excerpt(s.body.replace(/\s+/g, ' '), n);

// Paced requests may wait for a window of the target's limits: give each check that much more time.
test.describe.configure({ timeout: authCheckTimeoutMs(cfg) });

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
async function expectRejected(api: BudgetedApi, check: Check, cases: { name: string; headers?: Record<string, string>; shared?: () => Promise<HttpSample>; alsoOk?: number[] }[]): Promise<void> {
  const results: CaseResult[] = [];
  const answers: unknown[] = [];
  for (const c of cases) {
    const s = c.shared ? await c.shared() : await send(api, unkeyed(c.headers));
    results.push(judgeRejection(c.name, s.status, c.alsoOk, prot.success));
    answers.push({ case: c.name, status: s.status, error: s.error, retryAfter: s.headers['retry-after'], body: s.body });
  }
  const impact = securityImpact(results);
  if (impact) await check.evidence(`answers of ${call}`, answers, 'curl -i -X {{protectedMethod}} {{baseUrl}}{{protectedPath}}');
  check.that({ label: 'STATUS', ok: !impact, actual: summarize(results), expected: '== 401', call, impact });
}

test('the protected endpoint answers 401 without an API key', runbook('security.no-key-rejected'), async ({ api, check }) => {
  skipWithoutProtected();
  await expectRejected(api, check, [{ name: 'no key', shared: () => keylessProbe(api, prot) }]);
});

test('the protected endpoint answers 401 to a wrong API key', runbook('security.wrong-key-rejected'), async ({ api, check }) => {
  skipWithoutProtected();
  test.skip(primary.kind === 'query', 'the key is declared as a query parameter: security.key-strict and derived-keys cover it');
  await expectRejected(api, check, [{ name: 'wrong key', shared: () => wrongKeyProbe(api) }]);
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

test('the key counts only in the ways the environment declares (default X-API-Key)', runbook('security.key-strict'), async ({ api, check }) => {
  skipWithoutProbe();
  const key = apiKeys[0]!;
  const keyless = await keylessProbe(api, probeSpec);
  const cases = [
    ...CANDIDATES.filter((p) => !sec.keyIn.some((d) => samePlace(d, p))).map((p) => ({ name: describePresentation(p), req: withKey(key, p) })),
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
  // Refusals prove "only the declared place counts" only where the valid key is served there.
  const baseline = refusedBaseline((await validKeyProbe(api)).status, probeSpec.success);
  if (baseline) {
    results.push(baseline);
    answers.push({ case: 'the valid key where it is declared (the valid-key probe)', status: baseline.status });
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

test('no response echoes the API key it was sent', runbook('security.key-not-echoed'), async ({ api, check }) => {
  skipWithoutProtected();
  test.skip(primary.kind === 'query', 'the key is declared as a query parameter: its echo in a URL is checked by security.no-redirect');
  // The wrong-key check's answer (one request for both): a random key no deployment holds.
  const canary = runWrongKey;
  const rejected = await wrongKeyProbe(api);
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
