/**
 * A bounded history of runs per environment (newest last), persisted atomically in
 * <stateDir>/history/<env>.json: the raw material for trends and latency baselines.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SEVERITIES } from '../../runbooks/severity.ts';
import { measurementSchema, type RunbookReport } from '../reporter/schema.ts';
import { writeJsonAtomic } from '../alerting/store.ts';

export const historyEntrySchema = z.object({
  env: z.string(),
  runId: z.string().nullable(),
  startedAt: z.string(),
  durationMs: z.number(),
  /** healthy / findings from the report; error = the run could not complete; timeout = abandoned. */
  outcome: z.enum(['healthy', 'findings', 'no-evidence', 'interrupted', 'error', 'timeout']),
  severity: z.enum(SEVERITIES).nullable(),
  counts: z.object({ total: z.number(), passed: z.number(), failed: z.number(), skipped: z.number(), flaky: z.number() }).nullable(),
  findings: z.array(z.object({ checkId: z.string(), severity: z.enum(SEVERITIES) })),
  measurements: z.array(measurementSchema),
  error: z.string().nullable(),
});

export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export function entryFromReport(report: RunbookReport, startedAt: string, durationMs: number): HistoryEntry {
  return {
    env: report.env,
    runId: report.runId,
    startedAt,
    durationMs,
    outcome: report.verdict.status,
    severity: report.verdict.severity,
    counts: report.counts,
    findings: report.findings.map((f) => ({ checkId: f.checkId, severity: f.severity })),
    measurements: report.measurements,
    error: null,
  };
}

export class RunHistory {
  private readonly dir: string;
  private readonly cache = new Map<string, HistoryEntry[]>();
  constructor(stateDir: string, private readonly size: number) {
    this.dir = path.join(path.resolve(stateDir), 'history');
  }

  list(env: string): HistoryEntry[] {
    const cached = this.cache.get(env);
    if (cached) return cached;
    const file = path.join(this.dir, `${env}.json`);
    let entries: HistoryEntry[] = [];
    if (fs.existsSync(file)) {
      const parsed = z.array(historyEntrySchema).safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      // A damaged history only costs trends: start it again rather than stop monitoring.
      entries = parsed.success ? parsed.data : [];
    }
    this.cache.set(env, entries);
    return entries;
  }

  add(entry: HistoryEntry): void {
    const entries = [...this.list(entry.env), entry].slice(-this.size);
    this.cache.set(entry.env, entries);
    writeJsonAtomic(path.join(this.dir, `${entry.env}.json`), entries);
  }
}
