/**
 * Hand-made correlation for alerting tests: the findings of a hand-built report (assembleReport)
 * are grouped into the given incidents, each rooted at one check with the other listed checks as
 * its consequences. Alerting consumes `report.incidents`; this keeps its tests independent of how
 * src/incidents/ groups findings.
 */
import { mostSevere, severityRank } from '../../runbooks/severity.ts';
import type { Incident, RunbookReport } from '../../src/reporter/schema.ts';

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
