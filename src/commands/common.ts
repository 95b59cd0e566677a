/** Options shared by the commands that run the suite, and how their outcome becomes an exit code. */
import path from 'node:path';
import { loadConfig, processFacts, type ResolvedConfig } from '../../config/index.ts';
import { atLeast, isSeverity, type Severity } from '../../runbooks/severity.ts';
import { EXIT, UsageError } from '../errors.ts';
import type { RunbookReport } from '../reporter/schema.ts';
import { colours, plain, renderSummary } from '../reporter/summary.ts';
import { LIVING_RUNBOOK_FILE, type RunbookSource } from '../runbook-md/link.ts';
import type { CommandContext } from './contract.ts';

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

/**
 * An --env value that names a file rather than an environment: it contains a path separator or
 * ends in ".env" (names are lowercase letters, digits and "-"). `--env PATH` is what works through
 * npx and `node bin/...` on Node 20, which takes any "--env-file" on its command line for itself.
 */
export function isEnvPath(value: string): boolean {
  return /[/\\]|\.env$/.test(value);
}

/** --env NAME|PATH or --env-file PATH as loadConfig's options. */
export function envSource(flags: Pick<RunFlags, 'env' | 'env-file'>, fallbackEnv?: string): { env?: string; file?: string } {
  if (flags.env && flags['env-file']) throw new UsageError('give either --env or --env-file, not both');
  const file = flags['env-file'] ?? (flags.env && isEnvPath(flags.env) ? flags.env : undefined);
  if (file) return { file };
  if (!flags.env && !fallbackEnv) throw new UsageError('--env NAME|PATH is required: an environment name (e.g. --env local, --env staging) or the path of an environment file');
  return { env: flags.env ?? fallbackEnv };
}

export function configFrom(flags: RunFlags, fallbackEnv?: string): Readonly<ResolvedConfig> {
  const c = loadConfig(envSource(flags, fallbackEnv));
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
