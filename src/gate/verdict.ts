/**
 * The post-deploy gate's decisions and outputs, pure. The gate speaks in incidents: an incident
 * at or above --fail-on blocks; the others are named as not blocking. Which runs are worth one
 * re-run: only when every finding of every blocking incident is network-level (a connection
 * refused or reset, a DNS failure, a timeout before any answer). Assertion failures (a 503, a
 * wrong body, a slow answer) are never retried: the deployment is what they judge.
 * Outputs: the one-screen terminal verdict (the verdict again as its last line), GitHub Actions
 * annotations (::error for blocking, ::warning for the rest) and the job summary in Markdown.
 */
import { atLeast, severityLevels, type Severity } from '../../runbooks/severity.ts';
import { actionsMd, inlineCode, verdictMarkdown } from '../reporter/markdown.ts';
import type { Finding, Incident, RunbookReport } from '../reporter/schema.ts';
import { wrap } from '../reporter/wrap.ts';
import { runbookLink, sectionText, type RunbookLinks } from '../runbook-md/link.ts';
import { workflowCommand } from './github.ts';

const NETWORK = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE|socket hang up|network error|no answer within)\b/i;

/**
 * A finding is network-level when its text names a network error, or when every answer it saw was
 * none at all (class no-answer: refused, reset, timed out; e.g. "no key: no answer" while the
 * target is down, or a latency series with 0 answered requests).
 */
export function isNetworkLevel(f: Pick<Finding, 'actual' | 'message' | 'responses'>): boolean {
  if (NETWORK.test(f.actual) || NETWORK.test(f.message)) return true;
  return f.responses.length > 0 && f.responses.every((r) => r.class === 'no-answer');
}

/** Incidents at or above the threshold: what fails the gate. */
export function blocking(report: RunbookReport, failOn: Severity): Incident[] {
  return report.incidents.filter((i) => atLeast(i.severity, failOn));
}

/** Incidents below the threshold: named, never hidden. */
export function notBlocking(report: RunbookReport, failOn: Severity): Incident[] {
  return report.incidents.filter((i) => !atLeast(i.severity, failOn));
}

/** Re-run once when something blocks and every finding of every blocking incident is network-level. */
export function shouldRetry(report: RunbookReport, failOn: Severity): boolean {
  const ids = new Set(blocking(report, failOn).map((i) => i.id));
  const findings = report.findings.filter((f) => ids.has(f.incidentId));
  return ids.size > 0 && findings.length > 0 && findings.every(isNetworkLevel);
}

export interface GateOutcome {
  report: RunbookReport;
  runDir: string;
  failOn: Severity;
  /** The first run's findings were network-level and the suite ran again. */
  retried: boolean;
  /** Where runbook sections link (a web address travels into CI; src/runbook-md/link.ts). */
  links?: RunbookLinks;
}

/** PASSED only when the run is evidence and nothing blocks: agrees with exitCodeFor(). */
export function gatePassed(o: GateOutcome): boolean {
  const v = o.report.verdict.status;
  return (v === 'healthy' || v === 'findings') && blocking(o.report, o.failOn).length === 0;
}

export function gateHeadline(o: GateOutcome): string {
  const r = o.report;
  const v = r.verdict;
  if (v.status === 'no-evidence') return `GATE FAILED ${r.env}: no check executed${v.reason ? ` (${v.reason})` : ''}: a gate never passes on no evidence`;
  if (v.status === 'interrupted') return `GATE INTERRUPTED ${r.env}: the run did not finish${v.reason ? ` (${v.reason})` : ''}: no verdict`;
  const b = blocking(r, o.failOn);
  const below = notBlocking(r, o.failOn);
  if (b.length) return `GATE FAILED ${r.env}: ${b.length} incident(s) at or above ${o.failOn} block${below.length ? `; ${below.length} below do not` : ''}`;
  return `GATE PASSED ${r.env}: nothing at or above ${o.failOn}${below.length ? `; ${below.length} incident(s) below do not block` : ''}`;
}

function incidentLines(i: Incident, links: RunbookLinks | undefined): string[] {
  const out = wrap(`${i.severity} ${i.title}`, { indent: 2, hang: 8 });
  out.push(...wrap(`${sectionText(i.section, links)}, respond ${severityLevels[i.severity].responseTime}`, { indent: 8, hang: 10 }));
  out.push(...wrap(`cause ${i.root.checkId}: ${i.root.message}${i.consequences.length ? ` (explains ${i.consequences.length} more failing check(s): ${i.consequences.join(', ')})` : ''}`, { indent: 8, hang: 10 }));
  return out;
}

