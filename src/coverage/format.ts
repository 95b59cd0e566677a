/** The terminal view of a coverage report. Pure: returns text; colour only when asked. */
import { plain, type Paint } from '../reporter/summary.ts';
import type { CoverageReport, SectionStatus } from './coverage.ts';

const STATUS: Record<SectionStatus, (p: Paint) => string> = {
  covered: (p) => p.green('covered'),
  manual: (p) => p.yellow('manual'),
  uncovered: (p) => p.red('UNCOVERED'),
  'not-checkable': (p) => p.dim('-'),
};

export function renderCoverage(r: CoverageReport, file: string, p: Paint = plain, minCoverage?: number): string {
  const out: string[] = [];
  const head = `runbook coverage of ${file}: ${r.covered} of ${r.checkable} checkable sections covered (${r.percent}%)`;
  out.push(p.bold(minCoverage !== undefined && r.percent < minCoverage ? p.red(`${head}, below --min-coverage ${minCoverage}%`) : head), '');
  const w = Math.min(60, Math.max(...r.sections.map((s) => s.title.length + (s.level - 2) * 2)));
  let chapter: string | undefined;
  for (const s of r.sections) {
    if (s.level === 2) {
      chapter = s.title;
      out.push(p.bold(`${chapter}`));
      continue;
    }
    const title = `${'  '.repeat(s.level - 2)}${s.title}`.slice(0, w).padEnd(w);
    const who = [...s.checks, ...s.manual.map((m) => `${m} (manual)`)].join(', ');
    out.push(`${title}  ${STATUS[s.status](p)}${who ? `  ${who}` : ''}${s.status === 'uncovered' ? p.dim(`  (#${s.anchor}, line ${s.line})`) : ''}`);
  }
  out.push('');
  if (r.drift.length) {
    out.push(p.red(p.bold(`drift: ${r.drift.length} catalog reference(s) to sections this runbook does not have`)));
    for (const d of r.drift) {
      out.push(`  ${d.checkId} ${d.field} -> #${d.anchor} ("${d.title}")${d.didYouMean ? `; did you mean "${d.didYouMean.title}" (#${d.didYouMean.anchor})?` : ''}`);
    }
  } else out.push(p.green('drift: none (every catalog section exists in the runbook)'));
  const uncovered = r.sections.filter((s) => s.status === 'uncovered');
  if (uncovered.length) out.push(p.yellow(`uncovered checkable sections: ${uncovered.map((s) => s.title).join('; ')}`));
  return out.join('\n') + '\n';
}
