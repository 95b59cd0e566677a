/**
 * Reference targets for the bench's remote runs: `credlink-checks target` as a child process
 * (its own PostgreSQL and Kubernetes simulator), already running before a measured run starts,
 * as a real remote target would be. Its environment file is copied under the name the runs
 * should carry (`bench-remote.env` -> environment "bench-remote"); it declares the target's
 * own limits (`CREDLINK_RATE_LIMIT=none`: the reference target limits only failed attempts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/run/paths.ts';

export const BIN = path.join(PROJECT_ROOT, 'bin', 'credlink-checks.js');

export interface BenchTarget {
  /** Environment file for `run --env-file` (mode 600, removed by stop()). */
  envFile: string;
  baseUrl: string;
  /**
   * Clears the target's failed-attempt and limiter counters (it sets its faults again, as they
   * are): each measured run finds a fresh window, as a monitor running every few minutes does,
   * instead of the 429s the previous run's failed attempts would cause within the same minute.
   */
  reset(): Promise<void>;
  /** Switches the target's faults at run time (PUT /__admin/faults): the monitor section injects outages. */
  setFaults(faults: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

export async function startTarget(workDir: string, name: string, fault?: string): Promise<BenchTarget> {
  const dir = path.join(workDir, `target-${name}`);
  fs.mkdirSync(dir, { recursive: true });
  const args = ['--', BIN, 'target', '--reports-dir', dir, ...(fault ? ['--fault', fault] : [])];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const written = path.join(dir, 'local-target.env');
  const until = Date.now() + 120_000;
  while (!fs.existsSync(written)) {
    if (child.exitCode !== null || Date.now() > until) {
      child.kill('SIGTERM');
      throw new Error(`the reference target (${name}) did not start: ${err.trim().split('\n').at(-1) ?? 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const text = fs.readFileSync(written, 'utf8');
  const envFile = path.join(workDir, `${name}.env`);
  fs.writeFileSync(envFile, text, { mode: 0o600 });
  const baseUrl = /^CREDLINK_BASE_URL=(.+)$/m.exec(text)?.[1] ?? '';
  const token = /x-admin-token: ([^']+)'/.exec(text)?.[1] ?? '';
  const admin = `${baseUrl}/__admin/faults`;
  return {
    envFile,
    baseUrl,
    async reset() {
      const headers = { 'x-admin-token': token, 'content-type': 'application/json' };
      const current = (await (await fetch(admin, { headers })).json()) as { faults: unknown };
      const res = await fetch(admin, { method: 'PUT', headers, body: JSON.stringify({ faults: current.faults }) });
      if (!res.ok) throw new Error(`resetting the reference target (${name}) failed: ${res.status}`);
    },
    async setFaults(faults) {
      const res = await fetch(admin, { method: 'PUT', headers: { 'x-admin-token': token, 'content-type': 'application/json' }, body: JSON.stringify({ faults }) });
      if (!res.ok) throw new Error(`setting faults on the reference target (${name}) failed: ${res.status}`);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const closed = new Promise((r) => child.once('close', r));
        child.kill('SIGTERM');
        await closed;
      }
      fs.rmSync(envFile, { force: true });
    },
  };
}
