/** docs/reference/incident-rules.md from the correlation data (runbooks/dependencies.ts). */
import { dependencyRules, symptomGroups, systems, type DependencyRule, type FindingMatcher, type IncidentTemplate } from '../../runbooks/dependencies.ts';
import { sections } from '../../runbooks/sections.ts';
import { code, page, table } from './markdown.ts';

/** A matcher in words: every part must hold. */
export function matcherText(m: FindingMatcher): string {
  const parts: string[] = [];
  if (m.checks) parts.push(`checks ${m.checks.map(code).join(', ')}`);
  if (m.notChecks) parts.push(`not checks ${m.notChecks.map(code).join(', ')}`);
  if (m.system) parts.push(`system ${code(m.system)}`);
  if (m.impacts) parts.push(`impact ${m.impacts.map(code).join(' or ')}`);
  if (m.notImpacts) parts.push(`impact not ${m.notImpacts.map(code).join(' / ')}`);
  if (m.classes) parts.push(`saw ${m.classes.map(code).join(' or ')}`);
  if (m.notClasses) parts.push(`saw no ${m.notClasses.map(code).join(' / ')}`);
  if (m.names) parts.push(`a 5xx answer's body names the ${m.names}`);
  return parts.join(', ') || 'any finding';
}

function sourceText(r: DependencyRule): string {
  const q = r.source.quorum === 'all' ? `every executed check matching (at least ${r.source.min ?? 1})` : `at least ${r.source.min ?? 1} finding(s)`;
  const requires = (r.source.requires ?? []).map((m) => `; and a finding with ${matcherText(m)}`).join('');
  const before = r.source.seenBefore ? `; the previous run had ${code(r.source.seenBefore.key)}${r.source.seenBefore.unless ? ` and no ${code(r.source.seenBefore.unless)}` : ''}` : '';
  return `${q}: ${matcherText(r.source)}${requires}${before}${r.equal?.length ? `; per ${r.equal.join(', ')}` : ''}${r.needsTarget ? '; only when it explains a target' : ''}`;
}

function severityText(t: IncidentTemplate): string {
  const s = t.severity === 'root' ? "the root finding's" : t.severity === 'worst' ? 'the worst of root and consequences' : t.severity;
  return t.severityRule ? `${s} (${t.severityRule})` : s;
}

function sectionText(t: IncidentTemplate): string {
  return t.section ? sections[t.section].title : "the root finding's";
}

export function incidentRulesPage(): string {
  const rules = dependencyRules.map((r, i) => [
    String(i + 1),
    code(r.name),
    sourceText(r),
    r.targets.map(matcherText).join('; '),
    code(r.incident.key),
    r.incident.title,
    sectionText(r.incident),
    severityText(r.incident),
  ]);
  const groups = symptomGroups.map((g) => [code(g.name), g.members.map(matcherText).join('; '), code(g.incident.key), g.incident.title, sectionText(g.incident), severityText(g.incident)]);
  const why = [...dependencyRules, ...symptomGroups].map((r) => `- ${code(r.name)}: ${r.description}.`);
  return page(
    'Incident rules reference',
    '`runbooks/dependencies.ts`',
    [
      'How failing checks become incidents (one root cause, one page). Evaluation, each finding claimed once:',
      '1. the dependency rules, in this order: when a rule\'s source holds, its source findings (one is the root) and every',
      '   unclaimed finding matching one of its consequences form one incident;',
      '2. the symptom groups: unclaimed findings that measure the same symptom form one incident, the worst deciding;',
      '3. the default: every remaining failing check is its own incident, key `check:<id>`.',
      '',
      'A matcher looks at a finding\'s check id (`db.*` = every id starting with `db.`), the system the check talks to,',
      'its impact, and the classes of the non-success answers it saw. The incident id is `<env>/<key>`.',
      'The model: [Incidents and severities](../incidents-and-severities.md).',
    ],
    [
      '## Systems',
      '',
      ...table(['checks', 'system'], systems.map((s) => [s.checks.map(code).join(', '), code(s.system)])),
      '',
      '## Dependency rules',
      '',
      ...table(['#', 'rule', 'source (root cause)', 'consequences', 'incident key', 'title', 'runbook section', 'severity'], rules),
      '',
      '## Symptom groups',
      '',
      ...table(['group', 'members', 'incident key', 'title', 'runbook section', 'severity'], groups),
      '',
      '## Why',
      '',
      ...why,
    ],
  );
}
