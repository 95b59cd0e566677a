/**
 * A finding's labels and the matchers of runbooks/dependencies.ts over them. Pure.
 */
import { systems, type FindingMatcher, type ImpactLabel, type System } from '../../runbooks/dependencies.ts';
import type { ResponseClass } from '../http/response-class.ts';
import type { Impact } from '../triage/impact.ts';
import type { ResponseSeen } from '../reporter/schema.ts';

/** Does `id` match a pattern list ('db.*', 'security.cors-*': a trailing * is a prefix)? */
export function matchesCheck(patterns: readonly string[], id: string): boolean {
  return patterns.some((p) => (p.endsWith('*') ? id.startsWith(p.slice(0, -1)) : p === id));
}

export function systemOf(checkId: string): System | undefined {
  return systems.find((s) => matchesCheck(s.checks, checkId))?.system;
}

export function impactLabels(impact: Impact | undefined): ImpactLabel[] {
  if (!impact) return ['none'];
  if (impact.kind === 'security') return ['security', `security:${impact.class}`];
  if (impact.kind === 'threshold') return ['threshold', `threshold:${impact.tier}`];
  if (impact.kind === 'gap' && impact.cause) return ['gap', `gap:${impact.cause}`];
  return [impact.kind];
}

/** What the matchers read of a finding. */
export interface Labelled {
  checkId: string;
  impact?: Impact;
  responses: readonly ResponseSeen[];
}

export function matches(m: FindingMatcher, f: Labelled): boolean {
  if (m.checks && !matchesCheck(m.checks, f.checkId)) return false;
  if (m.notChecks && matchesCheck(m.notChecks, f.checkId)) return false;
  if (m.system && systemOf(f.checkId) !== m.system) return false;
  const labels = impactLabels(f.impact);
  if (m.impacts && !labels.some((l) => m.impacts!.includes(l))) return false;
  if (m.notImpacts && labels.some((l) => m.notImpacts!.includes(l))) return false;
  if (m.classes && !f.responses.some((r) => m.classes!.includes(r.class))) return false;
  if (m.notClasses && f.responses.some((r) => m.notClasses!.includes(r.class))) return false;
  if (m.names && !f.responses.some((r) => r.class === 'server-error' && r.names?.includes(m.names!))) return false;
  return true;
}

/** Does a check id (that ran, whatever its outcome) fall under a matcher's check/system labels? */
export function coversCheck(m: FindingMatcher, checkId: string): boolean {
  if (m.checks && !matchesCheck(m.checks, checkId)) return false;
  if (m.notChecks && matchesCheck(m.notChecks, checkId)) return false;
  if (m.system && systemOf(checkId) !== m.system) return false;
  return true;
}

/** The routes ("POST /api/v1/sign") of a finding's answers of these classes (all classes when none given), sorted. */
export function routesOf(f: Labelled, classes?: readonly ResponseClass[]): string[] {
  const out = new Set<string>();
  for (const r of f.responses) if (!classes || classes.includes(r.class)) out.add(r.call);
  return [...out].sort();
}
