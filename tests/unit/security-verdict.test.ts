import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeHardening } from '../../src/security/headers.ts';
import { judgeRejection, judgeValidKey, keyAccepted, refusedBaseline, securityImpact, summarize, unanswered, worst } from '../../src/security/verdict.ts';
import { judgeFailedAttempts } from '../../src/security/failed-attempts.ts';
import { deriveKeys } from '../../src/security/derived-keys.ts';
import { findDisclosures, disclosuresOf } from '../../src/security/disclosure.ts';

test('rejection verdicts: 2xx breach, 5xx issue, 401/3xx fine, 403 hardening; 429, 404/405, 400/422 prove nothing', () => {
  const table: [number | null, string | undefined, boolean][] = [
    [401, undefined, false], [307, undefined, false], [200, 'breach', false], [204, 'breach', false],
    [500, 'issue', false], [503, 'issue', false], [null, 'issue', false], [403, 'hardening', false],
    [429, undefined, true], [404, undefined, true], [405, undefined, true], [400, undefined, true], [422, undefined, true],
  ];
  for (const [status, cls, open] of table) {
    const r = judgeRejection('c', status);
    assert.equal(r.class, cls, String(status));
    assert.equal(Boolean(r.inconclusive), open, String(status));
  }
  assert.equal(judgeRejection('c', 431, [431]).class, undefined);
  assert.equal(judgeRejection('c', 299, [], ['201']).class, 'breach');
});

test('a 429 is never a pass for a security check: it is a monitoring gap saying what was not tested and why', () => {
  const r = [judgeRejection('no key', 429)];
  const impact = securityImpact(r);
  assert.deepEqual(impact, { kind: 'gap', reason: 'authentication was not tested for no key (rate-limited (429): the service answered before judging the request)' });
  assert.match(summarize(r), /^no key: not tested, rate-limited \(429\)/);
  // A real finding beside it wins: the breach is reported, not the gap.
  assert.deepEqual(securityImpact([...r, judgeRejection('wrong key', 200)]), { kind: 'security', class: 'breach' });
});

test('valid key: 2xx/listed accepted; 400/422 a contract gap (never a lockout); 401/403 rejected; 429/404 inconclusive', () => {
  assert.equal(judgeValidKey(200, ['2xx']).kind, 'accepted');
  assert.equal(judgeValidKey(201, ['201']).kind, 'accepted');
  assert.deepEqual(judgeValidKey(400, ['2xx']), { kind: 'contract', status: 400 });
  assert.deepEqual(judgeValidKey(422, ['2xx']), { kind: 'contract', status: 422 });
  assert.deepEqual(judgeValidKey(204, ['200']), { kind: 'contract', status: 204 });
  assert.deepEqual(judgeValidKey(401, ['2xx']), { kind: 'rejected', status: 401 });
  assert.equal(judgeValidKey(429, ['2xx']).kind, 'inconclusive');
  assert.equal(judgeValidKey(404, ['2xx']).kind, 'inconclusive');
  assert.equal(judgeValidKey(302, ['2xx']).kind, 'redirect');
  // A key in another place (or a derived key) passed authentication when only the shape was refused
  // while the same request without a key got 401.
  assert.equal(keyAccepted(200, ['2xx'], 401), 'yes');
  assert.equal(keyAccepted(400, ['2xx'], 401), 'yes');
  assert.equal(keyAccepted(400, ['2xx'], 400), 'unknown');
  assert.equal(keyAccepted(429, ['2xx'], 401), 'unknown');
  assert.equal(keyAccepted(401, ['2xx'], 401), 'no');
  assert.equal(keyAccepted(200, ['2xx'], 200), 'unknown', 'served without a key: the key\'s place says nothing');
  // A timeout is not a refusal: the valid key that never got an answer was not judged (never a pass).
  assert.equal(keyAccepted(null, ['2xx'], 401), 'unknown');
  assert.equal(keyAccepted(null, ['2xx'], null), 'unknown');
});

test('a case that got no answer is inconclusive, never a pass; an answered one is judged', () => {
  const r = unanswered('Bearer', { status: null, error: 'Timeout 10000ms exceeded' });
  assert.ok(r?.inconclusive?.includes('no answer (Timeout 10000ms exceeded)'));
  assert.equal(unanswered('Bearer', { status: 401 }), undefined);
  const impact = securityImpact([{ case: 'X-API-Key', status: 401 }, r!], 'where the key counts');
  assert.equal(impact?.kind, 'gap', 'one unanswered case makes the check a gap, not a pass');
});

