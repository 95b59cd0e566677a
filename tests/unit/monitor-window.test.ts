/**
 * The continuous monitor's pure parts (src/monitor/): the rolling window, the judgement over it,
 * the sampler plan against declared rate limits, and the judgement as alert input (the same
 * incidents a run reports). Table-driven.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { parseEnv } from '../../config/index.ts';
import { judge, windowLabel, type JudgeInput } from '../../src/monitor/judge.ts';
import { describeSamplerPlan, planSampler, type SamplerPlan } from '../../src/monitor/plan.ts';
import { windowReport } from '../../src/monitor/report.ts';
import { Sampler } from '../../src/monitor/sampler.ts';
import { addSample, factsOf, prune, type EndpointWindow, type WindowSample } from '../../src/monitor/window.ts';

const NOW = 1_800_000_000_000;
const cfg = (vars: Record<string, string> = {}) =>
  parseEnv({ CREDLINK_BASE_URL: 'https://staging.credlink.example', CREDLINK_API_KEYS: 'k-probe-123456', ...vars }, { env: 'staging', file: 'environments/staging.env', processEnv: {} });

const ok = (t: number, ms = 20): WindowSample => ({ t, ms, status: 200 });
const bad = (t: number, status: number | null = 503, confirmed = false): WindowSample => ({ t, ms: 5, status, confirmed, ...(status === null ? { error: 'connect ECONNREFUSED 127.0.0.1:9' } : {}) });
/** n samples, one every `every` ms, the newest at NOW. */
const series = (n: number, f: (i: number, t: number) => WindowSample, every = 2000) => Array.from({ length: n }, (_, i) => f(i, NOW - (n - 1 - i) * every));
const win = (name: string, checkId: string | null, samples: WindowSample[]) => ({ name, location: 'default', checkId, samples });
const limits = { responseTimeMs: { warning: 2000, critical: 5000 }, errorRate: { warning: 0.01, critical: 0.05 } };
const input = (windows: JudgeInput['windows'], decideEarly = true): JudgeInput => ({ windows, now: NOW, windowMs: 300_000, freshMs: 10_000, limits, decideEarly });

test('window: prune drops samples older than the window and beyond the bound, oldest first', () => {
  const w: EndpointWindow = { name: 'GET /health', location: 'default', samples: series(10, (_, t) => ok(t), 60_000) };
  assert.equal(prune(w, NOW, 300_000), 5, 'samples at exactly 5 min or older go');
  assert.equal(w.samples.length, 5);
  assert.equal(prune(w, NOW, 300_000, 3), 2);
  assert.deepEqual(w.samples.map((s) => s.t), [NOW - 120_000, NOW - 60_000, NOW]);
});

test('window: a late answer is inserted in time order; facts give size, span and age', () => {
  const w: EndpointWindow = { name: 'GET /health', location: 'eu', samples: [ok(NOW - 4000), ok(NOW)] };
  addSample(w, ok(NOW - 2000));
  assert.deepEqual(w.samples.map((s) => s.t), [NOW - 4000, NOW - 2000, NOW]);
  assert.deepEqual(factsOf(w, NOW + 1000), { name: 'GET /health', location: 'eu', samples: 3, outage: 0, spanSeconds: 5, ageSeconds: 1 });
  assert.deepEqual(factsOf({ ...w, samples: [] }, NOW), { name: 'GET /health', location: 'eu', samples: 0, outage: 0, spanSeconds: null, ageSeconds: null });
});

