/** Where things live: the project root (for the Playwright config) and the report folders. */
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const PLAYWRIGHT_CONFIG = path.join(PROJECT_ROOT, 'playwright.config.ts');

/** reports/<env>/<run-id>: run ids sort by time. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

export function runDirFor(reportsDir: string, env: string, runId: string): string {
  return path.join(path.resolve(reportsDir), env, runId);
}
