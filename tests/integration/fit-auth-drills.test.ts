/**
 * Real deployments whose shape differs from the runbook, proven both ways against the reference
 * target: each fault shape with the default environment gives the expected finding, section and
 * severity; the same target with an environment that describes the shape passes.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sections } from '../../runbooks/sections.ts';
import type { RunbookReport } from '../../src/reporter/schema.ts';
import type { ActiveFaults } from '../../src/target/faults.ts';
import { finding, startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.stop();
});

const GREP = '@security\\.';
const auth = sections['api-key-auth'];

function expectFinding(report: RunbookReport, checkId: string, severity: string, actual: RegExp): void {
  const f = finding(report, checkId);
  assert.ok(f, `no finding for ${checkId}; findings: ${report.findings.map((x) => `${x.checkId} ${x.severity}: ${x.actual}`).join('\n')}`);
  assert.equal(f.section.title, auth.title, checkId);
  assert.equal(f.severity, severity, `${checkId}: ${f.severityRule} / ${f.actual}`);
  assert.match(f.actual, actual, checkId);
  assert.ok(f.evidence.length > 0, `${checkId} carries evidence`);
}

/** Five shapes at once: they do not mask one another (each check reads its own answers). */
const SHAPES: ActiveFaults = { 'multipart-only': true, 'limiter-per-key': true, 'bearer-accepted': true, 'derived-key-accepted': true, 'stack-traces': true };

