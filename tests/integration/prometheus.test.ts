/**
 * The Prometheus key-metric checks against a real Prometheus (Debian package) scraping the
 * reference target, which labels the status `status_code` as the real service does.
 * healthy -> every check passes; the runbook's `status` label or a missing metric -> SEV-3
 * "no data" monitoring gap; faults injected -> the threshold findings. Each run states its
 * incidents. An unreachable Prometheus (no binary needed) is one monitoring-gap incident.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { sections } from '../../runbooks/sections.ts';
import { openModel } from '../../src/probes/open-model.ts';
import { finding, startHarness, type Harness } from '../helpers/harness.ts';
import { assertIncidents } from '../helpers/incidents.ts';
import { assertInstalled, PROMETHEUS, requiring } from '../helpers/programs.ts';
import { startPrometheus, type TestPrometheus } from '../helpers/prometheus.ts';

const available = fs.existsSync(PROMETHEUS.path);
/** Locally a skip naming the package; under CI the tests run and fail when prometheus is missing. */
const needsPrometheus = requiring(PROMETHEUS);
const REQUESTS = 'sum(http_requests_total{route!="/metrics"})';
const GREP = '@prom\\.';

let h: Harness;
let prom: TestPrometheus;
let sent = 0;

/** The target's own names for what the real service gets from cAdvisor and postgres_exporter. */
const vars = () => ({
  PROMETHEUS_URL: prom.url,
  CREDLINK_PROM_WINDOW: '1m',
  CREDLINK_PROM_STATUS_LABEL: 'status_code',
  CREDLINK_PROM_SELECTOR: 'route!="/metrics"',
  CREDLINK_PROM_MEMORY_QUERY: 'max(process_resident_memory_bytes) / max(credlink_memory_limit_bytes)',
  CREDLINK_PROM_CPU_QUERY: 'sum(rate(process_cpu_seconds_total[1m])) / sum(credlink_cpu_limit_cores)',
  // the default (postgres_exporter's names) works as is against the reference target
});

/**
 * Live traffic while `fn` runs, as a monitored service has: 100 requests up front (waiting
 * until Prometheus has scraped them), then 20/s until `fn` is done.
 */
async function withTraffic<T>(fn: () => Promise<T>): Promise<T> {
  const url = `${h.target.url}/api/v1/status`;
  // Count what the target answered (and so counted), not what was scheduled.
  const answered = (r: Awaited<ReturnType<typeof openModel>>) => r.samples.filter((x) => x.status !== null).length;
  sent += answered(await openModel({ url, rate: 50, count: 100, timeoutMs: 10_000, maxInFlight: 128 }));
  await prom.waitFor(REQUESTS, sent);
  const stop = new AbortController();
  const background = openModel({ url, rate: 20, count: 100_000, timeoutMs: 10_000, maxInFlight: 128, signal: stop.signal });
  try {
    return await fn();
  } finally {
    stop.abort();
    sent += answered(await background);
  }
}

before(async () => {
  if (!available) return;
  h = await startHarness({ statusLabel: 'status_code' });
  prom = await startPrometheus(h.target.url);
});
after(async () => {
  await prom?.stop();
  await h?.stop();
});

test('healthy target: every Prometheus key metric passes (status_code configured)', needsPrometheus, async () => {
  assertInstalled(PROMETHEUS);
  const { report } = await withTraffic(() => h.run({}, GREP, vars()));
  assert.equal(report.verdict.status, 'healthy', JSON.stringify(report.findings, null, 2));
  for (const id of ['prom.error-rate', 'prom.latency', 'prom.memory', 'prom.cpu', 'prom.db-connections']) {
    assert.ok(report.passed.some((p) => p.checkId === id), `${id} passed`);
  }
  assertIncidents(report, []);
});

test('Prometheus unreachable: the five key-metric checks are ONE monitoring-gap incident (SEV-3), not five', async () => {
  const own = await startHarness();
  try {
    const { report } = await own.run({}, GREP, { PROMETHEUS_URL: 'http://127.0.0.1:9' });
    assert.equal(report.findings.length, 5, JSON.stringify(report.findings.map((f) => f.checkId)));
    assertIncidents(report, [['monitoring-gap:prometheus', 'SEV-3', 'key-metrics']]);
    assert.ok(report.findings.every((f) => f.responses.some((r) => r.call === 'prometheus GET /api/v1/query' && r.class === 'no-answer')));
    assert.ok(report.incidents[0]!.immediateActions[0]!.command.includes('/-/ready'));
  } finally {
    await own.stop();
  }
});

test("the runbook's status label against status_code, and a missing memory metric -> SEV-3 no-data gaps", needsPrometheus, async () => {
  assertInstalled(PROMETHEUS);
  const v = { ...vars(), CREDLINK_PROM_STATUS_LABEL: 'status', CREDLINK_PROM_MEMORY_QUERY: 'sum(container_memory_usage_bytes) / sum(container_spec_memory_limit_bytes)' };
  const { report } = await withTraffic(() => h.run({}, GREP, v));
  for (const id of ['prom.error-rate', 'prom.memory']) {
    const f = finding(report, id);
    assert.ok(f, `no finding for ${id}`);
    assert.equal(f.severity, 'SEV-3', f.severityRule);
    assert.match(f.severityRule, /monitoring gap/);
    assert.match(f.message, /no data: no series/);
  }
  assert.equal(finding(report, 'prom.error-rate')!.section.title, sections['high-error-rate'].title);
  assert.equal(finding(report, 'prom.memory')!.section.title, sections['high-memory'].title);
  assert.ok(report.passed.some((p) => p.checkId === 'prom.latency'), 'the other metrics still pass');
  // Prometheus answered: "no data" for one metric is that check's own gap, not the API's.
  assertIncidents(report, [['check:prom.error-rate', 'SEV-3', 'high-error-rate'], ['check:prom.memory', 'SEV-3', 'high-memory']]);
});

