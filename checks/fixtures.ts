/**
 * The checks' test API: `test`, `expect`, `runbook()` and the fixtures every check uses.
 *
 * - `runbook(id)` declares a check's catalog id statically (tags + annotation), so reports see
 *   its section and severity even when it is skipped or never runs.
 * - `api`: the bounded HTTP client (src/http/client.ts) on the environment's base URL, wrapped in
 *   the run's request budget (src/budget/budgeted-api.ts). It never follows redirects, sends no
 *   credentials unless a check adds them, bounds every request (one deadline, bodies read up to a
 *   cap) and, once the base URL does not answer, sends nothing more in this run
 *   (src/http/reachability.ts). Every request is paced by the budget (the target's declared rate
 *   limits, Retry-After, RateLimit-* headers); when the budget leaves no room within the check's
 *   time, the check fails as a monitoring gap saying what was not tested. Non-success answers,
 *   and requests that got no answer or were not sent, are recorded once, by send()
 *   (src/probes/http.ts) into the `answers` fixture's sink, for the finding's responses[].
 * - `check`: records expected/actual/impact/evidence for the runbook reporter and fails with a
 *   message like `[STATUS] (503) == 200 on GET /health (staging)`.
 * - `db`: worker-scoped read-only database probe (one lazy connection), closed at teardown.
 * - `kube`: worker-scoped read-only Kubernetes client (undefined without KUBE_NAMESPACE); every
 *   call has a timeout.
 * - `diagnostics` (automatic): when a check fails, attaches the read-only equivalents of its
 *   runbook section's immediate actions as evidence (src/diagnostics/).
 * - `answers` (automatic): records every answer that was not a success (reported by the probes,
 *   src/http/answers.ts) as "response" annotations, the input of correlation (src/incidents/);
 *   half of the check's timeout is the budget for confirming failed requests. What any answer
 *   disclosed (a stack trace, an internal path, a credential, a version) goes as "disclosure"
 *   annotations, scrubbed, judged once for the run by src/reporter/disclosures.ts. A failed
 *   answer whose body names the database (src/http/names-database.ts) marks its response and
 *   leaves its scrubbed excerpt as evidence.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _baseTest, test as playwrightTest, expect } from '@playwright/test';
import { runConfig, secretsOf, type ResolvedConfig } from '../config/index.ts';
import { catalog, type CheckId } from '../runbooks/catalog.ts';
import { namesOf, renderCommand } from '../runbooks/commands.ts';
import { sections } from '../runbooks/sections.ts';
import { budgetedApi, type BudgetedApi } from '../src/budget/budgeted-api.ts';
import { RequestLedger } from '../src/budget/ledger.ts';
import { WAIT_LINE_MARK, waitLine } from '../src/budget/wait-line.ts';
import { authCheckTimeoutMs, scopesFor } from '../src/budget/plan.ts';
import { allureAnnotations } from '../src/report/allure-labels.ts';
import { collectDiagnostics, SharedCollections } from '../src/diagnostics/index.ts';
import { HttpClient } from '../src/http/client.ts';
import { reachabilityOf, type Reachability } from '../src/http/reachability.ts';
import { ANSWER_ANNOTATION, DISCLOSURE_ANNOTATION, answerSeen, callOf, openAnswerSink } from '../src/http/answers.ts';
import { DATABASE_NAMED_EVIDENCE } from '../src/http/names-database.ts';
import { RunConfirmations } from '../src/http/confirmed-down.ts';
import type { ResponseClass } from '../src/http/response-class.ts';
import type { LatencyHistogram } from '../src/stats/histogram.ts';
import { KubeClient } from '../src/k8s/client.ts';
import { DbProbe } from '../src/probes/database.ts';
import { EVIDENCE_PREFIX, FINDING_ANNOTATION } from '../src/reporter/runbook-reporter.ts';
import { DIAGNOSTICS_MS_ANNOTATION, writeWorkerFigures } from '../src/reporter/runner-timings.ts';
import { Scrubber } from '../src/secrets/scrub.ts';
import type { Impact } from '../src/triage/impact.ts';

export { expect };

/**
 * Static metadata for a check: `test(title, runbook('health.root'), async (...) => {...})`.
 * The `allure.label.*` annotations give Allure the severity and runbook section even for
 * checks that are skipped (src/report/allure-labels.ts).
 */
