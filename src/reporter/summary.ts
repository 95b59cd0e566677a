/**
 * The terminal triage of a run. Pure: returns text; colour only when asked.
 * Reads top to bottom as a responder needs it: the verdict, then each incident (one root cause)
 * with its runbook section, why that severity, first steps, and the failing checks it explains
 * folded into one line; then flaky checks, skips grouped by reason, where the reports are, and the
 * verdict again as the very last line, so it is on screen after a long run. Every line fits
 * TERMINAL_WIDTH (100) columns.
 */
import { severityLevels, type Severity } from '../../runbooks/severity.ts';
import { runbookLink, type RunbookLinks } from '../runbook-md/link.ts';
import type { Incident, RunbookReport } from './schema.ts';
import { listWithin, TERMINAL_WIDTH, wrap } from './wrap.ts';

export interface Paint {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const code = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
export const colours: Paint = { red: code(31, 39), yellow: code(33, 39), green: code(32, 39), bold: code(1, 22), dim: code(2, 22) };
export const plain: Paint = { red: (s) => s, yellow: (s) => s, green: (s) => s, bold: (s) => s, dim: (s) => s };

function sev(p: Paint, s: Severity): string {
  return s === 'SEV-0' || s === 'SEV-1' ? p.red(s) : s === 'SEV-2' ? p.yellow(s) : s;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The one-line verdict (no colour). Never "healthy" for a run without evidence or one that was interrupted. */
export function verdictLine(r: RunbookReport): string {
  const v = r.verdict;
  if (v.status === 'no-evidence') return `NO EVIDENCE ${r.env}: no check executed${v.reason ? ` (${v.reason})` : ''}: not a healthy verdict`;
  if (v.status === 'interrupted') return `INTERRUPTED ${r.env}: the run did not finish${v.reason ? ` (${v.reason})` : ''}: no verdict`;
  if (v.severity && r.incidents.length) {
    const lvl = severityLevels[v.severity];
    const failing = r.findings.length;
    return `${v.severity} ${r.env}: ${plural(r.incidents.length, 'incident')} (${plural(failing, 'failing check')}), ${lvl.name}, respond ${lvl.responseTime}`;
  }
  return `HEALTHY ${r.env}: every check that ran passed (${r.counts.passed} passed, ${r.counts.skipped} skipped)`;
}

function paintVerdict(r: RunbookReport, p: Paint, line: string): string {
  const v = r.verdict;
  if (v.status === 'healthy') return p.bold(p.green(line));
  if (v.severity && v.status === 'findings') return p.bold(sev(p, v.severity) + line.slice(v.severity.length));
  return p.bold(p.yellow(line));
}

function incidentLines(r: RunbookReport, i: Incident, p: Paint, links: RunbookLinks | undefined): string[] {
  const out: string[] = [];
  const [head, ...rest] = wrap(i.title, { indent: 7, hang: 7 });
  out.push(p.bold(`${sev(p, i.severity)}  ${head!.slice(7)}`), ...rest.map((l) => p.bold(l)));
  const href = runbookLink(i.section, links);
  out.push(...wrap(`runbook: ${i.section.title}${href ? ` ${href}` : ''}`, { indent: 7, hang: 16 }));
  out.push(...wrap(`cause: ${i.root.checkId}: ${i.root.message}`, { indent: 7, hang: 14 }));
  out.push(...wrap(`why ${i.severity}: ${i.severityRule}`, { indent: 7, hang: 16 }).map((l) => p.dim(l)));
  // What orders the failures (the API's error answers naming the database): the first, and how many more.
  const [seen, ...more] = i.evidence ?? [];
  if (seen) out.push(...wrap(`${seen.name}: "${seen.body ?? ''}"${more.length ? ` (and ${more.length} more)` : ''}`, { indent: 7, hang: 9 }));
  if (i.immediateActions.length) {
    out.push('       first steps:');
    i.immediateActions.slice(0, 4).forEach((a, n) => {
      out.push(...wrap(`${n + 1}. ${a.step}${a.writes ? ' [changes the system: a person decides]' : ''}:`, { indent: 9, hang: 12 }));
      out.push(...wrap(a.command, { indent: 12, hang: 14 }).map((l) => p.dim(l)));
    });
  }
  if (i.consequences.length) {
    out.push(...wrap(`explains ${plural(i.consequences.length, 'more failing check')} (not paged on their own): ${i.consequences.join(', ')}`, { indent: 7, hang: 9 }));
  }
  const evidence = [...new Set(r.findings.filter((f) => f.incidentId === i.id && f.role === 'root').flatMap((f) => f.evidence.map((e) => e.name)))];
  if (evidence.length) out.push(p.dim(`       evidence: ${listWithin(evidence, TERMINAL_WIDTH - 17)}`));
  return out;
}

export function renderSummary(r: RunbookReport, runDir: string, p: Paint = plain, links?: RunbookLinks): string {
  const out: string[] = [''];
  const c = r.counts;
  const verdict = verdictLine(r);
  out.push(...wrap(verdict, { hang: 2 }).map((l, n) => (n === 0 ? paintVerdict(r, p, l) : p.bold(l))));
  out.push(...wrap(`${r.baseUrl} | run ${r.runId} | ${c.total} checks: ${c.passed} passed, ${c.failed} failed, ${c.flaky} flaky, ${c.skipped} skipped | ${(r.durationMs / 1000).toFixed(1)} s`, { hang: 2 }).map((l) => p.dim(l)));
  if (r.incidents.length) {
    out.push('', p.bold(`INCIDENTS (${r.incidents.length}, most severe first)`));
    for (const i of r.incidents) out.push('', ...incidentLines(r, i, p, links));
  }
  if (r.flaky.length) out.push('', ...wrap(`flaky (passed on retry): ${r.flaky.map((f) => f.checkId).join(', ')}`, { hang: 2 }).map((l) => p.yellow(l)));
  if (r.skipped.length) {
    const byReason = new Map<string, string[]>();
    for (const s of r.skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.checkId]);
    out.push('', `skipped: ${plural(r.skipped.length, 'check')} for ${plural(byReason.size, 'reason')}`);
    for (const [reason, ids] of [...byReason].sort((a, b) => b[1].length - a[1].length)) {
      out.push(...wrap(`${reason} (${ids.length}): ${ids.join(', ')}`, { indent: 2, hang: 6 }).map((l) => p.dim(l)));
    }
  }
  out.push('', ...wrap(`report: ${runDir}/index.html (also runbook.md, junit.xml, allure-results/)`, { hang: 2 }));
  out.push(...wrap(verdict, { hang: 2 }).map((l, n) => (n === 0 ? paintVerdict(r, p, l) : p.bold(l))));
  return out.join('\n') + '\n';
}
