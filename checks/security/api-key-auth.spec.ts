/**
 * Runbook "Incident: API Key Authentication Failures": the protected endpoint accepts a valid
 * key, rejects every other request with 401 (never 2xx, never 5xx), never echoes a key, never
 * redirects a keyed call, and limits failed attempts (429 + Retry-After).
 *
 * Order matters and is kept (one file = one worker, in order): the valid-key probe runs first,
 * the failed-attempt burst of the rate-limit check last, so the limit cannot mask the matrix.
 * Budget: one valid-key request per worker (the probe is shared by the checks that need it).
 */
import crypto from 'node:crypto';
import { runbook, test } from '../fixtures.ts';
import { runConfig } from '../../config/index.ts';
import { send, type HttpSample } from '../../src/probes/http.ts';
import { judgeRejection, securityImpact, summarize, type CaseResult } from '../../src/security/verdict.ts';

const { protectedEndpoint: ep, security, apiKeys } = runConfig();
const call = `${ep.method} ${ep.path}`;
const JSON_HEADERS = { 'content-type': 'application/json' };
const BODY = '{"document":"credlink-checks negative probe"}';

/** A random key of the usual shape that no deployment holds. */
const wrongKey = () => `clk_${crypto.randomBytes(24).toString('base64url')}`;
const keyed = (headers: Record<string, string>) => ({ method: ep.method, path: ep.path, headers: { ...JSON_HEADERS, ...headers }, data: ep.method === 'GET' ? undefined : BODY });
const statusOf = (s: HttpSample) => s.status ?? s.error ?? 'no answer';

let probe: Promise<HttpSample> | undefined;
/** The single valid-key request of this worker: the configured side-effect-free probe call. */
function validKeyProbe(api: Parameters<typeof send>[0]): Promise<HttpSample> {
  const p = security.validKeyProbe;
  probe ??= send(api, {
    method: p.method,
    path: p.path,
    headers: { ...JSON_HEADERS, 'x-api-key': apiKeys[0]! },
    data: p.method === 'GET' ? undefined : p.body,
  });
  return probe;
}
const probeCall = `${security.validKeyProbe.method} ${security.validKeyProbe.path}`;

test('a valid API key is accepted by the protected endpoint', runbook('security.valid-key-accepted'), async ({ api, check }) => {
  test.skip(apiKeys.length === 0, 'no API key configured (CREDLINK_API_KEYS)');
  const s = await validKeyProbe(api);
  test.skip(s.status !== null && s.status >= 300 && s.status < 400, `${probeCall} answered ${s.status} (a redirect): security.no-redirect covers it`);
  const ok = s.status !== null && s.status >= 200 && s.status < 300;
  if (!ok) await check.evidence(`response of ${probeCall} with the probe key`, { status: s.status, error: s.error, body: s.body }, `curl -H "X-API-Key: <key>" ${probeCall}`);
  // A valid key refused means customers are locked out: the catalog's SEV-1.
  check.that({ label: 'STATUS', ok, actual: statusOf(s), expected: '2xx with a valid X-API-Key', call: probeCall });
});

test('a key without the permission gets 403 from the protected endpoint', runbook('security.restricted-key-forbidden'), async ({ api, check }) => {
  test.skip(!security.restrictedApiKey, 'no restricted key configured (CREDLINK_RESTRICTED_API_KEY)');
  const s = await send(api, keyed({ 'x-api-key': security.restrictedApiKey! }));
  test.skip(s.status !== null && s.status >= 300 && s.status < 400, `${call} answered ${s.status} (a redirect): security.no-redirect covers it`);
  const r: CaseResult =
    s.status === 403
      ? { case: 'restricted key', status: 403 }
      : s.status !== null && s.status >= 200 && s.status < 300
        ? { case: 'restricted key', status: s.status, problem: `served a key without the permission (${s.status})`, class: 'breach' }
        : { case: 'restricted key', status: s.status, problem: `answered ${s.status ?? s.error} instead of 403`, class: s.status === 401 ? 'hardening' : 'issue' };
  if (r.problem) await check.evidence(`response of ${call} with the restricted key`, { status: s.status, body: s.body });
  check.that({ label: 'STATUS', ok: !r.problem, actual: summarize([r]), expected: '== 403', call, impact: securityImpact([r]) });
});

