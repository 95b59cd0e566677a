/**
 * Whether the environment's base URL answers, shared by every check of a run. Playwright runs
 * the checks in several worker processes (and restarts a worker after a failed check), so the
 * state is a file in the run folder, written once.
 *
 * A request that gets no answer (refused, reset, DNS, its deadline passed) is confirmed by one
 * liveness request to the health path (reachabilityOf: its deadline). No answer to that either: the
 * base URL is "not answering" for the rest of the run, and every later request of the run ends
 * at once, unsent, as "no answer" naming the first failure. The checks that fail that way are
 * consequences of one outage (their responses are no-answer, src/http/response-class.ts), and
 * a run against a silent target ends in seconds instead of one request timeout per request.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from '../../config/index.ts';
import { requestOnce, type ReachabilityWatch } from './client.ts';

export const UNANSWERED_FILE = 'base-url-unanswered.json';

export interface DownNote {
  /** When the base URL was found not answering. */
  at: string;
  /** The request that got no answer, and why. */
  call: string;
  error: string;
  /** The liveness request that confirmed it. */
  confirmedBy: string;
  /** One line for messages. */
  line: string;
}

const short = (s: string) => s.replace(/ \(the answer, body included, did not complete\)/, '').slice(0, 160);

type Live = { answered: boolean; error?: string };

export interface Liveness {
  /** "GET /health" */
  call: string;
  /** Its deadline: a request still unanswered after this long makes the client ask at once (suspect()). */
  timeoutMs: number;
  /** One bounded request to the health path: answered when any answer came. */
  ask: () => Promise<Live>;
}

export class Reachability implements ReachabilityWatch {
  private known: DownNote | undefined;
  private confirming: Promise<void> | undefined;
  /** The last liveness question, reused while fresh (asked while a request hung, used when it failed). */
  private asked: { at: number; result: Promise<Live> } | undefined;

  /** @param file the shared state file (in the run folder); undefined: this process only */
  constructor(
    private readonly file: string | undefined,
    readonly liveness: Liveness,
  ) {}

  static forRun(runDir: string | undefined, liveness: Liveness): Reachability {
    return new Reachability(runDir ? path.join(runDir, UNANSWERED_FILE) : undefined, liveness);
  }

  /**
   * A request has had no answer for liveness.timeoutMs: ask the liveness question now, so that
   * its answer is ready when the request fails (a silent target is known one liveness deadline sooner).
   */
  suspect(): void {
    if (!this.down()) void this.ask();
  }

  private ask(): Promise<Live> {
    const now = Date.now();
    if (!this.asked || now - this.asked.at > 2 * this.liveness.timeoutMs) this.asked = { at: now, result: this.liveness.ask() };
    return this.asked.result;
  }

  /** The note when the base URL is known not to answer in this run. */
  down(): DownNote | undefined {
    if (this.known || !this.file) return this.known;
    try {
      this.known = JSON.parse(fs.readFileSync(this.file, 'utf8')) as DownNote;
    } catch {
      /* not down (or not yet written completely: the next request reads it again) */
    }
    return this.known;
  }

  /** A request got no answer: confirm with one liveness request (one at a time per process). */
  async noAnswer(call: string, error: string): Promise<void> {
    if (this.down()) return;
    this.confirming ??= this.confirm(call, error).finally(() => (this.confirming = undefined));
    await this.confirming;
  }

  private async confirm(call: string, error: string): Promise<void> {
    const live = await this.ask();
    if (live.answered || this.down()) return;
    const note: DownNote = {
      at: new Date().toISOString(),
      call,
      error,
      confirmedBy: `${this.liveness.call}: ${live.error ?? 'no answer'}`,
      line: `the base URL does not answer (${call}: ${short(error)}; confirmed by ${this.liveness.call}: ${short(live.error ?? 'no answer')})`,
    };
    this.known = note;
    if (!this.file) return;
    try {
      // First writer wins; written whole to a temporary name, then linked into place.
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(note, null, 2) + '\n');
      try {
        fs.linkSync(tmp, this.file);
      } catch {
        /* another worker was first: its note stands */
      }
      fs.rmSync(tmp, { force: true });
    } catch {
      /* the run folder is not writable: this worker still knows */
    }
  }
}

/**
 * The run's reachability of `config.baseUrl`, confirmed by a GET of the health path (or, where the
 * deployment has none, the first configured endpoint, else "/": any answer, even a 404, means the
 * base URL answers). Its deadline
 * is the critical response-time threshold (the runbook's 5 s) when that is shorter than the
 * request timeout: a health endpoint slower than that is, for the runbook, not serving.
 */
export function reachabilityOf(config: Pick<ResolvedConfig, 'runDir' | 'baseUrl' | 'paths' | 'timeouts' | 'thresholds'>, userAgent = 'credlink-checks/0.1 (+runbook monitor)'): Reachability {
  const timeoutMs = Math.min(config.timeouts.requestMs, Math.max(2000, config.thresholds.responseTimeMs.critical));
  const livePath = config.paths.health ?? config.paths.status ?? config.paths.apiHealth ?? '/';
  return Reachability.forRun(config.runDir, {
    call: `GET ${livePath}`,
    timeoutMs,
    ask: async () => {
      try {
        await requestOnce(new URL(livePath, config.baseUrl), { method: 'GET', headers: { 'user-agent': userAgent }, timeoutMs });
        return { answered: true };
      } catch (e) {
        return { answered: false, error: (e as Error).message };
      }
    },
  });
}