test('faults injected: 5xx ratio -> SEV-1 "High Error Rate", histogram p95 -> SEV-1 "Slow Response Times", memory over a scaled threshold -> SEV-2', needsPrometheus, async () => {
  assertInstalled(PROMETHEUS);
  const faults = { 'high-error-rate': 50, 'slow-responses': 800 };
  await h.target.setFaults(faults);
  const { report } = await withTraffic(() => h.run(faults, GREP, { ...vars(), CREDLINK_MEMORY_WARN_PCT: '0.1', CREDLINK_MEMORY_CRIT_PCT: '90' }));
  const err = finding(report, 'prom.error-rate');
  assert.ok(err, JSON.stringify(report.findings.map((f) => f.message)));
  assert.equal(err.section.title, sections['high-error-rate'].title);
  assert.equal(err.severity, 'SEV-1', err.severityRule);
  const lat = finding(report, 'prom.latency');
  assert.ok(lat);
  assert.equal(lat.section.title, sections['slow-responses'].title);
  assert.equal(lat.severity, 'SEV-1', lat.severityRule);
  const mem = finding(report, 'prom.memory');
  assert.ok(mem);
  assert.equal(mem.severity, 'SEV-2', mem.severityRule);
  assert.ok(err.evidence.some((e) => (e.body ?? '').includes('status_code=~')), 'evidence names the query with the configured label');
  assert.ok(report.incidents.some((i) => i.key === 'symptom:error-rate' && i.severity === 'SEV-1'), JSON.stringify(report.incidents.map((i) => i.key)));
  assert.ok(report.incidents.some((i) => i.key === 'symptom:slow-responses' && i.severity === 'SEV-1'), JSON.stringify(report.incidents.map((i) => i.key)));
  assert.ok(report.incidents.some((i) => i.key === 'memory' && i.severity === 'SEV-2'), JSON.stringify(report.incidents.map((i) => i.key)));
});

test('connection-pool-exhaustion -> prom.db-connections SEV-1 "Database Connection Issues" (postgres_exporter names)', needsPrometheus, async () => {
  assertInstalled(PROMETHEUS);
  const faults = { 'connection-pool-exhaustion': true } as const;
  await h.target.setFaults(faults);
  // Wait until Prometheus has scraped the held connections.
  await prom.waitFor('sum(pg_stat_database_numbackends) / max(pg_settings_max_connections)', 0.9);
  const { report } = await withTraffic(() => h.run(faults, '@prom\\.db-connections', vars()));
  const f = finding(report, 'prom.db-connections');
  assert.ok(f, JSON.stringify(report.findings.map((x) => x.message)));
  assert.equal(f.section.title, sections['database-connection'].title);
  assert.equal(f.severity, 'SEV-1', f.severityRule);
  assertIncidents(report, [['database-saturated', 'SEV-1', 'database-connection']]);
});

const COMPARE = '@security\\.cors-disallowed-not-5xx|@prom\\.counts-run-errors';

test('the run received 5xx and Prometheus counts them: prom.counts-run-errors passes (the CORS 500s are the CORS finding alone)', needsPrometheus, async () => {
  assertInstalled(PROMETHEUS);
  const faults = { 'cors-error-500': true } as const;
  await h.target.setFaults(faults);
  const { report } = await withTraffic(() => h.run(faults, COMPARE, { ...vars(), CREDLINK_PROM_SCRAPE_WAIT_S: '20' }));
  assert.ok(report.passed.some((p) => p.checkId === 'prom.counts-run-errors'), JSON.stringify(report.findings.map((f) => `${f.checkId}: ${f.actual}`)));
  assert.deepEqual(report.findings.map((f) => f.checkId), ['security.cors-disallowed-not-5xx']);
});

test('the run received 5xx the service\'s metrics never count: prom.counts-run-errors says so (SEV-3, Monitoring)', needsPrometheus, async () => {
  assertInstalled(PROMETHEUS);
  const faults = { 'cors-error-500': true, 'errors-unmetered': true } as const;
  await h.target.setFaults(faults);
  const { report } = await withTraffic(() => h.run(faults, COMPARE, { ...vars(), CREDLINK_PROM_SCRAPE_WAIT_S: '8' }));
  const f = finding(report, 'prom.counts-run-errors');
  assert.ok(f, JSON.stringify(report.findings.map((x) => x.checkId)));
  assert.equal(f.severity, 'SEV-3', f.severityRule);
  assert.equal(f.section.title, sections['key-metrics'].title);
  assert.match(f.actual, /this run received \d+ 5xx \(.*\d+x GET \/health.*\); Prometheus counts 0 5xx of http_requests_total since then/);
  assert.match(f.severityRule, /metrics miss 5xx answers/);
  assertIncidents(report, [['check:security.cors-disallowed-not-5xx', 'SEV-2', 'cors'], ['check:prom.counts-run-errors', 'SEV-3', 'key-metrics']]);
});

test('a metric declared absent (none) skips, saying so, instead of a "no data" gap every run', needsPrometheus, async () => {
  assertInstalled(PROMETHEUS);
  const { report } = await h.run({}, '@prom\\.memory|@prom\\.cpu', { ...vars(), CREDLINK_PROM_MEMORY_QUERY: 'none', CREDLINK_PROM_CPU_QUERY: 'none' });
  assert.equal(report.findings.length, 0, JSON.stringify(report.findings));
  for (const id of ['prom.memory', 'prom.cpu']) assert.match(report.skipped.find((s) => s.checkId === id)?.reason ?? '', /declared absent for .* \(CREDLINK_PROM_(MEMORY|CPU)_QUERY=none\)/);
});
