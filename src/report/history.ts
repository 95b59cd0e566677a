/**
 * Previous runs of an environment, for trends: reports/<env>/<run-id>/runbook.json, newest
 * last, bounded. Run ids sort by time (src/run/paths.ts). Unreadable or foreign files are skipped:
 * a broken old report must not break today's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { makesHistory, readReportFile } from '../reporter/read.ts';
import type { RunbookReport } from '../reporter/schema.ts';

export const HISTORY_LIMIT = 20;

/** The run folders of an environment folder that hold a runbook.json, oldest first. */
export function runFolders(envDir: string): string[] {
  if (!fs.existsSync(envDir)) return [];
  return fs
    .readdirSync(envDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(envDir, d.name, 'runbook.json')))
    .map((d) => d.name)
    .sort();
}

export const readReport = readReportFile;

/** Up to `limit` runs before `beforeRunId` (exclusive), oldest first; only those that make history (makesHistory). */
export function loadHistory(envDir: string, beforeRunId?: string, limit = HISTORY_LIMIT): RunbookReport[] {
  const names = runFolders(envDir).filter((n) => beforeRunId === undefined || n < beforeRunId);
  const out: RunbookReport[] = [];
  for (const name of names.slice(-limit * 2).reverse()) {
    const r = readReport(path.join(envDir, name, 'runbook.json'));
    if (r && makesHistory(r)) out.unshift(r);
    if (out.length >= limit) break;
  }
  return out;
}