const judgeTable: [name: string, windows: JudgeInput['windows'], expect: { latency: string; errorRate: string; outage: boolean }, decideEarly?: boolean][] = [
  ['healthy full window', [win('GET /health', 'health.root', series(100, (_, t) => ok(t)))], { latency: 'ok', errorRate: 'ok', outage: false }],
  ['healthy but 40 samples: inconclusive, never a pass', [win('GET /health', 'health.root', series(40, (_, t) => ok(t)))], { latency: 'insufficient', errorRate: 'insufficient', outage: false }],
  ['empty: no data', [win('GET /health', 'health.root', [])], { latency: 'no-data', errorRate: 'no-data', outage: false }],
  ['7% errors on one endpoint of 100: critical (SEV-1)', [win('GET /health', 'health.root', series(100, (i, t) => (i % 14 === 13 ? bad(t, 500) : ok(t))))], { latency: 'ok', errorRate: 'critical', outage: false }],
  ['8% tail at 2.5 s: p95 warning (SEV-2)', [win('GET /health', 'health.root', series(100, (i, t) => ok(t, i % 12 === 0 ? 2500 : 20)))], { latency: 'warning', errorRate: 'ok', outage: false }],
  ['10 of 30 answers at 6 s: proven before 59 samples', [win('GET /health', 'health.root', series(30, (i, t) => ok(t, i % 3 === 0 ? 6000 : 20)))], { latency: 'critical', errorRate: 'insufficient', outage: false }],
  ['the same when the full window holds fewer than 59: not decided', [win('GET /health', 'health.root', series(30, (i, t) => ok(t, i % 3 === 0 ? 6000 : 20)))], { latency: 'insufficient', errorRate: 'insufficient', outage: false }, false],
  ['4 errors in 20 requests: over 5% of 59 whatever comes', [win('GET /health', 'health.root', series(20, (i, t) => (i < 4 ? bad(t, 500) : ok(t))))], { latency: 'insufficient', errorRate: 'critical', outage: false }],
  [
    'every health endpoint confirmed down: outage; its samples left out of the error rate',
    [
      win('GET /health', 'health.root', series(100, (i, t) => (i >= 90 ? { ...bad(t, 503, true), outage: true } : ok(t)))),
      win('GET /api/v1/status', 'health.status', series(100, (i, t) => (i >= 90 ? { ...bad(t, null, true), outage: true } : ok(t)))),
    ],
    { latency: 'ok', errorRate: 'ok', outage: true },
  ],
  [
    'one lost request (failed, not confirmed): no outage',
    [win('GET /health', 'health.root', series(100, (i, t) => (i === 99 ? bad(t, null, false) : ok(t))))],
    { latency: 'ok', errorRate: 'ok', outage: false },
  ],
  [
    // Seen in the bench: outages in quick succession spend the re-ask budget; when the outage was
    // paged but not judged one, its failures counted as an error rate once it was over (SEV-1).
    'every health endpoint failed its newest request, one confirmed (no re-ask left for the other): outage, its samples are its own',
    [
      win('GET /health', 'health.root', series(100, (i, t) => (i === 99 ? bad(t, 503, true) : ok(t)))),
      win('GET /api/v1/status', 'health.status', series(100, (i, t) => (i === 99 ? bad(t, 503, false) : ok(t)))),
    ],
    { latency: 'ok', errorRate: 'ok', outage: true },
  ],
  [
    'one health endpoint down of two: not an outage',
    [win('GET /health', 'health.root', series(100, (i, t) => (i === 99 ? bad(t, 503, true) : ok(t)))), win('GET /api/v1/status', 'health.status', series(100, (_, t) => ok(t)))],
    { latency: 'ok', errorRate: 'ok', outage: false },
  ],
  [
    'a stale newest sample says nothing about now',
    [win('GET /health', 'health.root', series(100, (_, t) => bad(t - 60_000, 503, true)))],
    { latency: 'ok', errorRate: 'critical', outage: false },
  ],
];
for (const [name, windows, expect, early] of judgeTable) {
  test(`judge: ${name}`, () => {
    const j = judge(input(windows, early ?? true));
    assert.deepEqual({ latency: j.latency.status, errorRate: j.errorRate.status, outage: j.outage }, expect);
  });
}

test('judge: the window names its evidence', () => {
  assert.equal(windowLabel(300_000, 312), 'window: last 5 min, n=312');
  assert.equal(windowLabel(90_000, 4), 'window: last 90 s, n=4');
});

test('plan: no declared limit -> a round every 2 s over the three health paths', () => {
  const p = planSampler(cfg({ CREDLINK_RATE_LIMIT: 'none' })) as SamplerPlan;
  assert.deepEqual(p.endpoints.map((e) => e.name), ['GET /health', 'GET /api/v1/status', 'GET /api/v1/health']);
  assert.equal(p.intervalMs, 2000);
  assert.equal(p.perWindow, 150);
  assert.equal(p.share, null);
});

