/**
 * What a one-shot run says before its checks start (src/budget/run-plan.ts), the one line a
 * wait for a limit window prints (src/budget/wait-line.ts), the ledger that runs against one
 * target share (src/budget/ledger.ts), and the order that lets the slow checks overlap the others.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseEnv } from '../../config/index.ts';
import { RequestLedger, WAIT_NOTICE_MS, type WaitNotice } from '../../src/budget/ledger.ts';
import { authFailScope, clientScope, type Scope } from '../../src/budget/plan.ts';
import { BASE_RUN_S, demandOf, planRun, type ScopeState } from '../../src/budget/run-plan.ts';
import { waitLine } from '../../src/budget/wait-line.ts';
import { probeSettings } from '../../src/perf/probe-run.ts';
import { PROJECT_ROOT } from '../../src/run/paths.ts';
import { deriveKeys } from '../../src/security/derived-keys.ts';
import { tempDir } from '../helpers/harness.ts';

const KEY = 'clk_live_0123456789abcdef';
const ctx = { env: 'staging', file: 'environments/staging.env', processEnv: {} };
/** A remote environment file with only URL, key and origins, plus `vars`. */
const remote = (vars: Record<string, string> = {}) =>
  parseEnv({ CREDLINK_TARGET: 'remote', CREDLINK_BASE_URL: 'https://api.example.net', CREDLINK_API_KEYS: KEY, CREDLINK_ALLOWED_ORIGINS: 'https://app.example.net', ...vars }, ctx);
/** The default probe: 13 requests for each of three endpoints under 100/min. */
const PROBE = { samples: 13, endpoints: 3 };
const derived = deriveKeys(KEY).length;
/** The probe as the run plans it: reduced to what the limits and the run's other checks leave. */
const probeOf = (c: ReturnType<typeof remote>) => {
  const p = probeSettings(c);
  return { samples: p.samples, endpoints: p.paths.length };
};

test('demand: the API-key checks\' failed attempts, counted from the configuration, shared requests once', () => {
  const d = demandOf(remote(), () => true, PROBE);
  // no key + wrong key (shared with key-not-echoed) + 4 malformed + key-strict (8 other places + no scheme;
  // its keyless baseline is the no-key request) + the malformed-JSON error-disclosure request.
  assert.equal(d.failedFirst, 1 + 1 + 4 + 9 + 1);
  assert.equal(d.failedDerived, derived);
  assert.equal(d.burst, 2 * 21);
  assert.equal(d.probe, 39);
  // Only what a --grep selects counts.
  const health = demandOf(remote(), (id) => id.startsWith('health.'));
  assert.deepEqual([health.failedFirst, health.failedDerived, health.burst], [0, 0, 0]);
  const derivedOnly = demandOf(remote(), (id) => id === 'security.derived-keys-rejected');
  assert.equal(derivedOnly.failedDerived, derived + 1, 'without key-strict, derived keys send their own keyless baseline');
  assert.equal(demandOf(remote({ CREDLINK_AUTH_RATE_LIMIT_CHECK: 'false' })).burst, 0);
  assert.equal(demandOf(remote({ CREDLINK_API_KEY_IN: 'header:X-API-Key, bearer' })).failedFirst, 16 - 1, 'a declared place is not tried as a wrong one');
});