export function runbook(id: CheckId): { tag: string[]; annotation: { type: string; description: string }[] } {
  const e = catalog[id];
  return {
    tag: [`@${id}`, `@${e.severity}`, `@section:${e.section}`],
    annotation: [{ type: 'runbook', description: id }, ...allureAnnotations(id, e, sections[e.section])],
  };
}

export interface Condition {
  /** Short upper-case name of what is compared: STATUS, BODY, LATENCY... */
  label: string;
  ok: boolean;
  actual: unknown;
  /** The expectation, as in "== 200" or "<= 2000 ms". */
  expected: string;
  /** What was called: "GET /health", "SELECT 1". */
  call: string;
  /** What the failure means for users (drives severity). */
  impact?: Impact;
}

export interface Check {
  /** Fails the check unless `c.ok`, recording expected, actual and impact for the report. */
  that(c: Condition): void;
  /** Records a latency measurement for runbook.json (baselines, trends, charts). */
  measure(m: {
    name: string;
    samples: number;
    p50: number | null;
    p95: number | null;
    p99: number | null;
    errorRate: number | null;
    /** Every request by the class of its answer (src/http/response-class.ts): the daemon's probe counters. */
    answers?: Partial<Record<ResponseClass, number>>;
    /** The samples are a monitor's window, not this run's probe: its size and age ("window: last 5 min, n=312 ..."). */
    window?: string;
    /** The latencies in fixed buckets (src/stats/histogram.ts): the daemon's probe histogram. */
    histogram?: LatencyHistogram;
    /** The answered requests' latencies (ms): later runs compare their distribution with these (perf.degradation). */
    latenciesMs?: number[];
  }): void;
  /**
   * Attaches evidence to the check; `command` is the runbook command it stands for,
   * a template of runbooks/commands.ts (`curl -s {{baseUrl}}{{healthPath}}`). Scrub, then
   * cut: every string in `data` is scrubbed whole, then shortened to `maxChars` (default
   * EVIDENCE_STRING_MAX), so pass whole bodies: a secret across a cut never leaves a part behind.
   */
  evidence(name: string, data: unknown, command?: string, opts?: { maxChars?: number }): Promise<void>;
}

export class ConditionError extends Error {
  override name = 'ConditionError';
}

/** The request budget ran out before a request could be sent: the check's gap, not a network error. */
export class RateBudgetGap extends ConditionError {
  readonly budget = true;
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Longest string of evidence kept (after scrubbing), per string. */
export const EVIDENCE_STRING_MAX = 2000;

/** Every string of a JSON-able value scrubbed whole, then cut (src/secrets/scrub.ts excerpt). */
export function scrubThenCut(v: unknown, scrubber: Scrubber, max: number): unknown {
  if (typeof v === 'string') return scrubber.excerpt(v, max);
  if (Array.isArray(v)) return v.map((x) => scrubThenCut(x, scrubber, max));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrubThenCut(x, scrubber, max)]));
  return v;
}

interface TestFixtures {
  findingKeepsWorker: void;
  /** Skips a check whose still-valid result a monitoring daemon has (config.reuse, src/monitor/reuse.ts), saying so. */
  reused: void;
  api: BudgetedApi;
  check: Check;
  answers: void;
  diagnostics: void;
}
interface WorkerFixtures {
  config: Readonly<ResolvedConfig>;
  scrubber: Scrubber;
  db: DbProbe | undefined;
  kube: KubeClient | undefined;
  ledger: RequestLedger;
  /** Whether the base URL answers, shared by the run's workers. */
  reachability: Reachability;
  /** Diagnostics collected once per run, shared by every failing check. */
  sharedDiagnostics: SharedCollections;
  /** Calls confirmed down by any check of the run: not confirmed again (src/http/confirmed-down.ts). */
  confirmations: RunConfirmations;
  /** The worker's CPU and peak memory, left for the run's timings when it stops (src/reporter/runner-timings.ts). */
  processFigures: void;
}