/** Runs rejection cases, attaches their answers, fails with the worst class. */
async function expectRejected(
  api: Parameters<typeof send>[0],
  check: import('../fixtures.ts').Check,
  cases: { name: string; headers: Record<string, string>; alsoOk?: number[] }[],
): Promise<void> {
  const results: CaseResult[] = [];
  const answers: unknown[] = [];
  for (const c of cases) {
    const s = await send(api, keyed(c.headers));
    results.push(judgeRejection(c.name, s.status, c.alsoOk));
    answers.push({ case: c.name, status: s.status, error: s.error, body: s.body });
  }
  const impact = securityImpact(results);
  if (impact) await check.evidence(`answers of ${call}`, answers, `curl -i -X ${ep.method} ${ep.path}`);
  check.that({ label: 'STATUS', ok: !impact, actual: summarize(results), expected: '== 401 (429 once limited)', call, impact });
}

test('the protected endpoint answers 401 without an API key', runbook('security.no-key-rejected'), async ({ api, check }) => {
  await expectRejected(api, check, [{ name: 'no key', headers: {} }]);
});

test('the protected endpoint answers 401 to a wrong API key', runbook('security.wrong-key-rejected'), async ({ api, check }) => {
  await expectRejected(api, check, [{ name: 'wrong key', headers: { 'x-api-key': wrongKey() } }]);
});

test('empty, malformed, oversized and non-ASCII keys get 401, never 5xx', runbook('security.malformed-keys-rejected'), async ({ api, check }) => {
  // Node sends header values as latin1: the UTF-8 bytes of a non-ASCII key go out unchanged.
  const nonAscii = Buffer.from('clé-ключ-鍵-🔑', 'utf8').toString('latin1');
  await expectRejected(api, check, [
    { name: 'empty key', headers: { 'x-api-key': '' } },
    { name: 'malformed key', headers: { 'x-api-key': `'; DROP TABLE keys; -- %00 \\ "` } },
    { name: '10 KB key', headers: { 'x-api-key': 'k'.repeat(10 * 1024) }, alsoOk: [400, 413, 431] },
    { name: 'non-ASCII key', headers: { 'x-api-key': nonAscii }, alsoOk: [400] },
  ]);
});

test('the key counts only in X-API-Key and only with its exact case', runbook('security.key-strict'), async ({ api, check }) => {
  test.skip(apiKeys.length === 0, 'no API key configured (CREDLINK_API_KEYS)');
  const key = apiKeys[0]!;
  const swapped = [...key].map((ch) => (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase())).join('');
  const results: CaseResult[] = [];
  const answers: unknown[] = [];
  const cases: { name: string; headers: Record<string, string>; accepted: 'breach' | 'issue' }[] = [
    { name: 'valid key in an Api-Key header', headers: { 'api-key': key }, accepted: 'issue' },
    { name: 'valid key in an X-Auth-Token header', headers: { 'x-auth-token': key }, accepted: 'issue' },
  ];
  // A key accepted with its letters' case swapped is a wrong key accepted: a breach.
  if (swapped !== key) cases.push({ name: 'valid key with its case swapped', headers: { 'x-api-key': swapped }, accepted: 'breach' });
  for (const c of cases) {
    const s = await send(api, keyed(c.headers));
    const r = judgeRejection(c.name, s.status);
    results.push(r.class === 'breach' ? { ...r, class: c.accepted } : r);
    answers.push({ case: c.name, status: s.status, error: s.error });
  }
  const impact = securityImpact(results);
  if (impact) await check.evidence(`answers of ${call}`, answers, 'curl -H "X-API-Key: <key>" ...');
  check.that({ label: 'STATUS', ok: !impact, actual: summarize(results), expected: '== 401 for a key in another header or another case', call, impact });
});

