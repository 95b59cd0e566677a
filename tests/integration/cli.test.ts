/**
 * The CLI as a user runs it: real process, real embedded target, real exit codes.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runbookReportSchema } from '../../src/reporter/schema.ts';
import { PROJECT_ROOT, runDirFor } from '../../src/run/paths.ts';
import { cli, tempDir } from '../helpers/harness.ts';
import { assertIncidents, incident } from '../helpers/incidents.ts';

const reports = tempDir('credlink-cli-');

test('run --env local: healthy triage, exit 0, report files written', async () => {
  const r = await cli(['run', '--env', 'local', '--reports-dir', reports]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^HEALTHY local: every check that ran passed/m);
  assert.match(r.stdout.trimEnd().split('\n').at(-1)!, /^HEALTHY local: every check that ran passed \(\d+ passed, \d+ skipped\)$/, 'the verdict is the last line');
  for (const line of r.stdout.split('\n')) assert.ok(line.length <= 100, `fits 100 columns: ${line}`);
  assert.match(r.stderr, /running \d+ checks in \d+ suite\(s\) against local/);
  const runDir = r.stdout.match(/report: (.+)\/index\.html/)![1]!;
  for (const f of ['runbook.json', 'runbook.md', 'junit.xml', 'playwright.json']) assert.ok(fs.existsSync(path.join(runDir, f)), f);
  const report = runbookReportSchema.parse(JSON.parse(fs.readFileSync(path.join(runDir, 'runbook.json'), 'utf8')));
  assert.equal(report.verdict.status, 'healthy');
  assert.equal(report.env, 'local');
});

test('drill service-unavailable: exit 1, EXACTLY ONE incident, SEV-0 "Incident: Service Unavailable (503/502 Errors)", every other failing check its consequence', async () => {
  const r = await cli(['drill', 'service-unavailable', '--reports-dir', reports, '--json']);
  assert.equal(r.code, 1, r.stderr);
  const report = runbookReportSchema.parse(JSON.parse(r.stdout));
  assert.equal(report.verdict.severity, 'SEV-0');
  const f = report.findings.find((x) => x.checkId === 'health.root')!;
  assert.equal(f.section.title, 'Incident: Service Unavailable (503/502 Errors)');
  assert.equal(f.severity, 'SEV-0');
  // The full suite with the Kubernetes simulator: HTTP, security, probe and pod-side findings, one root cause.
  assertIncidents(report, [['outage', 'SEV-0', 'service-unavailable']]);
  const i = incident(report, 'outage');
  assert.equal(i.id, 'local/outage');
  assert.equal(i.root.checkId, 'health.root');
  assert.equal(i.consequences.length, report.findings.length - 1);
  for (const id of ['health.status', 'health.api-health', 'security.valid-key-accepted', 'security.cors-disallowed-not-5xx', 'perf.error-rate', 'k8s.pods-ready', 'k8s.service-endpoints']) {
    assert.ok(i.consequences.includes(id), `${id} is a consequence: ${i.consequences.join(', ')}`);
  }
  // First steps name this environment (its base URL, the simulator's namespace), never production's.
  // Drills are stored apart from the environment's runs (src/run/paths.ts).
  const md = fs.readFileSync(path.join(runDirFor(reports, 'local', report.runId, 'drill'), 'runbook.md'), 'utf8');
  assert.doesNotMatch(md, /https:\/\/credlink\.com|credlink-production/);
  assert.ok(md.includes(`curl -s ${report.baseUrl}/health`), 'curl names the run\'s base URL');
  assert.match(md, /kubectl rollout restart deployment\/credlink-api -n credlink\b/);
  for (const i of report.incidents) for (const a of i.immediateActions) assert.doesNotMatch(a.command, /credlink-production|https:\/\/credlink\.com|\{\{/);
});

test('drill database-down: names "Incident: Database Connection Issues"; --fail-on SEV-0 makes it exit 0', async () => {
  // --grep keeps this drill to the health and database checks (the full suite is drilled above).
  const r = await cli(['drill', 'database-down', '--grep', '@health\\.|@db\\.', '--reports-dir', reports, '--fail-on', 'SEV-0']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /runbook: Incident: Database Connection Issues/);
  assert.match(r.stdout, /cause: db\.connect: \[CONNECT\]/);
});

test('drill --help lists every fault with its value shape', async () => {
  const r = await cli(['drill', '--help']);
  assert.equal(r.code, 0, r.stderr);
  for (const f of ['health-database-unknown', 'intermittent-500[=PCT]', 'endpoint-error-rate[=PATH:PCT]', 'route-missing[=PATH]', 'slow-responses[=MS]', 'service-unavailable']) {
    assert.ok(r.stdout.includes(f) || r.stderr.includes(f), `${f} listed`);
  }
});

test('run --env staging without its env file: exit 2, one line naming the file and the fix', async () => {
  // From the checkout, as a user types it: the file is named relative to it (writes nothing: exit 2).
  const r = await cli(['run', '--env', 'staging', '--reports-dir', reports], { cwd: PROJECT_ROOT });
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /environments\/staging\.env: missing: copy environments\/staging\.env\.example to environments\/staging\.env/);
});

test('run with a broken env file: exit 2, every problem on its own line, no stack trace', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'staging.env');
  fs.writeFileSync(file, 'CREDLINK_BASE_URL=not-a-url\nCREDLINK_API_KEYS=${NOT_EXPORTED_KEY}\nCREDLINK_TIMEOUT=5\nCREDLINK_FAIL_ON=SEV-9\n');
  const r = await cli(['run', '--env-file', file, '--reports-dir', reports]);
  assert.equal(r.code, 2);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 4, r.stderr);
  for (const l of lines) assert.match(l, /^credlink-checks run: .*staging\.env: [A-Z_]+ /);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('usage errors exit 2 with one line; an unknown fault gets did-you-mean and where the list is', async () => {
  const a = await cli(['run']);
  assert.equal(a.code, 2);
  assert.match(a.stderr, /--env NAME\|PATH is required: an environment name/);
  const b = await cli(['drill', 'nonsense']);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /unknown fault "nonsense" \(every fault: credlink-checks drill --help\)$/m);
  const near = await cli(['drill', 'service-unavailble']);
  assert.equal(near.code, 2);
  assert.match(near.stderr, /unknown fault "service-unavailble": did you mean "service-unavailable"\? \(every fault: credlink-checks drill --help\)$/m);
  const c = await cli(['frobnicate']);
  assert.equal(c.code, 2);
  assert.doesNotMatch(c.stderr, /did you mean/);
  const typo = await cli(['drlil', 'service-unavailable']);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /^credlink-checks: unknown command "drlil": did you mean "drill"\?$/m);
  const opt = await cli(['run', '--evn', 'local']);
  assert.equal(opt.code, 2);
  assert.match(opt.stderr, /Unknown option '--evn': did you mean --env\?/);
  const d = await cli(['run', '--env', 'local', '--fail-on', 'SEV-7']);
  assert.equal(d.code, 2);
});

test('list and validate: the catalog is consistent with the checks', async () => {
  const l = await cli(['list']);
  assert.equal(l.code, 0);
  assert.match(l.stdout, /health\.root\s+Incident: Service Unavailable \(503\/502 Errors\)\s+SEV-1/);
  assert.match(l.stdout, /manual\.api-key-secret .*\(manual: /);
  const v = await cli(['validate']);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /^valid: /);
});

test('--version, and help with a line per command and every option described', async () => {
  const v = await cli(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^credlink-checks \d+\.\d+\.\d+\n$/);
  const top = await cli(['--help']);
  assert.equal(top.code, 0);
  for (const name of ['run', 'drill', 'gate', 'cutover', 'schedule', 'report', 'coverage', 'list', 'validate', 'target', 'load']) {
    assert.match(top.stdout, new RegExp(`^ {2}${name} +\\S.{10,}$`, 'm'), `${name} has a description line`);
  }
  const run = await cli(['run', '--help']);
  assert.equal(run.code, 0);
  for (const opt of ['env', 'env-file', 'grep', 'json', 'fail-on', 'reports-dir']) assert.match(run.stdout, new RegExp(`^ {2}--${opt}\\b.* {2,}\\S`, 'm'), `--${opt} is described`);
  const drill = await cli(['help', 'drill']);
  assert.match(drill.stdout, /^ {2}high-error-rate\[=PCT\] .*$/m);
  assert.match(drill.stdout, /default 2500 ms/);
  for (const out of [top.stdout, run.stdout, drill.stdout]) for (const line of out.split('\n')) assert.ok(line.length <= 100, line);
});
