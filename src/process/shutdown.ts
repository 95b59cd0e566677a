/**
 * How the CLI stops: SIGINT, SIGTERM and SIGHUP abort `shutdown.signal`; every command watches
 * it and unwinds in order (the Playwright runner is interrupted and writes its report, the
 * reference target and PostgreSQL stop, temporary files go). The unwinding has a deadline
 * (`graceMs`, the schedule daemon sets its own grace period); after it, or at a second signal,
 * the process stops at once: src/process/owned.ts removes what is left, synchronously.
 *
 * Started through npm or npx, the process has `sh` and npm above it; stopping npm does not
 * reach it. When that parent goes away the process stops as if it had received SIGTERM, so
 * nothing keeps running on its own.
 */
import fs from 'node:fs';
import { processFacts } from '../../config/index.ts';
import { EXIT } from '../errors.ts';
import { cleanupNow, signalsOwnedByCli } from './owned.ts';

export interface Shutdown {
  /** Aborted at the first stop request; its reason is a StopRequest. */
  readonly signal: AbortSignal;
  /** The deadline of the orderly stop, from the first signal (default 30 s). */
  setGraceMs(ms: number): void;
}

export class StopRequest {
  constructor(readonly cause: 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'parent-gone') {}
  toString(): string {
    return this.cause === 'parent-gone' ? 'the npm process that started it went away' : this.cause;
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const DEFAULT_GRACE_MS = 30_000;

export function installShutdown(log: (line: string) => void): Shutdown {
  signalsOwnedByCli();
  const controller = new AbortController();
  let graceMs = DEFAULT_GRACE_MS;
  const force = (why: string) => {
    log(`${why}: stopping now`);
    cleanupNow();
    process.exit(EXIT.interrupted);
  };
  const request = (cause: StopRequest['cause']) => {
    if (controller.signal.aborted) return force(`${cause === 'parent-gone' ? 'parent gone' : cause} again`);
    const req = new StopRequest(cause);
    log(`${req}: stopping (cleaning up; ${cause === 'parent-gone' ? 'at most' : 'again to stop at once, at most'} ${Math.round(graceMs / 1000)} s)`);
    controller.abort(req);
    setTimeout(() => force(`the orderly stop took more than ${Math.round(graceMs / 1000)} s`), graceMs).unref();
  };
  // Kept until the process exits: a signal between the command's end and process.exit() must
  // not fall back to the default action, which skips the 'exit' cleanup.
  for (const s of SIGNALS) process.on(s, () => request(s));

  if (processFacts.launchedByNpm()) {
    const chain = launcherChain();
    const parentWatch = setInterval(() => {
      if (chainBroken(chain)) {
        clearInterval(parentWatch);
        request('parent-gone');
      }
    }, 500);
    parentWatch.unref();
  }
  return {
    signal: controller.signal,
    setGraceMs: (ms) => void (graceMs = ms),
  };
}

/** The stop request behind an aborted signal, if that is why it was aborted. */
export function stopRequestOf(signal: AbortSignal | undefined): StopRequest | undefined {
  return signal?.aborted && signal.reason instanceof StopRequest ? signal.reason : undefined;
}

/** A process's parent pid and command name from /proc, or undefined when it is gone. */
function procOf(pid: number): { ppid: number; comm: string } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    return { comm: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(stat.slice(close + 2).split(' ')[1]) };
  } catch {
    return undefined;
  }
}

/**
 * The processes between this one and npm: its parent, and the parent's parent when the parent
 * is a shell npm started (`sh -c ...`, where the shell does not replace itself with the command).
 * Each entry: a pid and the parent it must keep.
 */
export function launcherChain(self = { pid: process.pid, ppid: process.ppid }, read = procOf): { pid: number; ppid: number }[] {
  const chain = [{ pid: self.pid, ppid: self.ppid }];
  const parent = read(self.ppid);
  if (parent && /^(sh|dash|bash|zsh)$/.test(parent.comm)) chain.push({ pid: self.ppid, ppid: parent.ppid });
  return chain;
}

/** A link of the chain broke: a process in it went away (its child was handed to another parent). */
export function chainBroken(chain: readonly { pid: number; ppid: number }[], read = procOf, self = { pid: process.pid, ppid: process.ppid }): boolean {
  return chain.some((link) => (link.pid === self.pid ? self.ppid : read(link.pid)?.ppid) !== link.ppid);
}
