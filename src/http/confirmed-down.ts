/**
 * Calls confirmed down in this run, shared by every check (README "Confirmation before down").
 * Confirming a failed call costs about a second (two spaced re-asks); in an outage a dozen
 * checks fail on the same routes, and re-confirming each one's call made an outage run many
 * seconds longer than a healthy one without telling anything new. Once one check confirmed a
 * call (method and path) down, a later check's failed request to it counts as it comes.
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

  /** @param file the run's file; undefined: shared within this process only */
  constructor(private readonly file: string | undefined) {}

  static forRun(runDir: string | undefined): RunConfirmations {
    return new RunConfirmations(runDir ? path.join(runDir, CONFIRMED_DOWN_FILE) : undefined);
  }

  has(call: string): boolean {
    if (this.known.has(call) || !this.file) return this.known.has(call);
    try {
      for (const line of fs.readFileSync(this.file, 'utf8').split('\n')) if (line) this.known.add(line);
    } catch {
      /* nothing confirmed down yet */
    }
    return this.known.has(call);
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
