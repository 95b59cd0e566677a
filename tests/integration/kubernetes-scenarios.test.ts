/**
 * The Kubernetes checks proven both ways against the API simulator (which follows the reference
 * target's faults): healthy -> every check passes; each scenario -> the expected check fails
 * with the expected runbook section and severity; every failed finding carries diagnostics
 * naming the runbook commands they replace; forbidden -> one SEV-3 monitoring gap while the
 * other checks still run; an unreachable API is a clear finding, not a crash.
 *
 * Scenarios that touch disjoint checks share one run (each run costs seconds): the shared run
 * also asserts that the checks outside its scenarios still pass, so nothing bleeds over.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sections, type SectionId } from '../../runbooks/sections.ts';
import { kubeconfigYaml } from '../../src/k8s-sim/kubeconfig.ts';
import type { RunbookReport } from '../../src/reporter/schema.ts';
import type { ActiveFaults } from '../../src/target/faults.ts';
import { cli, finding, startHarness, tempDir, type Harness } from '../helpers/harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness({}, {}, { kube: true });
});
after(async () => {
  await h?.stop();
});

const K8S = '@k8s\\.';
/** One Playwright run per fault set, shared by the tests that read it. */
function report(faults: ActiveFaults, grep = K8S): Promise<RunbookReport> {
  return h.runOnce(faults, grep).then((o) => o.report);
}

const GROUPED: ActiveFaults = { oomkilled: true, 'memory-pressure': true, 'cpu-saturation': true, 'hpa-maxed': true, 'no-ready-endpoints': true };

type Row = [scenario: string, faults: ActiveFaults, grep: string, checkId: string, section: SectionId, severity: string];
const table: Row[] = [
  ['crashloop', { crashloop: true }, K8S, 'k8s.pods-waiting', 'service-unavailable', 'SEV-0'],
  ['crashloop', { crashloop: true }, K8S, 'k8s.pods-ready', 'service-unavailable', 'SEV-0'],
  ['crashloop', { crashloop: true }, K8S, 'k8s.restarts', 'kubernetes-health', 'SEV-2'],
  ['oomkilled', GROUPED, K8S, 'k8s.oomkilled', 'high-memory', 'SEV-2'],
  ['rollout-stuck', { 'rollout-stuck': true }, K8S, 'k8s.rollout', 'rolling-restart', 'SEV-2'],
  ['rollout-stuck', { 'rollout-stuck': true }, K8S, 'k8s.pods-waiting', 'service-unavailable', 'SEV-2'],
  ['memory-pressure', GROUPED, K8S, 'k8s.memory-usage', 'high-memory', 'SEV-1'],
  ['cpu-saturation', GROUPED, K8S, 'k8s.cpu-usage', 'slow-responses', 'SEV-1'],
  ['hpa-maxed', GROUPED, K8S, 'k8s.hpa-headroom', 'emergency-scaling', 'SEV-2'],
  ['no-ready-endpoints', GROUPED, K8S, 'k8s.service-endpoints', 'service-unavailable', 'SEV-0'],
  ['no-ready-endpoints', GROUPED, K8S, 'k8s.service-selector', 'blue-green', 'SEV-0'],
  ['forbidden', { forbidden: true }, K8S, 'k8s.access', 'kubernetes-health', 'SEV-3'],
  ['service-unavailable (pods not ready)', { 'service-unavailable': true }, `${K8S}|@health\\.root`, 'k8s.pods-ready', 'service-unavailable', 'SEV-0'],
];

test('healthy: every Kubernetes check passes, none skipped', async () => {
  const r = await report({});
  assert.equal(r.verdict.status, 'healthy', JSON.stringify(r.findings.map((f) => f.message), null, 2));
  assert.deepEqual(r.skipped, []);
  assert.equal(r.counts.passed, 12);
});

for (const [scenario, faults, grep, checkId, section, severity] of table) {
  test(`${scenario} -> ${checkId} fails in "${sections[section].title}" at ${severity}`, async () => {
    const r = await report(faults, grep);
    const f = finding(r, checkId);
    assert.ok(f, `no finding for ${checkId}; findings: ${r.findings.map((x) => `${x.checkId} ${x.severity}`).join(', ')}`);
    assert.equal(f.section.title, sections[section].title);
    assert.equal(f.section.anchor, sections[section].anchor);
    assert.equal(f.severity, severity, f.severityRule);
    assert.match(f.message, /^\[[A-Z -]+\] \(.+\) .+ on .+ \(test\)$/s);
  });
}

test('the grouped scenarios leave the other checks passing (no bleed-over)', async () => {
  const r = await report(GROUPED);
  const passed = new Set(r.passed.map((p) => p.checkId));
  for (const id of ['k8s.access', 'k8s.pods-ready', 'k8s.pods-waiting', 'k8s.rollout']) assert.ok(passed.has(id), `${id} passed`);
});

