/**
 * docs/contracts.md, generated from the contracts' cases (checks/<area>/<contract>.cases.ts):
 * each contract, the cases its standards name, the checks that cover each (with the runbook
 * section and default severity from the catalog) and the faults that prove them, or why a case
 * is not covered. `npm run docs` rewrites the page; tests/unit/contract-cases.test.ts
 * fails while the committed page differs.
 */
import path from 'node:path';
import { catalog } from '../../runbooks/catalog.ts';
import { sections } from '../../runbooks/sections.ts';
import { isCovered, type Contract } from '../../checks/contract-cases.ts';
import { contracts } from '../../checks/contracts.ts';

export const CONTRACTS_PAGE = path.join('docs', 'contracts.md');

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderContractsPage(contracts: readonly Contract[]): string {
  const out: string[] = [
    '# Contracts and their cases',
    '',
    '<!-- Generated from checks/*/*.cases.ts by `npm run docs`: edit the cases, not this page. -->',
    '',
    'Each contract the checks hold the CredLink API to, with the cases its standard or guide names. A covered',
    'case lists the checks that judge it (runbook section and default severity; the severity of a finding follows',
    'from what the check measured) and the faults of the reference target that show the checks catch it',
    '(`credlink-checks drill FAULT`), or why no fault can. A case no check covers says why.',
    '',
    '## Every answer is judged for disclosure',
    '',
    'Besides the requests `security.error-disclosure` sends to provoke errors, every answer any check or the latency',
    'probe receives from the API is scanned: its first 16 KiB, until 8 MiB were scanned in the run\'s checks (2 MiB in',
    'the probe; answers past that go unscanned). What is looked for: stack traces (Node, Python, JVM, Go, Ruby, PHP,',
    '.NET), internal file paths (in 4xx/5xx answers only: a 2xx may name files on purpose), credentials (a connection',
    'URL with its password, a private key block, an AWS access key id, live payment keys, GitHub tokens) and server',
    'software with its version in a body (`Server` and `X-Powered-By` headers are `security.headers`\' part).',
    '',
    'All of it is one finding of `security.error-disclosure`, whichever check saw the answer and whether or not that',
    'check was selected: one line per kind with the routes it was seen on, e.g. `a stack trace ("at statusHandler',
    '(/srv/credlink-api/src/routes/status.js:17:31)") in answers to GET /api/v1/status (500)`. A credential is named by',
    'its kind, never by its value. Severity: a credential is a vulnerability in production (SEV-1), a stack trace or an',
    'internal path a non-critical security issue (SEV-2), a version banner a hardening gap (SEV-3).',
    '',
    '## Adding a case',
    '',
    'Cases live next to the checks, in `checks/<area>/<contract>.cases.ts` (plain data; the type is',
    '`checks/contract-cases.ts`). A case names its source and either the checks that cover it (catalog ids) and the',
    'faults that prove them (or, in `noFault`, why no fault of the reference target can), or `notCovered` with the',
    'reason. `tests/unit/contract-cases.test.ts` fails on a case with neither, on a check id the catalog lacks or no',
    'spec declares, on a fault the reference target lacks, and on a covered case with neither a fault nor `noFault`. Run',
    '`npm run docs` to regenerate this page.',
    '',
  ];
  for (const c of contracts) {
    const covered = c.cases.filter(isCovered).length;
    out.push(`## ${c.title}`, '', c.summary, '');
    out.push(`Standards: ${c.standards.map((s) => (s.url ? `[${s.name}](${s.url})` : s.name)).join(', ')}. ${covered} of ${c.cases.length} cases covered.`, '');
    out.push('| Case | Named by | Covered by | Proven by / not covered because |', '|---|---|---|---|');
    for (const k of c.cases) {
      if (isCovered(k)) {
        const checks = k.checks.map((id) => `\`${id}\` (${sections[catalog[id].section].title.replace(/^Incident: /, '')}, ${catalog[id].severity})`).join('<br>');
        const proof = [k.faults?.length ? k.faults.map((f) => `\`${f}\``).join(', ') : `no fault: ${k.noFault ?? 'none given'}`, k.note].filter(Boolean).join('; ');
        out.push(`| ${cell(k.case)} | ${cell(k.source)} | ${cell(checks)} | ${cell(proof)} |`);
      } else {
        out.push(`| ${cell(k.case)} | ${cell(k.source)} | not covered | ${cell(k.notCovered)} |`);
      }
    }
    out.push('');
  }
  return out.join('\n');
}

export const contractsPage = (): string => renderContractsPage(contracts);
