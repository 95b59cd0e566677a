/**
 * The security checks proven both ways against the real reference target: healthy -> every
 * security check passes (none skipped); each security fault -> the expected check fails with
 * the expected runbook section and severity, and the run holds exactly the expected incidents
 * (one per root cause). Faults that do not interfere share one run.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sections, type SectionId } from '../../runbooks/sections.ts';
import type { RunbookReport } from '../../src/reporter/schema.ts';
import type { ActiveFaults } from '../../src/target/faults.ts';
import { finding, startHarness, type Harness } from '../helpers/harness.ts';
import { assertIncidents, incident, type ExpectedIncident } from '../helpers/incidents.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.stop();
});

const GREP = '@security\\.';

test('healthy target: every security check passes, none skipped', async () => {
  const { report } = await h.run({}, GREP);
  assert.equal(report.verdict.status, 'healthy', JSON.stringify(report.findings, null, 2));
  assert.equal(report.skipped.length, 0, JSON.stringify(report.skipped));
  assert.equal(report.counts.passed, 17, 'every security check, security.rate-limits-declared included');
  assertIncidents(report, []);
});

/** The incidents of each row below, in the same order: a breach seen by six checks is one incident. */
const incidentsOf: ExpectedIncident[][] = [
  [['symptom:unauthorized-access', 'SEV-0', 'api-key-auth']],
  [['keys-rejected', 'SEV-1', 'api-key-auth']],
  [['check:security.cors-no-any-origin', 'SEV-1', 'cors'], ['symptom:unauthorized-access', 'SEV-0', 'api-key-auth']],
  [['check:security.cors-no-any-origin', 'SEV-1', 'cors'], ['check:security.key-not-echoed', 'SEV-2', 'api-key-auth'], ['check:security.headers', 'SEV-3', 'api-key-auth']],
  [['check:security.cors-allowed-origins', 'SEV-2', 'cors'], ['check:security.key-strict', 'SEV-2', 'api-key-auth'], ['symptom:unauthorized-access', 'SEV-0', 'api-key-auth']],
  // Three distinct bugs, each a 5xx or a missing limit of its own: three incidents (nothing explains another).
  [['check:security.cors-disallowed-not-5xx', 'SEV-2', 'cors'], ['check:security.malformed-keys-rejected', 'SEV-2', 'api-key-auth'], ['check:security.auth-rate-limit', 'SEV-3', 'api-key-auth']],
  // Three hardening gaps the standards name (Fetch's Vary and credentials, RFC 6585's Retry-After), each its own incident.
  [['check:security.cors-allowed-origins', 'SEV-3', 'cors'], ['check:security.cors-no-any-origin', 'SEV-3', 'cors'], ['check:security.auth-rate-limit', 'SEV-3', 'api-key-auth']],
  // Preflights pass, the actual answers carry no allow-origin (Fetch's CORS check): browsers block every call.
  [['check:security.cors-allowed-origins', 'SEV-2', 'cors']],
];

