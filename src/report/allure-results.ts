/**
 * Allure results after the run: a finding's severity is computed from its impact (an outage of
 * every health endpoint is SEV-0 although each check's default is SEV-1), so the static label
 * from the catalog is replaced by the computed one for checks that produced a finding.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RunbookReport } from '../reporter/schema.ts';
import { ALLURE_SEVERITY } from './allure-labels.ts';

interface AllureResult {
  labels?: { name: string; value: string }[];
}

/** Rewrites `severity` and `sev` labels of results whose `story` (check id) has a finding. Returns files changed. */
export function applyFindingSeverities(resultsDir: string, report: RunbookReport): number {
  if (!fs.existsSync(resultsDir)) return 0;
  const bySeverity = new Map(report.findings.map((f) => [f.checkId, f.severity]));
  let changed = 0;
  for (const name of fs.readdirSync(resultsDir)) {
    if (!name.endsWith('-result.json')) continue;
    const file = path.join(resultsDir, name);
    const result = JSON.parse(fs.readFileSync(file, 'utf8')) as AllureResult;
    const id = result.labels?.find((l) => l.name === 'story')?.value;
    const sev = id ? bySeverity.get(id) : undefined;
    if (!sev || !result.labels) continue;
    result.labels = result.labels.filter((l) => l.name !== 'severity' && l.name !== 'sev');
    result.labels.push({ name: 'severity', value: ALLURE_SEVERITY[sev] }, { name: 'sev', value: sev });
    fs.writeFileSync(file, JSON.stringify(result));
    changed += 1;
  }
  return changed;
}