test('no response echoes the API key it was sent', runbook('security.key-not-echoed'), async ({ api, check }) => {
  const canary = wrongKey();
  const rejected = await send(api, keyed({ 'x-api-key': canary }));
  const results: CaseResult[] = [];
  const echoes = (s: HttpSample, key: string) => s.body.includes(key) || Object.values(s.headers).some((v) => v.includes(key));
  results.push(echoes(rejected, canary) ? { case: 'wrong key', status: rejected.status, problem: 'the answer quotes the rejected key', class: 'issue' } : { case: 'wrong key', status: rejected.status });
  if (apiKeys[0]) {
    const accepted = await validKeyProbe(api);
    results.push(
      echoes(accepted, apiKeys[0])
        ? { case: 'valid key', status: accepted.status, problem: 'the answer quotes the valid key', class: 'issue' }
        : { case: 'valid key', status: accepted.status },
    );
  }
  const impact = securityImpact(results);
  // The evidence goes through the scrubber: a quoted key shows as [REDACTED].
  if (impact) await check.evidence(`answer of ${call} to a wrong key`, { status: rejected.status, body: rejected.body });
  check.that({ label: 'ECHO', ok: !impact, actual: summarize(results), expected: 'no key in any response body or header', call, impact });
});

test('the protected endpoint answers keyed requests without redirecting', runbook('security.no-redirect'), async ({ api, check, config }) => {
  test.skip(apiKeys.length === 0, 'no API key configured (CREDLINK_API_KEYS)');
  // The request context never follows redirects (maxRedirects: 0): Playwright would forward
  // X-API-Key to another origin (microsoft/playwright#40547). A redirect is a finding.
  const s = await validKeyProbe(api);
  const redirected = s.status !== null && s.status >= 300 && s.status < 400;
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

test('repeated failed attempts get 429 with Retry-After inside the window', runbook('security.auth-rate-limit'), async ({ api, check }) => {
  test.skip(!security.rateLimitCheck, 'off: it spends the failed-attempt budget (CREDLINK_AUTH_RATE_LIMIT_CHECK=true enables it; off by default in production)');
  const { max, windowS } = security.authFailLimit;
  const seen: (number | null)[] = [];
  let limited: HttpSample | undefined;
  for (let i = 0; i <= max && !limited; i++) {
    const s = await send(api, keyed({ 'x-api-key': wrongKey() }));
    seen.push(s.status);
    if (s.status === 429) limited = s;
    test.skip(s.status !== null && s.status >= 300 && s.status < 400, `${call} answered ${s.status} (a redirect): security.no-redirect covers it`);
    if (s.status !== null && s.status >= 200 && s.status < 300) break;
  }
  const counts = [...new Set(seen)].map((st) => `${seen.filter((x) => x === st).length}x ${st ?? 'no answer'}`).join(', ');
  const results: CaseResult[] = [];
  if (seen.some((st) => st !== null && st >= 200 && st < 300)) results.push({ case: 'wrong keys', status: 200, problem: 'a wrong key was served', class: 'breach' });
  else if (!limited) results.push({ case: `${seen.length} wrong keys`, status: seen.at(-1) ?? null, problem: `no 429 after ${seen.length} failed attempts (${counts})`, class: 'issue' });
  else {
    const ra = limited.headers['retry-after'];
    const secs = ra === undefined ? NaN : /^\d+$/.test(ra.trim()) ? Number(ra) : (Date.parse(ra) - Date.now()) / 1000;
    if (!(secs > 0 && secs <= windowS + 1)) {
      results.push({ case: '429', status: 429, problem: ra === undefined ? '429 without Retry-After' : `Retry-After "${ra}" is not within the ${windowS} s window`, class: 'hardening' });
    }
  }
  const impact = securityImpact(results);
  if (impact) await check.evidence(`statuses of ${seen.length} failed attempts on ${call}`, { statuses: seen, retryAfter: limited?.headers['retry-after'] ?? null, limit: max, windowS });
  check.that({
    label: 'RATE LIMIT',
    ok: !impact,
    actual: impact ? summarize(results) : `429 after ${seen.length} attempts, Retry-After ${limited?.headers['retry-after']}`,
    expected: `429 with Retry-After <= ${windowS} s within ${max + 1} failed attempts`,
    call,
    impact,
  });
});