test('plan: at 100/min the rounds go as fast as 60 samples per endpoint in 5 min need: 36 requests a minute', () => {
  const p = planSampler(cfg()) as SamplerPlan;
  assert.equal(p.intervalMs, 5000);
  assert.equal(p.perMinute, 36);
  assert.equal(p.reaskPerMinute, 8);
  assert.equal(p.perWindow, 60);
  assert.equal(p.share, 0.44);
  assert.match(describeSamplerPlan('staging', p), /^staging: sampler: a round every 5 s over GET \/health, GET \/api\/v1\/status, GET \/api\/v1\/health; 36\/min \(\+ up to 8\/min re-asks\) = 44% of CREDLINK_RATE_LIMIT=100\/min; window 300 s holds 60\+ samples per endpoint$/);
});

test('plan: a tight limit slows the rounds to the sampler\'s share and says what a full window cannot decide', () => {
  const p = planSampler(cfg({ CREDLINK_RATE_LIMIT: '30/min' })) as SamplerPlan;
  // 60% of 24 a minute = 14: a round of 3 every 12.9 s, 23 samples per endpoint in 5 min.
  assert.equal(p.intervalMs, 12858);
  assert.equal(p.perWindow, 23);
  assert.match(p.note ?? '', /fewer than 59 samples in a full window/);
});

test('plan: the side-effect-free valid-key call is sampled when declared, paced by its own path limit', () => {
  const p = planSampler(cfg({ CREDLINK_VALID_KEY_PROBE_METHOD: 'GET', CREDLINK_VALID_KEY_PROBE_PATH: '/api/v1/keys/self', CREDLINK_RATE_LIMIT_PATHS: '/api/v1/keys/self=10/min per key' })) as SamplerPlan;
  const v = p.endpoints.find((e) => e.checkId === null)!;
  assert.equal(v.name, 'GET /api/v1/keys/self');
  assert.equal(v.request.headers!['x-api-key'], 'k-probe-123456');
  // 60% of 8 a minute: one every 12.5 s, every 3rd round of 5 s.
  assert.equal(p.intervalMs, 5000);
  assert.equal(v.every, 3);
  assert.match(p.note ?? '', /GET \/api\/v1\/keys\/self: fewer than 59 samples/);
});

test('plan: the protected call is not sampled unless declared side-effect free', () => {
  const p = planSampler(cfg()) as SamplerPlan;
  assert.equal(p.endpoints.some((e) => e.checkId === null), false);
});

test('plan: a pace the limit cannot carry is refused in one line naming the limit', () => {
  const r = planSampler(cfg({ CREDLINK_RATE_LIMIT: '10/min' }), { intervalSeconds: 1 });
  assert.ok('problem' in r);
  assert.match(r.problem, /^staging: sampleIntervalSeconds 1 sends 180 requests a minute; CREDLINK_RATE_LIMIT=10\/min leaves the sampler 4 a minute/);
  const none = planSampler(cfg({ CREDLINK_HEALTH_PATH: 'none', CREDLINK_STATUS_PATH: 'none', CREDLINK_API_HEALTH_PATH: 'none' }));
  assert.ok('problem' in none && /nothing to sample/.test(none.problem));
});

test('report: every health endpoint confirmed down is the outage incident (SEV-0), as a run reports it', () => {
  const c = cfg();
  const j = judge(
    input([
      win('GET /health', 'health.root', series(100, (i, t) => (i >= 95 ? { ...bad(t, 503, true), outage: true } : ok(t)))),
      win('GET /api/v1/status', 'health.status', series(100, (i, t) => (i >= 95 ? { ...bad(t, 503, true), outage: true } : ok(t)))),
      win('GET /api/v1/health', 'health.api-health', series(100, (i, t) => (i >= 95 ? { ...bad(t, null, true), outage: true } : ok(t)))),
    ]),
  );
  const r = windowReport(j, c, 'eu');
  assert.equal(r.kind, 'observation');
  assert.equal(r.location, 'eu');
  assert.deepEqual(r.incidents.map((i) => [i.id, i.severity]), [['staging/outage', 'SEV-0']]);
  assert.match(r.findings.find((f) => f.checkId === 'health.root')!.message, /\[STATUS\] \(503\) == 200 on GET \/health \(staging\); confirmed/);
});

