/** Assertions on a run's incidents, shared by the drill tests: exactly these root causes, nothing else. */
import assert from 'node:assert/strict';
import { sections, type SectionId } from '../../runbooks/sections.ts';
import type { Severity } from '../../runbooks/severity.ts';
import type { Incident, RunbookReport } from '../../src/reporter/schema.ts';

/** [incident key (the id without the environment), severity, runbook section]. */
export type ExpectedIncident = [key: string, severity: Severity, section: SectionId];

const show = (r: RunbookReport) =>
  r.incidents.map((i) => `${i.key} ${i.severity} "${i.section.title}" root ${i.root.checkId} [${i.consequences.join(', ')}]`).join('; ') || 'no incident';

/** The report holds exactly these incidents (any order); every finding belongs to one; verdict = the worst. */
export function assertIncidents(report: RunbookReport, expected: readonly ExpectedIncident[]): Incident[] {
  const got = report.incidents.map((i) => `${i.key} ${i.severity} ${i.section.anchor}`).sort();
  const want = expected.map(([key, sev, section]) => `${key} ${sev} ${sections[section].anchor}`).sort();
  assert.deepEqual(got, want, `incidents: ${show(report)}; findings: ${report.findings.map((f) => `${f.checkId} ${f.severity}`).join(', ')}`);
  for (const i of report.incidents) {
    assert.equal(i.id, `${report.env}/${i.key}`);
    const members = report.findings.filter((f) => f.incidentId === i.id);
    assert.equal(members.filter((f) => f.role === 'root').length, 1, `${i.key} has one root finding`);
    assert.deepEqual([...new Set(members.filter((f) => f.role === 'consequence' && f.checkId !== i.root.checkId).map((f) => f.checkId))].sort(), [...i.consequences].sort());
  }
  for (const f of report.findings) assert.ok(report.incidents.some((i) => i.id === f.incidentId), `${f.checkId} points at an incident`);
  if (expected.length === 0) assert.equal(report.verdict.status, 'healthy', show(report));
  else assert.deepEqual(report.verdict, { status: 'findings', severity: report.incidents[0]!.severity });
  return report.incidents;
}

export function incident(report: RunbookReport, key: string): Incident {
  const i = report.incidents.find((x) => x.key === key);
  assert.ok(i, `no incident ${key}: ${show(report)}`);
  return i;
}
