/**
 * deploy/monitor-rbac.yaml is read-only and grants exactly what the monitor reads; the audit
 * itself catches write verbs, secrets, exec and wildcards.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { PROJECT_ROOT } from '../../src/run/paths.ts';
import { auditRbac } from '../../src/k8s/rbac-audit.ts';

const file = path.join(PROJECT_ROOT, 'deploy', 'monitor-rbac.yaml');
const docs = parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => {
  assert.equal(d.errors.length, 0, String(d.errors[0]));
  return d.toJS();
});

test('rbac: the monitor manifest is a namespaced ServiceAccount, Role and RoleBinding', () => {
  assert.deepEqual(docs.map((d) => d.kind), ['ServiceAccount', 'Role', 'RoleBinding']);
  const namespaces = new Set(docs.map((d) => d.metadata.namespace));
  assert.equal(namespaces.size, 1);
  const binding = docs[2];
  assert.equal(binding.roleRef.kind, 'Role');
  assert.equal(binding.roleRef.name, docs[1].metadata.name);
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: docs[0].metadata.name, namespace: docs[0].metadata.namespace }]);
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
