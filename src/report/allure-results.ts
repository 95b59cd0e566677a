/**
 * Allure results after the run, from the scrubbed runbook.json:
 * - a finding's severity is computed from its impact (an outage of every health endpoint is SEV-0
 *   although each check's default is SEV-1): the static `severity`/`sev` labels from the catalog
 *   are replaced by the computed ones for checks that produced a finding;
 * - each finding is labelled with its incident (`incident`, `incident_role`, and `epic` = the
 *   incident, so Allure's Behaviors tab groups consequences under their root cause);
 * - every result gets a `runbook` link to its section when the runbook's location is configured
 *   (src/runbook-md/link.ts), and none otherwise: never a dead link;
 * - a finding is "failed" with its message: a check whose finding kept its worker
 *   (checks/fixtures.ts) is an expected failure to Playwright, which allure-playwright records as passed.
 * Idempotent: running it again gives the same files.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RunbookReport } from '../reporter/schema.ts';
import { runbookLink, type RunbookLinks } from '../runbook-md/link.ts';
import { ALLURE_SEVERITY, ANCHOR_LABEL } from './allure-labels.ts';

interface AllureResult {
  status?: string;
  statusDetails?: { message?: string; trace?: string };
  labels?: { name: string; value: string }[];
  links?: { type?: string; name?: string; url: string }[];
}

const OURS = new Set(['severity', 'sev', 'incident', 'incident_role', 'epic']);

/** Rewrites labels and links of every result; returns the number of files changed. */
export function applyIncidentLabels(resultsDir: string, report: RunbookReport, links?: RunbookLinks): number {
  if (!fs.existsSync(resultsDir)) return 0;
  const byCheck = new Map(report.findings.map((f) => [f.checkId, f]));
  const incidents = new Map(report.incidents.map((i) => [i.id, i]));
  let changed = 0;
  for (const name of fs.readdirSync(resultsDir)) {
    if (!name.endsWith('-result.json')) continue;
    const file = path.join(resultsDir, name);
    const before = fs.readFileSync(file, 'utf8');
    const result = JSON.parse(before) as AllureResult;
    const labels = result.labels ?? [];
    const id = labels.find((l) => l.name === 'story')?.value;
    const f = id ? byCheck.get(id) : undefined;
    if (f) {
      const incident = incidents.get(f.incidentId);
      result.labels = labels.filter((l) => !OURS.has(l.name));
      result.labels.push({ name: 'severity', value: ALLURE_SEVERITY[f.severity] }, { name: 'sev', value: f.severity });
      result.labels.push({ name: 'incident', value: f.incidentId }, { name: 'incident_role', value: f.role });
      if (incident) result.labels.push({ name: 'epic', value: `${incident.severity} ${incident.title}` });
      if (result.status !== 'failed' && result.status !== 'broken') {
        result.status = 'failed';
        result.statusDetails = { ...result.statusDetails, message: f.message };
      }
    }
    const anchor = labels.find((l) => l.name === ANCHOR_LABEL)?.value;
    const title = labels.find((l) => l.name === 'feature')?.value;
    result.links = (result.links ?? []).filter((l) => l.type !== 'runbook');
    const href = anchor ? runbookLink({ anchor }, links) : undefined;
    if (href) result.links.push({ type: 'runbook', name: `Runbook: ${title ?? anchor}`, url: href });
    const after = JSON.stringify(result);
    if (after !== before) {
      fs.writeFileSync(file, after);
      changed += 1;
    }
  }
  return changed;
}
