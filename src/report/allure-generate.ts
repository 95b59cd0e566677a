/**
 * Builds the Allure report of one run with the Allure 3 CLI (npm package `allure`, no Java):
 * <runDir>/allure-results -> <runDir>/allure-report. History across runs lives in one file per
 * environment, reports/<env>/allure-history.jsonl, that every generation reads, so the report
 * shows each test's history and flakiness. A run is appended to it once: rebuilding the report of
 * a run already in the history (its entry carries the report name, which names the run) reads
 * the history without appending (Allure's `appendHistory: false`).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { EnvironmentError } from '../errors.ts';

const require = createRequire(import.meta.url);
export const ALLURE_HISTORY_FILE = 'allure-history.jsonl';
const TIMEOUT_MS = 180_000;

export interface AllureOutput {
  reportDir: string;
  historyFile: string;
  /** False when the run was already in the history (a rebuild). */
  appended: boolean;
}

/** True when the history file has an entry written by a report of this name (one name per run). */
export function historyHas(historyFile: string, name: string): boolean {
  let text: string;
  try {
    text = fs.readFileSync(historyFile, 'utf8');
  } catch {
    return false;
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      if ((JSON.parse(line) as { name?: unknown }).name === name) return true;
    } catch {
      /* a damaged line: Allure skips it too */
    }
  }
  return false;
}

export async function generateAllure(runDir: string, opts: { name: string; historyLimit?: number; log?: (l: string) => void }): Promise<AllureOutput> {
  const results = path.join(runDir, 'allure-results');
  if (!fs.existsSync(results)) throw new EnvironmentError(`${results} does not exist: this run wrote no Allure results`);
  const reportDir = path.join(runDir, 'allure-report');
  const historyFile = path.join(path.dirname(runDir), ALLURE_HISTORY_FILE);
  const rc = path.join(runDir, 'allurerc.mjs');
  const appendHistory = !historyHas(historyFile, opts.name);
  fs.writeFileSync(rc, `export default ${JSON.stringify({ name: opts.name, output: reportDir, historyPath: historyFile, appendHistory }, null, 2)};\n`);
  // The package's bin (cli.js) only imports its main entry, which runs the CLI.
  const cli = require.resolve('allure');
  const args = [cli, 'generate', results, '--config', rc, '--cwd', runDir, '--history-limit', String(opts.historyLimit ?? 20)];
  const tail: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: runDir, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGTERM'), TIMEOUT_MS);
    const keep = (c: Buffer) => {
      for (const line of c.toString('utf8').split('\n')) if (line.trim()) tail.push(line.trim());
      tail.splice(0, Math.max(0, tail.length - 10));
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve(c ?? 1);
    });
  });
  if (code !== 0 || !fs.existsSync(path.join(reportDir, 'index.html'))) {
    throw new EnvironmentError(`allure generate exited with code ${code} without writing ${path.join(reportDir, 'index.html')}: ${tail.slice(-3).join(' | ') || 'no output'}`);
  }
  return { reportDir, historyFile, appended: appendHistory };
}
