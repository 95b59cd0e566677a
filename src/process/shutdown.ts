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
    const parent = process.ppid;
    const parentWatch = setInterval(() => {
      if (process.ppid !== parent) {
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