const rows: { name: string; vars: Record<string, string>; windows: number; about: number; line: RegExp; noLine?: RegExp }[] = [
  {
    name: 'defaults (a remote environment with only URL, key and origins)',
    vars: {},
    windows: 1,
    about: 60 + BASE_RUN_S,
    line: new RegExp(`^this run takes about ${60 + BASE_RUN_S} s: the API-key checks send ${16 + derived} failed attempts and 16 fit in one 60 s window: the ${derived} keys derived from the valid key and then the failed-attempt check wait for the next window; everything else is done in about ${BASE_RUN_S} s`),
  },
  {
    name: 'the real limits declared, higher than the defaults',
    vars: { CREDLINK_RATE_LIMIT: '600/min', CREDLINK_AUTH_FAIL_LIMIT: '60' },
    windows: 0,
    about: BASE_RUN_S,
    line: /^this run takes about 8 s: every check fits the declared limits without waiting for a window$/,
  },
  {
    name: 'the failed-attempt check off (production): derived keys still wait, alone',
    vars: { CREDLINK_AUTH_RATE_LIMIT_CHECK: 'false' },
    windows: 1,
    about: 60 + BASE_RUN_S,
    line: /keys derived from the valid key wait for the next window/,
    noLine: /failed-attempt check/,
  },
  {
    name: 'a short failed-attempt window',
    vars: { CREDLINK_AUTH_FAIL_WINDOW_S: '10' },
    windows: 1,
    about: 10 + BASE_RUN_S,
    line: /fit in one 10 s window/,
  },
  {
    name: 'no per-client limit, the failed-attempt limit of the reference target',
    vars: { CREDLINK_RATE_LIMIT: 'none', CREDLINK_AUTH_FAIL_LIMIT: '60' },
    windows: 0,
    about: BASE_RUN_S,
    line: /without waiting for a window/,
  },
];

test('probe: under a declared limit it takes what the run\'s other checks leave of the first window, so they never wait for the next one', () => {
  for (const vars of [{}, { CREDLINK_RATE_LIMIT: '200/min' }, { CREDLINK_AUTH_FAIL_LIMIT: '60' }] as Record<string, string>[]) {
    const c = remote(vars);
    const d = demandOf(c, () => true, probeOf(c));
    const room = Math.floor(c.rateLimits.client!.limit * 0.8);
    assert.ok(d.probe > 0 && d.probe + d.otherFirst <= room, `${JSON.stringify(vars)}: probe ${d.probe} + other ${d.otherFirst} > ${room}`);
    assert.doesNotMatch(planRun(c, d).lines[1]!, /the checks before the API-key checks send/);
  }
  // A limit the other checks alone exceed: no probe (the perf checks say why), and the plan says what waits.
  const tight = remote({ CREDLINK_RATE_LIMIT: '60/min' });
  const td = demandOf(tight, () => true, probeOf(tight));
  assert.equal(td.probe, 0);
  assert.match(planRun(tight, td).lines[1]!, /the checks before the API-key checks send about \d+ requests and 48 fit in one 60 s window: the last of them wait for the next window/);
  // Without a declared limit the probe is as configured.
  const free = remote({ CREDLINK_RATE_LIMIT: 'none' });
  assert.equal(probeOf(free).samples, 100);
  // The other checks' requests are those declared beside the catalog (runbooks/cadence.ts): a --grep counts only its own.
  assert.equal(demandOf(remote(), (id) => id === 'security.headers').otherFirst, 1);
  assert.equal(demandOf(remote(), (id) => id === 'security.cors-no-any-origin').otherFirst, 12);
});

for (const r of rows) {
  test(`plan: ${r.name}`, () => {
    const c = remote(r.vars);
    const p = planRun(c, demandOf(c, () => true, probeOf(c)));
    assert.equal(p.windows, r.windows);
    assert.equal(p.aboutS, r.about);
    assert.equal(p.startWaitMs, 0);
    assert.match(p.lines[0]!, /^budget: /);
    assert.match(p.lines[1]!, r.line);
    if (r.noLine) assert.doesNotMatch(p.lines[1]!, r.noLine);
  });
}

test('plan: the budget line names every declared limit and the share the run uses', () => {
  const c = remote({ CREDLINK_RATE_LIMIT_PATHS: '/sign=10/min per key' });
  const [budget] = planRun(c, demandOf(c)).lines;
  assert.equal(budget, 'budget: CREDLINK_RATE_LIMIT=100/min (80 in any 60 s), failed attempts CREDLINK_AUTH_FAIL_LIMIT=20 per 60 s (16 in any 60 s), /sign=10/min per key: this run uses at most 80% of each, but for the failed-attempt check, which goes past the failed-attempt limit on purpose, last');
  const off = remote({ CREDLINK_AUTH_RATE_LIMIT_CHECK: 'false' });
  assert.match(planRun(off, demandOf(off)).lines[0]!, /: this run uses at most 80% of each$/);
});