type Expect = [checkId: string, section: SectionId, severity: string];
const table: [faults: ActiveFaults, expected: Expect[]][] = [
  [{ 'auth-bypass': true }, [
    ['security.no-key-rejected', 'api-key-auth', 'SEV-0'],
    ['security.wrong-key-rejected', 'api-key-auth', 'SEV-0'],
    ['security.malformed-keys-rejected', 'api-key-auth', 'SEV-0'],
    // The same bypass seen by every check that sends a request it expects refused:
    ['security.restricted-key-forbidden', 'api-key-auth', 'SEV-0'],
    ['security.auth-rate-limit', 'api-key-auth', 'SEV-0'],
    // Served without any key: which key, or where, cannot be told (a gap, not a second breach).
    ['security.key-strict', 'api-key-auth', 'SEV-3'],
    ['security.derived-keys-rejected', 'api-key-auth', 'SEV-3'],
  ]],
  [{ 'valid-key-rejected': true }, [
    ['security.valid-key-accepted', 'api-key-auth', 'SEV-1'],
    // Every key is refused, the restricted one included: 401 where 403 was due.
    ['security.restricted-key-forbidden', 'api-key-auth', 'SEV-3'],
    // Refusing other keys proves nothing when the exact key is refused too: gaps, consequences of the one incident.
    ['security.key-strict', 'api-key-auth', 'SEV-3'],
    ['security.derived-keys-rejected', 'api-key-auth', 'SEV-3'],
  ]],
  [{ 'cors-wildcard': true, 'auth-case-insensitive': true }, [
    ['security.cors-no-any-origin', 'cors', 'SEV-1'],
    ['security.derived-keys-rejected', 'api-key-auth', 'SEV-0'],
  ]],
  [{ 'cors-reflect-any-origin': true, 'auth-echoes-key': true, 'missing-security-headers': true }, [
    ['security.cors-no-any-origin', 'cors', 'SEV-1'],
    ['security.key-not-echoed', 'api-key-auth', 'SEV-2'],
    ['security.headers', 'api-key-auth', 'SEV-3'],
  ]],
  [{ 'cors-blocks-allowed-origin': true, 'auth-any-header': true, 'permission-not-enforced': true }, [
    ['security.cors-allowed-origins', 'cors', 'SEV-2'],
    ['security.key-strict', 'api-key-auth', 'SEV-2'],
    ['security.restricted-key-forbidden', 'api-key-auth', 'SEV-0'],
  ]],
  [{ 'cors-error-500': true, 'auth-malformed-key-500': true, 'auth-no-rate-limit': true }, [
    ['security.cors-disallowed-not-5xx', 'cors', 'SEV-2'],
    ['security.malformed-keys-rejected', 'api-key-auth', 'SEV-2'],
    // No failed-attempt limit: a hardening gap unless the environment requires one.
    ['security.auth-rate-limit', 'api-key-auth', 'SEV-3'],
  ]],
  [{ 'cors-no-vary': true, 'cors-credentials-any-origin': true, 'rate-limit-no-retry-after': true }, [
    ['security.cors-allowed-origins', 'cors', 'SEV-3'],
    ['security.cors-no-any-origin', 'cors', 'SEV-3'],
    ['security.auth-rate-limit', 'api-key-auth', 'SEV-3'],
  ]],
  [{ 'cors-preflight-only': true }, [
    ['security.cors-allowed-origins', 'cors', 'SEV-2'],
  ]],
];

function assertFinding(report: RunbookReport, [checkId, section, severity]: Expect): void {
  const f = finding(report, checkId);
  assert.ok(f, `no finding for ${checkId}; findings: ${report.findings.map((x) => `${x.checkId} ${x.severity}`).join(', ')}`);
  assert.equal(f.section.title, sections[section].title, checkId);
  assert.equal(f.section.anchor, sections[section].anchor, checkId);
  assert.equal(f.severity, severity, `${checkId}: ${f.severityRule} / ${f.message}`);
  assert.ok(f.evidence.length > 0, `${checkId}: a finding carries evidence`);
  assert.match(f.message, /^\[[A-Z .]+\] \(.+\) .+ on .+ \(test\)$/, checkId);
}

for (const [n, [faults, expected]] of table.entries()) {
  test(`${Object.keys(faults).join(' + ')} -> ${expected.map(([id, , sev]) => `${id} ${sev}`).join(', ')}`, async () => {
    const { report } = await h.run(faults, GREP);
    for (const e of expected) assertFinding(report, e);
    assertIncidents(report, incidentsOf[n]!);
    // Only the checks a fault targets fail: nothing else in the security suite.
    const unexpected = report.findings.filter((f) => !expected.some(([id]) => id === f.checkId));
    assert.deepEqual(unexpected.map((f) => `${f.checkId} ${f.severity}: ${f.message}`), []);
  });
}

