/**
 * Diagnostics are collected once per run and shared by every failing check: the same pods,
 * logs, events and health document explain all of them (one outage fails a dozen checks, and
 * collecting for each made outage runs 3-5x slower than healthy ones). Playwright runs checks in
 * several worker processes, so the sharing goes through the run folder: the first check that
 * needs a collector claims it with an exclusive lock file, collects, and writes the pieces
 * (already scrubbed) to `diagnostics/<collector>.json`; the others read that file, waiting for it
 * at most the diagnostics deadline.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Piece } from './collectors.ts';
import type { CollectorId } from './plan.ts';

const POLL_MS = 100;

export class SharedCollections {
  private readonly local = new Map<CollectorId, Promise<Piece[]>>();

  /**
   * @param dir the run's diagnostics folder; undefined: shared within this process only
   * @param scrub applied to the pieces before they are stored (the folder is part of the run's reports)
   */
  constructor(
    private readonly dir: string | undefined,
    private readonly scrub: <T>(v: T) => T = (v) => v,
  ) {}

  static forRun(runDir: string | undefined, scrub?: <T>(v: T) => T): SharedCollections {
    return new SharedCollections(runDir ? path.join(runDir, 'diagnostics') : undefined, scrub);
  }

  /** The pieces of collector `id`: collected by the first caller of the run, read by the others. */
  get(id: CollectorId, collect: () => Promise<Piece[]>, deadlineMs: number): Promise<Piece[]> {
    let p = this.local.get(id);
    if (!p) {
      p = this.fetch(id, collect, deadlineMs);
      this.local.set(id, p);
    }
    return p;
  }

  private async fetch(id: CollectorId, collect: () => Promise<Piece[]>, deadlineMs: number): Promise<Piece[]> {
    if (!this.dir) return collect();
    const file = path.join(this.dir, `${id}.json`);
    const stored = read(file);
    if (stored) return stored;
    if (this.claim(path.join(this.dir, `${id}.lock`))) {
      const pieces = this.scrub(await collect());
      try {
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, JSON.stringify(pieces));
        fs.renameSync(tmp, file);
      } catch {
        /* not writable: this process keeps its pieces, the others will say so */
      }
      return pieces;
    }
    // Another check is collecting it: wait for its result, bounded.
    const until = Date.now() + deadlineMs;
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const got = read(file);
      if (got) return got;
    }
    throw new Error(`another check was collecting it and did not finish within ${deadlineMs} ms`);
  }

  private claim(lock: string): boolean {
    try {
      fs.mkdirSync(path.dirname(lock), { recursive: true });
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return true;
    } catch {
      return false;
    }
  }
}

function read(file: string): Piece[] | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Piece[];
  } catch {
    return undefined;
  }
}
