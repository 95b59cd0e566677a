/**
 * Finding and running k6 (a separate runtime: load/ scripts run in k6, not in Node).
 * k6 >= 0.57 runs TypeScript directly. Configuration goes in as `-e NAME=value` (k6's __ENV);
 * no secret is passed: the scenarios only probe unauthenticated health paths.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../run/paths.ts';

export const SCENARIOS = {
  smoke: 'one virtual user, 10 iterations: the script, target and thresholds work',
  p95: 'constant arrival rate (RATE/s, default 20, for DURATION, default 5m): p95 and error rate under load',
  spike: 'arrival rate x10 for 2 minutes and back (runbook "Emergency Scaling")',
  soak: 'constant arrival rate (default 5/s) for DURATION (default 1h): leaks and drifts',
} as const;
export type ScenarioName = keyof typeof SCENARIOS;

export const isScenario = (s: string): s is ScenarioName => Object.hasOwn(SCENARIOS, s);
export const scenarioFile = (s: ScenarioName) => path.join(PROJECT_ROOT, 'load', 'scenarios', `${s}.ts`);

export const K6_INSTALL_HINT =
  'install k6 >= 0.57 (it runs the TypeScript scenarios directly): https://grafana.com/docs/k6/latest/set-up/install-k6/ ; ' +
  'or run distributed in a cluster with the k6-operator TestRun in deploy/k6-testrun.yaml';

/** The first executable `name` on PATH, or undefined. */
export function findOnPath(name: string, pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Runs k6 to completion; its output goes to `log` line by line. Resolves with k6's exit code. */
export function runK6(bin: string, file: string, vars: Record<string, string>, log: (line: string) => void): Promise<number> {
  const args = ['run', '--no-color', ...Object.entries(vars).flatMap(([k, v]) => ['-e', `${k}=${v}`]), file];
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (c: Buffer) => {
      for (const line of c.toString('utf8').split('\n')) if (line.trim()) log(line);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}