test('valid-key-rejected: key-strict and derived keys do not pass behind the wall, they are consequences of the one incident', async () => {
  const { report } = await h.run({ 'valid-key-rejected': true }, GREP);
  const i = incident(report, 'keys-rejected');
  assert.equal(i.root.checkId, 'security.valid-key-accepted');
  for (const id of ['security.key-strict', 'security.derived-keys-rejected']) {
    assert.ok(i.consequences.includes(id), `${id} is a consequence: ${i.consequences.join(', ')}`);
    assert.ok(!report.passed.some((p) => p.checkId === id), `${id} must not pass when the exact key is refused`);
    assert.match(finding(report, id)!.actual, /the valid key itself is refused \(401\)/);
  }
});

test('redirect-to-other-origin -> security.no-redirect SEV-1, and the key never reaches the other origin', async () => {
  const before = h.target.redirectSink.received().length;
  const { report } = await h.run({ 'redirect-to-other-origin': true }, GREP);
  assertFinding(report, ['security.no-redirect', 'api-key-auth', 'SEV-1']);
  assert.deepEqual(report.findings.map((f) => f.checkId), ['security.no-redirect']);
  assert.match(finding(report, 'security.no-redirect')!.actual, /another origin http:\/\/127\.0\.0\.1:\d+/);
  const visits = h.target.redirectSink.received().slice(before);
  assert.deepEqual(visits, [], 'the checks must not follow the redirect at all');
  assertIncidents(report, [['check:security.no-redirect', 'SEV-1', 'api-key-auth']]);
});

test('route-missing=/api/v1/sign: the protected flow\'s route answers 404 to every check while health answers -> ONE incident: the API partially down (SEV-1)', async () => {
  const { report } = await h.run({ 'route-missing': '/api/v1/sign' }, GREP);
  assertIncidents(report, [['route-down:POST /api/v1/sign', 'SEV-1', 'service-unavailable']]);
  const i = incident(report, 'route-down:POST /api/v1/sign');
  assert.match(i.title, /^POST \/api\/v1\/sign, which the protected flow needs, answers 404 to every request: the API is partially down/);
  assert.match(i.severityRule, /partial outage/);
  // The first step names this run's target, never production's.
  assert.equal(i.immediateActions[0]!.command, `curl -i -X POST ${report.baseUrl}/api/v1/sign`);
  assert.ok(i.consequences.length >= 3, `the checks that use the route are its consequences: ${i.consequences.join(', ')}`);
  assert.ok(report.findings.every((f) => f.responses.some((r) => r.call === 'POST /api/v1/sign' && r.class === 'route-missing')));
  // The CORS preflights are answered (the CORS middleware runs before routing): they pass.
  assert.ok(report.passed.some((p) => p.checkId === 'security.cors-allowed-origins'));
});

test('protected-hang: every check of the protected endpoint gets no answer -> one incident for the route, not seven', async () => {
  const { report } = await h.run({ 'protected-hang': 3000 }, GREP, { CREDLINK_REQUEST_TIMEOUT_MS: '800', CREDLINK_AUTH_RATE_LIMIT_CHECK: 'false' });
  assertIncidents(report, [['route-failing:POST /api/v1/sign', 'SEV-1', 'service-unavailable']]);
  const i = incident(report, 'route-failing:POST /api/v1/sign');
  assert.equal(i.root.checkId, 'security.valid-key-accepted');
  assert.ok(i.consequences.length >= 3, i.consequences.join(', '));
});

test('rate-limit check: skips with its reason in production unless enabled', async () => {
  const { report } = await h.run({}, '@security\\.auth-rate-limit', { CREDLINK_PRODUCTION: 'true' });
  const s = report.skipped.find((x) => x.checkId === 'security.auth-rate-limit');
  assert.ok(s, JSON.stringify(report));
  assert.match(s.reason, /CREDLINK_AUTH_RATE_LIMIT_CHECK=true/);
  const enabled = await h.run({}, '@security\\.auth-rate-limit', { CREDLINK_PRODUCTION: 'true', CREDLINK_AUTH_RATE_LIMIT_CHECK: 'true' });
  assert.equal(enabled.report.counts.passed, 1, JSON.stringify(enabled.report.findings));
});
