/**
 * The post-deploy gate's decisions, pure: which findings are network-level (worth one re-run:
 * a connection refused or reset, a DNS failure, a timeout before any answer), and the
 * one-screen verdict. Assertion failures (a 503, a wrong body, a slow answer) are never
 * retried: the deployment is what they judge.
 */
import { atLeast, severityLevels, type Severity } from '../../runbooks/severity.ts';
import type { Finding, RunbookReport } from '../reporter/schema.ts';

const NETWORK = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE|socket hang up|network error|no answer within)\b/i;

export function isNetworkLevel(f: Finding): boolean {
  return NETWORK.test(f.actual) || NETWORK.test(f.message);
}

export function blocking(report: RunbookReport, failOn: Severity): Finding[] {
  return report.findings.filter((f) => atLeast(f.severity, failOn));
}

/** Re-run once when something blocks and every blocking finding is network-level. */
export function shouldRetry(report: RunbookReport, failOn: Severity): boolean {
  const b = blocking(report, failOn);
  return b.length > 0 && b.every(isNetworkLevel);
}

export interface GateOutcome {
  report: RunbookReport;
  runDir: string;
  failOn: Severity;
  /** The first run's findings were network-level and the suite ran again. */
  retried: boolean;
}

export function renderGate(o: GateOutcome): string {
  const b = blocking(o.report, o.failOn);
  const { status, reason } = o.report.verdict;
  // A gate never passes on zero evidence: nothing checked is not "nothing wrong".
  const pass = b.length === 0 && (status === 'healthy' || status === 'findings');
  const lines: string[] = [''];
  if (status === 'no-evidence') lines.push(`GATE FAILED ${o.report.env}: no evidence: ${reason ?? 'no check executed'}`);
  else if (status === 'interrupted') lines.push(`GATE INTERRUPTED ${o.report.env}: ${reason ?? 'the run was stopped'}`);
  else lines.push(`${pass ? 'GATE PASSED' : 'GATE FAILED'} ${o.report.env}: ${pass ? `nothing at or above ${o.failOn}` : `${b.length} finding(s) at or above ${o.failOn}`}`);
  const c = o.report.counts;
  lines.push(`${o.report.baseUrl} | ${c.total} checks: ${c.passed} passed, ${c.failed} failed, ${c.flaky} flaky, ${c.skipped} skipped${o.retried ? ' | re-ran once after network errors' : ''}`);
  for (const f of b.slice(0, 8)) {
    lines.push(`  ${f.severity} ${f.checkId}: ${f.message.split('\n')[0]}`);
    lines.push(`       ${f.section.title} (RUNBOOK.md#${f.section.anchor}), respond ${severityLevels[f.severity].responseTime}`);
  }
  if (b.length > 8) lines.push(`  ... and ${b.length - 8} more (see runbook.md)`);
  const below = o.report.findings.length - b.length;
  if (below > 0) lines.push(`  ${below} finding(s) below ${o.failOn} do not block: see runbook.md`);
  lines.push(`junit:      ${o.runDir}/junit.xml`);
  lines.push(`runbook.md: ${o.runDir}/runbook.md`);
  return lines.join('\n') + '\n';
}
