/**
 * Reading a runbook.json from disk, whatever schema version wrote it: reports of schema 1 (before
 * incidents) are upgraded, so history, trends and baselines survive an upgrade of the tool.
 */
import fs from 'node:fs';
import { buildIncidents, type Unassigned } from '../incidents/build.ts';
import { runbookReportSchema, type RunbookReport } from './schema.ts';

/** Upgrades a parsed schema-1 report in place of nothing: returns a new object, or the input unchanged. */
export function upgradeReport(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || (raw as { schemaVersion?: unknown }).schemaVersion !== 1) return raw;
  const r = raw as Record<string, unknown> & { env: string; findings?: Omit<Unassigned, 'responses'>[]; passed?: { checkId: string }[]; flaky?: { checkId: string }[] };
  // Schema 1 recorded neither answers nor impacts: only rules that need neither can correlate.
  const old = r.findings ?? [];
  const executed = [...(r.passed ?? []), ...(r.flaky ?? []), ...old].map((x) => x.checkId);
  const { incidents, findings } = buildIncidents(r.env, old.map((f) => ({ ...f, responses: [] })), { executed });
  return { ...r, schemaVersion: 2, kind: 'observation', incidents, findings };
}

export function parseReport(raw: unknown): ReturnType<typeof runbookReportSchema.safeParse> {
  return runbookReportSchema.safeParse(upgradeReport(raw));
}

/** The report in `file`, or undefined when it is missing, unreadable or not a runbook report. */
export function readReportFile(file: string): RunbookReport | undefined {
  try {
    const parsed = parseReport(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Only observations make history (trends, baselines, the status page, alerts): drills and
 * cutover's candidate runs are rehearsals or checks of another side, and an interrupted run
 * saw only part of the environment. Drills and candidates are also stored apart (src/run/paths.ts);
 * this also covers reports copied or written elsewhere.
 */
export function makesHistory(r: Pick<RunbookReport, 'kind' | 'verdict'>): boolean {
  return r.kind === 'observation' && r.verdict.status !== 'interrupted';
}
