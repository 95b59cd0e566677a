/**
 * The health and database checks proven both ways against the real reference target:
 * healthy -> every check passes; each fault -> the expected check fails with the expected
 * runbook section and severity.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sections, type SectionId } from '../../runbooks/sections.ts';
import type { ActiveFaults } from '../../src/target/faults.ts';
import { finding, startHarness, type Harness } from '../helpers/harness.ts';

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
  assert.ok(report.counts.passed >= 10);
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

test('database-down: the probe fails fast (connection timeout bounded), health reports the database', async () => {
  const { report } = await h.runOnce({ 'database-down': true }, GREP);
  const f = finding(report, 'db.connect')!;
  assert.ok(f.durationMs < 10_000);
  assert.ok(report.skipped.some((s) => s.checkId === 'db.round-trip' && /db\.connect covers/.test(s.reason)));
});
