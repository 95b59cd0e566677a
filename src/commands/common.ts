/** Options shared by the commands that run the suite, and how their outcome becomes an exit code. */
import path from 'node:path';
import { loadConfig, processFacts, type ResolvedConfig } from '../../config/index.ts';
import { atLeast, isSeverity, type Severity } from '../../runbooks/severity.ts';
import { EXIT, UsageError } from '../errors.ts';
import type { RunbookReport } from '../reporter/schema.ts';
import { colours, plain, renderSummary } from '../reporter/summary.ts';
import { LIVING_RUNBOOK_FILE, type RunbookSource } from '../runbook-md/link.ts';
import type { CommandContext } from '../cli.ts';

/** The options of run, drill and gate (declared with their help in ./options.ts). */
export { runOptions } from './options.ts';

export interface RunFlags {
  env?: string;
  'env-file'?: string;
  grep?: string;
  json?: boolean;
  'fail-on'?: string;
  'reports-dir'?: string;
}

export function configFrom(flags: RunFlags, fallbackEnv?: string): Readonly<ResolvedConfig> {
  if (flags.env && flags['env-file']) throw new UsageError('give either --env or --env-file, not both');
  if (!flags.env && !flags['env-file'] && !fallbackEnv) throw new UsageError('--env NAME is required (e.g. --env local, --env staging)');
  const c = loadConfig({ env: flags.env ?? (flags['env-file'] ? undefined : fallbackEnv), file: flags['env-file'] });
  // A monitor of this remote environment may have a fresh window there (src/monitor/reuse.ts).
  const stateDir = (flags as { 'state-dir'?: string })['state-dir'];
  return c.target === 'remote' && stateDir && stateDir !== 'none' ? Object.freeze({ ...c, monitorWindow: { stateDir: path.resolve(stateDir) } }) : c;
}

export function failOnFrom(flags: RunFlags, config: ResolvedConfig): Severity {
  const v = flags['fail-on'];
  if (v === undefined) return config.failOn;
  if (!isSeverity(v)) throw new UsageError(`--fail-on must be one of SEV-0, SEV-1, SEV-2, SEV-3 (got "${v}")`);
  return v;
}

/** The verdict as an exit code: incidents decide, never single findings; no evidence is never healthy. */
export function exitCodeFor(report: RunbookReport, failOn: Severity): number {
  if (report.verdict.status === 'no-evidence') return EXIT.noEvidence;
  if (report.verdict.status === 'interrupted') return EXIT.interrupted;
  return report.incidents.some((i) => atLeast(i.severity, failOn)) ? EXIT.findings : EXIT.healthy;
}

/** Prints the outcome: runbook.json on stdout with --json, the human summary otherwise. */
export function printOutcome(ctx: CommandContext, report: RunbookReport, runDir: string, json: boolean, runbook?: RunbookSource): void {
  if (json) ctx.out(JSON.stringify(report, null, 2) + '\n');
  else {
    const links = { url: runbook?.url, living: runbook?.path ? path.join(runDir, LIVING_RUNBOOK_FILE) : undefined };
    ctx.out(renderSummary(report, runDir, process.stdout.isTTY && !processFacts.noColor() ? colours : plain, links));
  }
}
