/**
 * The incident stage: findings -> incidents (root causes). Pure.
 *
 * Correlation is declared in runbooks/dependencies.ts and evaluated only here: dependency rules
 * first (a root cause and the findings it explains), then symptom groups (checks measuring the
 * same symptom), then every remaining check on its own (`check:<id>`). Each finding belongs to
 * exactly one incident, as its root or as a consequence. The output contract is incidentSchema
 * in src/reporter/schema.ts; docs/incidents-and-severities.md documents the model.
 */
import crypto from 'node:crypto';
import { catalog } from '../../runbooks/catalog.ts';
import { dependencyRules, symptomGroups, type DependencyRule, type FindingMatcher, type IncidentTemplate } from '../../runbooks/dependencies.ts';
import { sections } from '../../runbooks/sections.ts';
import { mostSevere, severityRank } from '../../runbooks/severity.ts';
import type { Finding, Incident } from '../reporter/schema.ts';
import { coversCheck, matches, matchesCheck, routesOf } from './match.ts';
import { DATABASE_NAMED_EVIDENCE } from '../http/names-database.ts';

/** A finding before it is assigned to an incident. */
export type Unassigned = Omit<Finding, 'incidentId' | 'role'>;

export interface IncidentContext {
  /**
   * Check ids that executed in the run (passed, failed or flaky; not skipped). Rules with
   * `quorum: 'all'` ("every health endpoint down") need them; without them those rules never fire.
   */
  executed?: Iterable<string>;
  /**
   * Incident keys of the environment's previous observed run that was evidence (src/incidents/open.ts
   * latestEvidence): rules with `source.seenBefore` hold only when it had that incident.
   */
  previous?: Iterable<string>;
  /** Fills the environment's names into commands a rule or section declares (src/reporter/to-report.ts localizeCommand). */
  localize?: (command: string) => string;
}

