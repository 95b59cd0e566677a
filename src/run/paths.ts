/** Where things live: the project root (for the Playwright config) and the report folders. */
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const PLAYWRIGHT_CONFIG = path.join(PROJECT_ROOT, 'playwright.config.ts');

/** reports/<env>/<run-id>: run ids sort by time. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

export type RunKind = 'observation' | 'drill' | 'candidate';

/**
 * reports/<env>/<run-id> for observations, the environment's history. Drills and cutover's
 * candidate runs are stored apart, in reports/_drill/<env>/ and reports/_candidate/<env>/: an
 * environment name cannot start with "_", so nothing reading reports/<env>/ ever sees them.
 */
export function runDirFor(reportsDir: string, env: string, runId: string, kind: RunKind = 'observation'): string {
  const base = path.resolve(reportsDir);
  return kind === 'observation' ? path.join(base, env, runId) : path.join(base, `_${kind}`, env, runId);
}
