/**
 * Tests that need a program of a Debian package (prometheus, promtool, prometheus-alertmanager,
 * amtool): locally they skip, saying which package to install; under CI=true they run and FAIL
 * naming what is missing, because `npm test` installs it first (tests/install-prerequisites.ts)
 * and a silent skip there would prove nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface Program {
  path: string;
  /** The Debian package that ships it. */
  pkg: string;
}

export const PROMETHEUS: Program = { path: '/usr/bin/prometheus', pkg: 'prometheus' };
export const PROMTOOL: Program = { path: '/usr/bin/promtool', pkg: 'prometheus' };
export const ALERTMANAGER: Program = { path: '/usr/bin/prometheus-alertmanager', pkg: 'prometheus-alertmanager' };
export const AMTOOL: Program = { path: '/usr/bin/amtool', pkg: 'prometheus-alertmanager' };

const missing = (programs: readonly Program[]) => programs.filter((p) => !fs.existsSync(p.path));
const say = (ps: readonly Program[]) => ps.map((p) => `${p.path} (Debian package ${p.pkg})`).join(', ');

/** node:test options: a skip with the reason locally when a program is missing; none under CI (the test must fail). */
export function requiring(...programs: Program[]): { skip?: string } {
  const gone = missing(programs);
  if (!gone.length || process.env.CI) return {};
  return { skip: `not installed: ${say(gone)}; apt-get install ${[...new Set(gone.map((p) => p.pkg))].join(' ')}` };
}

/** First line of a test that needs the programs: under CI a missing one is a failure naming it. */
export function assertInstalled(...programs: Program[]): void {
  const gone = missing(programs);
  if (gone.length) throw new Error(`not installed: ${say(gone)}: npm test installs it (tests/install-prerequisites.ts); by hand: apt-get install ${[...new Set(gone.map((p) => p.pkg))].join(' ')}`);
}

export interface Service {
  child: ChildProcess;
  /** The last 4000 characters of its stderr. */
  log(): string;
  /** SIGTERM, SIGKILL after 5 s, then its directory `dir` goes. */
  stop(): Promise<void>;
}

/** Starts a server program on loopback; its working files live in `dir`, removed by stop(). */
export function startService(bin: string, args: string[], dir: string): Service {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c) => (stderr = (stderr + c).slice(-4000)));
  return {
    child,
    log: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
