/**
 * Playwright reporter listed LAST in playwright.config.ts: once runbook.json (runbook reporter),
 * junit.xml (junit reporter) and the Allure results exist, it carries the triage into them:
 * junit.xml failures get the runbook section and severity (src/report/junit.ts), Allure results
 * of findings get the computed severity (src/report/allure-results.ts). Thin I/O only. Secrets
 * are scrubbed from the whole run folder after Playwright exits (src/secrets/run-dir.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Reporter } from '@playwright/test/reporter';
import { hasRunConfig, runConfig } from '../../config/index.ts';
import { applyFindingSeverities } from '../report/allure-results.ts';
import { enrichJunit } from '../report/junit.ts';
import { runbookReportSchema } from './schema.ts';

export default class PostRunReporter implements Reporter {
  printsToStdio(): boolean {
    return false;
  }

  async onEnd(): Promise<void> {
    const cfg = hasRunConfig() ? runConfig() : undefined;
    const runDir = cfg?.runDir;
    if (!cfg || !runDir) return;
    const reportFile = path.join(runDir, 'runbook.json');
    if (!fs.existsSync(reportFile)) return;
    const report = runbookReportSchema.parse(JSON.parse(fs.readFileSync(reportFile, 'utf8')));
    const junit = path.join(runDir, 'junit.xml');
    if (fs.existsSync(junit)) fs.writeFileSync(junit, enrichJunit(fs.readFileSync(junit, 'utf8'), report));
    applyFindingSeverities(path.join(runDir, 'allure-results'), report);
  }
}
