/** Assertions on a run's incidents, shared by the drill tests: exactly these root causes, nothing else. */
import assert from 'node:assert/strict';
import { sections, type SectionId } from '../../runbooks/sections.ts';
import { mostSevere, severityRank, type Severity } from '../../runbooks/severity.ts';
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

/*
 * Hand-made correlation for alerting tests: the findings of a hand-built report (assembleReport)
 * are grouped into the given incidents, each rooted at one check with the other listed checks as
 * its consequences. Alerting consumes `report.incidents`; this keeps its tests independent of how
 * src/incidents/ groups findings.
 */
export interface IncidentSpec {
  key: string;
  root: string;
  title?: string;
  severity?: Incident['severity'];
  /** Consequence checks; default: every finding not named by another spec. */
  consequences?: string[];
}

export function asIncidents(report: RunbookReport, specs: IncidentSpec[]): RunbookReport {
  const claimed = new Set(specs.flatMap((s) => [s.root, ...(s.consequences ?? [])]));
  const owner = new Map<string, { id: string; root: boolean }>();
  const incidents: Incident[] = specs.map((o) => {
    const root = report.findings.find((f) => f.checkId === o.root);
    if (!root) throw new Error(`no finding of ${o.root} in the report`);
    const id = `${report.env}/${o.key}`;
    const consequences = o.consequences ?? [...new Set(report.findings.filter((f) => !claimed.has(f.checkId)).map((f) => f.checkId))];
    owner.set(o.root, { id, root: true });
    for (const c of consequences) owner.set(c, { id, root: false });
    return {
      id,
      key: o.key,
      rule: o.key.split(':')[0]!,
      title: o.title ?? root.title,
      severity: o.severity ?? root.severity,
      severityRule: root.severityRule,
      section: root.section,
      immediateActions: root.immediateActions,
      root: { checkId: root.checkId, message: root.message.split('\n')[0] ?? '' },
      consequences,
    };
  });
  incidents.sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
  const findings = report.findings.map((f) => {
    const o = owner.get(f.checkId);
    if (!o) throw new Error(`finding ${f.checkId} belongs to no incident`);
    return { ...f, incidentId: o.id, role: o.root ? ('root' as const) : ('consequence' as const) };
  });
  return { ...report, incidents, findings, verdict: { status: 'findings', severity: mostSevere(incidents.map((i) => i.severity)) } };
}

export function asOneIncident(report: RunbookReport, o: Omit<IncidentSpec, 'consequences'>): RunbookReport {
  return asIncidents(report, [o]);
}
