/**
 * The health and database checks proven both ways against the real reference target:
 * healthy -> every check passes, no incident; each fault -> the expected check fails with the
 * expected runbook section and severity, and the run holds exactly the expected incidents.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sections, type SectionId } from '../../runbooks/sections.ts';
import type { ActiveFaults } from '../../src/target/faults.ts';
import { finding, startHarness, type Harness } from '../helpers/harness.ts';
import { databaseNamedIn } from '../../src/http/names-database.ts';
import { assertIncidents, incident, type ExpectedIncident } from '../helpers/incidents.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.stop();
});

const GREP = '@health\\.|@db\\.';

test('healthy target: every health and database check passes, none skipped', async () => {
  const { report } = await h.run({}, GREP);
  assert.equal(report.verdict.status, 'healthy', JSON.stringify(report.findings, null, 2));
  assert.equal(report.counts.failed, 0);
  assert.equal(report.skipped.length, 0, JSON.stringify(report.skipped));
  assert.ok(report.counts.passed >= 11);
  assertIncidents(report, []);
});

const table: [fault: ActiveFaults, checkId: string, section: SectionId, severity: string][] = [
  [{ 'service-unavailable': true }, 'health.root', 'service-unavailable', 'SEV-0'],
  [{ 'bad-gateway': true }, 'health.status', 'service-unavailable', 'SEV-0'],
  [{ 'database-down': true }, 'db.connect', 'database-connection', 'SEV-1'],
  [{ 'database-down': true }, 'health.database-reported', 'database-connection', 'SEV-1'],
  [{ 'database-slow': 400 }, 'db.round-trip', 'database-connection', 'SEV-2'],
  [{ 'database-slow': 400 }, 'db.slow-queries', 'database-connection', 'SEV-2'],
  [{ 'connection-pool-exhaustion': true }, 'db.connections', 'database-connection', 'SEV-1'],
  [{ 'slow-responses': 300 }, 'health.latency', 'slow-responses', 'SEV-2'],
  [{ 'slow-responses': 800 }, 'health.latency', 'slow-responses', 'SEV-1'],
];

for (const [faults, checkId, section, severity] of table) {
  test(`${JSON.stringify(faults)} -> ${checkId} fails in "${sections[section].title}" at ${severity}`, async () => {
    const { report } = await h.runOnce(faults, GREP);
    const f = finding(report, checkId);
    assert.ok(f, `no finding for ${checkId}; findings: ${report.findings.map((x) => x.checkId).join(', ')}`);
    assert.equal(f.section.title, sections[section].title);
    assert.equal(f.section.anchor, sections[section].anchor);
    assert.equal(f.severity, severity, f.severityRule);
    assert.ok(f.immediateActions.length > 0);
    assert.ok(f.evidence.length > 0, 'a finding carries evidence');
    assert.match(f.message, /^\[[A-Z .]+\] \(.+\) .+ on .+ \(test\)$/);
    assert.equal(report.verdict.status, 'findings');
  });
}

/** Each fault's incidents (health and database checks only): one root cause, one incident. */
const incidents: [fault: ActiveFaults, expected: ExpectedIncident[]][] = [
  [{ 'service-unavailable': true }, [['outage', 'SEV-0', 'service-unavailable']]],
  [{ 'bad-gateway': true }, [['outage', 'SEV-0', 'service-unavailable']]],
  // The monitor cannot connect and /health reports the database down: its 503s are the database's.
  [{ 'database-down': true }, [['database-unreachable', 'SEV-1', 'database-connection']]],
  // /health waits for the slow database (at least 400 ms of pg_sleep + 2 x 200 ms proxy delay, over the
  // 600 ms critical line): its SEV-1 latency is a consequence, and the worst measure decides.
  [{ 'database-slow': 400 }, [['database-slow', 'SEV-1', 'database-connection']]],
  [{ 'connection-pool-exhaustion': true }, [['database-saturated', 'SEV-1', 'database-connection']]],
  [{ 'slow-responses': 300 }, [['symptom:slow-responses', 'SEV-2', 'slow-responses']]],
  [{ 'slow-responses': 800 }, [['symptom:slow-responses', 'SEV-1', 'slow-responses']]],
  // The document says "unknown" while a direct SELECT 1 passes: a monitoring gap, never the database incident.
  [{ 'health-database-unknown': true }, [['health-misreports:database', 'SEV-3', 'basic-service-health']]],
  // The database is down and every route answers 500 with the driver's error: the answers name the
  // database, so the outage is its consequence (one incident, the outage's SEV-0).
  [{ 'database-down': true, 'database-errors-500': true }, [['database-unreachable', 'SEV-0', 'database-connection']]],
  // Alone, the fault changes nothing: the database answers.
  [{ 'database-errors-500': true }, []],
];