test('shapes with the default environment: contract gap (not a lockout), per-key limit, Bearer, derived key, stack trace', async () => {
  const { report } = await h.run(SHAPES, GREP);
  // Multipart-only: the JSON probe got 400 "No image file provided": authentication passed.
  expectFinding(report, 'security.request-contract', 'SEV-3', /answered 400 to a valid key: authentication passed, the request was refused for its shape \("\{"error":"bad_request","message":"No image file provided"\}/);
  assert.ok(report.passed.some((p) => p.checkId === 'security.valid-key-accepted'), 'a 400 to a valid key is never "valid key rejected"');
  // Limiter keyed on client + key: rotating keys never limited, said so, with what was sent.
  expectFinding(report, 'security.auth-rate-limit', 'SEV-3', /21 attempts with a new random wrong key each .*\(21x 401\), then \d+ attempts with one wrong key repeated .*limited only per key: 21 attempts with rotating wrong keys were never limited/);
  expectFinding(report, 'security.key-strict', 'SEV-2', /the valid key is accepted in the Authorization header as Bearer \(400\), which CREDLINK_API_KEY_IN does not declare/);
  expectFinding(report, 'security.derived-keys-rejected', 'SEV-0', /accepted the valid key without its last character .*accepted the valid key wrapped in no-break spaces/);
  expectFinding(report, 'security.error-disclosure', 'SEV-2', /the 500 answer exposes a stack trace \("at parseBody \(\/srv\/credlink-api\/src\/middleware\/body\.js:41:23\)"\)/);
  assert.deepEqual(report.findings.map((f) => f.checkId).sort(), ['security.auth-rate-limit', 'security.derived-keys-rejected', 'security.error-disclosure', 'security.key-strict', 'security.request-contract']);
});

test('the same shapes described by the environment: multipart call and Bearer pass; a required limit makes per-key-only SEV-2', async () => {
  const { report } = await h.run(SHAPES, GREP, {
    CREDLINK_PROTECTED_FORM: 'image=@png; title=credlink-checks probe',
    CREDLINK_API_KEY_IN: 'header:X-API-Key, bearer',
    CREDLINK_AUTH_FAIL_LIMIT_REQUIRED: 'true',
  });
  for (const id of ['security.request-contract', 'security.valid-key-accepted', 'security.key-strict', 'security.restricted-key-forbidden']) {
    assert.ok(report.passed.some((p) => p.checkId === id), `${id} passes: ${JSON.stringify(finding(report, id)?.actual)}`);
  }
  expectFinding(report, 'security.auth-rate-limit', 'SEV-2', /limited only per key/);
  // Loose matching and stack traces are wrong whatever the environment says.
  expectFinding(report, 'security.derived-keys-rejected', 'SEV-0', /keys are matched loosely/);
  expectFinding(report, 'security.error-disclosure', 'SEV-2', /stack trace/);
  assert.equal(report.findings.length, 3, report.findings.map((f) => f.checkId).join(', '));
});

test('limiter in front of auth: the no-key check never passes on 429s; it is a gap saying authentication was not tested', async () => {
  // Retry-After (5 min) outlasts every check: no back-off can reach a real answer.
  h.target.app.limiterWindowMs = 300_000;
  try {
    const { report } = await h.run({ 'limiter-before-auth': 2 }, GREP);
    assert.ok(!report.passed.some((p) => p.checkId === 'security.no-key-rejected'), 'never a passing no-key check');
    const f = finding(report, 'security.no-key-rejected');
    assert.ok(f, report.findings.map((x) => x.checkId).join(', '));
    assert.equal(f.severity, 'SEV-3');
    assert.match(f.severityRule, /monitoring gap: (authentication was not tested for no key \(rate-limited \(429\)|not tested: POST \/api\/v1\/sign could not be sent within the target's rate limit)/);
    assert.match(f.actual, /rate-limited \(429\)|answered 429/);
    // Every check that needs the endpoint after the limiter fired says the same; none passes on a 429.
    for (const id of ['security.wrong-key-rejected', 'security.malformed-keys-rejected', 'security.key-strict', 'security.derived-keys-rejected']) {
      const g = finding(report, id);
      assert.ok(g && g.severity === 'SEV-3' && /monitoring gap/.test(g.severityRule), `${id}: ${g?.severityRule ?? 'passed'}`);
    }
    assert.ok((report.traffic?.rateLimited['POST /api/v1/sign'] ?? 0) >= 1, 'the 429s are counted in runbook.json');
    // One cause, one incident: the checks the limiter stopped are named in it; nothing on a made-up path.
    const dump = report.incidents.map((i) => `${i.key} ${i.severity} ${i.root.checkId} <- ${i.consequences.join(', ')}`).join('\n');
    const limited = report.incidents.find((i) => i.key === 'route-rate-limited:POST /api/v1/sign');
    assert.ok(limited, dump);
    assert.equal(limited.severity, 'SEV-3');
    assert.equal(limited.section.title, auth.title);
    assert.match(limited.title, /answers 429 before authentication: these checks could not run/);
    const named = [limited.root.checkId, ...limited.consequences];
    for (const id of ['security.no-key-rejected', 'security.wrong-key-rejected', 'security.malformed-keys-rejected', 'security.key-strict', 'security.derived-keys-rejected', 'security.rate-limits-declared']) {
      assert.ok(named.includes(id), `${id} is named in the incident: ${dump}`);
    }
    assert.ok(!report.incidents.some((i) => /credlink-checks-missing/.test(i.key)), dump);
    // Every finding of the run is in that incident: one page, not ten.
    assert.equal(report.incidents.length, 1, dump);
  } finally {
    h.target.app.limiterWindowMs = 60_000;
  }
});

test('limiter in front of auth, declared: the run paces itself under it, sees no 429, and every check passes', async () => {
  h.target.app.limiterWindowMs = 2000;
  // The limiter was just replaced: the holds its predecessor asked for (Retry-After of a lengthened
  // window, kept for later runs against this target in <reports-dir>/_budget) no longer apply.
  fs.rmSync(path.join(h.reportsDir, '_budget'), { recursive: true, force: true });
  try {
    const { report } = await h.run({ 'limiter-before-auth': 10 }, GREP, { CREDLINK_RATE_LIMIT_PATHS: '/api/v1/sign=10/2s' });
    assert.equal(report.findings.length, 0, report.findings.map((f) => `${f.checkId}: ${f.actual}`).join('\n'));
    assert.deepEqual(report.traffic?.rateLimited, {}, 'no 429: the declared limit was respected');
    assert.ok((report.traffic?.waitedMs ?? 0) > 0, 'the run waited for the window');
    // Reaching 21 failed attempts would trip the path limit first: the check says so instead of guessing.
    const s = report.skipped.find((x) => x.checkId === 'security.auth-rate-limit');
    assert.match(s?.reason ?? '', /would exceed \/api\/v1\/sign's own limit \(10\/2s\)/);
    assert.equal(report.skipped.length, 1, JSON.stringify(report.skipped));
  } finally {
    h.target.app.limiterWindowMs = 60_000;
  }
});

/** The real service's limiter: per X-API-Key value, every request without that header in one count per client, RateLimit-* on every answer. */
const KEYLESS: ActiveFaults = { 'keyless-bucket': 10, 'limiter-per-key': true };

test('keyless requests share one count, not described: a clear finding that the limits are described wrong; RateLimit-Remaining: 0 never reads as a 429', async () => {
  h.target.app.limiterWindowMs = 60_000;
  // The limiter was just replaced: holds a previous case's limiter asked for (kept for later runs
  // against this target in <reports-dir>/_budget) no longer apply.
  fs.rmSync(path.join(h.reportsDir, '_budget'), { recursive: true, force: true });
  try {
    const { report } = await h.run(KEYLESS, GREP);
    const dump = report.incidents.map((i) => `${i.key} ${i.severity} ${i.root.checkId} <- ${i.consequences.join(', ')}`).join('\n');
    const declared = finding(report, 'security.rate-limits-declared');
    assert.ok(declared, dump);
    // The polite client holds after "nothing remains", so it may never see the 429 itself: either is the sign.
    assert.match(declared.actual, /POST \/api\/v1\/sign (answered 429 \d+x|said nothing remains \(RateLimit-Remaining: 0\) \d+x).* to requests inside the declared limits/);
    assert.equal(declared.severity, 'SEV-3');
    // The checks the undeclared count refused are consequences of that one finding, not gaps of their own.
    const limited = report.incidents.find((i) => i.root.checkId === 'security.rate-limits-declared' || i.consequences.includes('security.rate-limits-declared'));
    assert.ok(limited && /429/.test(limited.title), dump);
    assert.ok(!report.incidents.some((i) => i.key === 'check:security.key-strict' && /not tested/.test(finding(report, 'security.key-strict')?.severityRule ?? '')), dump);
    // The failed-attempt check is not held by "nothing remains": every attempt got a real answer and
    // is judged (21 rotating keys never limited, the repeated one refused at its 11th), never "not tested".
    const f = finding(report, 'security.auth-rate-limit');
    if (f) assert.doesNotMatch(f.actual, /answered 429 and asked to wait|not tested|were answered/, f.actual);
  } finally {
    h.target.app.limiterWindowMs = 60_000;
  }
});

test('keyless requests share one count, described (per header:X-API-Key): the run paces them, no 429 outside the failed-attempt check, per-key-only is the finding', async () => {
  h.target.app.limiterWindowMs = 8000;
  // A new limiter (8 s window): the previous case's holds (Retry-After of a 60 s window) no longer apply.
  fs.rmSync(path.join(h.reportsDir, '_budget'), { recursive: true, force: true });
  try {
    const { report } = await h.run(KEYLESS, GREP, { CREDLINK_RATE_LIMIT_PATHS: '/api/v1/sign=10/8s per header:X-API-Key', CREDLINK_AUTH_FAIL_LIMIT_PER: 'header:X-API-Key' });
    const all = report.findings.map((x) => `${x.checkId} ${x.severity}: ${x.actual}`).join('\n');
    assert.deepEqual(report.findings.map((x) => x.checkId), ['security.auth-rate-limit'], all);
    assert.match(report.findings[0]!.actual, /limited only per key/);
    assert.ok(report.passed.some((p) => p.checkId === 'security.rate-limits-declared'), all);
    assert.ok(report.passed.some((p) => p.checkId === 'security.key-strict'), all);
    assert.ok(report.traffic?.limits.includes('/api/v1/sign=10/8s per header:x-api-key'), JSON.stringify(report.traffic));
  } finally {
    h.target.app.limiterWindowMs = 60_000;
  }
});
