/** `credlink-checks drill auth-bypass`: the real CLI, its own embedded target, exit 1 with a SEV-0 breach. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { sections } from '../../runbooks/sections.ts';
import type { RunbookReport } from '../../src/reporter/schema.ts';
import { cli, tempDir } from '../helpers/harness.ts';
import { assertIncidents, incident } from '../helpers/incidents.ts';

test('drill auth-bypass exits 1 with a SEV-0 finding in "Incident: API Key Authentication Failures"', async () => {
  const reports = tempDir('credlink-drill-');
  try {
    const r = await cli(['drill', 'auth-bypass', '--grep', '@security\\.', '--json', '--reports-dir', reports]);
    assert.equal(r.code, 1, r.stderr.slice(-2000));
    const report = JSON.parse(r.stdout) as RunbookReport;
    assert.equal(report.verdict.severity, 'SEV-0');
    const f = report.findings.find((x) => x.checkId === 'security.no-key-rejected');
    assert.ok(f, report.findings.map((x) => x.checkId).join(', '));
    assert.equal(f.severity, 'SEV-0');
    assert.equal(f.section.title, sections['api-key-auth'].title);
    assert.match(f.severityRule, /security breach/);
    assert.ok(f.immediateActions.some((a) => a.writes && /Rotate/.test(a.step)), 'the rotation step is listed, marked as a write');
    // Six checks see the same bypass: one incident, one page.
    assertIncidents(report, [['symptom:unauthorized-access', 'SEV-0', 'api-key-auth']]);
    const i = incident(report, 'symptom:unauthorized-access');
    assert.equal(i.id, 'local/symptom:unauthorized-access');
    assert.ok(i.consequences.includes('security.no-key-rejected') || i.root.checkId === 'security.no-key-rejected');
    assert.ok(i.immediateActions.some((a) => a.writes && /Rotate/.test(a.step)));
  } finally {
    fs.rmSync(reports, { recursive: true, force: true });
  }
});
