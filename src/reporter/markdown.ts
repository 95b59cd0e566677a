/** runbook.md: the triage as a person reads it in a ticket or a CI summary. Pure. */
import { severityLevels } from '../../runbooks/severity.ts';
import type { Finding, RunbookReport } from './schema.ts';

const RUNBOOK_DOC = 'RUNBOOK.md';

export function renderMarkdown(r: RunbookReport): string {
  const out: string[] = [];
  const severity = r.verdict.severity
    ? `**${r.verdict.severity}** (${severityLevels[r.verdict.severity].name}, respond ${severityLevels[r.verdict.severity].responseTime})`
    : '**healthy**';
  // No evidence or a stopped run is never called healthy.
  const verdict =
    r.verdict.status === 'no-evidence' || r.verdict.status === 'interrupted'
      ? `**${r.verdict.status}**: ${r.verdict.reason ?? ''}${r.verdict.severity ? ` (worst so far ${severity})` : ''}`
      : severity;
  out.push(`# CredLink runbook checks: ${r.env}`, '');
  out.push(`Verdict: ${verdict}  `);
  out.push(`Target: ${r.baseUrl}  `);
  out.push(`Run: ${r.runId}, started ${r.startedAt}, took ${(r.durationMs / 1000).toFixed(1)} s  `);
  out.push(
    `Checks: ${r.counts.total} (${r.counts.passed} passed, ${r.counts.failed} failed, ${r.counts.flaky} flaky, ${r.counts.skipped} skipped)`,
    '',
  );
  const bySection = new Map<string, Finding[]>();
  for (const f of r.findings) bySection.set(f.section.title, [...(bySection.get(f.section.title) ?? []), f]);
  for (const [title, list] of bySection) {
    const first = list[0]!;
    out.push(`## ${first.severity} ${title}`, '', `Runbook: [${title}](${RUNBOOK_DOC}#${first.section.anchor})`, '');
    for (const f of list) {
      out.push(`### ${f.severity}: ${f.title}`, '');
      out.push(`- check: \`${f.checkId}\`${f.status === 'timedOut' ? ' (timed out)' : ''}`);
      out.push(`- expected: ${f.expected}`);
      out.push(`- actual: ${f.actual}`);
      out.push(`- why ${f.severity}: ${f.severityRule}`);
      out.push('', '```text', f.message.trim(), '```', '');
      for (const e of f.evidence) {
        out.push(`<details><summary>Evidence: ${e.name}${e.command ? ` (stands for \`${e.command}\`)` : ''}</summary>`, '');
        out.push('```', (e.body ?? `see ${e.path}`).slice(0, 20_000), '```', '</details>', '');
      }
    }
    out.push('Immediate actions:', '');
    first.immediateActions.forEach((a, i) =>
      out.push(`${i + 1}. ${a.step}${a.writes ? ' (changes the system: a person decides)' : ''}: \`${a.command}\``),
    );
    out.push('');
  }
  if (r.flaky.length) {
    out.push('## Flaky (passed on retry)', '');
    for (const f of r.flaky) out.push(`- \`${f.checkId}\` ${f.title}: first failure: ${f.firstError.split('\n')[0]}`);
    out.push('');
  }
  if (r.skipped.length) {
    out.push('## Skipped', '');
    for (const s of r.skipped) out.push(`- \`${s.checkId}\` ${s.title}: ${s.reason}`);
    out.push('');
  }
  if (r.passed.length) {
    out.push('## Passed', '');
    for (const p of r.passed) out.push(`- \`${p.checkId}\` ${p.title}`);
    out.push('');
  }
  return out.join('\n');
}