for (const [faults, expected] of incidents) {
  test(`${JSON.stringify(faults)} -> incidents ${expected.map(([k, sev]) => `${k} ${sev}`).join(', ')}`, async () => {
    const { report } = await h.runOnce(faults, GREP);
    assertIncidents(report, expected);
  });
}

test('service-unavailable: one outage incident, the other health endpoints its consequences; each failure confirmed', async () => {
  const { report } = await h.runOnce({ 'service-unavailable': true }, GREP);
  const i = incident(report, 'outage');
  assert.equal(i.root.checkId, 'health.root');
  assert.deepEqual([...i.consequences].sort(), ['health.api-health', 'health.status']);
  assert.equal(i.section.title, 'Incident: Service Unavailable (503/502 Errors)');
  const f = finding(report, 'health.root')!;
  assert.match(f.actual, /503 \(confirmed: 503, 503, 503\)/);
  assert.deepEqual(f.responses, [{ call: 'GET /health', status: 503, class: 'server-error', count: 3 }]);
});

test('health-database-unknown: the truthfulness gap is SEV-3 with no "restart" step; the database checks pass', async () => {
  const { report } = await h.runOnce({ 'health-database-unknown': true }, GREP);
  const i = incident(report, 'health-misreports:database');
  assert.equal(i.root.checkId, 'health.database-truthful');
  assert.deepEqual(i.consequences, ['health.database-reported']);
  assert.ok(i.immediateActions.every((a) => !a.writes && !/restart/i.test(a.step)), JSON.stringify(i.immediateActions));
  assert.match(finding(report, 'health.database-truthful')!.actual, /"unknown" while a direct SELECT 1 succeeds/);
  for (const id of ['db.connect', 'db.round-trip', 'health.root']) assert.ok(report.passed.some((p) => p.checkId === id), `${id} passed`);
});

test('database-down: the health document and the direct probe agree, so the truthfulness check passes', async () => {
  const { report } = await h.runOnce({ 'database-down': true }, GREP);
  assert.ok(report.passed.some((p) => p.checkId === 'health.database-truthful'), JSON.stringify(report.findings.map((f) => f.checkId)));
  const i = incident(report, 'database-unreachable');
  assert.equal(i.root.checkId, 'db.connect');
  assert.ok(i.consequences.includes('health.database-reported') && i.consequences.includes('health.root'), i.consequences.join(', '));
});

test('without DATABASE_URL nothing corroborates "unknown": the database finding is unverified, at most SEV-2, saying what would corroborate it', async () => {
  // Only the two database-document checks: latency on a loaded machine is not what this proves.
  const { report } = await h.run({ 'health-database-unknown': true }, '@health\\.database', { DATABASE_URL: '' });
  assert.ok(report.skipped.some((s) => s.checkId === 'health.database-truthful' && /DATABASE_URL is not set/.test(s.reason)), JSON.stringify(report.skipped));
  assertIncidents(report, [['check:health.database-reported', 'SEV-2', 'database-connection']]);
  const f = finding(report, 'health.database-reported')!;
  assert.match(f.severityRule, /^unverified: \/health reports checks\.database "unknown".*DATABASE_URL.*PROMETHEUS_URL.*at most SEV-2/);
});

test('database-down: the probe fails fast (connection timeout bounded), health reports the database', async () => {
  const { report } = await h.runOnce({ 'database-down': true }, GREP);
  const f = finding(report, 'db.connect')!;
  assert.ok(f.durationMs < 10_000);
  assert.ok(report.skipped.some((s) => s.checkId === 'db.round-trip' && /db\.connect covers/.test(s.reason)));
});