test('every failed finding carries diagnostics naming the runbook commands they replace; secrets scrubbed', async () => {
  const reports = await Promise.all([...new Set(table.map(([, f, g]) => JSON.stringify([f, g])))].map((k) => report(...(JSON.parse(k) as [ActiveFaults, string]))));
  const apiKey = h.target.apiKeys[0]!;
  let logs = 0;
  for (const r of reports) {
    assert.ok(r.findings.length > 0);
    for (const f of r.findings) {
      assert.ok(f.evidence.length > 0, `${f.checkId} has evidence`);
      const diagnostics = f.evidence.filter((e) => e.command && /^(kubectl |curl |SELECT )/.test(e.command));
      assert.ok(diagnostics.length > 0, `${f.checkId}: evidence names runbook commands: ${f.evidence.map((e) => e.command).join(' / ')}`);
      assert.ok(f.evidence.every((e) => (e.body ?? '').length > 0), `${f.checkId}: no empty evidence`);
      assert.ok(!f.evidence.some((e) => e.command && /rollout restart|scale |delete|exec |patch /.test(e.command)), 'no command that writes');
      logs += f.evidence.filter((e) => e.name.startsWith('last 100 log lines')).length;
    }
    assert.ok(!JSON.stringify(r).includes(apiKey), 'the API key the application logged is scrubbed');
  }
  assert.ok(logs > 0, 'logs of unready or restarting pods were collected');
  const crash = finding(await report({ crashloop: true }), 'k8s.pods-waiting')!;
  const log = crash.evidence.find((e) => e.name.startsWith('last 100 log lines'))!;
  assert.match(log.command!, /kubectl logs \S+ -n credlink --tail=100 --previous/);
  assert.match(log.body!, /ECONNREFUSED/);
  assert.match(log.body!, /\[REDACTED\]/);
  for (const name of ['pod statuses', 'recent events (last 20)', 'rollout history (ReplicaSet revisions)']) {
    assert.ok(crash.evidence.some((e) => e.name === name), `${name} attached`);
  }
});

test('HTTP findings get diagnostics too: /health down -> pod statuses, logs and the health document', async () => {
  const r = await report({ 'service-unavailable': true }, `${K8S}|@health\\.root`);
  const f = finding(r, 'health.root')!;
  const commands = f.evidence.map((e) => e.command ?? '');
  assert.ok(commands.some((c) => c.startsWith('kubectl get pods')), commands.join(' / '));
  assert.ok(commands.some((c) => c.startsWith('curl -s')), commands.join(' / '));
});

test('database findings get a pg_stat_activity summary by state', async () => {
  const r = await report({ 'connection-pool-exhaustion': true }, '@db\\.connections');
  const f = finding(r, 'db.connections')!;
  const activity = f.evidence.find((e) => e.command === 'SELECT state, count(*) FROM pg_stat_activity GROUP BY state');
  assert.ok(activity, f.evidence.map((e) => e.name).join(', '));
  assert.match(activity.body!, /"state": "idle"/);
});

test('forbidden: one SEV-3 monitoring gap naming the missing permission; the other checks still run', async () => {
  const r = await report({ forbidden: true });
  const f = finding(r, 'k8s.access')!;
  assert.match(f.severityRule, /monitoring gap: the monitor's service account cannot list pods in namespace credlink/);
  assert.deepEqual(r.findings.map((x) => x.checkId), ['k8s.access'], 'the gap is reported once');
  const passed = r.passed.map((p) => p.checkId);
  for (const id of ['k8s.rollout', 'k8s.warning-events', 'k8s.hpa-headroom', 'k8s.service-endpoints']) assert.ok(passed.includes(id), `${id} ran and passed`);
  assert.ok(r.skipped.length > 0 && r.skipped.every((s) => /k8s\.access reports it: pods is forbidden/.test(s.reason)), JSON.stringify(r.skipped));
});

test('unreachable API: a clear SEV-3 finding, the run completes, the rest skip naming it', async () => {
  const dir = tempDir('credlink-kube-dead-');
  const file = path.join(dir, 'kubeconfig');
  fs.writeFileSync(file, kubeconfigYaml({ server: 'http://127.0.0.1:1', token: 'abc', namespace: 'credlink' }));
  try {
    const { report: r } = await h.run({}, K8S, { KUBECONFIG: file, KUBE_NAMESPACE: 'credlink' });
    const f = finding(r, 'k8s.access')!;
    assert.equal(f.severity, 'SEV-3');
    assert.match(f.actual, /Kubernetes API unreachable \(ECONNREFUSED\)/);
    assert.equal(r.findings.length, 1);
    assert.equal(r.skipped.length, 11);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('cli: `drill oomkilled` runs the local stack with the simulator and reports High Memory Usage', async () => {
  const reportsDir = tempDir('credlink-drill-');
  try {
    const r = await cli(['drill', 'oomkilled', '--grep', '@k8s\\.oomkilled', '--json', '--reports-dir', reportsDir]);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as RunbookReport;
    const f = finding(out, 'k8s.oomkilled')!;
    assert.equal(f.section.title, sections['high-memory'].title);
    assert.equal(f.severity, 'SEV-2');
    assert.match(f.actual, /OOMKilled \(exit 137\)/);
  } finally {
    fs.rmSync(reportsDir, { recursive: true, force: true });
  }
});
