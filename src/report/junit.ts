/**
 * JUnit XML for CI systems, carrying the triage. Playwright's junit reporter writes one
 * <testcase> per check with the check's annotations as <property> (so `runbook` = check id);
 * this pure function rewrites each failed case so a CI system shows, in the failure message and
 * text, the runbook section (title + anchor), the severity and the first steps.
 */
import type { Finding, RunbookReport } from '../reporter/schema.ts';
import { runbookUrl } from './allure-labels.ts';

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const unattr = (s: string) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const cdataSafe = (s: string) => s.replace(/]]>/g, ']]]]><![CDATA[>');

/** The failure text a CI system shows: section, severity, rule, expected/actual, first steps. */
export function failureText(f: Finding): string {
  const lines = [
    `Runbook section: ${f.section.title} (${runbookUrl(f.section.anchor)})`,
    `Severity: ${f.severity} (${f.severityRule})`,
    `Expected: ${f.expected}`,
    `Actual: ${f.actual}`,
    'Immediate actions:',
    ...f.immediateActions.map((a, i) => `  ${i + 1}. ${a.step}${a.writes ? ' [changes the system]' : ''}: ${a.command}`),
  ];
  if (f.evidence.length) lines.push(`Evidence: ${f.evidence.map((e) => e.name).join(', ')} (runbook.json)`);
  return lines.join('\n');
}

/** The one-line failure message: `[SEV-0] <section title> (RUNBOOK.md#anchor): <check message>`. */
export function failureMessage(f: Finding): string {
  return `[${f.severity}] ${f.section.title} (${runbookUrl(f.section.anchor)}): ${f.message.split('\n')[0]}`;
}

const CASE = /<testcase\b[^>]*>[\s\S]*?<\/testcase>/g;
const CHECK_ID = /<property name="runbook" value="([^"]*)">/;
const FAILURE = /<(failure|error)\b([^>]*?)\bmessage="[^"]*"([^>]*?)(\/?)>(\s*<!\[CDATA\[)?/;

export function enrichJunit(xml: string, report: RunbookReport): string {
  const byId = new Map(report.findings.map((f) => [f.checkId, f]));
  return xml.replace(CASE, (block) => {
    const id = CHECK_ID.exec(block)?.[1];
    const f = id ? byId.get(unattr(id)) : undefined;
    if (!f) return block;
    return block.replace(FAILURE, (_m, tag: string, before: string, after: string, selfClosing: string, cdata: string | undefined) => {
      const open = `<${tag}${before}message="${attr(failureMessage(f))}"${after}>`;
      const text = cdataSafe(failureText(f));
      if (selfClosing) return `${open}<![CDATA[${text}\n]]></${tag}>${cdata ?? ''}`;
      return cdata ? `${open}${cdata}${text}\n\n` : `${open}<![CDATA[${text}\n]]>`;
    });
  });
}