test("database-down + database-errors-500: the 500s name the database -> one database incident at the outage's SEV-0, the health endpoints its consequences, the naming answers its evidence", async () => {
  const { report } = await h.runOnce({ 'database-down': true, 'database-errors-500': true }, GREP);
  const i = incident(report, 'database-unreachable');
  assert.equal(i.rule, 'database-named-in-errors');
  assert.equal(i.title, "Database unreachable: the monitor cannot connect, and the API's error answers name the database");
  assert.equal(i.root.checkId, 'db.connect');
  assert.equal(i.severity, 'SEV-0');
  assert.equal(i.section.title, sections['database-connection'].title);
  for (const id of ['health.root', 'health.status', 'health.api-health']) assert.ok(i.consequences.includes(id), `${id} in ${i.consequences.join(', ')}`);
  assert.ok(i.evidence && i.evidence.length > 0, 'the answers naming the database are the evidence');
  for (const e of i.evidence) {
    assert.match(e.name, /^answer naming the database: GET \S+ \(500\)$/);
    assert.ok(e.body && databaseNamedIn(500, e.body), e.body);
  }
  const root = finding(report, 'health.root')!;
  assert.ok(root.responses.some((r) => r.status === 500 && r.names?.includes('database')), JSON.stringify(root.responses));
});

test('database-down + service-unavailable: 503s that say nothing of the database -> the database and the outage stay two incidents, neither claiming an order', async () => {
  // The previous run of the environment is evidence too (rule database-then-outage): start from one where the database answered.
  await h.run({}, '@db\\.connect');
  const { report } = await h.run({ 'database-down': true, 'service-unavailable': true }, GREP);
  assertIncidents(report, [['outage', 'SEV-0', 'service-unavailable'], ['database-unreachable', 'SEV-1', 'database-connection']]);
  const db = incident(report, 'database-unreachable');
  const outage = incident(report, 'outage');
  assert.equal(db.title, 'Database unreachable: the monitor cannot connect');
  assert.equal(outage.root.checkId, 'health.root');
  for (const x of [db, outage]) assert.equal(x.evidence, undefined);
  assert.ok(!report.findings.some((f) => f.responses.some((r) => r.names)), 'no answer named the database');
});

test('database-frozen: health stays 200, keyed calls hang, the monitor gets no answer -> one database incident saying so; no check passes on a hung call', async () => {
  const grep = '@health\\.root|@health\\.database|@db\\.connect|@security\\.(valid-key-accepted|key-strict|no-redirect|no-key-rejected)';
  const { report } = await h.run({ 'database-frozen': true }, grep, { CREDLINK_REQUEST_TIMEOUT_MS: '2500', CREDLINK_AUTH_RATE_LIMIT_CHECK: 'false' });
  const dump = [
    ...report.incidents.map((i) => `${i.key} ${i.severity} ${i.root.checkId} <- ${i.consequences.join(', ')}: ${i.title}`),
    ...report.skipped.map((s) => `skipped ${s.checkId}: ${s.reason}`),
  ].join('\n');
  for (const id of ['health.root', 'health.database-reported']) assert.ok(report.passed.some((p) => p.checkId === id), `${id} passes (health says what it says when healthy): ${dump}`);
  // The valid key never got an answer: key-strict is not a pass (it was, before).
  assert.ok(!report.passed.some((p) => p.checkId === 'security.key-strict'), dump);
  const i = incident(report, 'database-unreachable');
  assert.equal(i.title, 'The database does not answer: authenticated calls hang (no answer within the request timeout) while the health endpoints answer');
  assert.equal(i.root.checkId, 'db.connect');
  assert.equal(i.section.title, sections['database-connection'].title);
  for (const id of ['security.valid-key-accepted', 'security.key-strict']) assert.ok(i.consequences.includes(id), `${id} in the incident: ${dump}`);
  assert.doesNotMatch(dump, /reports it down/);
  // And it is true that /health does not report the frozen database (the direct probe gets no answer): that gap, apart.
  assert.deepEqual(report.incidents.map((x) => x.key).sort(), ['database-unreachable', 'health-misreports:database'], dump);
});