test('failed attempts: limited per client passes; limited only per key and not limited are hardening, or issues when required', () => {
  const o = { max: 3, windowS: 60, required: false, nowMs: 0 };
  const rot = (s: (number | null)[], retryAfter?: string) => ({ statuses: s, retryAfter, seconds: 1 });
  const perClient = judgeFailedAttempts(rot([401, 401, 401, 429], '30'), undefined, o);
  assert.equal(perClient.outcome, 'per-client');
  assert.equal(perClient.result.class, undefined);
  assert.equal(judgeFailedAttempts(rot([401, 429]), undefined, o).result.problem, '429 without Retry-After');
  assert.match(judgeFailedAttempts(rot([401, 429], '3600'), undefined, o).result.problem!, /not within the 60 s window/);
  // The rotating series straddled a window boundary; the new key refused before its own max+1: per client.
  const straddled = judgeFailedAttempts(rot([401, 401, 401, 401]), rot([401, 429], '2'), o);
  assert.deepEqual([straddled.outcome, straddled.result.class], ['per-client', undefined]);
  const perKey = judgeFailedAttempts(rot([401, 401, 401, 401]), rot([401, 401, 401, 429]), o);
  assert.equal(perKey.outcome, 'per-key-only');
  assert.equal(perKey.result.class, 'hardening');
  assert.match(perKey.result.problem!, /limited only per key: 4 attempts with rotating wrong keys were never limited, the same wrong key repeated got 429 after 4/);
  assert.match(perKey.result.case, /4 attempts with a new random wrong key each in 1 s \(4x 401\), then 4 attempts with one wrong key repeated/);
  const none = judgeFailedAttempts(rot([401, 401, 401, 401]), rot([401, 401, 401, 401]), o);
  assert.deepEqual([none.outcome, none.result.class], ['not-limited', 'hardening']);
  assert.match(none.result.problem!, /no 429 after 8 failed attempts \(limit declared 3 per 60 s\)/);
  assert.equal(judgeFailedAttempts(rot([401, 401, 401, 401]), rot([401, 401, 401, 401]), { ...o, required: true }).result.class, 'issue');
  assert.equal(judgeFailedAttempts(rot([401, 200]), undefined, o).result.class, 'breach');
  assert.equal(judgeFailedAttempts(rot([404, 404, 404, 404]), undefined, o).outcome, 'inconclusive');
  // A target so slow that max+1 attempts never land inside one window cannot show its limit: inconclusive, never "no limit".
  const slow = (s: (number | null)[]) => ({ statuses: s, seconds: 150 });
  const tooSlow = judgeFailedAttempts(slow([401, 401, 401, 401]), slow([401, 401, 401, null]), o);
  assert.equal(tooSlow.outcome, 'inconclusive');
  assert.equal(tooSlow.result.class, undefined);
  assert.match(tooSlow.result.inconclusive!, /took 150 s, longer than the 60 s window: at most 1 landed in one window, fewer than the 4/);
  // Slow but still max+1 inside one window: judged as usual.
  assert.equal(judgeFailedAttempts({ statuses: Array(8).fill(401), seconds: 100 }, { statuses: Array(8).fill(401), seconds: 100 }, o).outcome, 'not-limited');
});

test('derived keys: other case, truncated, extended, whitespace-wrapped, one character changed; never the key itself', () => {
  const key = 'clk_Abc123xyZ';
  const d = deriveKeys(key);
  const by = Object.fromEntries(d.map((x) => [x.name, x.key]));
  assert.equal(by['its letters in the other case'], 'CLK_aBC123XYz');
  assert.equal(by['without its last character'], 'clk_Abc123xy');
  assert.equal(by['without its first character'], 'lk_Abc123xyZ');
  assert.equal(by['wrapped in no-break spaces'], '\u00a0clk_Abc123xyZ\u00a0');
  assert.equal(by['with its last character changed'], 'clk_Abc123xyA');
  assert.equal(by['with its first character changed'], 'dlk_Abc123xyZ');
  assert.ok(d.every((x) => x.key !== key && !x.name.includes(key)));
  assert.equal(new Set(d.map((x) => x.key)).size, d.length);
  assert.ok(d.length >= 10);
});

