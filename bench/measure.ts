/**
 * One measured command: its wall time, the CPU time of its whole process tree and the memory of
 * that tree, on Linux (/proc).
 *
 * - CPU: user + system time of every process of the tree, read as the growth of this process's
 *   "children" times (/proc/self/stat cutime + cstime, what a shell's `times` prints) from the
 *   spawn to the close of the command. A process's times reach its parent when the parent reaps
 *   it, so the command's own children (Playwright's runner and workers, PostgreSQL) are counted
 *   once the command has ended. The bench runs one measured command at a time; its other
 *   children (the reference targets) do not end during a measurement.
 * - Memory, sampled every SAMPLE_MS from /proc while the command runs: the tree's total PSS
 *   (proportional set size: a page shared by N processes counts 1/N in each, so shared code is
 *   counted once), the tree's total RSS (shared pages counted in every process: an upper bound),
 *   and the largest single process's peak RSS (VmHWM, what /usr/bin/time prints as "maximum
 *   resident set size").
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { reapedChildrenCpuSeconds } from '../src/process/usage.ts';

export interface Measured {
  wallMs: number;
  cpuS: number;
  /** Largest total PSS of the tree seen, MiB. */
  treePssMiB: number;
  /** Largest total RSS of the tree seen, MiB (shared pages counted in every process). */
  treeRssMiB: number;
  /** Peak RSS of the largest single process of the tree, MiB. */
  processMiB: number;
  exit: number;
  /** The last lines the command printed (for a failed command). */
  tail: string[];
}

const SAMPLE_MS = 100;
const MiB = 2 ** 20;

/** CPU seconds of this process's reaped children (and theirs): the bench needs /proc. */
function childrenCpuSeconds(): number {
  const s = reapedChildrenCpuSeconds();
  if (s === undefined) throw new Error('the bench measures CPU from /proc/self/stat: it runs on Linux only');
  return s;
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The pids of `root`'s tree, through /proc/<pid>/task/<tid>/children (no scan of all of /proc). */
function treeOf(root: number): number[] {
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    let tasks: string[] = [];
    try {
      tasks = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      for (const c of (read(`/proc/${pid}/task/${t}/children`) ?? '').split(' ')) if (c.trim()) stack.push(Number(c));
    }
  }
  return out;
}

const kbField = (text: string | undefined, name: string) => {
  const m = text ? new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text) : null;
  return m ? Number(m[1]) * 1024 : 0;
};

class MemorySampler {
  treePss = 0;
  treeRss = 0;
  process = 0;
  private readonly hwm = new Map<number, number>();
  sample(root: number): void {
    let pss = 0;
    let rss = 0;
    for (const pid of treeOf(root)) {
      const status = read(`/proc/${pid}/status`);
      rss += kbField(status, 'VmRSS');
      this.hwm.set(pid, Math.max(this.hwm.get(pid) ?? 0, kbField(status, 'VmHWM')));
      pss += kbField(read(`/proc/${pid}/smaps_rollup`), 'Pss');
    }
    this.treePss = Math.max(this.treePss, pss);
    this.treeRss = Math.max(this.treeRss, rss);
    this.process = Math.max(this.process, ...this.hwm.values());
  }
}

export async function measure(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Measured> {
  const cpu0 = childrenCpuSeconds();
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) tail.push(line);
    tail.splice(0, Math.max(0, tail.length - 15));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const mem = new MemorySampler();
  const timer = setInterval(() => child.pid && mem.sample(child.pid), SAMPLE_MS);
  const limit = setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs ?? 300_000);
  const exit = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : -1)));
  });
  const wallMs = performance.now() - t0;
  clearInterval(timer);
  clearTimeout(limit);
  return {
    wallMs,
    cpuS: childrenCpuSeconds() - cpu0,
    treePssMiB: mem.treePss / MiB,
    treeRssMiB: mem.treeRss / MiB,
    processMiB: mem.process / MiB,
    exit,
    tail,
  };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
