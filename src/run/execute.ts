/**
 * One run of the suite: start the embedded target when the environment asks for it, run
 * Playwright on the checks with the resolved configuration, and read back runbook.json.
 * Everything the child prints is scrubbed of secrets before it is passed on.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { processFacts, RESOLVED_CONFIG_VAR, secretsOf, type ResolvedConfig } from '../../config/index.ts';
import { EnvironmentError } from '../errors.ts';
import { finishRunFolder } from '../report/run-outputs.ts';
import { runbookReportSchema, type RunbookReport } from '../reporter/schema.ts';
import { scrubRunDir } from '../secrets/run-dir.ts';
import { Scrubber } from '../secrets/scrub.ts';
import type { ActiveFaults } from '../target/faults.ts';
import { startEmbedded, type EmbeddedStack } from './embedded.ts';
import { newRunId, PLAYWRIGHT_CONFIG, PROJECT_ROOT, runDirFor } from './paths.ts';

export interface ExecuteOptions {
  config: Readonly<ResolvedConfig>;
  reportsDir: string;
  /** Faults for an embedded target (drill). */
  faults?: ActiveFaults;
  /** Only checks whose title or tags match (Playwright --grep). */
  grep?: string;
  /** Progress and child output, already scrubbed. */
  log?: (line: string) => void;
  /** Aborting stops the Playwright child (SIGTERM, then SIGKILL after 5 s): how `schedule` bounds a hung run. */
  signal?: AbortSignal;
  /** Another Playwright config (tests run fixture suites through the same pipeline). */
  playwrightConfig?: string;
}

export interface RunOutcome {
  report: RunbookReport;
  runDir: string;
  config: ResolvedConfig;
}

const require = createRequire(import.meta.url);

export async function executeRun(opts: ExecuteOptions): Promise<RunOutcome> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  let embedded: EmbeddedStack | undefined;
  let config: ResolvedConfig = { ...opts.config };
  if (config.target === 'embedded') {
    log(`starting the reference CredLink target (PostgreSQL on loopback)${opts.faults && Object.keys(opts.faults).length ? ' with faults' : ''}...`);
    embedded = await startEmbedded(config, { faults: opts.faults });
    config = embedded.config;
  }
  try {
    return await runPlaywright(config, opts, embedded?.secrets ?? [], log);
  } finally {
    await embedded?.stop();
  }
}

/** Runs Playwright against an already resolved target (also used by tests with a shared target). */
export async function runPlaywright(
  base: ResolvedConfig,
  opts: Pick<ExecuteOptions, 'reportsDir' | 'grep' | 'signal' | 'playwrightConfig'>,
  extraSecrets: string[],
  log: (line: string) => void,
): Promise<RunOutcome> {
  const runId = newRunId();
  const runDir = runDirFor(opts.reportsDir, base.env, runId);
  fs.mkdirSync(runDir, { recursive: true });
  const config: ResolvedConfig = { ...base, runDir, runId };
  const scrub = new Scrubber([...secretsOf(config), ...extraSecrets]);
  const cli = require.resolve('@playwright/test/cli');
  const args = [cli, 'test', '-c', opts.playwrightConfig ?? PLAYWRIGHT_CONFIG];
  if (opts.grep) args.push('--grep', opts.grep);
  const env = { ...processFacts.env(), [RESOLVED_CONFIG_VAR]: JSON.stringify(config), FORCE_COLOR: '0', PW_TEST_HTML_REPORT_OPEN: 'never' };
  const tail: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (chunk: Buffer) => {
      for (const line of scrub.text(chunk.toString('utf8')).split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 20) tail.shift();
        log(line);
      }
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', reject);
    const abort = () => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    };
    if (opts.signal?.aborted) abort();
    opts.signal?.addEventListener('abort', abort, { once: true });
    child.on('close', (c) => {
      opts.signal?.removeEventListener('abort', abort);
      resolve(c ?? 1);
    });
  });
  // Playwright's own reporters (JUnit, JSON, HTML), attachments and traces know nothing of our
  // secrets: rewrite whatever the run wrote before anyone reads it.
  const scrubbed = scrubRunDir(runDir, scrub);
  for (const f of scrubbed.removed) log(`removed ${f} from the run folder: it could not be scrubbed of secrets`);
  if (opts.signal?.aborted) throw new EnvironmentError(`the run of ${base.env} was abandoned: ${String(opts.signal.reason ?? 'aborted')}`);
  const file = path.join(runDir, 'runbook.json');
  if (!fs.existsSync(file)) {
    throw new EnvironmentError(`Playwright exited with code ${code} without writing ${path.relative(process.cwd(), file)}: ${tail.slice(-3).join(' | ') || 'no output'}`);
  }
  const report = runbookReportSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  // Everything a person reads is rendered from the scrubbed runbook.json (scrub data, not markup).
  finishRunFolder(runDir, report, config.runbook);
  return { report, runDir, config };
}
