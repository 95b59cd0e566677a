/**
 * A bounded history of runs per environment (newest last), persisted atomically in
 * <stateDir>/history/<env>.json: the raw material for trends and latency baselines.
 * A damaged history file only costs trends: it is moved aside (`<env>.json.damaged-<time>`) with a
 * log line and the history starts again; a save that fails is retried (src/state/health.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from '../zod.ts';
import { SEVERITIES } from '../../runbooks/severity.ts';
import { measurementSchema, type RunbookReport } from '../reporter/schema.ts';
import { describeFsError, moveAside, writeTextAtomic } from '../state/file.ts';
import { StateHealth } from '../state/health.ts';

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
  readonly dir: string;
  private readonly cache = new Map<string, HistoryEntry[]>();
  constructor(
    stateDir: string,
    private readonly size: number,
    private readonly health: StateHealth = new StateHealth(),
    private readonly log: (level: 'info' | 'error', line: string) => void = () => {},
  ) {
    this.dir = path.join(path.resolve(stateDir), 'history');
  }

  list(env: string): HistoryEntry[] {
    const cached = this.cache.get(env);
    if (cached) return cached;
    const entries = this.read(path.join(this.dir, `${env}.json`));
    this.cache.set(env, entries);
    return entries;
  }

  private read(file: string): HistoryEntry[] {
    let problem: string;
    try {
      const parsed = z.array(historyEntrySchema).safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      if (parsed.success) return parsed.data;
      const i = parsed.error.issues[0];
      problem = `not a run history (${i?.path.join('.') || '(root)'}: ${i?.message})`;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      problem = e instanceof SyntaxError ? `not valid JSON (${e.message.split('\n')[0]})` : describeFsError(e);
    }
    // A damaged history only costs trends: keep it for a post-mortem and start again rather than stop monitoring.
    try {
      const aside = moveAside(file);
      this.log('error', `${file}: ${problem}: moved aside to ${path.basename(aside)}; the run history of this environment starts again`);
    } catch (e) {
      this.log('error', `${file}: ${problem}, and it cannot be moved aside (${describeFsError(e)}): the run history starts again in memory`);
    }
    return [];
  }

  add(entry: HistoryEntry): void {
    const entries = [...this.list(entry.env), entry].slice(-this.size);
    this.cache.set(entry.env, entries);
    const file = path.join(this.dir, `${entry.env}.json`);
    const text = JSON.stringify(entries, null, 2) + '\n';
    this.health.save(file, () => writeTextAtomic(file, text));
  }
}
