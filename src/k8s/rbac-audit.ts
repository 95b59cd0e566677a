/**
 * Audits RBAC manifests for the monitor: read-only verbs only, no secrets, no exec-like
 * subresources, no wildcards, no cluster-wide grants; and lists which of the monitor's reads
 * (src/k8s/access.ts) the rules do not grant. Pure: parsed YAML documents in, problems out.
 */
import { PERMISSIONS, permissionName } from './access.ts';

export const READ_VERBS = ['get', 'list', 'watch'] as const;
const FORBIDDEN_RESOURCES = ['secrets', 'pods/exec', 'pods/attach', 'pods/portforward', 'pods/proxy', 'services/proxy', 'nodes/proxy'];

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
}
type Doc = { kind?: string; metadata?: { name?: string }; rules?: Rule[] } | null | undefined;

export interface RbacAudit {
  problems: string[];
  /** Required reads the Roles do not grant. */
  missing: string[];
  /** Optional reads the Roles do not grant (documented, not a problem). */
  optionalMissing: string[];
}

export function auditRbac(docs: readonly Doc[]): RbacAudit {
  const problems: string[] = [];
  const rules: Rule[] = [];
  for (const d of docs) {
    if (!d) continue;
    const where = `${d.kind}/${d.metadata?.name ?? '?'}`;
    if (d.kind === 'ClusterRole' || d.kind === 'ClusterRoleBinding') problems.push(`${where}: cluster-wide grants are not allowed (namespaced Role only)`);
    if (d.kind !== 'Role' && d.kind !== 'ClusterRole') continue;
    for (const [i, r] of (d.rules ?? []).entries()) {
      const at = `${where} rule ${i + 1}`;
      for (const v of r.verbs ?? []) if (!(READ_VERBS as readonly string[]).includes(v)) problems.push(`${at}: verb "${v}" writes or escalates (allowed: ${READ_VERBS.join(', ')})`);
      for (const res of r.resources ?? []) {
        if (res === '*' || res.endsWith('/*')) problems.push(`${at}: wildcard resource "${res}"`);
        if (FORBIDDEN_RESOURCES.includes(res)) problems.push(`${at}: resource "${res}" is not allowed for the monitor`);
      }
      if ((r.apiGroups ?? []).includes('*')) problems.push(`${at}: wildcard apiGroup`);
      rules.push(r);
    }
  }
  const grants = (p: (typeof PERMISSIONS)[number]) =>
    rules.some((r) => (r.apiGroups ?? []).includes(p.group) && (r.resources ?? []).includes(p.resource) && (r.verbs ?? []).includes(p.verb));
  const notGranted = PERMISSIONS.filter((p) => !grants(p));
  return {
    problems,
    missing: notGranted.filter((p) => !p.optional).map(permissionName),
    optionalMissing: notGranted.filter((p) => p.optional).map(permissionName),
  };
}
