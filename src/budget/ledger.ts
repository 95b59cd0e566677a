/**
 * The request ledger: a sliding-window count of requests per scope (src/budget/plan.ts), shared
 * by every Playwright worker of a run through files, so the budget holds across workers and
 * across the worker restarts Playwright makes after a failed check.
 *
 * Scope files live in `scopeDir`: the run folder for a target started by the run (nobody else
 * can have spent its budget), or, for a remote target, one folder per target in the reports
 * folder (<reports-dir>/_budget/<target>), shared by every run against that target: a run that
 * follows another within a window sees what the other spent and waits for room instead of being
 * refused (src/budget/run-plan.ts plans that wait before the checks start). The run's own
 * traffic summary (traffic.txt) stays in the run folder.
 *
 * One file per scope and window-long time bucket (`<scope>.<bucket>.log`), one line per request
 * (its time in ms) or per hold, in the bucket of its end: `h<until ms>` when the service answered
 * 429, `n<until ms>` when an answer it served said nothing remains of its limit
 * (RateLimit-Remaining: 0). Only the first is a limit the service enforced; messages say which.
 * Buckets older than the window are removed.
 * take() waits until every scope of a request has room and no hold, or throws RateBudgetError
 * when that wait would outlast the check's deadline: the check then says what it could not test,
 * instead of sending anyway. A wait longer than WAIT_NOTICE_MS is announced (onWait) once.
 * Appends are atomic (O_APPEND, one short write); two workers deciding at the same instant can
 * overshoot a scope by one request each, which the 80% share absorbs.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Scope } from './plan.ts';

/** Why a scope is held: a 429 the service answered, or a served answer saying nothing remains. */
export type HoldReason = 'rate-limited' | 'nothing-remaining';

export class RateBudgetError extends Error {
  override name = 'RateBudgetError';
  /** Marks errors that are the budget's, not the network's: src/probes/http.ts send() lets them through. */
  readonly budget = true;
  constructor(
    message: string,
    readonly scope: Scope,
    readonly waitMs: number,
    /** Set when a hold stopped the request: what caused the hold. */
    readonly heldBy?: HoldReason,
  ) {
    super(message);
  }
}

export interface TrafficSummary {
  /** Requests sent through the ledger (the latency probe counts its own). */
  sent: number;
  /** 429 answers, per call ("POST /sign"). */
  rateLimited: Record<string, number>;
  /**
   * 429 answers to requests the declared limits had room for (the run was inside every declared
   * limit when it sent them), per call, with the limits that were declared for it: the rate-limit
   * settings do not describe the service (or other clients share its count). Not the failed-attempt
   * check's own 429s, which it provokes on purpose.
   */
  unpredicted?: Record<string, { count: number; remaining: number; declared: string }>;
  /** 5xx answers the checks received, per call, and when the first came (epoch ms): what the service's metrics must count too. */
  serverErrors?: { count: number; firstMs: number; calls: Record<string, number> };
  /** Total time requests waited for room, ms. */
  waitedMs: number;
}

/** A wait announced on the terminal: longer than this, a wait gets one line (onWait). */
export const WAIT_NOTICE_MS = 5000;

/** A wait for room that is about to happen: for the one line that announces it. */
export interface WaitNotice {
  scope: Scope;
  waitMs: number;
  /** The wait is a hold the service asked for (429, Retry-After), not planned pacing. */
  held: boolean;
  /** What caused the hold, when `held`: a 429, or a served answer saying nothing remains. */
  heldBy?: HoldReason;
}

export interface LedgerOptions {
  /** Where the scope files live (default: `dir`): shared by the runs against one target. */
  scopeDir?: string;
  /** Called once per take() whose wait for room will exceed WAIT_NOTICE_MS. */
  onWait?: (w: WaitNotice) => void;
}

const safe = (id: string) => id.replace(/[^A-Za-z0-9_.-]+/g, '_');

export class RequestLedger {
  readonly scopeDir: string;
  private readonly onWait?: (w: WaitNotice) => void;

  constructor(
    readonly dir: string,
    private readonly now: () => number = Date.now,
    /** Injected by tests that run the ledger on a simulated clock. */
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    opts: LedgerOptions = {},
  ) {
    this.scopeDir = opts.scopeDir ?? dir;
    this.onWait = opts.onWait;
    fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(this.scopeDir, { recursive: true });
  }

  /** A scope's file for the window-long bucket holding `t`. Windows of 1 ms (hold-only scopes) use one file. */
  private fileAt(scope: Scope, t: number): string {
    const width = Math.max(scope.windowMs, 60_000);
    return path.join(this.scopeDir, `${safe(scope.id)}.${Math.floor(t / width)}.log`);
  }