test('report: healthy window passes the health checks and both perf checks; a filling window is inconclusive, never passed', () => {
  const c = cfg();
  const full = windowReport(judge(input([win('GET /health', 'health.root', series(100, (_, t) => ok(t)))])), c, 'default');
  assert.deepEqual(full.passed.map((p) => p.checkId).sort(), ['health.root', 'perf.error-rate', 'perf.latency']);
  assert.equal(full.verdict.status, 'healthy');
  const filling = windowReport(judge(input([win('GET /health', 'health.root', series(12, (_, t) => ok(t)))])), c, 'default');
  assert.deepEqual(filling.passed.map((p) => p.checkId), ['health.root']);
  assert.deepEqual(filling.skipped.map((s) => s.reason), [
    'inconclusive, n=12 (window: last 5 min, n=12): insufficient data: 12 answered requests, a p95 needs at least 59',
    'inconclusive, n=12 (window: last 5 min, n=12): insufficient data: 12 requests (429 left out), a p95 needs at least 59',
  ]);
});

test('report: 7% errors -> SEV-1 high error rate; an 8% tail at 2.5 s -> SEV-2 slow responses', () => {
  const c = cfg();
  const errors = windowReport(judge(input([win('GET /api/v1/status', 'health.status', series(100, (i, t) => (i % 14 === 13 ? bad(t, 500) : ok(t))))])), c, 'default');
  assert.deepEqual(errors.incidents.map((i) => [i.key, i.severity, i.section.anchor]), [['symptom:error-rate', 'SEV-1', errors.incidents[0]!.section.anchor]]);
  assert.match(errors.findings[0]!.actual, /^GET \/api\/v1\/status 7% \(7\/100\) > 5% \(window: last 5 min, n=100\)$/);
  const tail = windowReport(judge(input([win('GET /health', 'health.root', series(100, (i, t) => ok(t, i % 12 === 0 ? 2500 : 20)))])), c, 'default');
  assert.deepEqual(tail.incidents.map((i) => [i.key, i.severity]), [['symptom:slow-responses', 'SEV-2']]);
});

test('reuse: a fresh window of the same environment and base URL is the perf checks\' samples; stale or another target is not', async () => {
  const { WindowStore } = await import('../../src/monitor/store.ts');
  const { sharedWindow } = await import('../../src/monitor/reuse.ts');
  const { sampleEndpoints } = await import('../../src/perf/probe-run.ts');
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'credlink-window-'));
  try {
    const c = { ...cfg(), monitorWindow: { stateDir } };
    const now = Date.now();
    const samples = Array.from({ length: 70 }, (_, i) => ({ t: now - i * 1000, ms: 12, status: i === 3 ? 500 : 200 })).reverse();
    const outage = [{ t: now - 100_000, ms: 3, status: 503, confirmed: true, outage: true }];
    new WindowStore(stateDir, 'staging').save({ baseUrl: c.baseUrl, windowMs: 300_000, intervalMs: 1000, savedAt: now - 4000, windows: [{ name: 'GET /health', location: 'default', checkId: 'health.root', samples: [...outage, ...samples] }] });
    const w = sharedWindow(c, now);
    assert.ok(!('none' in w));
    assert.equal(w.label, "window: last 5 min, n=71 (the monitor's samples, saved 4 s ago)");
    assert.equal(w.endpoints[0]!.samples.length, 71, 'outage samples kept: a run correlates them with the outage');
    const run = await sampleEndpoints(c);
    assert.match(run.window ?? '', /^window: last 5 min, n=71/);
    assert.equal(run.endpoints[0]!.samples.filter((s) => s.status === 500).length, 1);
    assert.match((sharedWindow(c, now + 60_000) as { none: string }).none, /saved 64 s ago \(stale after 30 s: is the daemon running\?\)/);
    assert.match((sharedWindow({ ...c, baseUrl: 'https://other.example' }, now) as { none: string }).none, /samples https:\/\/staging\.credlink\.example, not https:\/\/other\.example/);
    assert.match((sharedWindow({ ...c, env: 'prod' }, now) as { none: string }).none, /no monitor window in/);
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});

