/**
 * What each check saw: every answer that was not a success, per test, for correlation
 * (src/incidents/). Probes report here (`answerSeen`) and the `check` fixture installs a sink
 * per test (checks/fixtures.ts), so checks do not change for it.
 *
 * One test runs at a time in a Playwright worker, so the sink is a module-level slot. Outside a
 * test (tools, unit tests) there is no sink and nothing is recorded.
 */
import type { SharedConfirmations } from './confirmed-down.ts';
import { classify, type ResponseClass } from './response-class.ts';
import { AnswerScanner, type DisclosureKind } from '../security/disclosure.ts';
import { databaseNamedIn } from './names-database.ts';

export interface AnswerSeen {
  /** "GET /health", "POST /api/v1/sign"; for other systems "prometheus GET /api/v1/query". */
  call: string;
  status: number | null;
  class: ResponseClass;
  count: number;
  /** Systems a failed answer's body named as what failed (src/http/names-database.ts): evidence that orders two failures. */
  names?: 'database'[];
}

/** A failed answer whose body named the database: where, and the excerpt (scrubbed before it is kept). */
export interface NamedSeen {
  system: 'database';
  call: string;
  status: number | null;
  excerpt: string;
}
/** Distinct (call, status) answers naming a system kept per test (their excerpts are evidence). */
export const MAX_NAMED_PER_TEST = 5;

/** Annotation type carrying one AnswerSeen as JSON (read by src/reporter/to-report.ts). */
export const ANSWER_ANNOTATION = 'response';

/** Something an answer disclosed (src/security/disclosure.ts), where; the excerpt is scrubbed before it is kept. */
export interface DisclosureSeen {
  kind: DisclosureKind;
  call: string;
  status: number | null;
  excerpt: string;
}
/** Annotation type carrying one DisclosureSeen as JSON (read by src/reporter/disclosures.ts). */
export const DISCLOSURE_ANNOTATION = 'disclosure';
/** Distinct (kind, call, status) disclosures kept per test. */
export const MAX_DISCLOSURES_PER_TEST = 20;
/** Distinct (call, status) pairs kept per test: a bound on report size, never reached by today's checks. */
export const MAX_ANSWERS_PER_TEST = 50;

export interface AnswerSink {
  seen(call: string, status: number | null, count?: number): void;
  /** performance.now() by which confirmation re-asks must be done (the test's time budget). */
  readonly deadline: number;
  /** Calls whose failure this check already confirmed: later requests to them are not asked again. */
  readonly confirmedDown: Set<string>;
  /** Calls confirmed down by any check of the run (src/http/confirmed-down.ts). */
  readonly shared?: SharedConfirmations;
  /** A disclosure an answer of this check carried. */
  disclosed(d: DisclosureSeen): void;
  /** A failed answer of this check named the database. */
  named(n: NamedSeen): void;
}

/** One scanner per process: its byte budget bounds the scanning of a whole run's answers. */
const scanner = new AnswerScanner();

let sink: AnswerSink | undefined;

/** Collects answers until `close()`, which returns them deduplicated by (call, status) with counts. */
export function openAnswerSink(budgetMs: number, shared?: SharedConfirmations): { close(): AnswerSeen[]; disclosures(): DisclosureSeen[]; named(): NamedSeen[] } {
  const seen = new Map<string, AnswerSeen>();
  const disclosed = new Map<string, DisclosureSeen>();
  const namedBy = new Map<string, NamedSeen>();
  const mine: AnswerSink = {
    deadline: performance.now() + budgetMs,
    confirmedDown: new Set(),
    shared,
    seen(call, status, count = 1) {
      const c = classify(status);
      if (c === 'success') return;
      const key = `${call}\u0000${status}`;
      const prior = seen.get(key);
      if (prior) prior.count += count;
      else if (seen.size < MAX_ANSWERS_PER_TEST) seen.set(key, { call, status, class: c, count });
    },
    disclosed(d) {
      const key = `${d.kind}\u0000${d.call}\u0000${d.status}`;
      if (!disclosed.has(key) && disclosed.size < MAX_DISCLOSURES_PER_TEST) disclosed.set(key, d);
    },
    named(n) {
      const key = `${n.call}\u0000${n.status}`;
      const answer = seen.get(key);
      if (answer && !answer.names?.includes(n.system)) answer.names = [...(answer.names ?? []), n.system];
      if (!namedBy.has(key) && namedBy.size < MAX_NAMED_PER_TEST) namedBy.set(key, n);
    },
  };
  sink = mine;
  return {
    close() {
      if (sink === mine) sink = undefined;
      return [...seen.values()];
    },
    disclosures: () => [...disclosed.values()],
    named: () => [...namedBy.values()],
  };
}

/** A probe reports one answer (status null = no answer). Successes are ignored. */
export function answerSeen(call: string, status: number | null, count = 1): void {
  sink?.seen(call, status, count);
}

/**
 * A probe reports an answer's body (after answerSeen for the same answer): scanned for
 * disclosures (any status), within the process's budget, and a failed answer for whether it
 * names the database (its first few KiB).
 */
export function answerBody(call: string, status: number | null, body: string): void {
  if (!sink) return;
  for (const d of scanner.scan(status, body)) sink.disclosed({ kind: d.kind, call, status, excerpt: d.excerpt });
  const excerpt = databaseNamedIn(status, body);
  if (excerpt !== undefined) sink.named({ system: 'database', call, status, excerpt });
}

/** A disclosure found where no check ran (the latency probe's answers), reported to the check judging them. */
export function disclosureSeen(d: DisclosureSeen): void {
  sink?.disclosed(d);
}

/** Milliseconds left for confirmation re-asks in the current test (undefined outside a test). */
export function confirmationBudgetMs(): number | undefined {
  return sink ? sink.deadline - performance.now() : undefined;
}

/**
 * Confirmation is once per call and run: after a call's failure was confirmed (every re-ask
 * failed too), further requests to it, of this check and of the run's later checks (the sink's
 * shared confirmations), count as they come. Keeps a check that sends 21 requests to a dead
 * endpoint from waiting a second on each, and an outage's dozen failing checks from confirming
 * the same dead routes again and again.
 */
export function confirmedDown(call: string): boolean {
  if (!sink) return false;
  return sink.confirmedDown.has(call) || (sink.shared?.has(call) ?? false);
}

export function markConfirmedDown(call: string): void {
  sink?.confirmedDown.add(call);
  sink?.shared?.add(call);
}

/** "GET /x?y=1" -> "GET /x": the route a call names, without its query. */
export function callOf(method: string, pathOrUrl: string): string {
  const p = pathOrUrl.split('?')[0] ?? pathOrUrl;
  return `${method.toUpperCase()} ${p}`;
}
