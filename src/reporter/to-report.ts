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
import { ANSWER_ANNOTATION } from '../http/answers.ts';
import { withDisclosures } from './disclosures.ts';
import { measurementSchema, responseSeenSchema, type Evidence, type Measurement, type ResponseSeen, type RunbookReport, type TestRecord } from './schema.ts';

export type { TestRecord } from './schema.ts';

export interface RunFacts {
  env: string;
  /** observation (default), drill or candidate: see runbookReportSchema. */
  kind?: RunbookReport['kind'];
  runId: string;
  baseUrl: string;
  /** Where the monitor runs (config/location.ts). */
  location?: string;
  startedAt: string;
  durationMs: number;
  /**
   * The run did not end on its own: `interrupted` (SIGINT/SIGTERM reached the runner) or
   * `deadline` (CREDLINK_RUN_TIMEOUT_MS passed). Checks cut short are not evidence.
   */
  stopped?: { why: 'interrupted' | 'deadline'; detail: string };
  /** Incident keys of the environment's previous observed run that was evidence: what had failed before this run (rules with `seenBefore`). */
  previousIncidents?: readonly string[];
}

const ann = (t: TestRecord, type: string) => t.annotations.filter((a) => a.type === type).map((a) => a.description ?? '');
const checkIdOf = (t: TestRecord) => ann(t, 'runbook')[0];
const lastOf = (t: TestRecord, type: string) => ann(t, type).at(-1);

function impactOf(t: TestRecord): Impact | undefined {
  const raw = lastOf(t, 'impact');
  if (!raw) return undefined;
  const parsed = impactSchema.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : undefined;
}

/** A check cut short by a stop or the run deadline proves nothing either way. */
const isCutShort = (t: TestRecord) => t.status === 'interrupted';
const isFailure = (t: TestRecord) => t.outcome === 'unexpected' && t.status !== 'skipped' && !isCutShort(t);

/** Upper bound of responses[] per finding (the recorder already deduplicates by call and status). */
export const MAX_RESPONSES = 50;

/** The non-success answers a check saw ("response" annotations from checks/fixtures.ts), merged by call and status. */
function responsesOf(t: TestRecord): ResponseSeen[] {
  const out = new Map<string, ResponseSeen>();
  for (const raw of ann(t, ANSWER_ANNOTATION)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      continue;
    }
    const r = responseSeenSchema.safeParse(parsed);
    if (!r.success) continue;
    const key = `${r.data.call}\u0000${r.data.status}`;
    const prior = out.get(key);
    if (prior) {
      prior.count = (prior.count ?? 1) + (r.data.count ?? 1);
      for (const n of r.data.names ?? []) if (!prior.names?.includes(n)) prior.names = [...(prior.names ?? []), n];
    } else if (out.size < MAX_RESPONSES) out.set(key, { ...r.data });
  }
  return [...out.values()];
}

/**
 * `names`: the environment's names for the immediate actions (runbooks/commands.ts namesOf);
 * without them every name is a visible placeholder, never production's.
 */
export function toReport(records: readonly TestRecord[], run: RunFacts, names: CommandNames = unknownNames(run.env)): RunbookReport {
  // What any answer disclosed is judged once for the run (src/reporter/disclosures.ts).
  const tests = withDisclosures(records, run.env);
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
  const { stopped, ...facts } = run;
  const report: RunbookReport = {
    schemaVersion: 2,
    ...facts,
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
    if (t.status === 'skipped' || isCutShort(t)) {
      report.counts.skipped += 1;
      const reason = isCutShort(t) ? `cut short: ${stopped?.detail ?? 'the run was stopped'} before it finished` : ann(t, 'skip').filter(Boolean).join('; ') || 'skipped';
      report.skipped.push({ checkId, title: t.title, reason });
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
    const impact = impactOf(t);
    const decision = decideSeverity(entry, impact, entry.group ? groups.get(entry.group) : undefined);
    // The impact may belong to another section than the check's (intermittent errors: High Error Rate).
    const section = sections[decision.section ?? entry.section];
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
      ...(impact ? { impact } : {}),
      durationMs: t.durationMs,
      file: t.file,
    });
  }
  findings.sort((a, b) => a.severity.localeCompare(b.severity) || a.section.title.localeCompare(b.section.title));
  const executed = [...report.passed, ...report.flaky, ...findings].map((x) => x.checkId);
  const assigned = buildIncidents(run.env, findings, { executed, localize: (c) => renderCommand(c, names), ...(run.previousIncidents ? { previous: run.previousIncidents } : {}) });
  report.incidents = assigned.incidents;
  report.findings = assigned.findings;
  report.verdict = verdictOf(report, stopped);
  return report;
}

/**
 * Never healthy without evidence: a run in which no check executed (none selected, all
 * skipped) is "no-evidence", one that was stopped is "interrupted" (with what it did find).
 */
export function verdictOf(report: Pick<RunbookReport, 'incidents' | 'counts' | 'skipped'>, stopped?: RunFacts['stopped']): RunbookReport['verdict'] {
  const severity = mostSevere(report.incidents.map((i) => i.severity));
  const c = report.counts;
  const executed = c.passed + c.failed + c.flaky;
  if (stopped?.why === 'interrupted') return { status: 'interrupted', severity, reason: `stopped before every check finished (${stopped.detail}): ${executed} of ${c.total} checks ran` };
  if (executed === 0) {
    if (stopped) return { status: 'interrupted', severity, reason: `${stopped.detail} before any check finished` };
    return { status: 'no-evidence', severity: null, reason: c.total === 0 ? 'no check was selected' : `every check was skipped (${c.total}): ${skipSummary(report.skipped)}` };
  }
  if (stopped && !report.incidents.length) return { status: 'interrupted', severity, reason: `${stopped.detail}: ${executed} of ${c.total} checks ran, none found anything` };
  if (report.incidents.length) return { status: 'findings', severity, ...(stopped ? { reason: `${stopped.detail}: ${executed} of ${c.total} checks ran` } : {}) };
  return { status: 'healthy', severity: null };
}

/** The distinct skip reasons, most frequent first, bounded. */
function skipSummary(skipped: RunbookReport['skipped']): string {
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  const list = [...counts].sort((a, b) => b[1] - a[1]);
  const shown = list.slice(0, 3).map(([r, n]) => `${r.split('\n')[0]!.slice(0, 160)}${n > 1 ? ` (${n} checks)` : ''}`);
  return shown.join('; ') + (list.length > 3 ? `; and ${list.length - 3} other reason(s)` : '');
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 300);
}
