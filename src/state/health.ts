/**
 * Whether the daemon's state reaches the disk. Every save of a state file goes through save():
 * a failure (full or read-only disk, lost permissions) is not fatal: the daemon goes on with its
 * state in memory, the latest content of each failing file is retried every `retryMs` and at the
 * next save, and the problem is loud: one log line when a file starts failing and one when it is
 * saved again, `problems()` for /healthz (503 with the reason) and counters for /metrics.
 */
import { describeFsError } from './file.ts';

export interface WriteProblem {
  file: string;
  /** First failure of this episode (ISO time). */
  since: string;
  error: string;
  failures: number;
}

export class StateHealth {
  private readonly failing = new Map<string, WriteProblem>();
  private readonly pending = new Map<string, () => void>();
  private timer: NodeJS.Timeout | undefined;
  /** Failed writes since the daemon started (a counter for /metrics). */
  errorsTotal = 0;

  constructor(
    private readonly log: (level: 'info' | 'error', line: string) => void = () => {},
    private readonly clock: () => Date = () => new Date(),
    readonly retryMs = 5000,
  ) {}

  /** Runs `write` (which writes the latest content of `file`); false when it failed and is now pending a retry. */
  save(file: string, write: () => void): boolean {
    try {
      write();
    } catch (e) {
      this.errorsTotal += 1;
      this.pending.set(file, write);
      const error = describeFsError(e);
      const prev = this.failing.get(file);
      if (prev) {
        prev.failures += 1;
        prev.error = error;
      } else {
        const since = this.clock().toISOString();
        this.failing.set(file, { file, since, error, failures: 1 });
        this.log(
          'error',
          `STATE NOT SAVED: ${file}: ${error}: the daemon goes on with its state in memory and retries every ${Math.round(this.retryMs / 1000)} s; ` +
            `until a save succeeds, a crash or restart loses what changed since ${since} (docs/monitoring.md: what a full state disk can lose)`,
        );
      }
      return false;
    }
    this.pending.delete(file);
    const was = this.failing.get(file);
    if (was) {
      this.failing.delete(file);
      this.log('info', `state saved again: ${file} (failing since ${was.since}, ${was.failures} failed attempt(s))`);
    }
    return true;
  }

  /** Tries every pending write once more. */
  retry(): void {
    for (const [file, write] of [...this.pending]) this.save(file, write);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.retry(), this.retryMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  problems(): WriteProblem[] {
    return [...this.failing.values()].map((p) => ({ ...p }));
  }
}
