/** The one-screen terminal triage of a run. Pure: returns text; colour only when asked. */
import { severityLevels, type Severity } from '../../runbooks/severity.ts';
import type { RunbookReport } from './schema.ts';

export interface Paint {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
export const colours: Paint = { red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), bold: wrap(1, 22), dim: wrap(2, 22) };
export const plain: Paint = { red: (s) => s, yellow: (s) => s, green: (s) => s, bold: (s) => s, dim: (s) => s };

function sev(p: Paint, s: Severity): string {
  return s === 'SEV-0' || s === 'SEV-1' ? p.red(s) : s === 'SEV-2' ? p.yellow(s) : s;
}

export function renderSummary(r: RunbookReport, runDir: string, p: Paint = plain): string {
  const out: string[] = [''];
  const c = r.counts;
  if (r.verdict.status === 'no-evidence') {
    out.push(p.bold(p.yellow(`NO EVIDENCE ${r.env}: ${r.verdict.reason ?? 'no check executed'} (not healthy: nothing was checked)`)));
  } else if (r.verdict.status === 'interrupted') {
    out.push(p.bold(p.yellow(`INTERRUPTED ${r.env}: ${r.verdict.reason ?? 'the run was stopped'}${r.verdict.severity ? ` (worst so far ${r.verdict.severity})` : ''}`)));
  } else if (r.verdict.severity) {
    const lvl = severityLevels[r.verdict.severity];
    out.push(p.bold(`${sev(p, r.verdict.severity)} ${r.env}: ${r.findings.length} finding(s), respond ${lvl.responseTime}`));
  } else {
    out.push(p.bold(p.green(`HEALTHY ${r.env}: every check passed`)));
  }
  out.push(p.dim(`${r.baseUrl} | ${c.total} checks: ${c.passed} passed, ${c.failed} failed, ${c.flaky} flaky, ${c.skipped} skipped | ${(r.durationMs / 1000).toFixed(1)} s`));
  const seen = new Set<string>();
  for (const f of r.findings) {
    out.push('', `${sev(p, f.severity)} ${p.bold(f.section.title)}  (RUNBOOK.md#${f.section.anchor})`);
    out.push(`  ${f.checkId}: ${f.message.split('\n')[0]}`);
    out.push(p.dim(`  why ${f.severity}: ${f.severityRule}`));
    if (!seen.has(f.section.anchor)) {
      seen.add(f.section.anchor);
      out.push('  first steps:');
      f.immediateActions.slice(0, 4).forEach((a, i) => out.push(`    ${i + 1}. ${a.step}${a.writes ? ' [changes the system]' : ''}: ${p.dim(a.command)}`));
    }
    if (f.evidence.length) out.push(p.dim(`  evidence: ${f.evidence.map((e) => e.name).join(', ')}`));
  }
  if (r.flaky.length) out.push('', p.yellow(`flaky (passed on retry): ${r.flaky.map((f) => f.checkId).join(', ')}`));
  if (r.skipped.length) {
    out.push('', 'skipped:');
    for (const s of r.skipped) out.push(p.dim(`  ${s.checkId}: ${s.reason}`));
  }
  out.push('', `report: ${runDir}/index.html (also runbook.md, junit.xml, allure-results/)`);
  return out.join('\n') + '\n';
}
