/**
 * Playwright reporter: collects results and, in onEnd, writes the scrubbed runbook.json into the
 * run folder. The mapping is src/reporter/to-report.ts; this class is only collection and I/O.
 * Everything a person reads (runbook.md, index.html, the living runbook, JUnit and Allure
 * enrichment) is rendered from runbook.json by the CLI once Playwright exited and the folder was
 * scrubbed (src/report/run-outputs.ts).
 * Progress goes to stderr, one line per check, so stdout stays free for --json.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { runConfig, secretsOf } from '../../config/index.ts';
import { namesOf } from '../../runbooks/commands.ts';
import { trafficOf } from '../budget/traffic.ts';
import { latestEvidence } from '../incidents/open.ts';
import { loadHistory } from '../report/history.ts';
import { WAIT_LINE_MARK } from '../budget/wait-line.ts';
import { PROBE_CACHE } from '../perf/probe-run.ts';
import { stripCallLog } from '../secrets/error-text.ts';
import { Scrubber } from '../secrets/scrub.ts';
import { RunnerTimings } from './runner-timings.ts';
import { runbookReportSchema } from './schema.ts';
import { toReport, type TestRecord } from './to-report.ts';

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const clean = (s: string | undefined) => stripCallLog((s ?? '').replace(ANSI, '').replace(/^ConditionError: /, ''));
export const EVIDENCE_PREFIX = 'evidence: ';
/**
 * Marks a check that failed with a finding and kept its worker (checks/fixtures.ts
 * `findingKeepsWorker`): Playwright sees an expected failure, this reporter a failed check.
 */
export const FINDING_ANNOTATION = 'finding';
const suiteOf = (t: TestCase) => (t.location ? path.basename(t.location.file) : 'checks');

export default class RunbookReporter implements Reporter {
  private suite?: Suite;
  private startedAt = new Date();
  private done = 0;
  private total = 0;
  /** Per suite (spec file): checks left, and outcomes so far, for "suite n/m done" lines. */
  private readonly suites = new Map<string, { left: number; failed: number }>();
  private suitesDone = 0;
  private readonly cfg = runConfig();
  private readonly scrub = new Scrubber(secretsOf(this.cfg));
  private readonly timings = new RunnerTimings();

  printsToStdio(): boolean {
    return true;
  }

  onBegin(_config: FullConfig, suite: Suite): void {
    this.suite = suite;
    this.startedAt = new Date();
    this.timings.begin();
    this.total = suite.allTests().length;
    for (const t of suite.allTests()) {
      const s = this.suites.get(suiteOf(t)) ?? { left: 0, failed: 0 };
      s.left += 1;
      this.suites.set(suiteOf(t), s);
    }
    process.stderr.write(`running ${this.total} checks in ${this.suites.size} suite(s) against ${this.cfg.env} (${this.cfg.baseUrl})\n`);
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    this.timings.testEnd(suiteOf(test), result);
    if (result.status !== 'passed' && result.retry < test.retries && result.status !== 'skipped') {
      process.stderr.write(`  retrying: ${test.title}\n`);
      return;
    }
    this.done += 1;
    const mark = { passed: 'ok  ', failed: 'FAIL', timedOut: 'TIME', skipped: 'skip', interrupted: 'INT ' }[result.status];
    process.stderr.write(this.scrub.text(`[${this.done}/${this.total}] ${mark} ${test.title} (${result.duration} ms)\n`));
    const s = this.suites.get(suiteOf(test));
    if (!s) return;
    s.left -= 1;
    if (result.status === 'failed' || result.status === 'timedOut') s.failed += 1;
    if (s.left === 0) {
      this.suitesDone += 1;
      process.stderr.write(`suite ${this.suitesDone}/${this.suites.size} done: ${suiteOf(test)}${s.failed ? ` (${s.failed} failed)` : ''}\n`);
    }
  }

  /** A worker's output: only the lines announcing a wait for a rate-limit window (src/budget/wait-line.ts) are shown. */
  onStdErr(chunk: string | Buffer): void {
    for (const line of chunk.toString().split('\n')) {
      const at = line.indexOf(WAIT_LINE_MARK);
      if (at >= 0) process.stderr.write(this.scrub.text(`${line.slice(at + WAIT_LINE_MARK.length)}\n`));
    }
  }

