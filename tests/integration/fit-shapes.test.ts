/**
 * Endpoints a deployment does not have, the health document's required shape, and `validate
 * --env-file`, against the real reference target and the real CLI.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseEnv } from '../../config/index.ts';
import { sections } from '../../runbooks/sections.ts';
import { PROJECT_ROOT } from '../../src/run/paths.ts';
import { cli, finding, startHarness, tempDir, type Harness } from '../helpers/harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.stop();
});

test('a health document with only checks.database passes by default: a missing version is not a finding', async () => {
  const { report } = await h.run({ 'health-minimal': true }, '@health\\.(document|database-reported|root)');
  assert.equal(report.verdict.status, 'healthy', report.findings.map((f) => `${f.checkId}: ${f.actual}`).join('\n'));
  assert.equal(report.counts.passed, 3);
});

test('fields the environment requires are checked: a missing version is then a SEV-3 gap in "1. Basic Service Health"', async () => {
  const { report } = await h.run({ 'health-minimal': true }, '@health\\.document', { CREDLINK_HEALTH_REQUIRED_FIELDS: 'version,uptime' });
  const f = finding(report, 'health.document');
  assert.ok(f, JSON.stringify(report.passed));
  assert.equal(f.severity, 'SEV-3');
  assert.equal(f.section.title, sections['basic-service-health'].title);
  assert.equal(f.actual, 'version: missing (CREDLINK_HEALTH_REQUIRED_FIELDS); uptime: missing (CREDLINK_HEALTH_REQUIRED_FIELDS)');
  // Healthy the other way: the full document carries them.
  const healthy = await h.run({}, '@health\\.document', { CREDLINK_HEALTH_REQUIRED_FIELDS: 'version,uptime' });
  assert.equal(healthy.report.counts.passed, 1);
});

test('endpoints declared absent (none): their checks skip with that reason, nothing fails, nothing is sent to them', async () => {
  const { report } = await h.run({}, '@health\\.|@security\\.', { CREDLINK_STATUS_PATH: 'none', CREDLINK_API_HEALTH_PATH: 'none', CREDLINK_PROTECTED_PATH: 'none' });
  assert.equal(report.verdict.status, 'healthy', report.findings.map((f) => `${f.checkId}: ${f.actual}`).join('\n'));
  const reason = (id: string) => report.skipped.find((s) => s.checkId === id)?.reason ?? '(not skipped)';
  assert.equal(reason('health.status'), 'this deployment has no such endpoint (CREDLINK_STATUS_PATH=none)');
  assert.equal(reason('health.api-health'), 'this deployment has no such endpoint (CREDLINK_API_HEALTH_PATH=none)');
  for (const id of ['security.no-key-rejected', 'security.valid-key-accepted', 'security.auth-rate-limit']) assert.match(reason(id), /CREDLINK_(PROTECTED|VALID_KEY_PROBE)_PATH=none/, id);
  assert.ok(report.passed.some((p) => p.checkId === 'health.root'));
  assert.ok(report.passed.some((p) => p.checkId === 'security.error-disclosure'), 'checks that do not need the endpoint still run');
});

test('validate --env-file: ok for a good file (name from the file name), one line naming the file for a bad name', async () => {
  const dir = tempDir();
  try {
    const good = path.join(dir, 'staging-eu.env');
    fs.writeFileSync(good, 'CREDLINK_BASE_URL=https://staging.credlink.example\nCREDLINK_API_KEYS=${FIT_KEY}\nCREDLINK_STATUS_PATH=none\n');
    const ok = await cli(['validate', '--env-file', good], { env: { FIT_KEY: 'k-123456789' } });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /ok {3}.*staging-eu\.env \(environment "staging-eu"\)/);
    assert.match(ok.stdout, /^valid: 1 environment\(s\)/);
    const bad = path.join(dir, 'Holdout_Env.env');
    fs.writeFileSync(bad, 'CREDLINK_TARGET=embedded\n');
    const r = await cli(['validate', '--env-file', bad]);
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /Holdout_Env\.env: the environment name "Holdout_Env" comes from the file name .*rename it to holdout-env\.env/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('docs worked example: the environment file it shows is shipped, valid, and describes the real service', () => {
  const example = fs.readFileSync(path.join(PROJECT_ROOT, 'environments', 'upstream.env.example'), 'utf8');
  const page = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'environments-and-configuration.md'), 'utf8');
  assert.ok(page.includes(example.trim()), 'docs/environments-and-configuration.md quotes environments/upstream.env.example verbatim');
  const vars = Object.fromEntries(example.split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const c = parseEnv(vars, { env: 'upstream', file: 'environments/upstream.env.example', processEnv: { CREDLINK_UPSTREAM_API_KEY: 'k-123456789', CREDLINK_UPSTREAM_RESTRICTED_KEY: 'r-123456789' } });
  assert.equal(c.security.requests.protected.body.kind, 'multipart');
  assert.equal(c.paths.status, null);
  assert.ok(c.rateLimits.paths.length > 0);
});
