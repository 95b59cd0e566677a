/**
 * deploy/kubernetes/rbac-readonly.yaml, the one RBAC manifest of the monitor, is read-only and
 * grants exactly what the monitor reads; the audit itself catches write verbs, secrets, exec
 * and wildcards.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { PROJECT_ROOT } from '../../src/run/paths.ts';
import { auditRbac } from '../../src/k8s/rbac-audit.ts';

const file = path.join(PROJECT_ROOT, 'deploy', 'kubernetes', 'rbac-readonly.yaml');
const docs = parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => {
  assert.equal(d.errors.length, 0, String(d.errors[0]));
  return d.toJS();
});

test('rbac: one ServiceAccount name, a namespaced Role, and a RoleBinding in its namespace for exactly those accounts', () => {
  assert.deepEqual([...new Set(docs.map((d) => d.kind))].sort(), ['Role', 'RoleBinding', 'ServiceAccount']);
  const accounts = docs.filter((d) => d.kind === 'ServiceAccount');
  assert.equal(new Set(accounts.map((a) => a.metadata.name)).size, 1, 'one name for the monitor everywhere');
  const roles = docs.filter((d) => d.kind === 'Role');
  const bindings = docs.filter((d) => d.kind === 'RoleBinding');
  assert.equal(bindings.length, roles.length);
  for (const binding of bindings) {
    const role = roles.find((r) => r.metadata.name === binding.roleRef.name && r.metadata.namespace === binding.metadata.namespace);
    assert.ok(role, `${binding.metadata.name} binds a Role of its own namespace`);
    assert.equal(binding.roleRef.kind, 'Role');
    assert.deepEqual(
      binding.subjects,
      accounts.map((a) => ({ kind: 'ServiceAccount', name: a.metadata.name, namespace: a.metadata.namespace })),
      'every account of the manifest, and only those',
    );
  }
});

test('rbac: no write verb, no secrets, no exec, and every read the monitor makes is granted', () => {
  const audit = auditRbac(docs);
  assert.deepEqual(audit.problems, []);
  assert.deepEqual(audit.missing, []);
  assert.deepEqual(audit.optionalMissing, [], 'pods/log ships granted (documented as optional)');
});

test('rbac audit: fails on write verbs, secrets, exec, wildcards and cluster roles', () => {
  const role = (rules: unknown[], kind = 'Role') => [{ kind, metadata: { name: 'bad' }, rules }];
  const cases: [unknown[], RegExp][] = [
    [role([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'delete'] }]), /verb "delete"/],
    [role([{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] }]), /verb "patch"/],
    [role([{ apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['update'] }]), /verb "update"/],
    [role([{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }]), /verb "\*"/],
    [role([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]), /"secrets" is not allowed/],
    [role([{ apiGroups: [''], resources: ['pods/exec'], verbs: ['get'] }]), /"pods\/exec" is not allowed/],
    [role([{ apiGroups: ['*'], resources: ['*'], verbs: ['get'] }]), /wildcard resource/],
    [role([{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }], 'ClusterRole'), /cluster-wide/],
  ];
  for (const [d, re] of cases) {
    const audit = auditRbac(d as never);
    assert.ok(audit.problems.some((p) => re.test(p)), `${JSON.stringify(d)} -> ${JSON.stringify(audit.problems)}`);
  }
  const minimal = auditRbac(role([{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]) as never);
  assert.ok(minimal.missing.includes('get deployments.apps'));
  assert.deepEqual(minimal.optionalMissing, ['get pods/log']);
});