  onError(error: { message?: string }): void {
    process.stderr.write(this.scrub.text(`error: ${clean(error.message)}\n`));
  }

  async onEnd(result: FullResult): Promise<void> {
    const reportersAt = Date.now();
    const runDir = this.cfg.runDir;
    if (!runDir || !this.suite) return;
    const records = this.suite.allTests().map((t) => this.record(t));
    const runMs = this.cfg.timeouts.runMs ?? 600_000;
    const stopped =
      result.status === 'interrupted'
        ? { why: 'interrupted' as const, detail: 'the run was interrupted' }
        : result.status === 'timedout'
          ? { why: 'deadline' as const, detail: `the run deadline of ${Math.round(runMs / 1000)} s (CREDLINK_RUN_TIMEOUT_MS) passed` }
          : undefined;
    const report = toReport(records, {
      env: this.cfg.env,
      kind: this.cfg.runKind,
      runId: this.cfg.runId ?? path.basename(runDir),
      baseUrl: this.cfg.baseUrl,
      location: this.cfg.location,
      startedAt: this.startedAt.toISOString(),
      durationMs: Math.round(result.duration),
      stopped,
      previousIncidents: previousIncidentKeys(runDir, this.cfg.runId ?? path.basename(runDir)),
    }, namesOf(this.cfg));
    report.traffic = trafficOf(this.cfg, runDir, PROBE_CACHE);
    report.timings = this.timings.finish(runDir, reportersAt);
    const safe = runbookReportSchema.parse(this.scrub.value(report));
    try {
      fs.writeFileSync(path.join(runDir, 'runbook.json'), JSON.stringify(safe, null, 2) + '\n');
    } catch (e) {
      // A full or read-only disk is the environment's problem: one line, no stack (the CLI names the folder).
      const err = e as NodeJS.ErrnoException;
      process.stderr.write(`error: cannot write the run's report in ${runDir}: ${err.code ?? ''} ${err.message.split('\n')[0]}\n`);
      fs.rmSync(path.join(runDir, 'runbook.json'), { force: true });
    }
  }

  private record(t: TestCase): TestRecord {
    const results = t.results;
    const last = results.at(-1);
    const seen = new Set<string>();
    const annotations = [...t.annotations, ...(last?.annotations ?? [])].filter((a) => {
      const k = `${a.type}\u0000${a.description ?? ''}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    const errorsOf = (r: TestResult | undefined) => (r?.errors ?? []).map((e) => clean(e.message ?? e.value));
    return {
      title: t.title,
      file: t.location ? path.relative(process.cwd(), t.location.file) : undefined,
      annotations,
      status: last?.status ?? 'skipped',
      // A finding that kept its worker is an "expected" failure to Playwright, a failed check here.
      outcome: last?.status === 'failed' && annotations.some((a) => a.type === FINDING_ANNOTATION) ? 'unexpected' : t.outcome(),
      retries: Math.max(0, results.length - 1),
      durationMs: results.reduce((s, r) => s + r.duration, 0),
      errors: errorsOf(last),
      firstError: errorsOf(results[0])[0],
      evidence: (last?.attachments ?? [])
        .filter((a) => a.name.startsWith(EVIDENCE_PREFIX) && a.body)
        .map((a) => {
          // Split at the first ' | ' only: commands may contain pipes themselves.
          const rest = a.name.slice(EVIDENCE_PREFIX.length);
          const cut = rest.indexOf(' | ');
          const [name, command] = cut < 0 ? [rest, undefined] : [rest.slice(0, cut), rest.slice(cut + 3)];
          return { name, command, contentType: a.contentType, body: a.body!.toString('utf8') };
        }),
    };
  }
}

/**
 * Incident keys of the environment's last observed run that was evidence, before this one (a
 * sibling folder of the run folder): which failure came first, for correlation. None on any error.
 */
function previousIncidentKeys(runDir: string, runId: string): string[] | undefined {
  try {
    return latestEvidence(loadHistory(path.dirname(runDir), runId, 5))?.incidents.map((i) => i.key);
  } catch {
    return undefined;
  }
}
