/**
 * TEST ONLY: a runner that replays a prepared report instead of running the checks, so that the
 * crash-injection test can drive the real daemon process through many runs in seconds. Each run of
 * environment E reads `<dir>/<E>.json` (a runbook.json the test rewrites atomically between cycles),
 * gives it a fresh run id and start time, and stores it in `<reportsDir>/<E>/<run-id>/runbook.json`
 * like a real run. Selected by CREDLINK_TEST_REPLAY_DIR (config/index.ts processFacts); the daemon
 * says so loudly at start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readReportFile } from '../reporter/read.ts';
import { newRunId, runDirFor } from '../run/paths.ts';
import type { Runner } from './scheduler.ts';

export function replayRunner(dir: string, reportsDir: string): Runner {
  return async (env) => {
    const file = path.join(dir, `${env.env}.json`);
    const prepared = readReportFile(file);
    if (!prepared) throw new Error(`replay: ${file} is missing or not a runbook.json`);
    const now = new Date();
    const runId = newRunId(now);
    const report = { ...prepared, env: env.env, runId, startedAt: now.toISOString() };
    const runDir = runDirFor(reportsDir, env.env, runId);
    fs.mkdirSync(runDir, { recursive: true });
    fs.writeFileSync(path.join(runDir, 'runbook.json'), JSON.stringify(report, null, 2));
    return report;
  };
}
