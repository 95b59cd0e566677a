/**
 * Cadences beside the catalog (runbooks/cadence.ts) and the budget planned across the schedule
 * (src/monitor/cadence.ts): every check has one, only due checks run, the --grep selects exactly
 * them, results go stale, and a plan that cannot fit the declared limit is refused in one line.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEnv } from '../../config/index.ts';
import { catalog, type CheckId } from '../../runbooks/catalog.ts';
import { cadenceRules } from '../../runbooks/cadence.ts';
import { batchDue, cadencesFor, dueChecks, grepOf, isStale, planBudget, ruleOf, RUN_WINDOWS, runCapsOf } from '../../src/monitor/cadence.ts';
import { planSampler, type SamplerPlan } from '../../src/monitor/plan.ts';
import { parseSchedule } from '../../src/schedule/config.ts';

const cfg = (vars: Record<string, string> = {}) =>
  parseEnv({ CREDLINK_BASE_URL: 'https://staging.credlink.example', CREDLINK_API_KEYS: 'k-probe-123456', ...vars }, { env: 'staging', file: 'environments/staging.env', processEnv: {} });

test('every catalog check has exactly one cadence rule naming it first, and every rule names a check', () => {
  for (const id of Object.keys(catalog)) assert.ok(ruleOf(id), `${id} has no cadence in runbooks/cadence.ts`);
  for (const r of cadenceRules) {
    for (const p of r.checks) assert.ok(Object.keys(catalog).some((id) => ruleOf(id) === r && new RegExp(`^${p.replace(/\./g, '\\.').replace(/\*/g, '.*')}$`).test(id)), `${p} names no check it governs`);
  }
});

test('cadences: window checks are the sampler\'s; systems not configured do not apply; schedule.json overrides', () => {
  const c = cfg();
  const withSampler = cadencesFor(c, { sampler: true });
  const byId = new Map(withSampler.map((x) => [x.checkId, x]));
  assert.equal(byId.get('health.root')!.window, true);
  assert.equal(byId.get('perf.error-rate')!.window, true);
  assert.equal(byId.has('k8s.pods-ready'), false, 'no KUBE_NAMESPACE: no Kubernetes check');
  assert.equal(byId.has('db.connect'), false, 'no DATABASE_URL');
  assert.equal(byId.has('manual.env-vars'), false);
  assert.equal(byId.get('security.auth-rate-limit')!.everySeconds, 3600);
  assert.equal(byId.get('security.cors-no-any-origin')!.everySeconds, 1800);
  const without = new Map(cadencesFor(c, { sampler: false }).map((x) => [x.checkId, x]));
  assert.deepEqual([without.get('health.root')!.window, without.get('health.root')!.everySeconds], [false, 60]);
  assert.equal(byId.get('health.document')!.everySeconds, 300);
  const over = new Map(cadencesFor(c, { sampler: true, overrides: { 'security.cors-*': 900 } }).map((x) => [x.checkId, x]));
  assert.equal(over.get('security.cors-allowed-origins')!.everySeconds, 900);
  assert.equal(over.get('security.cors-allowed-origins')!.validSeconds, 1860);
  assert.match(over.get('security.cors-allowed-origins')!.from, /schedule\.json cadence "security\.cors-\*"/);
});

test('due: never attempted or a cadence ago; never a window check', () => {
  const cad = cadencesFor(cfg(), { sampler: true });
  const now = 1_800_000_000_000;
  const first = dueChecks(cad, new Map(), now);
  assert.ok(!first.includes('health.root' as CheckId) && first.includes('health.document' as CheckId) && first.includes('security.auth-rate-limit' as CheckId));
  const last = new Map(first.map((id) => [id, now] as [string, number]));
  assert.deepEqual(dueChecks(cad, last, now + 299_000), []);
  assert.ok(!dueChecks(cad, last, now + 300_000).includes('security.headers' as CheckId));
  assert.ok(dueChecks(cad, last, now + 300_000).includes('health.document' as CheckId));
  assert.ok(dueChecks(cad, last, now + 1_800_000).includes('security.headers' as CheckId));
  assert.ok(!dueChecks(cad, last, now + 300_000).includes('security.auth-rate-limit' as CheckId));
});

test('grep: selects exactly the due checks by their tag, not checks whose id they prefix', () => {
  const g = new RegExp(grepOf(['health.root', 'security.headers']));
  const line = (id: string) => `${catalog[id as CheckId].title} @${id} @SEV-1 @section:x`;
  assert.ok(g.test(line('health.root')));
  assert.ok(g.test(line('security.headers')));
  assert.ok(!g.test(line('health.status')));
  assert.ok(!g.test(`${catalog['health.root'].title} @health.rootx @SEV-1`));
});

test('stale: past 2 x the cadence + 60 s a result is stale; no result is stale', () => {
  assert.equal(isStale({ validSeconds: 180 }, 0, 180_000), false);
  assert.equal(isStale({ validSeconds: 180 }, 0, 180_001), true);
  assert.equal(isStale({ validSeconds: 180 }, null, 0), true);
});

test('budget at 100/min with defaults: sampler and checks fit; scheduled runs get what the sampler leaves', () => {
  const c = cfg();
  const sampler = planSampler(c) as SamplerPlan;
  const b = planBudget(c, cadencesFor(c, { sampler: true }), sampler, null);
  assert.equal(b.problem, undefined);
  assert.match(b.lines[0]!, /^staging: budget: [\d.]+ requests\/min planned against 80\/min \(80% of CREDLINK_RATE_LIMIT=100\/min\)/);
  assert.ok(b.lines.some((l) => /^staging: {3}sampler 36\/min \+ re-asks up to 8\/min \(44% of the limit\)$/.test(l)));
  assert.ok(b.lines.some((l) => /^staging: {3}security\.auth-rate-limit every 3600 s: 21 request\(s\) = 0\.4\/min/.test(l)));
  assert.ok(b.lines.some((l) => /failed authentication attempts apart: [\d.]+\/min against/.test(l)));
  // 80 - 44 = 36 a minute for the runs: they plan 80% of 45.
  assert.deepEqual(b.runLimit, { limit: 45, windowS: 60 });
});

test('batches: cadences that fall together share one run of up to RUN_WINDOWS windows of the limits; more is split into runs a window apart', () => {
  const c = cfg({ CREDLINK_RATE_LIMIT: '100/min', CREDLINK_AUTH_FAIL_LIMIT: '20' });
  const sampler = planSampler(c) as SamplerPlan;
  const cad = cadencesFor(c, { sampler: true });
  const budget = planBudget(c, cad, sampler, null);
  const caps = runCapsOf(c, budget.runLimit);
  assert.deepEqual([caps.requests, caps.failedAttempts, caps.windowS, caps.windows], [Math.floor(budget.runLimit!.limit * 0.8), 16, c.security.authFailLimit.windowS, RUN_WINDOWS]);
  const by = new Map(cad.map((x) => [x.checkId, x]));
  const sum = (ids: readonly CheckId[], k: 'requests' | 'failedAttempts') => ids.reduce((s, id) => s + by.get(id)![k], 0);
  // At the start every check is due at once: at 100/min beside the sampler the whole catalog is one run
  // (one Playwright start, about 4 CPU-s, instead of three), its checks waiting for room in it.
  const all = dueChecks(cad, new Map(), 0);
  assert.ok(sum(all, 'requests') > caps.requests!, 'the catalog sends more than one window takes: the run spans windows');
  assert.deepEqual(batchDue(cad, all, caps).deferred, [], 'the whole catalog fits one run at 100/min');
  // Each cadence's checks, and the 5- and 30-minute ones together (every 30 minutes), are one run.
  const of = (every: number) => cad.filter((x) => !x.window && x.everySeconds === every).map((x) => x.checkId);
  for (const set of [of(300), of(1800), [...of(300), ...of(1800)]]) assert.deepEqual(batchDue(cad, set, caps).deferred, [], `${set.length} checks do not fit one run at 100/min`);
  const unlimited = runCapsOf(cfg(), undefined);
  assert.deepEqual(batchDue(cad, of(300), unlimited).deferred.filter((id) => by.get(id)!.failedAttempts === 0), [], 'no declared limit: only failed attempts bound a run');

  // A lower limit: what does not fit RUN_WINDOWS windows goes in later runs; nothing is lost, what pages goes first.
  const tight = { ...caps, requests: 12, failedAttempts: 6 };
  let due = all;
  const runs: string[][] = [];
  while (due.length) {
    const { run, deferred } = batchDue(cad, due, tight);
    runs.push(run);
    assert.ok(run.length > 0, 'every run takes at least one check');
    if (run.length > 1) {
      assert.ok(sum(run, 'requests') <= tight.requests * tight.windows, `a run of ${run.join(', ')} sends ${sum(run, 'requests')} > ${tight.requests * tight.windows}`);
      assert.ok(sum(run, 'failedAttempts') <= tight.failedAttempts * tight.windows, `a run of ${run.join(', ')} fails ${sum(run, 'failedAttempts')} > ${tight.failedAttempts * tight.windows}`);
    }
    assert.deepEqual([...run, ...deferred].sort(), [...due].sort(), 'nothing is lost');
    due = deferred;
  }
  assert.ok(runs.length >= 2, 'the catalog at 12 requests a window does not fit one run');
  assert.ok(runs[0]!.includes('health.document'), 'what pages (the shortest cadence) goes first');
  assert.deepEqual(runs.find((r) => r.includes('security.auth-rate-limit')), ['security.auth-rate-limit'], 'a check bigger than a whole run runs alone');
});

test('budget: a schedule that cannot fit is refused in one line naming the check and the limit', () => {
  const c = cfg({ CREDLINK_RATE_LIMIT: '40/min' });
  const sampler = planSampler(c) as SamplerPlan;
  const b = planBudget(c, cadencesFor(c, { sampler: true, overrides: { 'security.malformed-keys-rejected': 10 } }), sampler, null);
  assert.match(b.problem ?? '', /^staging: the schedule needs [\d.]+ requests\/min \(sampler [\d.]+, checks [\d.]+\) but 80% of CREDLINK_RATE_LIMIT=40\/min is 32\/min: security\.malformed-keys-rejected alone takes 36\/min; raise its cadence in schedule\.json "cadence", or declare the real limit$/);
});

test('schedule.json: cadence overrides and window settings; neither cron nor interval = due checks only; cadence false needs one', () => {
  const s = parseSchedule({ environments: [{ env: 'prod', window: { seconds: 600 }, cadence: { 'security.cors-*': 900 } }] }, 'schedule.json');
  assert.deepEqual(s.environments[0]!.window, { enabled: true, seconds: 600 });
  assert.deepEqual(s.environments[0]!.cadence, { 'security.cors-*': 900 });
  assert.throws(() => parseSchedule({ environments: [{ env: 'prod', cadence: false }] }, 'schedule.json'), /environments\.0: give one of "cron" or "intervalSeconds" \(the full suite's schedule\) when "cadence" is false/);
  assert.throws(() => parseSchedule({ environments: [{ env: 'prod', cadence: { 'Bad Id': 60 } }] }, 'schedule.json'), /environments\.0\.cadence\.Bad Id: is not a check id or pattern/);
});
