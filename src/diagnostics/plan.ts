/**
 * Which read-only diagnostics stand in for each runbook section's "Immediate Actions".
 * Pure: (failed check's section and procedure, what is configured) -> collector ids.
 */
import type { CatalogEntry } from '../../runbooks/catalog.ts';
import type { SectionId } from '../../runbooks/sections.ts';

export type CollectorId = 'pods' | 'logs' | 'events' | 'top' | 'rollout-history' | 'hpa' | 'service' | 'pg-activity' | 'health';

/** Collectors that read Kubernetes; skipped when the environment has no KUBE_NAMESPACE. */
export const KUBE_COLLECTORS: readonly CollectorId[] = ['pods', 'logs', 'events', 'top', 'rollout-history', 'hpa', 'service'];

export const sectionPlan: Record<SectionId, readonly CollectorId[]> = {
  'basic-service-health': ['health'],
  'kubernetes-health': ['pods', 'events', 'top', 'rollout-history', 'logs'],
  'database-health': ['pg-activity', 'health'],
  'service-unavailable': ['pods', 'logs', 'top', 'events', 'service', 'health'],
  'high-error-rate': ['logs', 'rollout-history', 'health'],
  'high-memory': ['top', 'pods', 'logs', 'events'],
  'database-connection': ['pg-activity', 'health'],
  'api-key-auth': ['health', 'logs'],
  cors: ['health'],
  'slow-responses': ['health', 'top', 'hpa', 'pg-activity'],
  'rolling-restart': ['rollout-history', 'pods', 'events'],
  'blue-green': ['service', 'pods', 'health'],
  'emergency-scaling': ['hpa', 'top', 'pods'],
  'key-metrics': ['health'],
  'alert-thresholds': ['health'],
};

/** The collectors for a failed check, in order, limited to what is configured; never empty. */
export function planFor(entry: Pick<CatalogEntry, 'section' | 'procedure'>, has: { kube: boolean; db: boolean }): CollectorId[] {
  const ids = [...sectionPlan[entry.section], ...(entry.procedure ? sectionPlan[entry.procedure] : [])];
  const usable = [...new Set(ids)].filter((id) => (KUBE_COLLECTORS.includes(id) ? has.kube : id === 'pg-activity' ? has.db : true));
  return usable.length ? usable : ['health'];
}
