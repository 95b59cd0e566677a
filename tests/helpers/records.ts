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
import { parseEnv, type ResolvedConfig } from '../../config/index.ts';
import { sections } from '../../runbooks/sections.ts';
import { asOneIncident } from './incidents.ts';

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
  const executed = [...r.passed, ...r.flaky, ...r.findings].map((x) => x.checkId);
  const built = buildIncidents(r.env, r.findings.map((f) => ({ responses: [], ...f })), { executed });
  let { incidents, findings } = built;
  for (const [rootCheck, ids] of Object.entries(declared ?? {})) {
    const root = incidents.find((i) => i.root.checkId === rootCheck);
    if (!root) throw new Error(`assembleReport: no incident rooted at ${rootCheck}`);
    const moved = new Set(ids);
    findings = findings.map((f) => (moved.has(f.checkId) ? { ...f, incidentId: root.id, role: 'consequence' as const } : f));
    incidents = incidents
      .filter((i) => !moved.has(i.root.checkId))
      .map((i) => (i.id === root.id ? { ...i, consequences: [...new Set([...i.consequences, ...ids])] } : { ...i, consequences: i.consequences.filter((c) => !moved.has(c)) }));
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

/**
 * A one-check world for daemon tests: `health.root` failing (SEV-0, one `outage` incident) or
 * passing. `runId` default: a fresh one per call.
 */
export function healthRootReport(env: string, fail: boolean, runId = `r-${Math.random().toString(36).slice(2, 8)}`): RunbookReport {
  const s = sections['service-unavailable'];
  const r = assembleReport({
    env,
    runId,
    baseUrl: `https://${env}.credlink.example`,
    startedAt: new Date().toISOString(),
    durationMs: 100,
    counts: { total: 1, passed: fail ? 0 : 1, failed: fail ? 1 : 0, skipped: 0, flaky: 0 },
    findings: fail
      ? [{ checkId: 'health.root', title: 'GET /health answers 200', status: 'failed', severity: 'SEV-0', severityRule: 'every health endpoint down (SEV-0)', section: { title: s.title, anchor: s.anchor }, expected: '== 200', actual: '503', message: '503', immediateActions: [], evidence: [], durationMs: 3 }]
      : [],
    passed: fail ? [] : [{ checkId: 'health.root', title: 'GET /health answers 200', durationMs: 2 }],
    skipped: [],
    flaky: [],
    measurements: [],
    uncatalogued: [],
  });
  return fail ? asOneIncident(r, { key: 'outage', root: 'health.root' }) : r;
}

/** An environment that pages PagerDuty (a loopback receiver at `pdUrl`); `vars` add to or override it. */
export function pagerDutyEnv(env: string, pdUrl: string, vars: Record<string, string> = {}): ResolvedConfig {
  return parseEnv(
    {
      CREDLINK_BASE_URL: `https://${env}.credlink.example`,
      CREDLINK_API_KEYS: 'k-probe-123456',
      CREDLINK_PAGERDUTY_ROUTING_KEY: 'R0UTINGKEY0123456789abcdefabcdef',
      CREDLINK_PAGERDUTY_EVENTS_URL: `${pdUrl}/v2/enqueue`,
      ...vars,
    },
    { env, file: `environments/${env}.env`, processEnv: {} },
  );
}
