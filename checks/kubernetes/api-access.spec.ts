/**
 * Runbook "2. Kubernetes Health", precondition: the monitor can reach the Kubernetes API and
 * read everything the Kubernetes checks need. A missing permission or an unreachable API is a
 * monitoring gap (SEV-3), reported here once; the checks that depend on it skip, naming this one.
 */
import { runbook, test } from '../fixtures.ts';
import { runConfig } from '../../config/index.ts';
import { PERMISSIONS, permissionName } from '../../src/k8s/access.ts';
import { classifyKubeError } from '../../src/k8s/errors.ts';
import { API_DOWN } from './kube-read.ts';

const cfg = runConfig();
test.skip(!cfg.kube, `KUBE_NAMESPACE is not set for environment "${cfg.env}": Kubernetes checks skip`);

test('the monitor can read what the Kubernetes checks need', runbook('k8s.access'), async ({ kube, check }) => {
  const k = kube!;
  const results = await Promise.all(
    PERMISSIONS.map(async (p) => {
      try {
        await p.probe(k);
        return { permission: permissionName(p), p, outcome: 'ok' };
      } catch (err) {
        const f = classifyKubeError(err, permissionName(p));
        // 404 means authorized (the object or API is missing, which other checks report).
        if (f.kind === 'not-found') return { permission: permissionName(p), p, outcome: p.group === 'metrics.k8s.io' ? 'not served' : 'ok' };
        return { permission: permissionName(p), p, outcome: f.kind, line: f.line };
      }
    }),
  );
  const down = results.find((r) => API_DOWN.includes(r.outcome as never));
  if (down) {
    check.that({
      label: 'KUBERNETES API',
      ok: false,
      actual: down.line,
      expected: 'reachable',
      call: k.where,
      impact: { kind: 'gap', reason: `the monitor cannot reach the Kubernetes API (${down.outcome})` },
    });
  }
  const missing = results.filter((r) => r.outcome === 'forbidden' && !r.p.optional);
  const optionalMissing = results.filter((r) => r.outcome === 'forbidden' && r.p.optional);
  const notServed = results.filter((r) => r.outcome === 'not served');
  const other = results.filter((r) => !['ok', 'forbidden', 'not served'].includes(r.outcome));
  const table = results.map((r) => ({ permission: r.permission, outcome: r.outcome, usedBy: r.p.usedBy, ...(r.line ? { error: r.line } : {}) }));
  if (missing.length || notServed.length || other.length || optionalMissing.length) {
    await check.evidence('permissions probed', table, `kubectl auth can-i --list -n ${k.namespace}`);
  }
  const gaps = [
    ...missing.map((r) => `cannot ${r.permission}`),
    ...notServed.map(() => 'metrics.k8s.io is not served (metrics-server?)'),
    ...other.map((r) => `${r.permission}: ${r.line}`),
  ];
  check.that({
    label: 'ACCESS',
    ok: gaps.length === 0,
    actual: `${gaps.join('; ')}${missing.length ? ` (${missing[0]!.line})` : ''}`,
    expected: 'every read the checks need is allowed',
    call: `probe ${PERMISSIONS.length} reads (${k.where})`,
    impact: { kind: 'gap', reason: `the monitor's service account ${gaps.join(', ')} in namespace ${k.namespace}` },
  });
});
