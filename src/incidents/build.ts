/**
 * The incident stage: findings -> incidents (root causes). Pure.
 *
 * Today every finding stands alone: one incident per failing check, keyed "check:<id>".
 * Correlation by declared dependencies (runbooks/dependencies.ts) replaces this grouping; the
 * output contract (incidentSchema in src/reporter/schema.ts) stays.
 */
import crypto from 'node:crypto';
import { mostSevere, severityRank } from '../../runbooks/severity.ts';
import type { Finding, Incident } from '../reporter/schema.ts';

/** A finding before it is assigned to an incident. */
export type Unassigned = Omit<Finding, 'incidentId' | 'role'>;

/** Stable across runs: the same root cause (key) in the same environment. Readable, <= 200 chars. */
export function incidentId(env: string, key: string): string {
  const id = `${env}/${key}`;
  return id.length <= 200 ? id : `${env}/${crypto.createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

export function buildIncidents(env: string, findings: readonly Unassigned[]): { incidents: Incident[]; findings: Finding[] } {
  const byCheck = new Map<string, Unassigned[]>();
  for (const f of findings) byCheck.set(f.checkId, [...(byCheck.get(f.checkId) ?? []), f]);
  const incidents: Incident[] = [];
  const out: Finding[] = [];
  for (const [checkId, list] of byCheck) {
    const root = [...list].sort((a, b) => severityRank(a.severity) - severityRank(b.severity))[0]!;
    const key = `check:${checkId}`;
    const id = incidentId(env, key);
    incidents.push({
      id,
      key,
      rule: 'check',
      title: root.title,
      severity: mostSevere(list.map((f) => f.severity))!,
      severityRule: root.severityRule,
      section: root.section,
      immediateActions: root.immediateActions,
      root: { checkId, message: root.message.split('\n')[0] ?? '' },
      consequences: [],
    });
    for (const f of list) out.push({ ...f, incidentId: id, role: 'root' });
  }
  incidents.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.section.title.localeCompare(b.section.title));
  return { incidents, findings: out };
}
