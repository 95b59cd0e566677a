/** Builds a runbook reporter input record for table tests: a passing check unless `over` says otherwise. */
import type { TestRecord } from '../../src/reporter/to-report.ts';

export function testRecord(id: string | undefined, over: Partial<TestRecord> = {}): TestRecord {
  return {
    title: `t ${id}`,
    annotations: id ? [{ type: 'runbook', description: id }] : [],
    status: 'passed',
    outcome: 'expected',
    retries: 0,
    durationMs: 1,
    errors: [],
    evidence: [],
    ...over,
  };
}

import { buildIncidents, type Unassigned } from '../../src/incidents/build.ts';
import type { RunbookReport } from '../../src/reporter/schema.ts';

/** A finding for hand-built reports: the incident stage assigns incidentId and role. */
export type FindingInput = Omit<Unassigned, 'responses'> & { responses?: Unassigned['responses'] };

/** A schema-valid runbook.json built by hand: findings go through the incident stage, verdict from its incidents. */
export function assembleReport(
  r: Omit<RunbookReport, 'schemaVersion' | 'kind' | 'incidents' | 'findings' | 'verdict'> & { kind?: RunbookReport['kind']; findings: FindingInput[]; verdict?: RunbookReport['verdict'] },
): RunbookReport {
  const executed = [...r.passed, ...r.flaky, ...r.findings].map((x) => x.checkId);
  const { incidents, findings } = buildIncidents(r.env, r.findings.map((f) => ({ responses: [], ...f })), { executed });
  const worst = incidents[0]?.severity ?? null;
  return {
    ...r,
    schemaVersion: 2,
    kind: r.kind ?? 'observation',
    incidents,
    findings,
    verdict: r.verdict ?? { status: incidents.length ? 'findings' : 'healthy', severity: worst },
  };
}