test('plan: after an earlier run against the target, it waits once up front, says so, and counts the wait', () => {
  const c = remote();
  const used: Record<string, number> = { 'auth-fail': 42_000, client: 0 };
  const state: ScopeState = { waitForRoom: (scope: Scope) => used[scope.id] ?? 0 };
  const p = planRun(c, demandOf(c, () => true, PROBE), state);
  assert.equal(p.startWaitMs, 42_000);
  assert.equal(p.aboutS, 42 + 60 + BASE_RUN_S);
  assert.equal(p.startWaitLine, 'waiting 42 s before the checks start, for room under CREDLINK_AUTH_FAIL_LIMIT=20 per 60 s: this run needs 16 at once and earlier runs against this target used it in the last 60 s (or it asked to wait)');
  // A lockout longer than a window is not sat out up front: the checks meet it and say so.
  const locked = planRun(c, demandOf(c, () => true, PROBE), { waitForRoom: (scope: Scope) => (scope.id === 'auth-fail' ? 300_000 : 0) });
  assert.equal(locked.startWaitMs, 0);
  assert.match(locked.lines.join('\n'), /no wait before the checks: CREDLINK_AUTH_FAIL_LIMIT=20 per 60 s has no room for 300 s \(the target asked an earlier run to wait that long\)/);
  const free = planRun(c, demandOf(c, () => true, PROBE), { waitForRoom: () => 0 });
  assert.deepEqual([free.startWaitMs, free.startWaitLine], [0, undefined]);
});

test('wait line: what waits, for which limit, how long and why (table)', () => {
  const c = remote();
  const fail = authFailScope(c);
  const client = clientScope(c)!;
  const cases: [WaitNotice, { checkId?: string; call: string }, string][] = [
    [
      { scope: fail, waitMs: 59_600, held: false },
      { checkId: 'security.derived-keys-rejected', call: 'POST /api/v1/sign' },
      'waiting 60 s for room under the failed-attempt limit CREDLINK_AUTH_FAIL_LIMIT=20 per 60 s: its 80% share, 16 in any 60 s, is used up; security.derived-keys-rejected sends POST /api/v1/sign next',
    ],
    [
      { scope: client, waitMs: 12_300, held: false },
      { checkId: 'security.cors-preflight', call: 'OPTIONS /api/v1/sign' },
      'waiting 12 s for room under the per-client limit CREDLINK_RATE_LIMIT=100/min: its 80% share, 80 in any 60 s, is used up; security.cors-preflight sends OPTIONS /api/v1/sign next',
    ],
    [
      { scope: { id: 'hold:/sign', limit: Number.MAX_SAFE_INTEGER, windowMs: 1, label: 'the limit POST /sign answered 429 for' }, waitMs: 30_000, held: true, heldBy: 'rate-limited' },
      { call: 'POST /sign' },
      'waiting 30 s: the target answered 429 (Retry-After), for POST /sign; POST /sign is next',
    ],
    [
      { scope: { id: 'hold:/sign', limit: Number.MAX_SAFE_INTEGER, windowMs: 1, label: 'the limit POST /sign answered 429 for' }, waitMs: 30_000, held: true, heldBy: 'nothing-remaining' },
      { call: 'POST /sign' },
      'waiting 30 s: an answer it served said nothing remains of its limit (RateLimit-Remaining: 0, no 429 received), for POST /sign; POST /sign is next',
    ],
  ];
  for (const [w, what, want] of cases) assert.equal(waitLine(w, what), want);
});

