/**
 * The request budget: rate-limit headers, the traffic plan, the ledger shared by workers, and the
 * budgeted request context against a real loopback server that answers 429.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { parseEnv } from '../../config/index.ts';
import { budgetedApi } from '../../src/budget/budgeted-api.ts';
import { RateBudgetError, RequestLedger } from '../../src/budget/ledger.ts';
import { authCheckTimeoutMs, clientScope, failedAttemptBlocker, planProbe, scopesFor, type Scope } from '../../src/budget/plan.ts';
import { holdSeconds, rateSignal } from '../../src/budget/rate-headers.ts';
import { trafficOf } from '../../src/budget/traffic.ts';
import { HttpClient } from '../../src/http/client.ts';
import { errorRateVerdict, latencyVerdict, statsOf } from '../../src/perf/probe-verdict.ts';
import { send } from '../../src/probes/http.ts';
import { tempDir } from '../helpers/harness.ts';

const dirs: string[] = [];
const dir = () => {
  const d = tempDir('credlink-budget-');
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const ctx = { env: 'staging', file: 'environments/staging.env', processEnv: {} };
const remote = (vars: Record<string, string> = {}) => parseEnv({ CREDLINK_BASE_URL: 'https://x.example', CREDLINK_API_KEYS: 'k-123456789', CREDLINK_PROTECTED_PATH: '/sign', ...vars }, ctx);

/** The most requests of `times` (ms) inside any window of `windowMs`. */
function maxIn(times: number[], windowMs: number): number {
  const s = [...times].sort((a, b) => a - b);
  let worst = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while (s[i]! - s[j]! >= windowMs) j++;
    worst = Math.max(worst, i - j + 1);
  }
  return worst;
}

test('rate-limit headers: Retry-After, RateLimit-*, the combined RateLimit header, X-RateLimit-* with an epoch reset', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.deepEqual(rateSignal({ 'retry-after': '30' }, now), { retryAfterS: 30 });
  assert.deepEqual(rateSignal({ 'retry-after': 'Thu, 01 Jan 2026 00:00:45 GMT' }, now), { retryAfterS: 45 });
  assert.deepEqual(rateSignal({ 'ratelimit-limit': '100', 'ratelimit-remaining': '0', 'ratelimit-reset': '12' }, now), { limit: 100, remaining: 0, resetS: 12 });
  assert.deepEqual(rateSignal({ ratelimit: 'limit=10, remaining=3, reset=50' }, now), { limit: 10, remaining: 3, resetS: 50 });
  assert.deepEqual(rateSignal({ ratelimit: '"default";r=0;t=7' }, now), { remaining: 0, resetS: 7 });
  assert.deepEqual(rateSignal({ 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 20) }, now), { limit: 60, remaining: 0, resetS: 20 });
  assert.equal(holdSeconds(429, { retryAfterS: 9 }, 60), 9);
  assert.equal(holdSeconds(429, {}, 60), 60);
  assert.equal(holdSeconds(200, { remaining: 0, resetS: 4 }, 60), 4);
  assert.equal(holdSeconds(200, { remaining: 5, resetS: 4 }, 60), undefined);
});

