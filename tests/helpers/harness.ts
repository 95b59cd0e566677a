/**
 * Test harness: one reference target per test file, and runs of the real Playwright suite
 * against it with faults switched between runs.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseEnv, type ResolvedConfig } from '../../config/index.ts';
import type { RunbookReport, Finding } from '../../src/reporter/schema.ts';
import { runPlaywright, type RunOutcome } from '../../src/run/execute.ts';
import { PROJECT_ROOT } from '../../src/run/paths.ts';
import { startKubeSim, type KubeSim } from '../../src/k8s-sim/index.ts';
import type { ActiveFaults } from '../../src/target/faults.ts';
import { startReferenceTarget, type ReferenceTarget, type TargetOptions } from '../../src/target/index.ts';

export const BIN = path.join(PROJECT_ROOT, 'bin', 'credlink-checks.js');

/** Every directory tempDir() made in this process: removed when it exits, whatever its tests did. */
const made: string[] = [];
process.once('exit', () => {
  for (const dir of made) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      /* already gone, or not ours to remove any more */
    }
  }
});

/** A new temporary directory, removed when the test process exits (tests may remove it earlier). */
export function tempDir(prefix = 'credlink-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export interface Harness {
  target: ReferenceTarget;
  /** The Kubernetes API simulator, when started with `{ kube: true }`; it follows the target's faults. */
  kube?: KubeSim;
  config: ResolvedConfig;
  reportsDir: string;
  /** Runs the suite (optionally --grep) with these faults on, returns runbook.json. */
  run(faults: ActiveFaults, grep?: string, extraVars?: Record<string, string>): Promise<RunOutcome>;
  /** Like run(), but table rows asking for the same faults and grep share one run (read-only use of the report). */
  runOnce(faults: ActiveFaults, grep?: string): Promise<RunOutcome>;
  stop(): Promise<void>;
}

/** Env-file variables that scale thresholds down so faults stay fast in tests. */
export const FAST_THRESHOLDS = {
  CREDLINK_RESPONSE_WARN_MS: '150',
  CREDLINK_RESPONSE_CRIT_MS: '600',
  CREDLINK_DB_RTT_WARN_MS: '250',
  CREDLINK_DB_RTT_CRIT_MS: '2000',
};

/**
 * The latency probe kept small in harness runs (15 samples per endpoint: "insufficient data",
 * skipped) so full-suite runs of other test files stay fast; performance-faults.test.ts sets
 * its own sample count and rate.
 */
export const QUICK_PROBE = { CREDLINK_PROBE_SAMPLES: '15', CREDLINK_PROBE_RATE: '50' };

/**
 * The harness target's failed-attempt limit (20 per 4 s instead of per 60 s), declared to the
 * run as such, and no per-client limit: the request budget then paces the API-key matrix in
 * seconds, not minutes. Tests of the budget itself declare their own limits.
 */
export const HARNESS_AUTH_FAIL = { max: 20, windowMs: 4000 };
export const HARNESS_LIMITS = { CREDLINK_RATE_LIMIT: 'none', CREDLINK_AUTH_FAIL_LIMIT: String(HARNESS_AUTH_FAIL.max), CREDLINK_AUTH_FAIL_WINDOW_S: String(HARNESS_AUTH_FAIL.windowMs / 1000) };

export function configFor(target: ReferenceTarget, vars: Record<string, string> = {}): ResolvedConfig {
  return parseEnv(
    {
      CREDLINK_TARGET: 'remote',
      CREDLINK_BASE_URL: target.url,
      CREDLINK_API_KEYS: target.apiKeys.join(','),
      CREDLINK_RESTRICTED_API_KEY: target.restrictedApiKey,
      CREDLINK_ALLOWED_ORIGINS: target.allowedOrigins.join(','),
      DATABASE_URL: target.monitorDatabaseUrl,
      ...FAST_THRESHOLDS,
      ...QUICK_PROBE,
      ...HARNESS_LIMITS,
      ...vars,
    },
    { env: 'test', file: 'tests/harness.env', processEnv: {} },
  );
}

export interface HarnessExtras {
  /** Also start the Kubernetes API simulator and put KUBECONFIG / KUBE_NAMESPACE in the config. */
  kube?: boolean;
}

export async function startHarness(opts: TargetOptions = {}, vars: Record<string, string> = {}, extras: HarnessExtras = {}): Promise<Harness> {
  const target = await startReferenceTarget({ authFailLimit: HARNESS_AUTH_FAIL, ...opts });
  let kube: KubeSim | undefined;
  if (extras.kube) {
    kube = await startKubeSim({ logSecrets: target.apiKeys.slice(0, 1) });
    target.onFaults((f) => kube!.followFaults(f));
    vars = { KUBECONFIG: kube.kubeconfig, KUBE_NAMESPACE: kube.settings.namespace, ...vars };
  }
  const reportsDir = tempDir('credlink-reports-');
  const config = configFor(target, vars);
  const cache = new Map<string, Promise<RunOutcome>>();
  const secrets = () => [...target.secrets(), ...(kube ? [kube.token] : [])];
  const harness: Harness = {
    target,
    kube,
    config,
    reportsDir,
    async run(faults, grep, extraVars) {
      await target.setFaults(faults);
      const cfg = extraVars ? configFor(target, { ...vars, ...extraVars }) : config;
      return runPlaywright(cfg, { reportsDir, grep }, secrets(), () => {});
    },
    runOnce(faults, grep) {
      const key = JSON.stringify([faults, grep ?? null]);
      const hit = cache.get(key);
      if (hit) return hit;
      const p = harness.run(faults, grep);
      cache.set(key, p);
      return p;
    },
    async stop() {
      await kube?.stop();
      await target.stop();
      fs.rmSync(reportsDir, { recursive: true, force: true });
    },
  };
  return harness;
}

export function finding(r: RunbookReport, checkId: string): Finding | undefined {
  return r.findings.find((f) => f.checkId === checkId);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let scratchCwd: string | undefined;
/**
 * The working directory of CLI runs unless a test names one: a temporary directory, never the
 * checkout, so a command that writes by default (reports/, .state/) cannot touch the user's
 * own reports (tests are hermetic; tests/integration/hermetic.test.ts).
 */
export function scratchDir(): string {
  if (!scratchCwd) {
    const dir = tempDir('credlink-cwd-');
    scratchCwd = dir;
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return scratchCwd;
}

/** Runs the real CLI as a user would. */
export function cli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // "--": Node 20 would otherwise read a --env-file argument itself (bin/credlink-checks.js).
    const child = spawn(process.execPath, ['--', BIN, ...args], {
      cwd: opts.cwd ?? scratchDir(),
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
