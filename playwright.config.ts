/**
 * Playwright runs the checks. Do not call `playwright test` directly: `credlink-checks run`
 * resolves the environment, starts the reference target for `local`, and passes both through
 * CREDLINK_RESOLVED_CONFIG. Without it (e.g. `validate` listing tests) defaults apply.
 */
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { hasRunConfig, runConfig } from './config/index.ts';

const cfg = hasRunConfig() ? runConfig() : undefined;
const runDir = cfg?.runDir ?? path.resolve('reports', '_unconfigured');

export default defineConfig({
  testDir: './checks',
  testMatch: '**/*.spec.ts',
  timeout: cfg?.timeouts.checkMs ?? 60_000,
  // The run's deadline: checks still running then are stopped and the report says so.
  globalTimeout: cfg?.timeouts.runMs ?? 600_000,
  retries: cfg?.retries ?? 0,
  // One worker: the checks mostly wait on the network, and every worker loads the whole suite
  // (and @kubernetes/client-node) again; a second one cost more CPU and memory than it saved
  // time (README "Benchmark"). The latency probe runs beside the checks in the CLI.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  outputDir: path.join(runDir, 'test-results'),
  reporter: [
    ['./src/reporter/runbook-reporter.ts'],
    ['junit', { outputFile: path.join(runDir, 'junit.xml') }],
    ['json', { outputFile: path.join(runDir, 'playwright.json') }],
    // Allure results stay inside the run folder, so secret scrubbing of the folder covers them.
    // JUnit and Allure get the triage (sections, computed severities, incidents, runbook links)
    // after the folder is scrubbed: src/report/run-outputs.ts, from the scrubbed runbook.json.
    [
      'allure-playwright',
      {
        resultsDir: path.join(runDir, 'allure-results'),
        detail: false,
        suiteTitle: false,
        environmentInfo: { environment: cfg?.env ?? 'unconfigured', base_url: cfg?.baseUrl ?? '', run_id: cfg?.runId ?? '', node: process.version },
      },
    ],
  ],
  use: {
    // Traces record every request header with its value: off. See NOTES "Secrets".
    trace: 'off',
  },
});