/** An alert monitor over a temporary state folder, with one open incident put in by hand (as a run would have opened it). */
async function withOpenIncident(vars: Record<string, string>, i: { key: string; severity: string; rootCheckId: string; checks: string[] }, f: (o: { m: import('../../src/alerting/monitor.ts').AlertMonitor; c: ReturnType<typeof cfg>; id: string; healthy: ReturnType<typeof windowReport> }) => void): Promise<void> {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { AlertMonitor } = await import('../../src/alerting/monitor.ts');
  const { AlertStore } = await import('../../src/alerting/store.ts');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'credlink-alerts-'));
  try {
    const c = cfg(vars);
    const m = new AlertMonitor({ store: new AlertStore(dir), configFor: () => c });
    const healthy = windowReport(judge(input([win('GET /health', 'health.root', series(100, (_, t) => ok(t)))])), c, 'default');
    m.observe('staging', { ...healthy, incidents: [], findings: [] });
    const id = `staging/${i.key}`;
    (m.incidents() as Record<string, unknown>)[id] = { ...Object.values(m.incidents())[0], ...i, id, open: true, failures: 1, successes: 0, openedAt: new Date().toISOString(), channels: [], dedupKey: `credlink-checks/${id}`, env: 'staging', title: 't', section: { title: 's', anchor: 'a' }, lastSeenAt: null, lastSeverity: i.severity, reportRunId: null };
    f({ m, c, id, healthy });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('alert state: a window evaluation resolves only incidents whose root check it judged, not one whose consequence it happened to run', async () => {
  // A run's incident rooted in db.connect that also explains health.root's 503.
  await withOpenIncident({ CREDLINK_ALERT_TRIGGER_AFTER: '1', CREDLINK_ALERT_RESOLVE_AFTER: '1' }, { key: 'database-unreachable', severity: 'SEV-1', rootCheckId: 'db.connect', checks: ['db.connect', 'health.root'] }, ({ m, id, healthy }) => {
    m.observe('staging', healthy, { partial: true });
    assert.equal(m.incidents()[id]?.open, true, 'health.root passing in the window says nothing about the database');
    m.observe('staging', healthy);
    assert.equal(m.incidents()[id], undefined, 'a whole run that ran a member check counts (as before)');
  });
});

test('alert state: an outage a due-check run opened (rooted in one of its own checks, no answer) is resolved by the window once the health endpoints answer', async () => {
  // As seen in the bench: the target refused connections for 0.7 s, between two rounds of the sampler,
  // while a due-check run of the 30-minute checks sent its requests (rule target-unreachable).
  await withOpenIncident({ CREDLINK_ALERT_TRIGGER_AFTER: '1', CREDLINK_ALERT_RESOLVE_AFTER: '2' }, { key: 'outage', severity: 'SEV-0', rootCheckId: 'security.malformed-keys-rejected', checks: ['security.malformed-keys-rejected', 'security.cors-no-any-origin'] }, ({ m, id, healthy }) => {
    m.observe('staging', healthy, { partial: true });
    assert.equal(m.incidents()[id]?.open, true, 'one pass is not yet a resolve (CREDLINK_ALERT_RESOLVE_AFTER=2)');
    const { transitions } = m.observe('staging', healthy, { partial: true });
    assert.deepEqual(transitions.map((t) => [t.incidentId, t.action.kind]), [[id, 'resolve']]);
  });
});

test('reuse: a running monitor\'s still-valid pass of an hourly check is reused by run (skipped, saying whose result and until when); a failure or an old pass is not', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { WindowStore } = await import('../../src/monitor/store.ts');
  const { reusableResults } = await import('../../src/monitor/reuse.ts');
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'credlink-reuse-'));
  try {
    const c = { ...cfg(), monitorWindow: { stateDir } };
    const now = Date.parse('2026-12-04T17:00:00Z');
    new WindowStore(stateDir, 'staging').save({ baseUrl: c.baseUrl, windowMs: 300_000, intervalMs: 5000, savedAt: now - 2000, windows: [] });
    const at = (minAgo: number) => new Date(now - minAgo * 60_000).toISOString();
    const checks = {
      'staging/security.auth-rate-limit': { env: 'staging', checkId: 'security.auth-rate-limit', failures: 0, lastRunAt: at(10), lastSeverity: null, lastDurationMs: 1 },
      'staging/security.derived-keys-rejected': { env: 'staging', checkId: 'security.derived-keys-rejected', failures: 1, lastRunAt: at(10), lastSeverity: 'SEV-0', lastDurationMs: 1 },
      'staging/security.headers': { env: 'staging', checkId: 'security.headers', failures: 0, lastRunAt: at(1), lastSeverity: null, lastDurationMs: 1 },
    };
    fs.writeFileSync(path.join(stateDir, 'alerts.json'), JSON.stringify({ version: 2, incidents: {}, checks, outbox: [], delivered: [] }));
    assert.deepEqual(reusableResults(c, now), [
      { checkId: 'security.auth-rate-limit', reason: "reused: the monitor's run of 2026-12-04 16:50 UTC passed it; valid until 18:51 UTC (every 1 h, runbooks/cadence.ts); --state-dir none runs it" },
    ]);
    assert.deepEqual(reusableResults(c, now + 3 * 3600_000), [], 'past its validity (and the window is stale): nothing reused');
    assert.deepEqual(reusableResults({ ...c, monitorWindow: undefined }, now), []);
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});

