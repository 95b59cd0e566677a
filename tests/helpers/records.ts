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

/**
 * A schema-valid runbook.json built by hand: findings go through the incident stage, verdict from
 * its incidents. `consequences` declares correlation by hand (the correlation engine is built
 * elsewhere; reports must render any valid schema-2 report): root check id -> check ids whose
 * findings become consequences of the root's incident.
 */
export function assembleReport(
  r: Omit<RunbookReport, 'schemaVersion' | 'kind' | 'incidents' | 'findings' | 'verdict'> & {
    kind?: RunbookReport['kind'];
    findings: FindingInput[];
    verdict?: RunbookReport['verdict'];
    consequences?: Record<string, string[]>;
  },
): RunbookReport {
  const { consequences: declared, ...rest } = r;
  const built = buildIncidents(r.env, r.findings.map((f) => ({ responses: [], ...f })));
  let { incidents, findings } = built;
  for (const [rootCheck, ids] of Object.entries(declared ?? {})) {
    const root = incidents.find((i) => i.root.checkId === rootCheck);
    if (!root) throw new Error(`assembleReport: no incident rooted at ${rootCheck}`);
    const moved = new Set(ids);
    findings = findings.map((f) => (moved.has(f.checkId) ? { ...f, incidentId: root.id, role: 'consequence' as const } : f));
    incidents = incidents.filter((i) => !moved.has(i.root.checkId)).map((i) => (i.id === root.id ? { ...i, consequences: [...i.consequences, ...ids] } : i));
  }
  const worst = incidents[0]?.severity ?? null;
  return {
    ...rest,
    schemaVersion: 2,
    kind: r.kind ?? 'observation',
    incidents,
    findings,
    verdict: r.verdict ?? { status: incidents.length ? 'findings' : 'healthy', severity: worst },
  };
}
