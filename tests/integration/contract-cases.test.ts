/**
 * Cases the standards name (checks/*\/*.cases.ts), proven both ways against the reference target:
 * the healthy target passes them; each fault gives the expected finding, runbook section,
 * severity and incident. Disclosures are judged on every answer of the run, whichever check or
 * probe received it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sections } from '../../runbooks/sections.ts';
import { runbookReportSchema } from '../../src/reporter/schema.ts';
import { cli, finding, startHarness, tempDir, type Harness } from '../helpers/harness.ts';
import { assertIncidents } from '../helpers/incidents.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.stop();
});

const show = (r: { findings: { checkId: string; severity: string; actual: string }[] }) => r.findings.map((f) => `${f.checkId} ${f.severity}: ${f.actual}`).join('\n');

test('healthy target: the health document, CORS look-alikes and every answer pass', async () => {
  const { report } = await h.run({}, '@health\\.|@security\\.cors|@security\\.error-disclosure|@perf\\.error-rate');
  assert.equal(report.findings.length, 0, show(report));
  for (const id of ['health.self-status', 'security.cors-no-any-origin', 'security.error-disclosure']) assert.ok(report.passed.some((p) => p.checkId === id), id);
  assertIncidents(report, []);
});

test('/health 200 with "status": "down": the service reports itself unhealthy (Service Unavailable, SEV-1)', async () => {
  const { report } = await h.run({ 'health-status-down': true }, '@health\\.');
  const f = finding(report, 'health.self-status');
  assert.ok(f, show(report));
  assert.equal(f.section.title, sections['service-unavailable'].title);
  assert.equal(f.severity, 'SEV-1', f.severityRule);
  assert.match(f.actual, /"down" with HTTP 200: the service reports itself unhealthy/);
  assert.equal(report.findings.length, 1, show(report));
  assertIncidents(report, [['check:health.self-status', 'SEV-1', 'service-unavailable']]);
});

test('/health 200 with "status": "operational": a value the draft does not name is a monitoring gap naming it (SEV-3)', async () => {
  const { report } = await h.run({ 'health-status-unknown': true }, '@health\\.');
  const f = finding(report, 'health.self-status');
  assert.ok(f, show(report));
  assert.equal(f.section.title, sections['service-unavailable'].title);
  assert.equal(f.severity, 'SEV-3', f.severityRule);
  assert.match(f.actual, /"operational": not a status value this check can read/);
  assertIncidents(report, [['check:health.self-status', 'SEV-3', 'service-unavailable']]);
});

test('/health without checks.database and with a boolean status: the document the runbook reads is malformed (Basic Service Health, SEV-3)', async () => {
  const { report } = await h.run({ 'health-malformed': true }, '@health\\.');
  const f = finding(report, 'health.document');
  assert.ok(f, show(report));
  assert.equal(f.section.title, sections['basic-service-health'].title);
  assert.equal(f.severity, 'SEV-3', f.severityRule);
  assert.match(f.actual, /status: .*string/i);
  assert.match(f.actual, /checks\.database/);
  // The checks that read checks.database cannot judge a document without it: they skip, never pass.
  // The status that is not a string is the document's fault, reported once (health.self-status skips).
  for (const id of ['health.database-reported', 'health.self-status']) assert.ok(report.skipped.some((x) => x.checkId === id), `${id} skips: ${show(report)}`);
  assertIncidents(report, [['check:health.document', 'SEV-3', 'basic-service-health']]);
});

test('/health whose failed check carries the raw error with its stack trace in "output": a disclosure on a 200 answer (SEV-2)', async () => {
  const { report } = await h.run({ 'health-error-output': true }, '@health\\.|@security\\.error-disclosure');
  const f = finding(report, 'security.error-disclosure');
  assert.ok(f, show(report));
  assert.equal(f.section.title, sections['api-key-auth'].title);
  assert.equal(f.severity, 'SEV-2', f.severityRule);
  assert.match(f.actual, /a stack trace \("at .*\) in answers to (GET \/health \(200\), )?GET \/api\/v1\/health \(200\)/);
  // "warn" on a 200 is healthy with concerns (the draft): the status itself is no finding.
  assert.ok(report.passed.some((p) => p.checkId === 'health.self-status'), show(report));
  assertIncidents(report, [['check:security.error-disclosure', 'SEV-2', 'api-key-auth']]);
});

test('CORS: Origin: null allowed with credentials is a vulnerability (SEV-1)', async () => {
  const { report } = await h.run({ 'cors-null-origin': true }, '@security\\.cors');
  const f = finding(report, 'security.cors-no-any-origin');
  assert.ok(f, show(report));
  assert.equal(f.section.title, sections.cors.title);
  assert.equal(f.severity, 'SEV-1', f.severityRule);
  assert.match(f.actual, /allows Origin: null with credentials/);
  assert.doesNotMatch(f.actual, /suffix|prefix|over http/, 'only the null origin is let in');
  assert.equal(report.findings.length, 1, show(report));
  assertIncidents(report, [['check:security.cors-no-any-origin', 'SEV-1', 'cors']]);
});

test('CORS: an allow-list matched by substring lets in suffix, prefix and http look-alikes (SEV-1)', async () => {
  const { report } = await h.run({ 'cors-loose-match': true }, '@security\\.cors');
  const f = finding(report, 'security.cors-no-any-origin');
  assert.ok(f, show(report));
  assert.equal(f.severity, 'SEV-1', f.severityRule);
  assert.match(f.actual, /allows the origin https:\/\/app\.credlink\.test\.credlink-checks\.invalid with credentials/);
  assert.match(f.actual, /allows the origin https:\/\/evilapp\.credlink\.test with credentials/);
  assert.match(f.actual, /allows the origin http:\/\/app\.credlink\.test with credentials/);
  assert.doesNotMatch(f.actual, /Origin: null/);
  assert.equal(report.findings.length, 1, show(report));
  assertIncidents(report, [['check:security.cors-no-any-origin', 'SEV-1', 'cors']]);
});

test('stack traces in 500 answers of a route no disclosure probe asks are reported once, with the route (SEV-2)', async () => {
  const { report } = await h.run({ 'leaky-500': { path: '/api/v1/status', percent: 100 } }, '@health\\.status|@security\\.error-disclosure');
  const f = finding(report, 'security.error-disclosure');
  assert.ok(f, show(report));
  assert.equal(f.section.title, sections['api-key-auth'].title);
  assert.equal(f.severity, 'SEV-2', f.severityRule);
  assert.match(f.actual, /a stack trace \("at statusHandler \(\/srv\/credlink-api\/src\/routes\/status\.js:17:31\)"\) in answers to GET \/api\/v1\/status \(500\)/);
  assert.match(f.actual, /an internal path .* in answers to GET \/api\/v1\/status \(500\)/);
  assert.equal(report.findings.filter((x) => x.checkId === 'security.error-disclosure').length, 1);
  // The 500s are health.status's outage (its only endpoint in this selection); the disclosure is its own incident.
  assertIncidents(report, [['outage', 'SEV-0', 'service-unavailable'], ['check:security.error-disclosure', 'SEV-2', 'api-key-auth']]);
  assert.ok(f.evidence.some((e) => /what answers disclosed/.test(e.name)));
});

test('drill leaky-500: a health endpoint answering 500 every time and the error rate the probe measured on it are one incident for the route; the disclosure its own', async () => {
  // The whole drill (the latency probe samples every health path), as `credlink-checks drill` runs it.
  const r = await cli(['drill', 'leaky-500', '--json', '--reports-dir', tempDir('credlink-leaky-')]);
  assert.equal(r.code, 1, r.stderr.slice(-1500));
  const report = runbookReportSchema.parse(JSON.parse(r.stdout));
  assertIncidents(report, [['route-failing:GET /api/v1/status', 'SEV-1', 'service-unavailable'], ['check:security.error-disclosure', 'SEV-2', 'api-key-auth']]);
  const route = report.incidents.find((i) => i.key === 'route-failing:GET /api/v1/status')!;
  assert.equal(route.root.checkId, 'health.status');
  assert.deepEqual(route.consequences, ['perf.error-rate']);
});

test('disclosures are judged even when security.error-disclosure is not selected, and in the latency probe\'s answers', async () => {
  const { report } = await h.run({ 'leaky-500': { path: '/api/v1/health', percent: 10 } }, '@perf\\.error-rate');
  const f = finding(report, 'security.error-disclosure');
  assert.ok(f, show(report));
  assert.equal(f.severity, 'SEV-2');
  assert.match(f.actual, /a stack trace .* in answers to GET \/api\/v1\/health \(500\)/);
  assertIncidents(report, [['check:security.error-disclosure', 'SEV-2', 'api-key-auth']]);
});

test('a database URL with its password in an answer is a vulnerability (SEV-1), reported by kind, never by value', async () => {
  const { report, runDir } = await h.run({ 'leaky-config': true }, '@health\\.|@security\\.error-disclosure');
  const f = finding(report, 'security.error-disclosure');
  assert.ok(f, show(report));
  assert.equal(f.severity, 'SEV-1', f.severityRule);
  assert.match(f.actual, /a credential \(a connection URL with its password\) in answers to GET \/api\/v1\/status \(500\)/);
  assert.match(f.actual, /a version banner \("Express\/4\.18\.2"\)/);
  const password = decodeURIComponent(new URL(h.target.database.appUrl).password);
  assert.ok(password.length >= 4);
  assert.ok(!JSON.stringify(report).includes(password), 'the password is in no finding');
  assert.ok(!fs.readFileSync(path.join(runDir, 'runbook.json'), 'utf8').includes(password));
  // /api/v1/status answering 500 is health.status's own incident (one of three health endpoints down).
  assertIncidents(report, [['check:security.error-disclosure', 'SEV-1', 'api-key-auth'], ['check:health.status', 'SEV-2', 'service-unavailable']]);
});