export function renderGate(o: GateOutcome): string {
  const r = o.report;
  const head = gateHeadline(o);
  const lines: string[] = ['', ...wrap(head, { hang: 2 })];
  const c = r.counts;
  lines.push(...wrap(`${r.baseUrl} | ${c.total} checks: ${c.passed} passed, ${c.failed} failed, ${c.flaky} flaky, ${c.skipped} skipped`, { hang: 2 }));
  if (o.retried) lines.push('re-ran once after network errors (every blocking incident was one)');
  const b = blocking(r, o.failOn);
  const below = notBlocking(r, o.failOn);
  if (b.length) {
    lines.push(`blocking (at or above ${o.failOn}):`);
    for (const i of b) lines.push(...incidentLines(i, o.links));
  }
  if (below.length) {
    lines.push(`not blocking (below ${o.failOn}):`);
    for (const i of below) lines.push(...incidentLines(i, o.links));
  }
  lines.push(`junit:      ${o.runDir}/junit.xml`);
  lines.push(`runbook.md: ${o.runDir}/runbook.md`);
  lines.push(...wrap(head, { hang: 2 }));
  return lines.join('\n') + '\n';
}

/** One workflow command per incident (error = blocks, warning = does not), or one error for a run that is no evidence. */
export function githubAnnotations(o: GateOutcome): string {
  const r = o.report;
  if (r.verdict.status !== 'healthy' && r.verdict.status !== 'findings') return `${workflowCommand('error', `credlink-checks gate: ${r.env}`, gateHeadline(o))}\n`;
  const out = r.incidents.map((i) => {
    const blocks = atLeast(i.severity, o.failOn);
    const title = `${i.severity} ${r.env}: ${i.title}`;
    const message = [
      `${blocks ? 'Blocks the deployment' : `Does not block (below ${o.failOn})`}. Runbook: ${sectionText(i.section, o.links)}.`,
      `Cause ${i.root.checkId}: ${i.root.message}`,
      i.consequences.length ? `Explains ${i.consequences.length} more failing check(s): ${i.consequences.join(', ')}` : '',
      `First step: ${i.immediateActions[0] ? `${i.immediateActions[0].step}: ${i.immediateActions[0].command}` : 'see runbook.md'}`,
    ].filter(Boolean);
    return workflowCommand(blocks ? 'error' : 'warning', title, message.join('\n'));
  });
  return out.length ? `${out.join('\n')}\n` : '';
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The job summary (Markdown) for $GITHUB_STEP_SUMMARY. */
export function githubStepSummary(o: GateOutcome): string {
  const r = o.report;
  const passed = gatePassed(o);
  const out = [`## credlink-checks gate: ${passed ? 'PASSED' : r.verdict.status === 'interrupted' ? 'INTERRUPTED' : 'FAILED'} for \`${r.env}\``, ''];
  out.push(gateHeadline(o), '', `Verdict: ${verdictMarkdown(r)}  `, `Target: ${r.baseUrl}, run \`${r.runId}\`, ${r.counts.total} checks (${r.counts.passed} passed, ${r.counts.failed} failed, ${r.counts.skipped} skipped)${o.retried ? ', re-ran once after network errors' : ''}`, '');
  if (r.incidents.length) {
    out.push('| blocks | severity | incident | runbook section | cause | explains |', '|---|---|---|---|---|---|');
    for (const i of r.incidents) {
      const href = runbookLink(i.section, o.links);
      const section = href ? `[${cell(i.section.title)}](${href})` : cell(i.section.title);
      out.push(`| ${atLeast(i.severity, o.failOn) ? '**yes**' : `no (below ${o.failOn})`} | ${i.severity} | ${cell(i.title)} | ${section} | ${inlineCode(i.root.checkId)}: ${cell(i.root.message)} | ${i.consequences.length} |`);
    }
    out.push('');
    for (const i of blocking(r, o.failOn)) {
      out.push(`<details><summary>${i.severity} ${i.title}: first steps</summary>`, '', ...actionsMd(i.immediateActions), '', '</details>', '');
    }
  }
  out.push(`Reports: \`${o.runDir}/runbook.md\`, \`${o.runDir}/junit.xml\`, \`${o.runDir}/index.html\``, '');
  return out.join('\n');
}