  private read(scope: Scope, at: number, ignoreRemaining = false): { times: number[]; holdUntil: number; heldBy: HoldReason } {
    const width = Math.max(scope.windowMs, 60_000);
    const current = Math.floor(at / width);
    const prefix = `${safe(scope.id)}.`;
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.scopeDir);
    } catch {
      /* no request yet */
    }
    const times: number[] = [];
    let holdUntil = 0;
    let heldBy: HoldReason = 'rate-limited';
    for (const name of names) {
      if (!name.startsWith(prefix) || !name.endsWith('.log')) continue;
      const bucket = Number(name.slice(prefix.length, -4));
      if (!Number.isInteger(bucket)) continue;
      const file = path.join(this.scopeDir, name);
      // Older than the window (and holds that ended): nobody needs it any more.
      if (bucket < current - 1) {
        fs.rmSync(file, { force: true });
        continue;
      }
      let text = '';
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n')) {
        if (!line) continue;
        if (line[0] === 'h' || line[0] === 'n') {
          if (line[0] === 'n' && ignoreRemaining) continue;
          const until = Number(line.slice(1));
          if (until > holdUntil) {
            holdUntil = until;
            heldBy = line[0] === 'h' ? 'rate-limited' : 'nothing-remaining';
          }
        } else times.push(Number(line));
      }
    }
    return { times, holdUntil, heldBy };
  }

  /** Milliseconds until `scope` has room for one more request (0 = now), and how much of it is a hold. */
  waitFor(scope: Scope, at = this.now(), ignoreRemaining = false): { wait: number; held: number; heldBy: HoldReason } {
    return this.waitForRoom(scope, 1, at, ignoreRemaining);
  }

  /** Milliseconds until `scope` has room for `n` more requests at once (0 = now), how much of it is a hold, and what caused the hold. */
  waitForRoom(scope: Scope, n: number, at = this.now(), ignoreRemaining = false): { wait: number; held: number; heldBy: HoldReason } {
    const { times, holdUntil, heldBy } = this.read(scope, at, ignoreRemaining);
    const inWindow = times.filter((t) => t > at - scope.windowMs).sort((a, b) => a - b);
    const held = Math.max(0, holdUntil - at);
    let wait = held;
    const need = Math.min(n, scope.limit);
    if (inWindow.length + need > scope.limit) {
      // Room opens when enough of the oldest leave the window.
      const oldest = inWindow[inWindow.length + need - scope.limit - 1]!;
      wait = Math.max(wait, oldest + scope.windowMs - at + 1);
    }
    return { wait, held, heldBy };
  }

  /** How many requests `scope` has had in its window at `at`. */
  used(scope: Scope, at = this.now()): number {
    return this.read(scope, at).times.filter((t) => t > at - scope.windowMs).length;
  }

  /**
   * Records `n` requests sent by someone who does not go through take() (the latency probe),
   * at `at`: the time the last of them will have been sent, so they stay in the window long enough.
   */
  record(scope: Scope, n: number, at = this.now()): void {
    if (n <= 0 || scope.limit >= Number.MAX_SAFE_INTEGER) return;
    fs.appendFileSync(this.fileAt(scope, at), `${Math.round(at)}\n`.repeat(n));
  }

  /**
   * Waits for room in every scope and records the request in each. Throws RateBudgetError when
   * the wait would pass `deadline.planned` (epoch ms), or, for a hold the service asked for
   * (429, Retry-After), `deadline.hold`: pacing to a declared limit is planned for, a service's
   * unexpected "wait" is only honoured within the check's own time. `ignoreRemaining`: holds from
   * "nothing remains" answers do not apply (a caller going to the limit on purpose).
   */
  async take(
    scopes: readonly Scope[],
    deadline: number | { planned: number; hold: number },
    opts: { ignoreRemaining?: boolean; onWait?: (w: WaitNotice) => void } = {},
  ): Promise<number> {
    const onWait = opts.onWait ?? this.onWait;
    const { planned, hold } = typeof deadline === 'number' ? { planned: deadline, hold: deadline } : deadline;
    let waited = 0;
    let announced = false;
    for (;;) {
      const at = this.now();
      let worst: { scope: Scope; wait: number; held: number; heldBy: HoldReason } | undefined;
      for (const s of scopes) {
        const w = this.waitFor(s, at, opts.ignoreRemaining);
        if (w.wait > 0 && (!worst || w.wait > worst.wait)) worst = { scope: s, ...w };
      }
      if (!worst) {
        // Hold-only scopes (no limit) record nothing but holds.
        for (const s of scopes) if (s.limit < Number.MAX_SAFE_INTEGER) fs.appendFileSync(this.fileAt(s, at), `${at}\n`);
        this.note(`s ${waited}`);
        return waited;
      }
      if (worst.held > 0 && at + worst.held > hold) {
        const s = Math.max(1, Math.round(worst.held / 1000));
        throw new RateBudgetError(
          worst.heldBy === 'rate-limited'
            ? `the target answered 429 and asked to wait ${s} s more (Retry-After), beyond this check's time`
            : `an answer the target served said nothing remains of its limit (RateLimit-Remaining: 0, no 429 received) until its window resets in ${s} s, beyond this check's time`,
          worst.scope,
          worst.wait,
          worst.heldBy,
        );
      }
      if (at + worst.wait > planned) {
        throw new RateBudgetError(
          `${worst.scope.label} leaves no room for another request for ${Math.max(1, Math.round(worst.wait / 1000))} s, beyond this check's time`,
          worst.scope,
          worst.wait,
        );
      }
      if (!announced && worst.wait > WAIT_NOTICE_MS) {
        announced = true;
        onWait?.({ scope: worst.scope, waitMs: worst.wait, held: worst.held >= worst.wait, heldBy: worst.heldBy });
      }
      await this.sleep(Math.min(worst.wait, 5000));
      waited += this.now() - at;
    }
  }

  /**
   * The ledger of a run: traffic in <run folder>/request-budget, scopes in the run's budget folder
   * (config.budgetDir: shared by the runs against one remote target) or beside the traffic.
   */
  static forRun(c: { runDir?: string; budgetDir?: string }, opts: Omit<LedgerOptions, 'scopeDir'> = {}): RequestLedger {
    if (!c.runDir) throw new Error('a run ledger needs the run folder');
    return new RequestLedger(path.join(c.runDir, LEDGER_DIR), Date.now, undefined, { ...opts, scopeDir: c.budgetDir });
  }

  /** Holds every scope until `untilMs`: the service answered 429, or said nothing remains. */
  hold(scopes: readonly Scope[], untilMs: number, why: HoldReason = 'rate-limited'): void {
    const tag = why === 'rate-limited' ? 'h' : 'n';
    for (const s of scopes) fs.appendFileSync(this.fileAt(s, untilMs), `${tag}${Math.round(untilMs)}\n`);
  }

  /** Records a 429 seen on `call` (method and path, no query). */
  rateLimited(call: string): void {
    this.note(`r ${call}`);
  }

  /** Records a 5xx answer to `call` (for the comparison with the service's own metrics). */
  serverError(call: string): void {
    this.note(`e ${this.now()} ${call}`);
  }

  /**
   * Records a 429 (or, `remaining`, a served answer saying nothing remains) to a request every
   * declared limit had room for; `declared`: those limits in words ("none" when nothing was declared).
   */
  unpredicted(call: string, declared: string, remaining = false): void {
    this.note(`${remaining ? 'z' : 'u'} ${call}\t${declared.replace(/[\t\n]/g, ' ')}`);
  }

  private note(line: string): void {
    fs.appendFileSync(path.join(this.dir, 'traffic.txt'), `${line}\n`);
  }

  /** What the run sent and saw, read back from the ledger folder (for runbook.json). */
  static summary(dir: string): TrafficSummary | undefined {
    let text: string;
    try {
      text = fs.readFileSync(path.join(dir, 'traffic.txt'), 'utf8');
    } catch {
      return undefined;
    }
    const out: TrafficSummary = { sent: 0, rateLimited: {}, waitedMs: 0 };
    for (const line of text.split('\n')) {
      if (line.startsWith('s ')) {
        out.sent += 1;
        out.waitedMs += Number(line.slice(2)) || 0;
      } else if (line.startsWith('r ')) {
        const call = line.slice(2);
        out.rateLimited[call] = (out.rateLimited[call] ?? 0) + 1;
      } else if (line.startsWith('e ')) {
        const cut = line.indexOf(' ', 2);
        const at = Number(line.slice(2, cut));
        const call = line.slice(cut + 1);
        const e = (out.serverErrors ??= { count: 0, firstMs: at, calls: {} });
        e.count += 1;
        e.firstMs = Math.min(e.firstMs, at);
        e.calls[call] = (e.calls[call] ?? 0) + 1;
      } else if (line.startsWith('u ') || line.startsWith('z ')) {
        const [call = '', declared = ''] = line.slice(2).split('\t');
        out.unpredicted ??= {};
        const u = (out.unpredicted[call] ??= { count: 0, remaining: 0, declared });
        if (line[0] === 'u') u.count += 1;
        else u.remaining += 1;
      }
    }
    return out;
  }
}

/** Where a run keeps its ledger. */
export const LEDGER_DIR = 'request-budget';