test('plan: scopes per client, per path (per key when declared), failed attempts; at most 80% of each', () => {
  const c = remote({ CREDLINK_RATE_LIMIT_PATHS: '/sign=10/min per key' });
  const ids = (s: Scope[]) => s.map((x) => `${x.id} ${x.limit}/${x.windowMs / 1000}s`);
  // The whole 80% per client: the latency probe records its requests in the same scope (src/perf/probe-run.ts).
  assert.deepEqual(ids(scopesFor(c, { method: 'GET', path: '/health', keyId: 'none', failedAttempt: false })), ['client 80/60s']);
  assert.deepEqual(ids(scopesFor(c, { method: 'POST', path: '/sign', keyId: 'abc', failedAttempt: true })), ['client 80/60s', 'path:/sign|key:abc 8/60s', 'auth-fail 16/60s']);
  assert.deepEqual(ids(scopesFor(remote({ CREDLINK_RATE_LIMIT: 'none' }), { method: 'GET', path: '/health', keyId: 'none', failedAttempt: false })), []);
  assert.equal(authCheckTimeoutMs(c), 60_000 + 60_000 + 5000);
  assert.match(failedAttemptBlocker(remote({ CREDLINK_RATE_LIMIT_PATHS: '/sign=10/min' }), '/sign') ?? '', /21 failed attempts within 60 s would exceed \/sign's own limit/);
  assert.equal(failedAttemptBlocker(c, '/sign'), undefined, 'a per-key limit does not stop throwaway keys');
});

test('plan: the latency probe fits the declared limits and says why it sends fewer requests', () => {
  const c = remote();
  const p = planProbe(c, { samples: 100, rate: 20, maxInFlight: 64, paths: ['/health', '/status', '/api/health'] });
  // Half of 80 a minute over three endpoints: 13 each, sent as a burst at the configured rate (under a second, not 41 s).
  assert.equal(p.rate, 20);
  assert.equal(p.samples, 13);
  assert.match(p.limitedBy!, /planned 13 requests per endpoint at 20\/s \(configured 100 at 20\/s\).*CREDLINK_RATE_LIMIT=100\/min/);
  const free = planProbe(remote({ CREDLINK_RATE_LIMIT: 'none' }), { samples: 100, rate: 20, maxInFlight: 64, paths: ['/health'] });
  assert.deepEqual([free.rate, free.samples, free.limitedBy], [20, 100, undefined]);
  const generous = planProbe(remote({ CREDLINK_RATE_LIMIT: '6000/min', CREDLINK_CHECK_TIMEOUT_MS: '120000' }), { samples: 100, rate: 20, maxInFlight: 64, paths: ['/health'] });
  assert.deepEqual([generous.rate, generous.samples], [20, 100]);
  // Short windows: spreading reaches a p95 (59+ samples) where a burst cannot, so the probe is spread.
  const perSecond = planProbe(remote({ CREDLINK_RATE_LIMIT: '10/s' }), { samples: 100, rate: 20, maxInFlight: 64, paths: ['/health'] });
  assert.deepEqual([perSecond.rate, perSecond.samples], [4, 100]);
  const path = planProbe(remote({ CREDLINK_RATE_LIMIT: 'none', CREDLINK_RATE_LIMIT_PATHS: '/status=20/min' }), { samples: 100, rate: 20, maxInFlight: 64, paths: ['/health', '/status'] });
  assert.deepEqual([path.rate, path.samples], [20, 8], 'a path limit bounds the probe of every endpoint alike (8 = half of 80% of 20)');
});

test('plan: whatever the limits, no window of any declared limit gets more than the probe\'s share', () => {
  const limits = ['100/min', '60/min', '10/s', '1000/h', '5/s', '6000/min', '30/min'];
  const configs = [
    { samples: 100, rate: 20 },
    { samples: 300, rate: 50 },
    { samples: 20, rate: 2 },
  ];
  const endpoints = [['/health'], ['/health', '/status'], ['/health', '/status', '/api/health']];
  for (const limit of limits) {
    const c = remote({ CREDLINK_RATE_LIMIT: limit, CREDLINK_CHECK_TIMEOUT_MS: '60000' });
    const r = c.rateLimits.client!;
    const share = Math.floor(Math.floor(r.limit * 0.8) * 0.5);
    for (const conf of configs) {
      for (const paths of endpoints) {
        const p = planProbe(c, { ...conf, maxInFlight: 64, paths });
        const times = paths.flatMap(() => Array.from({ length: p.samples }, (_, i) => (i * 1000) / p.rate));
        assert.ok(maxIn(times, r.windowS * 1000) <= share, `${limit}, ${JSON.stringify(conf)}, ${paths.length} endpoint(s): ${maxIn(times, r.windowS * 1000)} > ${share} (${p.samples} at ${p.rate}/s)`);
        assert.ok(p.samples <= conf.samples);
        // Less than one request per endpoint in a window: no probe, and the checks can say why.
        if (p.samples === 0) assert.match(p.limitedBy ?? '', /planned 0 requests/);
      }
    }
  }
});

test('defaults are safe for a 100-requests-a-minute limit: a whole run, simulated, never exceeds 80 in any minute', async () => {
  const c = remote();
  let t = 1_000_000;
  const ledger = new RequestLedger(dir(), () => t, async (ms) => void (t += ms));
  const sent: number[] = [];
  const failed: number[] = [];
  const start = t;
  // The latency probe at its planned rate (3 endpoints), alongside everything else.
  const probe = planProbe(c, { samples: 100, rate: 20, maxInFlight: 64, paths: ['/health', '/a', '/b'] });
  for (let i = 0; i < probe.samples; i++) for (let e = 0; e < 3; e++) sent.push(start + (i * 1000) / probe.rate);
  // As the probe does: its requests recorded in the per-client scope, at the time the last goes out.
  ledger.record(clientScope(c)!, probe.samples * 3, start + (probe.samples * 1000) / probe.rate);
  // Every other request of a run, three times over: health, CORS, the API-key matrix (failed attempts), diagnostics.
  const kinds = [
    ...Array.from({ length: 30 }, () => ({ path: '/health', failedAttempt: false })),
    ...Array.from({ length: 60 }, (_, i) => ({ path: '/sign', failedAttempt: i % 3 !== 0 })),
  ];
  for (let round = 0; round < 3; round++) {
    for (const k of kinds) {
      await ledger.take(scopesFor(c, { method: 'POST', path: k.path, keyId: 'none', failedAttempt: k.failedAttempt }), Number.POSITIVE_INFINITY);
      sent.push(t);
      if (k.failedAttempt) failed.push(t);
      t += 20; // each request takes a little time
    }
  }
  assert.ok(maxIn(sent, 60_000) <= 80, `at most 80 requests in any 60 s (saw ${maxIn(sent, 60_000)})`);
  assert.ok(maxIn(failed, 60_000) <= 16, `failed attempts within 80% of 20 a minute (saw ${maxIn(failed, 60_000)})`);
  assert.ok(sent.length > 250, `the simulation sent a whole run (${sent.length})`);
});

test('ledger: shared through files by two workers; holds; past the deadline it throws instead of sending', async () => {
  const d = dir();
  const a = new RequestLedger(d);
  const b = new RequestLedger(d);
  const scope: Scope = { id: 'path:/sign', limit: 2, windowMs: 60_000, label: '/sign=2/min' };
  await a.take([scope], Date.now() + 1000);
  await b.take([scope], Date.now() + 1000);
  await assert.rejects(a.take([scope], Date.now() + 1000), (e: RateBudgetError) => e.budget && /\/sign=2\/min leaves no room for another request for 60 s/.test(e.message));
  const other: Scope = { id: 'client', limit: 100, windowMs: 60_000, label: 'client' };
  b.hold([other], Date.now() + 30_000);
  await assert.rejects(a.take([other], { planned: Date.now() + 120_000, hold: Date.now() + 1000 }), /answered 429 and asked to wait 30 s/);
  const short: Scope = { id: 'short', limit: 1, windowMs: 150, label: 'short' };
  await a.take([short], Date.now() + 5000);
  const waited = await b.take([short], Date.now() + 5000);
  assert.ok(waited > 0, 'the second worker waited for the window');
  a.rateLimited('POST /sign');
  assert.deepEqual(RequestLedger.summary(d), { sent: 4, rateLimited: { 'POST /sign': 1 }, waitedMs: waited });
});

test('budgeted api: a 429 is held for Retry-After and retried in time; one beyond the check\'s time is returned, counted and reported', async () => {
  let calls = 0;
  const server = http.createServer((req, res) => {
    calls += 1;
    if (req.url === '/once' && calls === 1) {
      res.writeHead(429, { 'retry-after': '1' });
      return res.end('{"error":"slow down"}');
    }
    if (req.url === '/long') {
      res.writeHead(429, { 'retry-after': '600' });
      return res.end();
    }
    res.writeHead(401).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ctxt = new HttpClient({ baseUrl: base, timeoutMs: 5000 });
  const d = dir();
  const seen: string[] = [];
  const config = { ...remote({ CREDLINK_RATE_LIMIT: 'none' }), baseUrl: base };
  const api = budgetedApi(ctxt, { ledger: new RequestLedger(d), config, deadline: () => Date.now() + 30_000, backoffDeadline: () => Date.now() + 10_000, onResponse: (r) => seen.push(`${r.call} ${r.status} ${r.class}`) });
  try {
    const first = await send(api, { path: '/once' });
    assert.equal(first.status, 401, 'retried after Retry-After: the real answer');
    const long = await send(api, { path: '/long' });
    assert.equal(long.status, 429, 'Retry-After beyond the check\'s time: the 429 is the answer');
    assert.deepEqual(seen, ['GET /once 429 rate-limited', 'GET /once 401 auth', 'GET /long 429 rate-limited']);
    // The next request to /long is not sent at all: the hold outlasts the check.
    await assert.rejects(send(api, { path: '/long' }), /asked to wait/);
    assert.equal(calls, 3);
    const traffic = trafficOf(config, path.dirname(d), 'no-probe.json');
    assert.ok(traffic.limits.includes('failed attempts 20 per 60 s'));
    assert.deepEqual(RequestLedger.summary(d)!.rateLimited, { 'GET /once': 1, 'GET /long': 1 });
  } finally {
    await ctxt.dispose();
    server.close();
  }
});

test('probe: 429s are neither latency nor errors, are counted, and make a passing result invalid', () => {
  const ok = Array.from({ length: 90 }, () => ({ ms: 10, status: 200 }));
  const limited = Array.from({ length: 10 }, () => ({ ms: 1, status: 429 }));
  const e = { name: 'GET /health', samples: [...ok, ...limited], dropped: 0, scheduled: 100 };
  const s = statsOf(e);
  assert.deepEqual([s.requests, s.errors, s.rateLimited, s.errorRate, s.latency?.count], [100, 0, 10, 0, 90]);
  const v = errorRateVerdict([e], { warning: 0.01, critical: 0.05 });
  assert.equal(v.status, 'invalid');
  assert.match('reason' in v ? v.reason : '', /10 probe requests were rate-limited \(429\)/);
  assert.equal(latencyVerdict([e], { warning: 2000, critical: 5000 }).status, 'invalid');
  const few = { ...e, samples: [...ok.slice(0, 40), ...limited] };
  const insufficient = errorRateVerdict([few], { warning: 0.01, critical: 0.05 });
  assert.match('reason' in insufficient ? insufficient.reason : '', /40 requests \(429 left out\).*\(10 more were rate-limited: 429\)/);
});

test('RateLimit-Remaining: 0 is not a 429: its hold says so; a caller reaching the limit on purpose is not held by it', async () => {
  let calls = 0;
  // As express-rate-limit does: every answer served carries what remains; the 4th in the window is refused.
  const server = http.createServer((_req, res) => {
    calls += 1;
    if (calls > 3) {
      res.writeHead(429, { 'retry-after': '600', 'ratelimit-limit': '3', 'ratelimit-remaining': '0', 'ratelimit-reset': '600' });
      return res.end();
    }
    res.writeHead(401, { 'ratelimit-limit': '3', 'ratelimit-remaining': String(3 - calls), 'ratelimit-reset': '600' }).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ctxt = new HttpClient({ baseUrl: base, timeoutMs: 5000 });
  const config = { ...remote({ CREDLINK_RATE_LIMIT: 'none' }), baseUrl: base };
  const opts = { config, deadline: () => Date.now() + 30_000, backoffDeadline: () => Date.now() + 10_000 };
  try {
    // A polite caller: after "0 remaining" it holds, and the message never claims a 429.
    const polite = budgetedApi(ctxt, { ...opts, ledger: new RequestLedger(dir()) });
    for (let i = 0; i < 3; i++) assert.equal((await send(polite, { path: '/sign' })).status, 401);
    await assert.rejects(send(polite, { path: '/sign' }), (e: RateBudgetError) => /RateLimit-Remaining: 0, no 429 received/.test(e.message) && !/answered 429/.test(e.message));
    assert.equal(calls, 3, 'the 4th request was not sent');
    // The failed-attempt check: "0 remaining" does not hold it; the 429 it then gets is the limit.
    calls = 0;
    const d = dir();
    const reaching = budgetedApi(ctxt, { ...opts, ledger: new RequestLedger(d) }).variant({ reachLimit: true, retryRateLimited: false });
    const statuses: (number | null)[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await send(reaching, { path: '/sign' })).status);
    assert.deepEqual(statuses, [401, 401, 401, 429]);
    // After the 429 the hold is real (Retry-After 600 s): a budget error reaches the caller as is.
    await assert.rejects(send(reaching, { path: '/sign' }), (e: RateBudgetError) => e instanceof RateBudgetError && /answered 429/.test(e.message));
  } finally {
    await ctxt.dispose();
    server.close();
  }
});

test('limits counted per header: requests without the header share one count per client; each header value has its own', () => {
  const c = remote({ CREDLINK_RATE_LIMIT: 'none', CREDLINK_RATE_LIMIT_PATHS: '/sign=10/min per header:X-API-Key', CREDLINK_AUTH_FAIL_LIMIT_PER: 'header:X-API-Key' });
  assert.deepEqual(c.rateLimits.paths[0], { path: '/sign', limit: 10, windowS: 60, perKey: false, perHeader: 'x-api-key' });
  assert.equal(c.security.authFailLimit.per, 'header');
  const ids = (headers: Record<string, string>) => scopesFor(c, { method: 'POST', path: '/sign', keyId: 'k', failedAttempt: true, headers }).map((s) => s.id);
  const keyless = ids({});
  assert.deepEqual(keyless, ['path:/sign|keyless', 'auth-fail|keyless']);
  assert.deepEqual(ids({ authorization: 'Bearer a' }), keyless, 'a Bearer request has no X-API-Key: the same shared count');
  const a = ids({ 'x-api-key': 'a' });
  const b = ids({ 'x-api-key': 'b' });
  assert.ok(a[0]!.startsWith('path:/sign|key:') && a[0] !== b[0], 'one count per X-API-Key value');
  assert.match(scopesFor(c, { method: 'POST', path: '/sign', keyId: 'k', failedAttempt: true, headers: {} })[0]!.label, /per header:x-api-key/);
  // Rotating wrong keys land in new counts: the failed-attempt check is not blocked by the path limit.
  assert.equal(failedAttemptBlocker(c, '/sign'), undefined);
  assert.throws(() => remote({ CREDLINK_AUTH_FAIL_LIMIT_PER: 'ip' }), /not a way to count: write client, key, or header:NAME/);
});