test('ledger: room for n at once, requests recorded by the probe, one notice per wait longer than 5 s', async () => {
  let t = 1_000_000_000;
  const notices: WaitNotice[] = [];
  const ledger = new RequestLedger(tempDir('credlink-ledger-'), () => t, async (ms) => void (t += ms), { onWait: (w) => notices.push(w) });
  const scope: Scope = { id: 'client', limit: 10, windowMs: 60_000, label: 'CREDLINK_RATE_LIMIT=12/min' };
  ledger.record(scope, 6, t + 1000);
  assert.equal(ledger.used(scope, t + 1000), 6);
  assert.equal(ledger.waitForRoom(scope, 4, t + 1000).wait, 0);
  assert.equal(ledger.waitForRoom(scope, 5, t + 1000).wait, 60_001, 'five more only once the recorded six leave the window');
  for (let i = 0; i < 4; i++) await ledger.take([scope], Number.POSITIVE_INFINITY);
  assert.equal(notices.length, 0);
  const before = t;
  await ledger.take([scope], Number.POSITIVE_INFINITY);
  assert.ok(t - before > WAIT_NOTICE_MS);
  assert.equal(notices.length, 1, 'one notice for the whole wait, not one per sleep');
  assert.equal(notices[0]!.scope.id, 'client');
  // A short wait says nothing.
  const short: Scope = { id: 'short', limit: 1, windowMs: 3000, label: 'short' };
  await ledger.take([short], Number.POSITIVE_INFINITY);
  await ledger.take([short], Number.POSITIVE_INFINITY);
  assert.equal(notices.length, 1);
});

test('ledger: two runs against one target share its counts and holds; each keeps its own traffic; old windows are removed', async () => {
  let t = 2_000_000_000;
  const shared = tempDir('credlink-budget-');
  const run1 = new RequestLedger(tempDir('credlink-run-'), () => t, async (ms) => void (t += ms), { scopeDir: shared });
  const run2 = new RequestLedger(tempDir('credlink-run-'), () => t, async (ms) => void (t += ms), { scopeDir: shared });
  const fail: Scope = { id: 'auth-fail', limit: 16, windowMs: 60_000, label: 'CREDLINK_AUTH_FAIL_LIMIT=20 per 60 s' };
  for (let i = 0; i < 16; i++) await run1.take([fail], Number.POSITIVE_INFINITY);
  run1.hold([fail], t + 30_000);
  assert.equal(run2.waitForRoom(fail, 1).wait, 60_001, 'the second run sees the first run\'s failed attempts');
  t += 61_000;
  assert.equal(run2.waitForRoom(fail, 16).wait, 0);
  await run2.take([fail], Number.POSITIVE_INFINITY);
  assert.deepEqual([RequestLedger.summary(run1.dir)!.sent, RequestLedger.summary(run2.dir)!.sent], [16, 1]);
  // Two windows later the first run's bucket is gone.
  t += 130_000;
  run2.waitFor(fail);
  const files = fs.readdirSync(shared);
  assert.ok(files.length <= 2, `old buckets removed: ${files.join(', ')}`);
});

test('order: the slow API-key checks are in the run\'s last file, so the others finish before they wait', () => {
  // Playwright runs files in this order with one worker (names compared per folder, localeCompare).
  const walk = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.spec.ts') ? [path.join(dir, e.name)] : []));
  const all = walk(path.join(PROJECT_ROOT, 'checks'));
  // Only the telemetry check follows them: it compares every 5xx the run received with Prometheus.
  assert.equal(path.relative(PROJECT_ROOT, all.at(-1)!), path.join('checks', 'telemetry', 'metrics-see-run.spec.ts'));
  const files = all.slice(0, -1);
  const last = files.at(-1)!;
  assert.equal(path.basename(last), 'wrong-key-guessing.spec.ts');
  const text = fs.readFileSync(last, 'utf8');
  assert.match(text, /runbook\('security\.derived-keys-rejected'\)/);
  assert.match(text, /runbook\('security\.auth-rate-limit'\)/);
  for (const f of files.slice(0, -1)) assert.doesNotMatch(fs.readFileSync(f, 'utf8'), /runbook\('security\.(derived-keys-rejected|auth-rate-limit)'\)/, f);
});