test('report: every health endpoint failing its last request, not yet confirmed: no verdict on the health checks nor the error rate (the outage may be starting)', () => {
  const c = cfg();
  const j = judge(
    input([
      win('GET /health', 'health.root', series(100, (i, t) => (i === 99 ? bad(t, 503, false) : ok(t)))),
      win('GET /api/v1/status', 'health.status', series(100, (i, t) => (i === 99 ? bad(t, 503, false) : ok(t)))),
    ]),
  );
  assert.deepEqual([j.outage, j.suspect], [false, true]);
  const r = windowReport(j, c, 'default');
  assert.deepEqual(r.passed, []);
  assert.deepEqual(r.findings, []);
  assert.match(r.skipped[0]!.reason, /every health endpoint failed its last request; an outage is being confirmed$/);
});

test('sampler: an outage confirmed on one endpoint only (no re-ask left for the others) is judged an outage, and its failures stay out of the error rate once it is over', async () => {
  // Seen in the bench: outages in quick succession spend the re-ask budget; the outage was paged
  // (the confirmed endpoints fail in the report) but the sampler did not hold the failures as the
  // outage's, and once it was over they counted as an error rate (a SEV-1 page of its own).
  let status = 200;
  const server = http.createServer((_req, res) => void res.writeHead(status, { 'content-type': 'application/json' }).end('{"status":"ok"}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const c = cfg({ CREDLINK_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    const plan = planSampler(c) as SamplerPlan;
    assert.equal(plan.endpoints.filter((e) => e.checkId !== null).length, 3);
    const sampler = new Sampler({ config: c, plan: { ...plan, reaskPerMinute: 1 }, location: 'default' });
    assert.equal((await sampler.round()).outage, false);
    status = 503;
    const down = await sampler.round();
    assert.deepEqual(down.endpoints.filter((e) => e.checkId !== null).map((e) => e.down).sort(), [false, false, true], 'one re-ask: one endpoint confirmed');
    assert.deepEqual([down.outage, down.suspect], [true, false]);
    status = 200;
    const up = await sampler.round();
    assert.equal(up.outage, false);
    assert.deepEqual(up.endpoints.map((e) => [e.errors, e.outage]), up.endpoints.map((e) => [0, e.checkId === null ? e.outage : 1]));
  } finally {
    server.close();
  }
});
