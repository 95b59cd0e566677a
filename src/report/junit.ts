/**
 * JUnit XML for CI systems, carrying the triage. Playwright's junit reporter writes one
 * <testcase> per check with the check's annotations as <property> (so `runbook` = check id) and
 * any failure that is not an `expect()` as <error> (a crash, to a CI dashboard). This pure
 * function rewrites the file from the scrubbed runbook.json:
 * - every finding is a <failure type="SEV-n"> (a check that found something wrong), with the
 *   runbook section, severity and first steps in its message and text; <error> stays for a test
 *   that broke without producing a finding;
 * - its incident as properties (`incident`, `incident.role`, `incident.severity`, `incident.title`),
 *   so a consequence reads as explained by its root cause;
 * - `failures` and `errors` of every <testsuite> and of <testsuites> counted again.
 */
import type { Finding, Incident, RunbookReport } from '../reporter/schema.ts';
import { sectionText, type RunbookLinks } from '../runbook-md/link.ts';

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const unattr = (s: string) => s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const cdataSafe = (s: string) => s.replace(/]]>/g, ']]]]><![CDATA[>');

/** The failure text a CI system shows: section, severity, rule, expected/actual, first steps. */
export function failureText(f: Finding, incident: Incident | undefined, links?: RunbookLinks): string {
  const lines: string[] = [];
  if (incident && f.role === 'consequence') {
    lines.push(`Consequence of incident ${incident.id} (${incident.severity}): ${incident.title}`, `Root cause: ${incident.root.checkId}: ${incident.root.message}`);
  }
  const actions = incident && f.role === 'consequence' ? incident.immediateActions : f.immediateActions;
  const section = incident && f.role === 'consequence' ? incident.section : f.section;
  lines.push(
    `Runbook section: ${sectionText(section, links)}`,
    `Severity: ${f.severity} (${f.severityRule})`,
    `Expected: ${f.expected}`,
    `Actual: ${f.actual}`,
    'Immediate actions:',
    ...actions.map((a, i) => `  ${i + 1}. ${a.step}${a.writes ? ' [changes the system]' : ''}: ${a.command}`),
  );
  if (f.evidence.length) lines.push(`Evidence: ${f.evidence.map((e) => e.name).join(', ')} (runbook.json)`);
  return lines.join('\n');
}

/**
 * The one-line failure message: `[SEV-0] <section> (<link>): <check message>`; a consequence
 * names the incident that explains it: `[SEV-0 consequence] <incident title> (<id>): <message>`.
 */
export function failureMessage(f: Finding, incident?: Incident, links?: RunbookLinks): string {
  const first = f.message.split('\n')[0];
  if (incident && f.role === 'consequence') return `[${incident.severity} consequence] explained by ${incident.title} (${incident.id}): ${first}`;
  return `[${f.severity}] ${sectionText(f.section, links)}: ${first}`;
}

const CASE = /<testcase\b[^>]*>[\s\S]*?<\/testcase>/g;
const CHECK_ID = /<property name="runbook" value="([^"]*)">/;
const FAILURE = /<(failure|error)\b([^>]*?)(\/?)>(?:([\s\S]*?)<\/\1>)?/;

function properties(f: Finding, incident: Incident | undefined): string {
  const props: [string, string][] = [
    ['incident', f.incidentId],
    ['incident.role', f.role],
  ];
  if (incident) props.push(['incident.severity', incident.severity], ['incident.title', incident.title]);
  return props.map(([n, v]) => `<property name="${n}" value="${attr(v)}">\n</property>`).join('\n');
}

function rewriteCase(block: string, report: RunbookReport, links: RunbookLinks | undefined): string {
  const id = CHECK_ID.exec(block)?.[1];
  const f = id ? report.findings.find((x) => x.checkId === unattr(id)) : undefined;
  if (!f) return block;
  const incident = report.incidents.find((i) => i.id === f.incidentId);
  const text = cdataSafe(failureText(f, incident, links));
  const element = (original: string) =>
    `<failure message="${attr(failureMessage(f, incident, links))}" type="${f.severity}"><![CDATA[${text}\n${original ? `\n${cdataSafe(original)}` : ''}]]></failure>`;
  let out = FAILURE.test(block)
    ? block.replace(FAILURE, (_m, _tag: string, _attrs: string, _self: string, inner: string | undefined) => {
        // The original text (Playwright's stack and error) follows ours, out of its CDATA wrapper.
        const original = (inner ?? '').trim().replace(/^<!\[CDATA\[([\s\S]*)\]\]>$/, '$1').replace(/\]\]\]\]><!\[CDATA\[>/g, ']]>');
        return element(original);
      })
    : block.replace(/<\/testcase>$/, `${element('')}\n</testcase>`);
  out = out.includes('</properties>')
    ? out.replace('</properties>', `${properties(f, incident)}\n</properties>`)
    : out.replace(/^(<testcase\b[^>]*>)/, `$1\n<properties>\n${properties(f, incident)}\n</properties>`);
  return out;
}

/** Occurrences outside CDATA sections (a captured body may contain "<error>" as text). */
const count = (s: string, re: RegExp) => (s.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '').match(re) ?? []).length;

function setAttr(openTag: string, name: string, value: number): string {
  const re = new RegExp(`\\b${name}="[^"]*"`);
  return re.test(openTag) ? openTag.replace(re, `${name}="${value}"`) : openTag.replace(/>$/, ` ${name}="${value}">`);
}

export function enrichJunit(xml: string, report: RunbookReport, links?: RunbookLinks): string {
  const cases = xml.replace(CASE, (block) => rewriteCase(block, report, links));
  let failures = 0;
  let errors = 0;
  const suites = cases.replace(/(<testsuite\b[^>]*>)([\s\S]*?)(<\/testsuite>)/g, (_m, open: string, inner: string, close: string) => {
    const f = count(inner, /<failure\b/g);
    const e = count(inner, /<error\b/g);
    failures += f;
    errors += e;
    return `${setAttr(setAttr(open, 'failures', f), 'errors', e)}${inner}${close}`;
  });
  return suites.replace(/<testsuites\b[^>]*>/, (open) => setAttr(setAttr(open, 'failures', failures), 'errors', errors));
}
