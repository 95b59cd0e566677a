/**
 * The runbook's own read-only kubectl commands, run by the real kubectl against the Kubernetes
 * API simulator (TLS, its own CA in the kubeconfig, bearer token, discovery): each one works
 * as against a real cluster and says what the suite's Kubernetes checks concluded from the
 * same cluster state, for a healthy cluster and for faulty ones. This is what proves the
 * simulator answers like a real API server: a real client, not our own, reads it.
 *
 * kubectl: /usr/bin/kubectl on the machine image; `npm test` installs Debian's kubernetes-client
 * where it is missing (tests/install-prerequisites.ts). Run alone without kubectl, the tests skip,
 * saying so; under CI they fail.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { RunbookReport } from '../../src/reporter/schema.ts';
import type { ActiveFaults } from '../../src/target/faults.ts';
import { finding, startHarness, type Harness } from '../helpers/harness.ts';

const KUBECTL = 'kubectl';
const found = spawnSync(KUBECTL, ['version', '--client'], { encoding: 'utf8' });
const available = found.status === 0;
// Outside CI a machine without kubectl skips with the reason; CI must have it (npm test installs it).
const skip = !available && !process.env.CI ? `${KUBECTL} is not on PATH (install Debian's kubernetes-client): the kubectl tests skip` : false;

let h: Harness;
before(async () => {
  if (skip) return;
  assert.ok(available, `${KUBECTL} is not on PATH in CI: npm test installs Debian's kubernetes-client (tests/install-prerequisites.ts) (${found.error?.message ?? found.stderr})`);
  h = await startHarness({}, {}, { kube: true });
});
after(async () => {
  await h?.stop();
});

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl against the simulator (its kubeconfig, or `kubeconfig`; its own discovery cache), bounded in time. */
function kubectlWith(kubeconfig: string | undefined, args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: h.kube!.dir, ...h.kube!.kubectlEnv(), ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}) };
    const child = spawn(KUBECTL, [...args, '-n', h.kube!.settings.namespace, '--request-timeout=10s'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
const kubectl = (...args: string[]) => kubectlWith(undefined, args);

/** kubectl's column output as records keyed by header (columns are separated by 2+ spaces). */
function rows(text: string): Record<string, string>[] {
  const lines = text.split('\n').filter((l) => l.trim());
  const header = lines[0]!.trim().split(/\s{2,}/);
  return lines.slice(1).map((l) => Object.fromEntries(l.trim().split(/\s{2,}/).map((v, i) => [header[i] ?? `col${i}`, v])));
}

/** "2m5s" -> 125, "20m" -> 1200 (kubectl's ages). */
function ageSeconds(age: string): number {
  const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, y: 365 * 86400 };
  return [...age.matchAll(/(\d+)([smhdy])/g)].reduce((s, [, n, u]) => s + Number(n) * unit[u!]!, 0);
}
const mi = (v: string) => (v.endsWith('Mi') ? Number(v.slice(0, -2)) : v.endsWith('Gi') ? Number(v.slice(0, -2)) * 1024 : NaN);
const millicores = (v: string) => (v.endsWith('m') ? Number(v.slice(0, -1)) : Number(v) * 1000);

const passed = (r: RunbookReport, id: string) => r.passed.some((p) => p.checkId === id);
const explain = (r: RunbookReport) => JSON.stringify({ findings: r.findings.map((f) => `${f.checkId}: ${f.actual}`), skipped: r.skipped.map((s) => s.checkId) });

/** The suite's Kubernetes checks on the simulator's current state (the harness switches the faults). */
async function suite(faults: ActiveFaults): Promise<RunbookReport> {
  const { report } = await h.run(faults, '@k8s\\.');
  return report;
}

/** The runbook's commands (RUNBOOK.md "2. Kubernetes Health", "Service Unavailable", "Rolling Restart", "Emergency Scaling"). */
async function runbookCommands() {
  const [pods, rollout, top, events, hpa, history] = await Promise.all([
    kubectl('get', 'pods', '-l', h.kube!.settings.labelSelector),
    // A real `rollout status` waits for the rollout; bounded here, as a responder would.
    kubectl('rollout', 'status', `deployment/${h.kube!.settings.deployment}`, '--timeout=3s'),
    kubectl('top', 'pods'),
    kubectl('get', 'events', '--sort-by=.lastTimestamp'),
    kubectl('get', 'hpa'),
    kubectl('rollout', 'history', `deployment/${h.kube!.settings.deployment}`),
  ]);
  const logs = await kubectl('logs', `deployment/${h.kube!.settings.deployment}`, '--tail=100');
  const firstPod = pods.code === 0 ? rows(pods.stdout)[0]?.NAME : undefined;
  const describe = firstPod ? await kubectl('describe', 'pod', firstPod) : { code: -1, stdout: '', stderr: 'no pod listed' };
  return { pods, rollout, top, events, hpa, history, logs, describe };
}

test('healthy cluster: every runbook kubectl command succeeds and agrees with the passing Kubernetes checks', { skip }, async () => {
  const r = await suite({});
  assert.equal(r.verdict.status, 'healthy', explain(r));
  const k = await runbookCommands();
  for (const [name, res] of Object.entries(k)) assert.equal(res.code, 0, `kubectl ${name}: ${res.stderr}`);

  // kubectl get pods -l app=credlink-api  <->  k8s.pods-ready, k8s.pods-waiting, k8s.restarts passed
  const pods = rows(k.pods.stdout);
  assert.equal(pods.length, 3);
  for (const p of pods) assert.deepEqual([p.READY, p.STATUS, p.RESTARTS], ['1/1', 'Running', '0'], JSON.stringify(p));
  for (const id of ['k8s.pods-ready', 'k8s.pods-waiting', 'k8s.restarts', 'k8s.oomkilled']) assert.ok(passed(r, id), id);

  // kubectl rollout status  <->  k8s.rollout passed
  assert.match(k.rollout.stdout, /deployment "credlink-api" successfully rolled out/);
  assert.ok(passed(r, 'k8s.rollout'));

  // kubectl top pods  <->  k8s.memory-usage / k8s.cpu-usage passed: every pod below 80% of 1Gi and 70% of 1 CPU
  const top = rows(k.top.stdout);
  assert.deepEqual(top.map((t) => t.NAME).sort(), pods.map((p) => p.NAME).sort());
  for (const t of top) {
    assert.ok(mi(t['MEMORY(bytes)']!) < 0.8 * 1024, JSON.stringify(t));
    assert.ok(millicores(t['CPU(cores)']!) < 700, JSON.stringify(t));
  }
  assert.ok(passed(r, 'k8s.memory-usage') && passed(r, 'k8s.cpu-usage'));

  // kubectl get events --sort-by=.lastTimestamp  <->  k8s.warning-events passed: no Warning, oldest first
  const events = rows(k.events.stdout);
  assert.ok(events.length > 0);
  assert.ok(events.every((e) => e.TYPE === 'Normal'), k.events.stdout);
  const ages = events.map((e) => ageSeconds(e['LAST SEEN']!));
  assert.deepEqual(ages, [...ages].sort((a, b) => b - a), 'sorted by lastTimestamp: the most recent last');
  assert.ok(passed(r, 'k8s.warning-events'));

  // kubectl get hpa  <->  k8s.hpa-headroom passed: replicas below the maximum
  const [hpa] = rows(k.hpa.stdout);
  assert.ok(Number(hpa!.REPLICAS) < Number(hpa!.MAXPODS), k.hpa.stdout);
  assert.ok(passed(r, 'k8s.hpa-headroom'));

  // kubectl rollout history: the revisions of the deployment's ReplicaSets
  assert.deepEqual(rows(k.history.stdout.split('\n').slice(1).join('\n')).map((x) => x.REVISION), ['1', '2']);

  // kubectl logs deployment/credlink-api --tail=100: one pod's running container
  assert.match(k.logs.stdout, /listening on :3000/);
  assert.ok(k.logs.stdout.trim().split('\n').length <= 100);

  // kubectl describe pod  <->  the pod checks: Running, Ready, no restarts
  assert.match(k.describe.stdout, /^Status:\s+Running$/m);
  assert.match(k.describe.stdout, /^\s+Ready:\s+True$/m);
  assert.match(k.describe.stdout, /^\s+Restart Count:\s+0$/m);
  assert.match(k.describe.stdout, /Started container api/, 'describe lists the pod events (field selector on involvedObject)');
});

test('crashloop: kubectl shows CrashLoopBackOff and rollout status does not report success, as k8s.pods-waiting fails', { skip }, async () => {
  const r = await suite({ crashloop: true });
  const waiting = finding(r, 'k8s.pods-waiting');
  assert.ok(waiting, explain(r));
  assert.equal(waiting.severity, 'SEV-0');
  assert.match(waiting.actual, /CrashLoopBackOff/);
  const k = await runbookCommands();

  // get pods: every pod CrashLoopBackOff, not ready, restarting  <->  k8s.pods-waiting, k8s.pods-ready, k8s.restarts fail
  assert.equal(k.pods.code, 0, k.pods.stderr);
  const pods = rows(k.pods.stdout);
  assert.equal(pods.length, 3);
  for (const p of pods) {
    assert.equal(p.STATUS, 'CrashLoopBackOff');
    assert.equal(p.READY, '0/1');
    assert.match(p.RESTARTS!, /^7 \(\d+s ago\)$/);
  }
  assert.ok(finding(r, 'k8s.pods-ready') && finding(r, 'k8s.restarts'), explain(r));

  // rollout status: no success; it waits for available replicas until its timeout  <->  k8s.rollout fails the same way
  assert.notEqual(k.rollout.code, 0);
  assert.doesNotMatch(k.rollout.stdout, /successfully rolled out/);
  assert.match(k.rollout.stdout, /Waiting for deployment "credlink-api" rollout to finish: 0 of 3 updated replicas are available/);
  const rollout = finding(r, 'k8s.rollout');
  assert.ok(rollout, explain(r));
  assert.match(rollout.actual, /0 of 3 updated replicas are available/);

  // top pods: no container runs, so metrics-server has nothing  <->  the usage checks skip for the same reason
  assert.notEqual(k.top.code, 0);
  assert.match(k.top.stderr, /Metrics not available for pod credlink\//);
  const usageSkip = r.skipped.find((s) => s.checkId === 'k8s.memory-usage');
  assert.match(usageSkip?.reason ?? '', /metrics\.k8s\.io reports no metrics for the API pods/);

  // events: the BackOff warnings come last (most recent)  <->  k8s.warning-events fails with BackOff
  assert.equal(k.events.code, 0, k.events.stderr);
  const events = rows(k.events.stdout);
  assert.deepEqual(events.slice(-3).map((e) => [e.TYPE, e.REASON]), Array(3).fill(['Warning', 'BackOff']));
  assert.match(finding(r, 'k8s.warning-events')?.actual ?? '', /BackOff/);

  // hpa and rollout history still answer; the autoscaler is not the problem  <->  k8s.hpa-headroom passed
  assert.equal(k.hpa.code, 0, k.hpa.stderr);
  assert.equal(k.history.code, 0, k.history.stderr);
  assert.ok(passed(r, 'k8s.hpa-headroom'));

  // logs: the crashed run's output (the kubelet serves the last terminated container)  <->  the diagnostics' log evidence
  assert.equal(k.logs.code, 0, k.logs.stderr);
  assert.match(k.logs.stdout, /ECONNREFUSED/);
  const evidence = waiting.evidence.find((e) => e.name.startsWith('last 100 log lines'));
  assert.match(evidence?.body ?? '', /ECONNREFUSED/);

  // describe pod: waiting in CrashLoopBackOff after a failed run, restarted 7 times, BackOff events
  assert.equal(k.describe.code, 0, k.describe.stderr);
  assert.match(k.describe.stdout, /State:\s+Waiting\n\s+Reason:\s+CrashLoopBackOff/);
  assert.match(k.describe.stdout, /Last State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+1/);
  assert.match(k.describe.stdout, /Restart Count:\s+7/);
  assert.match(k.describe.stdout, /Warning\s+BackOff/);
});

test('stuck rollout, memory pressure and a maxed autoscaler: kubectl and the checks name the same three problems', { skip }, async () => {
  const r = await suite({ 'rollout-stuck': true, 'memory-pressure': true, 'hpa-maxed': true });
  const k = await runbookCommands();

  // rollout status fails at once: the progress deadline  <->  k8s.rollout fails with ProgressDeadlineExceeded
  assert.notEqual(k.rollout.code, 0);
  assert.match(k.rollout.stderr, /deployment "credlink-api" exceeded its progress deadline/);
  assert.match(finding(r, 'k8s.rollout')?.actual ?? explain(r), /ProgressDeadlineExceeded|progress deadline/);

  // get pods: six Running (the HPA's maximum) plus the new ReplicaSet's pod in ImagePullBackOff  <->  k8s.pods-waiting
  const pods = rows(k.pods.stdout);
  assert.equal(pods.filter((p) => p.STATUS === 'Running').length, 6);
  const stuck = pods.filter((p) => p.STATUS === 'ImagePullBackOff');
  assert.equal(stuck.length, 1);
  assert.match(finding(r, 'k8s.pods-waiting')?.actual ?? explain(r), /ImagePullBackOff/);

  // top pods: the running pods at 96%+ of their 1Gi limit  <->  k8s.memory-usage SEV-1 (critical above 95%)
  assert.equal(k.top.code, 0, k.top.stderr);
  const top = rows(k.top.stdout);
  assert.equal(top.length, 6);
  assert.ok(top.every((t) => mi(t['MEMORY(bytes)']!) > 0.95 * 1024), k.top.stdout);
  assert.equal(finding(r, 'k8s.memory-usage')?.severity, 'SEV-1');

  // get hpa: REPLICAS at MAXPODS  <->  k8s.hpa-headroom fails
  const [hpa] = rows(k.hpa.stdout);
  assert.equal(hpa!.REPLICAS, hpa!.MAXPODS);
  assert.ok(finding(r, 'k8s.hpa-headroom'), explain(r));

  // rollout history: the new revision 3 is there
  assert.deepEqual(rows(k.history.stdout.split('\n').slice(1).join('\n')).map((x) => x.REVISION), ['1', '2', '3']);

  // logs of the pod that never started: the kubelet's answer, as from a real cluster
  const noLogs = await kubectl('logs', stuck[0]!.NAME!, '--tail=100');
  assert.notEqual(noLogs.code, 0);
  assert.match(noLogs.stderr, /is waiting to start: trying and failing to pull image/);

  // describe: the events say why
  const describe = await kubectl('describe', 'pod', stuck[0]!.NAME!);
  assert.equal(describe.code, 0, describe.stderr);
  assert.match(describe.stdout, /Reason:\s+ImagePullBackOff/);
  assert.match(describe.stdout, /Failed to pull image/);
});

test('kubectl verifies the simulator: a kubeconfig without its CA is refused, and the token is required', { skip }, async () => {
  const good = fs.readFileSync(h.kube!.kubeconfig, 'utf8');
  const noCa = path.join(h.kube!.dir, 'no-ca.yaml');
  const badToken = path.join(h.kube!.dir, 'bad-token.yaml');
  fs.writeFileSync(noCa, good.replace(/certificate-authority-data: \S+/, ''), { mode: 0o600 });
  fs.writeFileSync(badToken, good.replace(/token: \S+/, 'token: wrong'), { mode: 0o600 });
  const a = await kubectlWith(noCa, ['get', 'pods']);
  assert.notEqual(a.code, 0);
  assert.match(a.stderr, /certificate signed by unknown authority/);
  const b = await kubectlWith(badToken, ['get', 'pods']);
  assert.notEqual(b.code, 0);
  assert.match(b.stderr, /Unauthorized|must be logged in/);
});
