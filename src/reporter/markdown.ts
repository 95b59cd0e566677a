/**
 * runbook.md: the triage as a person reads it in a ticket or a CI summary. Pure.
 * Speaks in incidents: each root cause with its runbook section, severity and why, first steps,
 * the root finding's evidence, and the failing checks it explains folded under it.
 */
import { severityLevels } from '../../runbooks/severity.ts';
import { runbookLink, type RunbookLinks, type SectionRef } from '../runbook-md/link.ts';
import type { Finding, Incident, RunbookReport } from './schema.ts';

const EVIDENCE_MAX = 20_000;

/** Inline code that survives backticks inside the text. */
export function inlineCode(s: string): string {
  const longest = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return longest ? `${fence} ${s} ${fence}` : `${fence}${s}${fence}`;
}

/** A fenced block whose fence is longer than any backtick run inside. */
function fenced(body: string, info = ''): string[] {
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${info}`, body, fence];
}

function sectionMd(s: SectionRef, links: RunbookLinks | undefined): string {
  const href = runbookLink(s, links);
  return href ? `[${s.title}](${href})` : s.title;
}

/** The verdict line of runbook.md and of the gate's job summary. */
export function verdictMarkdown(r: RunbookReport): string {
  const v = r.verdict;
  if (v.status === 'no-evidence') return `**NO EVIDENCE**: no check executed${v.reason ? ` (${v.reason})` : ''}; this is not a healthy verdict`;
  if (v.status === 'interrupted') return `**INTERRUPTED**: the run did not finish${v.reason ? ` (${v.reason})` : ''}; no verdict`;
  if (v.severity && r.incidents.length) {
    const l = severityLevels[v.severity];
    return `**${v.severity}** (${l.name}, respond ${l.responseTime}): ${r.incidents.length} incident(s), ${r.findings.length} failing check(s)`;
  }
  return '**healthy**: every check that ran passed';
}

function findingMd(f: Finding): string[] {
  const out = [`#### \`${f.checkId}\` ${f.title}`, ''];
  out.push(`- expected: ${f.expected}`, `- actual: ${f.actual}`, `- why ${f.severity}: ${f.severityRule}${f.status === 'timedOut' ? ' (the check timed out)' : ''}`, '');
  out.push(...fenced(f.message.trim(), 'text'), '');
  for (const e of f.evidence) {
    out.push(`<details><summary>Evidence: ${e.name}${e.command ? ` (stands for ${inlineCode(e.command)})` : ''}</summary>`, '');
    // Evidence in runbook.json is already scrubbed (scrub, then cut): shortening it here is safe.
    const body = e.body === undefined ? `see ${e.path}` : e.body.length > EVIDENCE_MAX ? `${e.body.slice(0, EVIDENCE_MAX)}\n... (${e.body.length - EVIDENCE_MAX} more characters in runbook.json)` : e.body;
    out.push(...fenced(body), '</details>', '');
  }
  return out;
}

export function actionsMd(actions: Incident['immediateActions']): string[] {
  return actions.map((a, i) => `${i + 1}. ${a.step}${a.writes ? ' (changes the system: a person decides)' : ''}: ${inlineCode(a.command)}`);
}

function incidentMd(r: RunbookReport, i: Incident, links: RunbookLinks | undefined): string[] {
  const out = [`### ${i.severity}: ${i.title}`, ''];
  out.push(`- runbook section: ${sectionMd(i.section, links)}`);
  out.push(`- cause: ${inlineCode(i.root.checkId)}: ${i.root.message}`);
  out.push(`- why ${i.severity}: ${i.severityRule}`);
  for (const e of i.evidence ?? []) out.push(`- ${e.name}: ${inlineCode(e.body ?? '')}`);
  out.push(`- incident: ${inlineCode(i.id)} (the same id in every run while this root cause lasts)`, '');
  out.push('Immediate actions:', '', ...actionsMd(i.immediateActions), '');
  const mine = r.findings.filter((f) => f.incidentId === i.id);
  for (const f of mine.filter((x) => x.role === 'root')) out.push(...findingMd(f));
  const consequences = mine.filter((f) => f.role === 'consequence');
  if (consequences.length) {
    out.push(`<details><summary>Explained by this root cause: ${consequences.length} more failing check(s), not paged on their own</summary>`, '');
    for (const f of consequences) out.push(`- ${inlineCode(f.checkId)} ${f.title}: ${f.message.split('\n')[0]} (${f.section.title}, ${f.severity} on its own)`);
    out.push('', '</details>', '');
  }
  return out;
}

export function renderMarkdown(r: RunbookReport, links?: RunbookLinks): string {
  const out: string[] = [];
  out.push(`# CredLink runbook checks: ${r.env}`, '');
  out.push(`Verdict: ${verdictMarkdown(r)}  `);
  out.push(`Target: ${r.baseUrl}${r.location ? `, seen from ${r.location}` : ''}  `);
  out.push(`Run: ${r.runId} (${r.kind}), started ${r.startedAt}, took ${(r.durationMs / 1000).toFixed(1)} s  `);
  out.push(`Checks: ${r.counts.total} (${r.counts.passed} passed, ${r.counts.failed} failed, ${r.counts.flaky} flaky, ${r.counts.skipped} skipped)${r.traffic ? '  ' : ''}`);
  if (r.traffic) {
    // What the run sent against the target's declared limits, and every 429 it saw.
    const limited = Object.entries(r.traffic.rateLimited).map(([call, n]) => `${n}x on ${call}`);
    out.push(`Traffic: ${r.traffic.sent} requests + ${r.traffic.probeSent} probe requests within ${r.traffic.limits.join(', ')}; 429 answers: ${limited.length ? limited.join(', ') : 'none'}`);
  }
  out.push('');
  if (r.incidents.length) {
    out.push('## Incidents (most severe first)', '');
    for (const i of r.incidents) out.push(...incidentMd(r, i, links));
  }
  if (r.flaky.length) {
    out.push('## Flaky (passed on retry)', '');
    for (const f of r.flaky) out.push(`- ${inlineCode(f.checkId)} ${f.title}: first failure: ${f.firstError.split('\n')[0]}`);
    out.push('');
  }
  if (r.skipped.length) {
    out.push('## Skipped', '');
    const byReason = new Map<string, string[]>();
    for (const s of r.skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.checkId]);
    for (const [reason, ids] of byReason) out.push(`- ${reason}: ${ids.map(inlineCode).join(', ')}`);
    out.push('');
  }
  if (r.passed.length) {
    out.push('## Passed', '');
    for (const p of r.passed) out.push(`- ${inlineCode(p.checkId)} ${p.title}`);
    out.push('');
  }
  return out.join('\n');
}