test('disclosure: stack traces and internal paths of common stacks in error bodies; clean errors pass', () => {
  const hits: [string, string[]][] = [
    ['{"stack":"Error: boom\\n    at handler (/srv/app/src/server.js:42:13)"}', ['stack trace', 'internal path']],
    ['TypeError: x\n    at Object.<anonymous> (/usr/src/app/index.js:1:1)', ['stack trace', 'internal path']],
    ['Traceback (most recent call last):\n  File "/app/main.py", line 3, in <module>', ['stack trace', 'internal path']],
    ['java.lang.NullPointerException\n\tat com.credlink.api.Sign.handle(Sign.java:42)', ['stack trace']],
    ['goroutine 1 [running]:\nmain.main()', ['stack trace']],
    ['cannot open C:\\inetpub\\credlink\\web.config', ['internal path']],
    ['{"error":"internal","file":"/home/deploy/credlink/node_modules/express/lib/router.js"}', ['internal path']],
  ];
  for (const [text, kinds] of hits) assert.deepEqual(findDisclosures(text).map((d) => d.kind), kinds, text);
  for (const clean of ['{"error":"not_found"}', '{"error":"unauthorized","message":"a valid X-API-Key header is required"}', 'see https://docs.example/app/errors.html']) {
    assert.deepEqual(findDisclosures(clean), [], clean);
  }
  assert.deepEqual(disclosuresOf(200, 'at x (/srv/a.js:1:1)', {}), [], 'only error answers count');
});

test('the worst class wins', () => {
  const r = [judgeRejection('a', 500), judgeRejection('b', 200), judgeRejection('c', 404)];
  assert.equal(worst(r), 'breach');
  assert.deepEqual(securityImpact(r), { kind: 'security', class: 'breach' });
  assert.equal(securityImpact([judgeRejection('a', 401)]), undefined);
});

const hardened = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'strict-transport-security': 'max-age=31536000',
};

test('hardening headers: a hardened response passes on https', () => {
  assert.deepEqual(judgeHardening('GET /health', hardened, true), []);
  assert.deepEqual(judgeHardening('GET /health', { ...hardened, 'x-frame-options': '', 'content-security-policy': "frame-ancestors 'none'" }, true), []);
});

test('hardening headers: HSTS counts on https only, as an issue; banners and the rest are hardening', () => {
  const noHsts = { ...hardened, 'strict-transport-security': 'max-age=0' };
  assert.deepEqual(judgeHardening('x', noHsts, false), []);
  assert.deepEqual(judgeHardening('x', noHsts, true).map((r) => r.class), ['issue']);
  const banner = judgeHardening('x', { ...hardened, 'x-powered-by': 'Express', server: 'nginx/1.25.3' }, true);
  assert.deepEqual(banner.map((r) => r.class), ['hardening', 'hardening']);
  assert.deepEqual(judgeHardening('x', { server: 'nginx' }, false).map((r) => r.problem?.slice(0, 22)), ['X-Content-Type-Options', 'no frame protection (X']);
});

test('failed attempts: a repeated key refused at a declared per-key path limit (lower than the failed-attempt max) is limited per key only', () => {
  const rotating = { statuses: Array<number>(21).fill(401), seconds: 1 };
  const repeated = { statuses: [...Array<number>(10).fill(401), 429], retryAfter: '8', seconds: 1 };
  const o = { max: 20, windowS: 4, required: false, nowMs: 0 };
  assert.equal(judgeFailedAttempts(rotating, repeated, o).outcome, 'per-client', 'without the declared path limit: sooner than 21, the count included the rotating keys');
  const v = judgeFailedAttempts(rotating, repeated, { ...o, perKeyMax: 10 });
  assert.equal(v.outcome, 'per-key-only');
  assert.match(v.result.problem!, /limited only per key/);
});

test('the valid key as baseline: refused (401/403) makes other keys\' refusals inconclusive; served, 429, 404, 5xx or no answer leave it to other checks', () => {
  for (const status of [401, 403]) {
    const r = refusedBaseline(status, ['2xx']);
    assert.ok(r?.inconclusive, String(status));
    assert.equal(r.class, undefined);
    assert.equal(securityImpact([{ case: 'Bearer', status: 401 }, r])?.kind, 'gap', 'all other keys refused behind a wall is a gap, never a pass');
  }
  for (const status of [200, 201, 400, 429, 404, 500, 503, null]) assert.equal(refusedBaseline(status, ['2xx']), undefined, String(status));
  // A key accepted somewhere it should not be is still the worse finding.
  assert.equal(securityImpact([{ case: 'Bearer', status: 200, problem: 'x', class: 'issue' }, refusedBaseline(401, ['2xx'])!])?.kind, 'security');
});
