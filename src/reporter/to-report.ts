/**
 * The pure part of the reporter: (test records, run facts) -> RunbookReport.
 * No I/O here; tests/unit/to-report.test.ts drives it with tables.
 */
import { catalog, isCheckId, type CatalogEntry } from '../../runbooks/catalog.ts';
import { sections } from '../../runbooks/sections.ts';
import { renderCommand, unknownNames, type CommandNames } from '../../runbooks/commands.ts';
import { mostSevere } from '../../runbooks/severity.ts';
import { impactSchema, type Impact } from '../triage/impact.ts';
import { decideSeverity, type GroupState } from '../triage/severity-policy.ts';
import { buildIncidents, type Unassigned } from '../incidents/build.ts';
import { measurementSchema, responseSeenSchema, type Evidence, type Measurement, type ResponseSeen, type RunbookReport } from './schema.ts';

export interface TestRecord {
  title: string;
  file?: string;
  /** Annotations declared statically and pushed at run time. */
  annotations: { type: string; description?: string }[];
  /** Final outcome: the last attempt's status. */
  status: 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';
  /** Playwright's outcome: "flaky" = failed first, passed on retry. */
  outcome: 'expected' | 'unexpected' | 'flaky' | 'skipped';
  retries: number;
  durationMs: number;
  /** Error messages of the last attempt (first one of the first attempt for flaky). */
  errors: string[];
  firstError?: string;
  evidence: Evidence[];
}

export interface RunFacts {
  env: string;
  /** observation (default), drill or candidate: see runbookReportSchema. */
  kind?: RunbookReport['kind'];
  runId: string;
  baseUrl: string;
  startedAt: string;
  durationMs: number;
}

const ann = (t: TestRecord, type: string) => t.annotations.filter((a) => a.type === type).map((a) => a.description ?? '');
const checkIdOf = (t: TestRecord) => ann(t, 'runbook')[0];
const lastOf = (t: TestRecord, type: string) => ann(t, type).at(-1);

/** Non-success answers the check recorded (checks/fixtures.ts, annotation "response"), bounded. */
function responsesOf(t: TestRecord): ResponseSeen[] {
  const out: ResponseSeen[] = [];
  for (const raw of ann(t, 'response').slice(0, MAX_RESPONSES)) {
    try {
      const r = responseSeenSchema.safeParse(JSON.parse(raw));
      if (r.success) out.push(r.data);
    } catch {
      /* not ours */
    }
  }
  return out;
}

/** Upper bound of responses[] per finding. */
export const MAX_RESPONSES = 20;

function impactOf(t: TestRecord): Impact | undefined {
  const raw = lastOf(t, 'impact');
  if (!raw) return undefined;
  const parsed = impactSchema.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : undefined;
}

const isFailure = (t: TestRecord) => t.outcome === 'unexpected' && t.status !== 'skipped';

/**
 * `names`: the environment's names for the immediate actions (runbooks/commands.ts namesOf);
 * without them every name is a visible placeholder, never production's.
 */
export function toReport(tests: readonly TestRecord[], run: RunFacts, names: CommandNames = unknownNames(run.env)): RunbookReport {
  const groups = new Map<string, GroupState>();
  for (const t of tests) {
    const id = checkIdOf(t);
    const group = id && isCheckId(id) ? (catalog[id] as CatalogEntry).group : undefined;
    if (!group || t.status === 'skipped') continue;
    const g = groups.get(group) ?? { down: 0, total: 0 };
    g.total += 1;
    if (isFailure(t) && impactOf(t)?.kind === 'unavailable') g.down += 1;
    groups.set(group, g);
  }

  const findings: Unassigned[] = [];
  const report: RunbookReport = {
    schemaVersion: 2,
    ...run,
    kind: run.kind ?? 'observation',
    verdict: { status: 'healthy', severity: null },
    counts: { total: tests.length, passed: 0, failed: 0, skipped: 0, flaky: 0 },
    incidents: [],
    findings: [],
    passed: [],
    skipped: [],
    flaky: [],
    measurements: [],
    uncatalogued: [],
  };
  for (const t of tests) {
    const id = checkIdOf(t);
    if (!id || !isCheckId(id)) {
      report.uncatalogued.push(t.title);
      if (!isFailure(t)) continue;
    }
    for (const raw of ann(t, 'measurement')) {
      const m = measurementSchema.safeParse({ checkId: id, ...JSON.parse(raw) });
      if (m.success) report.measurements.push(m.data as Measurement);
    }
    const entry: CatalogEntry = id && isCheckId(id) ? catalog[id] : { title: t.title, section: 'basic-service-health', severity: 'SEV-3' };
    const checkId = id ?? `uncatalogued:${t.title}`;
    if (t.status === 'skipped') {
      report.counts.skipped += 1;
      report.skipped.push({ checkId, title: t.title, reason: ann(t, 'skip').filter(Boolean).join('; ') || 'skipped' });
      continue;
    }
    if (t.outcome === 'flaky') {
      report.counts.flaky += 1;
      report.flaky.push({ checkId, title: t.title, retries: t.retries, firstError: t.firstError ?? '' });
      continue;
    }
    if (!isFailure(t)) {
      report.counts.passed += 1;
      report.passed.push({ checkId, title: t.title, durationMs: t.durationMs });
      continue;
    }
    report.counts.failed += 1;
    const decision = decideSeverity(entry, impactOf(t), entry.group ? groups.get(entry.group) : undefined);
    const section = sections[entry.section];
    const procedure = entry.procedure ? sections[entry.procedure] : undefined;
    const message = t.errors[0] ?? (t.status === 'timedOut' ? 'the check ran out of time' : 'the check failed');
    findings.push({
      checkId,
      title: t.title,
      status: t.status === 'timedOut' ? 'timedOut' : t.status === 'interrupted' ? 'interrupted' : 'failed',
      severity: decision.severity,
      severityRule: decision.rule,
      section: { title: section.title, anchor: section.anchor },
      procedure: procedure ? { title: procedure.title, anchor: procedure.anchor } : undefined,
      expected: lastOf(t, 'expected') ?? entry.title,
      actual: lastOf(t, 'actual') ?? firstLine(message),
      message,
      immediateActions: section.immediateActions.map((a) => ({ step: a.step, command: renderCommand(a.command, names), writes: 'writes' in a && a.writes === true })),
      evidence: t.evidence,
      responses: responsesOf(t),
      durationMs: t.durationMs,
      file: t.file,
    });
  }
  findings.sort((a, b) => a.severity.localeCompare(b.severity) || a.section.title.localeCompare(b.section.title));
  const assigned = buildIncidents(run.env, findings);
  report.incidents = assigned.incidents;
  report.findings = assigned.findings;
  const worst = mostSevere(report.incidents.map((i) => i.severity));
  report.verdict = { status: report.incidents.length ? 'findings' : 'healthy', severity: worst };
  return report;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 300);
}