/** Stable across runs: the same root cause (key) in the same environment. Readable, <= 200 chars. */
export function incidentId(env: string, key: string): string {
  const id = `${env}/${key}`;
  return id.length <= 200 ? id : `${env}/${crypto.createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

const CATALOG_ORDER = new Map(Object.keys(catalog).map((id, i) => [id, i]));

interface Formed {
  incident: Incident;
  root: number;
  members: number[];
  template: IncidentTemplate | undefined;
  fill: Record<string, string>;
}

export function buildIncidents(env: string, findings: readonly Unassigned[], ctx: IncidentContext = {}): { incidents: Incident[]; findings: Finding[] } {
  const executed = new Set(ctx.executed ?? []);
  const previous = ctx.previous === undefined ? undefined : new Set(ctx.previous);
  const localize = ctx.localize ?? ((c: string) => c);
  const claimed = new Set<number>();
  const open = () => findings.map((_, i) => i).filter((i) => !claimed.has(i));
  const formed: Formed[] = [];

  /**
   * `candidates`: the members the root is chosen from (a rule's source findings; all members
   * otherwise). Rules may share a key (one root cause seen two ways): a second incident with the
   * same key joins the first, so an id is never given twice in a run.
   */
  const form = (key: string, rule: string, t: IncidentTemplate | undefined, members: number[], candidates: number[], order: (i: number) => number, fill: Record<string, string> = {}) => {
    for (const i of members) claimed.add(i);
    const same = formed.find((f) => f.incident.key === key);
    if (same) {
      same.members.push(...members);
      same.incident = { ...same.incident, ...incidentOf(env, key, same.incident.rule, same.template, findings, same.root, same.members, same.fill, localize) };
      return;
    }
    const root = pickRoot(findings, candidates, order);
    formed.push({ incident: incidentOf(env, key, rule, t, findings, root, members, fill, localize), root, members, template: t, fill });
  };

  for (const rule of dependencyRules) {
    const source = open().filter((i) => matches(rule.source, findings[i]!));
    if (!sourceHolds(rule, source, findings, executed)) continue;
    const before = rule.source.seenBefore;
    if (before && !(previous?.has(before.key) && !(before.unless && previous.has(before.unless)))) continue;
    // Evidence the rule also requires: each matcher must match a finding still unclaimed.
    const required = (rule.source.requires ?? []).map((m) => open().filter((i) => !source.includes(i) && matches(m, findings[i]!)));
    if (required.some((r) => r.length === 0)) continue;
    const byRoute = rule.equal?.includes('route');
    const parts = byRoute ? partitionByRoute(findings, source, rule.source.classes).filter((p) => p.members.length >= (rule.source.min ?? 1)) : [{ route: '', members: source }];
    for (const part of parts) {
      const roots = part.members.filter((i) => !claimed.has(i));
      if (roots.length === 0) continue;
      const targets = open().filter((i) => {
        if (roots.includes(i)) return false;
        const f = findings[i]!;
        if (required.some((r) => r.includes(i))) return true;
        if (!rule.targets.some((t) => matches(t, f))) return false;
        return !byRoute || routesOf(f, rule.source.classes).includes(part.route);
      });
      if (rule.needsTarget && targets.length === 0) continue;
      for (const i of roots) claimed.add(i);
      const [method = '', path = ''] = part.route.split(' ');
      const fill = { route: part.route, method, path };
      const key = fillIn(rule.incident.key, fill);
      form(key, rule.name, rule.incident, [...roots, ...targets], roots, (i) => preference(rule.source.checks, findings[i]!.checkId), fill);
    }
  }

  for (const group of symptomGroups) {
    const members = open().filter((i) => group.members.some((m) => matches(m, findings[i]!)));
    if (members.length === 0) continue;
    form(group.incident.key, `symptom:${group.name}`, group.incident, members, members, (i) => memberIndex(group.members, findings[i]!));
  }

  const byCheck = new Map<string, number[]>();
  for (const i of open()) byCheck.set(findings[i]!.checkId, [...(byCheck.get(findings[i]!.checkId) ?? []), i]);
  for (const [checkId, members] of byCheck) form(`check:${checkId}`, 'check', undefined, members, members, () => 0);

  const out: Finding[] = new Array(findings.length);
  for (const { incident, root, members } of formed) {
    for (const i of members) out[i] = { ...findings[i]!, incidentId: incident.id, role: i === root ? 'root' : 'consequence' };
  }
  const incidents = formed
    .map((f) => f.incident)
    .sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.section.title.localeCompare(b.section.title) || a.key.localeCompare(b.key));
  return { incidents, findings: out };
}

/** Does the rule's root cause hold in this run? */
function sourceHolds(rule: DependencyRule, source: readonly number[], findings: readonly Unassigned[], executed: ReadonlySet<string>): boolean {
  const min = rule.source.min ?? 1;
  if (source.length < min) return false;
  if (rule.source.quorum === 'any') return true;
  const covered = [...executed].filter((id) => coversCheck(rule.source, id));
  if (covered.length < min) return false;
  const failing = new Set(source.map((i) => findings[i]!.checkId));
  return covered.every((id) => failing.has(id));
}

/** One partition per route the source findings saw (a finding seeing two routes goes with the first). */
function partitionByRoute(findings: readonly Unassigned[], source: readonly number[], classes: FindingMatcher['classes']): { route: string; members: number[] }[] {
  const parts = new Map<string, number[]>();
  for (const i of source) {
    const route = routesOf(findings[i]!, classes)[0];
    if (route === undefined) continue;
    parts.set(route, [...(parts.get(route) ?? []), i]);
  }
  return [...parts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([route, members]) => ({ route, members }));
}

/** Position of the first pattern naming the check (declared order = preference for the root). */
function preference(patterns: readonly string[] | undefined, checkId: string): number {
  if (!patterns) return 0;
  const i = patterns.findIndex((p) => matchesCheck([p], checkId));
  return i < 0 ? patterns.length : i;
}

function memberIndex(members: readonly FindingMatcher[], f: Unassigned): number {
  const i = members.findIndex((m) => matches(m, f));
  const within = members[i]?.checks ? preference(members[i]!.checks, f.checkId) : 0;
  return i * 1000 + within;
}

/** The most severe finding; ties: the declared preference, then catalog order, then input order. */
function pickRoot(findings: readonly Unassigned[], members: readonly number[], order: (i: number) => number): number {
  return [...members].sort((a, b) => {
    const fa = findings[a]!;
    const fb = findings[b]!;
    return (
      severityRank(fa.severity) - severityRank(fb.severity) ||
      order(a) - order(b) ||
      (CATALOG_ORDER.get(fa.checkId) ?? Infinity) - (CATALOG_ORDER.get(fb.checkId) ?? Infinity) ||
      a - b
    );
  })[0]!;
}

function fillIn(template: string, fill: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => fill[k] ?? m);
}

function incidentOf(
  env: string,
  key: string,
  rule: string,
  t: IncidentTemplate | undefined,
  findings: readonly Unassigned[],
  rootIndex: number,
  members: readonly number[],
  fill: Record<string, string>,
  localize: (c: string) => string,
): Incident {
  const root = findings[rootIndex]!;
  const all = members.map((i) => findings[i]!);
  let severity = root.severity;
  let severityRule = root.severityRule;
  if (t?.severity === 'worst') {
    const worst = all.find((f) => f.severity === mostSevere(all.map((x) => x.severity)))!;
    severity = worst.severity;
    if (worst !== root) severityRule = `${worst.severityRule} (seen by ${worst.checkId})`;
  } else if (t && t.severity !== 'root') {
    severity = t.severity;
    severityRule = t.severityRule ?? `${rule} (${t.severity})`;
  }
  const section = t?.section ? sections[t.section] : undefined;
  const sameSection = !section || section.anchor === root.section.anchor;
  const immediateActions = t?.actions
    ? t.actions.map((a) => ({ step: fillIn(a.step, fill), command: localize(fillIn(a.command, fill)), writes: a.writes === true }))
    : sameSection
      ? root.immediateActions
      : section.immediateActions.map((a) => ({ step: a.step, command: localize(a.command), writes: 'writes' in a && a.writes === true }));
  const consequences: string[] = [];
  for (const f of all) if (f !== root && f.checkId !== root.checkId && !consequences.includes(f.checkId)) consequences.push(f.checkId);
  const evidence = orderingEvidence(all);
  return {
    id: incidentId(env, key),
    key,
    rule,
    title: t ? fillIn(t.title, fill) : root.title,
    severity,
    severityRule,
    section: section ? { title: section.title, anchor: section.anchor } : root.section,
    immediateActions,
    root: { checkId: root.checkId, message: root.message.split('\n')[0] ?? '' },
    consequences,
    ...(evidence.length ? { evidence } : {}),
  };
}

/** Incident evidence kept per incident: the answers that order its failures, each route and status once. */
const MAX_INCIDENT_EVIDENCE = 5;

/** The members' answers naming the database (route, status, scrubbed excerpt: checks/fixtures.ts), each once. */
function orderingEvidence(all: readonly Unassigned[]): NonNullable<Incident['evidence']> {
  const out: NonNullable<Incident['evidence']> = [];
  for (const f of all) {
    for (const e of f.evidence) {
      if (!e.name.startsWith(DATABASE_NAMED_EVIDENCE) || out.some((o) => o.name === e.name)) continue;
      if (out.length < MAX_INCIDENT_EVIDENCE) out.push({ name: e.name, contentType: e.contentType, ...(e.body !== undefined ? { body: e.body } : {}) });
    }
  }
  return out;
}
