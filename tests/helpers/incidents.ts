/**
 * Hand-made correlation for alerting tests: every finding of a hand-built report (assembleReport)
 * becomes part of ONE incident with the given key, rooted at one check, the others its
 * consequences. Alerting consumes `report.incidents`; this keeps its tests independent of how
 * src/incidents/ groups findings.
 */
import type { Incident, RunbookReport } from '../../src/reporter/schema.ts';

export function asOneIncident(report: RunbookReport, o: { key: string; root: string; title?: string; severity?: Incident['severity'] }): RunbookReport {
  const root = report.findings.find((f) => f.checkId === o.root);
  if (!root) throw new Error(`no finding of ${o.root} in the report`);
  const id = `${report.env}/${o.key}`;
  const severity = o.severity ?? root.severity;
  const incident: Incident = {
    id,
    key: o.key,
    rule: o.key.split(':')[0]!,
    title: o.title ?? root.title,
    severity,
    severityRule: root.severityRule,
    section: root.section,
    immediateActions: root.immediateActions,
    root: { checkId: root.checkId, message: root.message.split('\n')[0] ?? '' },
    consequences: [...new Set(report.findings.filter((f) => f.checkId !== o.root).map((f) => f.checkId))],
  };
  return {
    ...report,
    incidents: [incident],
    findings: report.findings.map((f) => ({ ...f, incidentId: id, role: f.checkId === o.root ? 'root' : 'consequence' })),
    verdict: { status: 'findings', severity },
  };
}