const USER_AGENT = 'credlink-checks/0.1 (+runbook monitor)';

/** Longest string of a diagnostic piece kept (after scrubbing): 100 log lines fit. */
const DIAGNOSTIC_MAX = 20_000;

/** Upper bound of the automatic diagnostics of one failed check. */
const DIAGNOSTICS_DEADLINE_MS = 15_000;
/** Confirmation re-asks of one check stop after this share of its timeout. */
const CONFIRMATION_SHARE = 0.5;

/**
 * The checks build on Playwright's test without its browser fixtures (`_baseTest`): `test`
 * would set up, for every check, about 25 browser-context option fixtures and a trace recorder,
 * each a step whose stack Playwright captures and source-maps (about 0.7 s of the worker's CPU
 * and 250 MiB of short-lived memory per run). No check uses a browser, a page or Playwright's
 * `request`. Should a Playwright version stop exporting `_baseTest`, `test` is used: slower,
 * the same checks.
 */
const base = _baseTest ?? playwrightTest;

export const test = base.extend<TestFixtures, WorkerFixtures>({
  // Declared first: set up first, torn down last, after the diagnostics were attached.
  findingKeepsWorker: [
    async ({}, use, testInfo) => {
      await use();
      // Playwright replaces a worker after any failed test (about a second of CPU to start one
      // and load the suite again; @kubernetes/client-node more): an outage fails a dozen checks.
      // A finding (check.that failed, expected and actual recorded) is how a check reports, not
      // a broken worker: it stays for the next check. The runbook reporter counts the check
      // failed; Playwright's own view (its JSON report) calls it an expected failure. Anything
      // else (a timeout, an unexpected error) and an attempt that will be retried go as before.
      const finding = testInfo.status === 'failed' && testInfo.annotations.some((a) => a.type === 'actual');
      if (!finding || testInfo.retry < testInfo.project.retries) return;
      testInfo.annotations.push({ type: FINDING_ANNOTATION, description: 'kept its worker' });
      testInfo.expectedStatus = 'failed';
    },
    { auto: true, box: 'self' },
  ],
  config: [async ({}, use) => use(runConfig()), { scope: 'worker' }],
  scrubber: [async ({ config }, use) => use(new Scrubber(secretsOf(config))), { scope: 'worker' }],
  ledger: [
    async ({ config }, use) => {
      // In the run folder, shared by every worker of the run; a temporary one without a run folder.
      // Its counts in the run's budget folder: shared with earlier runs against a remote target.
      const temp = config.runDir ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'credlink-budget-'));
      await use(temp ? new RequestLedger(temp) : RequestLedger.forRun(config));
      if (temp) fs.rmSync(temp, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
  db: [
    async ({ config }, use) => {
      if (!config.databaseUrl) return use(undefined);
      const probe = new DbProbe({
        url: config.databaseUrl,
        connectTimeoutMs: config.timeouts.dbConnectMs,
        statementTimeoutMs: config.timeouts.dbStatementMs,
      });
      await use(probe);
      await probe.close();
    },
    { scope: 'worker' },
  ],
  kube: [
    async ({ config }, use) => use(config.kube ? new KubeClient(config.kube, Math.min(config.timeouts.requestMs, 10_000)) : undefined),
    { scope: 'worker' },
  ],
  reachability: [async ({ config }, use) => use(reachabilityOf(config, USER_AGENT)), { scope: 'worker' }],
  sharedDiagnostics: [async ({ config, scrubber }, use) => use(SharedCollections.forRun(config.runDir, (v) => scrubber.value(v))), { scope: 'worker' }],
  confirmations: [
    async ({ config }, use) => {
      const health = [config.paths.health, config.paths.status, config.paths.apiHealth].filter((p): p is string => p !== null);
      await use(RunConfirmations.forRun(config.runDir, health.map((p) => callOf('GET', p))));
    },
    { scope: 'worker' },
  ],
  processFigures: [
    async ({ config }, use) => {
      await use();
      if (!config.runDir) return;
      try {
        writeWorkerFigures(config.runDir);
      } catch {
        /* a full or read-only run folder: the run's timings go without this worker's figures */
      }
    },
    { scope: 'worker', auto: true },
  ],
  reused: [
    async ({ config }, use, testInfo) => {
      const id = testInfo.annotations.find((a) => a.type === 'runbook')?.description;
      const r = id ? config.reuse?.find((x) => x.checkId === id) : undefined;
      testInfo.skip(r !== undefined, r?.reason);
      await use();
    },
    { auto: true, box: 'self' },
  ],
  answers: [
    async ({ confirmations, scrubber }, use, testInfo) => {
      const sink = openAnswerSink(testInfo.timeout > 0 ? testInfo.timeout * CONFIRMATION_SHARE : 30_000, confirmations);
      try {
        await use();
      } finally {
        for (const a of sink.close()) testInfo.annotations.push({ type: ANSWER_ANNOTATION, description: JSON.stringify(a) });
        // Disclosures in any answer of this check (src/reporter/disclosures.ts reports them under security.error-disclosure).
        for (const d of sink.disclosures()) testInfo.annotations.push({ type: DISCLOSURE_ANNOTATION, description: JSON.stringify({ ...d, excerpt: scrubber.text(d.excerpt) }) });
        // A failed answer naming the database: the excerpt is the evidence that orders a database and an outage (src/incidents/build.ts).
        for (const n of sink.named()) {
          await testInfo.attach(`${EVIDENCE_PREFIX}${DATABASE_NAMED_EVIDENCE}: ${n.call} (${n.status})`, { body: scrubber.text(n.excerpt), contentType: 'text/plain' });
        }
      }
    },
    { auto: true, box: 'self' },
  ],
  diagnostics: [
    async ({ config, scrubber, kube, db, ledger, reachability, sharedDiagnostics }, use, testInfo) => {
      await use();
      // Passed, skipped, or cut short by a stop of the run: nothing to explain.
      if (testInfo.status === testInfo.expectedStatus || testInfo.status === 'skipped' || testInfo.status === 'interrupted') return;
      const checkId = testInfo.annotations.find((a) => a.type === 'runbook')?.description;
      const timeoutMs = Math.min(config.timeouts.requestMs, 5000);
      const started = performance.now();
      // Diagnostics reads of the target are paced like every check's: no room within 5 s = not collected.
      // Collected once per run (shared), so a run's diagnostics cost the target one read, not one per failing check.
      const pace = async (p: string) => void (await ledger.take(scopesFor(config, { method: 'GET', path: p, keyId: 'none', failedAttempt: false }), Date.now() + 5000));
      const pieces = await collectDiagnostics(checkId, { config, kube, db, timeoutMs, pace, reachability }, DIAGNOSTICS_DEADLINE_MS, sharedDiagnostics);
      testInfo.annotations.push({ type: DIAGNOSTICS_MS_ANNOTATION, description: String(Math.round(performance.now() - started)) });
      for (const p of pieces) {
        // Scrub, then cut: diagnostics (logs, documents) are kept up to DIAGNOSTIC_MAX after scrubbing.
        const cut = scrubThenCut(p.data, scrubber, DIAGNOSTIC_MAX);
        const body = scrubber.text(typeof cut === 'string' ? cut : JSON.stringify(cut, null, 2));
        await testInfo.attach(`${EVIDENCE_PREFIX}${p.name} | ${p.command}`, {
          body,
          contentType: typeof p.data === 'string' ? 'text/plain' : 'application/json',
        });
      }
    },
    { auto: true, box: 'self' },
  ],
  api: [
    async ({ config, ledger, reachability }, use, testInfo) => {
      const client = new HttpClient({ baseUrl: config.baseUrl, timeoutMs: config.timeouts.requestMs, headers: { 'user-agent': USER_AGENT }, reachability });
      // Every check that talks to the target is paced by its limits: it may wait once for a window to
      // pass (the run plan announces that wait) instead of being held as "not sent" for want of room.
      if (testInfo.timeout > 0) testInfo.setTimeout(Math.max(testInfo.timeout, authCheckTimeoutMs(config)));
      const started = Date.now();
      await use(
        budgetedApi(client, {
          ledger,
          config,
          // Leave the check a few seconds to judge and attach evidence after its last request.
          deadline: () => (testInfo.timeout > 0 ? started + testInfo.timeout - 3000 : Number.POSITIVE_INFINITY),
          // A 429's Retry-After is honoured within CREDLINK_CHECK_TIMEOUT_MS only (not the time added for pacing).
          backoffDeadline: () => started + Math.min(testInfo.timeout > 0 ? testInfo.timeout : Number.POSITIVE_INFINITY, config.timeouts.checkMs) - 3000,
          // A long wait for a limit's window is one line on the terminal (the runbook reporter passes it on).
          onWait(w) {
            const checkId = testInfo.annotations.find((a) => a.type === 'runbook')?.description;
            process.stderr.write(`${WAIT_LINE_MARK}${waitLine(w, { checkId, call: w.call })}\n`);
          },
          // Answers are recorded once, by send() into the `answers` fixture's sink (with confirmation attempts and no-answers).
          onExhausted(err, call) {
            const actual = `not sent: ${err.message}`;
            // Held because the route answered 429: for correlation this check faced that 429
            // (src/incidents: one incident for the checks a rate-limited route stopped).
            if (err.heldBy === 'rate-limited') answerSeen(call, 429);
            testInfo.annotations.push({ type: 'expected', description: 'RATE BUDGET room for the request within the check\'s time' });
            testInfo.annotations.push({ type: 'actual', description: actual });
            testInfo.annotations.push({ type: 'impact', description: JSON.stringify({ kind: 'gap', reason: `not tested: ${call} could not be sent within the target's rate limit`, cause: 'rate-limit' }) });
            return new RateBudgetGap(`[RATE BUDGET] (${actual}) room within the check's time on ${call} (${config.env})`);
          },
        }),
      );
      await client.dispose();
    },
    { box: 'self' },
  ],
  check: [
    async ({ config, scrubber }, use, testInfo) => {
      const names = namesOf(config);
      await use({
        that(c) {
          if (c.ok) return;
          const actual = scrubber.text(show(c.actual));
          testInfo.annotations.push({ type: 'expected', description: `${c.label} ${c.expected}` });
          testInfo.annotations.push({ type: 'actual', description: actual });
          if (c.impact) testInfo.annotations.push({ type: 'impact', description: JSON.stringify(c.impact) });
          throw new ConditionError(`[${c.label}] (${actual}) ${c.expected} on ${c.call} (${config.env})`);
        },
        measure(m) {
          testInfo.annotations.push({ type: 'measurement', description: JSON.stringify({ ...m, unit: 'ms' }) });
        },
        async evidence(name, data, command, opts) {
          const cut = scrubThenCut(data, scrubber, opts?.maxChars ?? EVIDENCE_STRING_MAX);
          const body = scrubber.text(typeof cut === 'string' ? cut : JSON.stringify(cut, null, 2));
          const rendered = command ? scrubber.text(renderCommand(command, names)) : undefined;
          await testInfo.attach(`${EVIDENCE_PREFIX}${name}${rendered ? ` | ${rendered}` : ''}`, {
            body,
            contentType: typeof data === 'string' ? 'text/plain' : 'application/json',
          });
        },
      });
    },
    { box: 'self' },
  ],
});
