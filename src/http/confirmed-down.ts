/**
 * Calls confirmed down in this run, shared by every check (docs/incidents-and-severities.md).
 * Confirming a failed call costs about a second (two spaced re-asks); in an outage a dozen
 * checks fail on the same routes, and re-confirming each one's call made an outage run many
 * seconds longer than a healthy one without telling anything new. Once one check confirmed a
 * call (method and path) down, a later check's failed request to it counts as it comes; once
 * every health endpoint is confirmed down (the runbook's complete outage), so does a failed
 * request to any other call: the outage explains it, and re-asking tells nothing new.
 *
 * Shared through a file in the run folder, one call per line (appends are atomic): the checks of
 * a run may run in several processes, and Playwright replaces a worker after a failed check.
 */
import fs from 'node:fs';
import path from 'node:path';

export const CONFIRMED_DOWN_FILE = 'confirmed-down.txt';

export interface SharedConfirmations {
  has(call: string): boolean;
  add(call: string): void;
}

export class RunConfirmations implements SharedConfirmations {
  private readonly known = new Set<string>();

  /**
   * @param file the run's file; undefined: shared within this process only
   * @param healthCalls the environment's health endpoints ("GET /health"): all of them down is an outage
   */
  constructor(
    private readonly file: string | undefined,
    private readonly healthCalls: readonly string[] = [],
  ) {}

  static forRun(runDir: string | undefined, healthCalls: readonly string[] = []): RunConfirmations {
    return new RunConfirmations(runDir ? path.join(runDir, CONFIRMED_DOWN_FILE) : undefined, healthCalls);
  }

  has(call: string): boolean {
    if (this.confirms(call)) return true;
    if (this.file) {
      try {
        for (const line of fs.readFileSync(this.file, 'utf8').split('\n')) if (line) this.known.add(line);
      } catch {
        /* nothing confirmed down yet */
      }
    }
    return this.confirms(call);
  }

  private confirms(call: string): boolean {
    return this.known.has(call) || (this.healthCalls.length > 0 && this.healthCalls.every((h) => this.known.has(h)));
  }

  add(call: string): void {
    if (this.known.has(call)) return;
    this.known.add(call);
    if (!this.file) return;
    try {
      fs.appendFileSync(this.file, `${call}\n`);
    } catch {
      /* the run folder is not writable: this process still knows */
    }
  }
}
