/**
 * The Kubernetes API simulator speaks the API (auth, Status errors, read-only, scenarios),
 * follows the reference target's faults, and the monitor's client and diagnostics only read
 * from it, within timeouts, without throwing.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseEnv } from '../../config/index.ts';
import { collectDiagnostics } from '../../src/diagnostics/index.ts';
import { planFor, sectionPlan } from '../../src/diagnostics/plan.ts';
import { KubeClient } from '../../src/k8s/client.ts';
import { classifyKubeError } from '../../src/k8s/errors.ts';
import { kubeconfigYaml } from '../../src/k8s-sim/kubeconfig.ts';
import { SCENARIO_NAMES, scenariosFor, startKubeSim, type KubeSim } from '../../src/k8s-sim/index.ts';
import { faultCatalog, isFaultName } from '../../src/target/faults.ts';
import { sections, type SectionId } from '../../runbooks/sections.ts';
import { tempDir } from '../helpers/harness.ts';

let sim: KubeSim;
let client: KubeClient;
before(async () => {
  sim = await startKubeSim({ logSecrets: ['clk_this-is-a-test-secret'] });
  client = new KubeClient({ kubeconfig: sim.kubeconfig, ...sim.settings }, 3000);
});
after(async () => {
  await sim?.stop();
});

const get = async (p: string, init: RequestInit = {}) => {
  const res = await fetch(`${sim.url}${p}`, { headers: { authorization: `Bearer ${sim.token}` }, ...init });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

test('sim: every Kubernetes scenario but pods-not-ready is a target fault; 503/502 faults mean pods not ready', () => {
  for (const s of SCENARIO_NAMES.filter((n) => n !== 'pods-not-ready')) {
    assert.ok(isFaultName(s), `${s} is a fault`);
    assert.ok(faultCatalog[s].incident, `${s} names its incident`);
  }
  assert.deepEqual([...scenariosFor({ 'service-unavailable': true })], ['pods-not-ready']);
  assert.deepEqual([...scenariosFor({ 'bad-gateway': true, oomkilled: true, 'high-error-rate': 5 })].sort(), ['oomkilled', 'pods-not-ready']);
  assert.deepEqual([...scenariosFor({})], []);
});

test('sim: bearer auth, Status errors, and read-only (any write verb is 405)', async () => {
  const noAuth = await fetch(`${sim.url}/api/v1/namespaces/credlink/pods`);
  assert.equal(noAuth.status, 401);
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    const r = await get('/apis/apps/v1/namespaces/credlink/deployments/credlink-api', { method });
    assert.equal(r.status, 405);
    assert.equal(r.body.kind, 'Status');
  }
  const missing = await get('/api/v1/namespaces/credlink/services/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.reason, 'NotFound');
  const list = await get('/api/v1/namespaces/credlink/pods?labelSelector=app%3Dcredlink-api');
  assert.equal(list.body.kind, 'PodList');
  assert.equal((list.body.items as unknown[]).length, 3);
  const other = await get('/api/v1/namespaces/default/pods');
  assert.equal((other.body.items as unknown[]).length, 0, 'other namespaces are empty');
});

test('sim: the kubeconfig names the server, the token and the namespace', () => {
  const text = fs.readFileSync(sim.kubeconfig, 'utf8');
  assert.equal(text, kubeconfigYaml(sim.url, sim.token, 'credlink'));
  assert.equal(fs.statSync(sim.kubeconfig).mode & 0o777, 0o600);
});

test('sim: scenarios change what the client reads', async () => {
  sim.setScenarios(['forbidden']);
  await assert.rejects(client.listPods(), (e) => classifyKubeError(e, 'list pods').kind === 'forbidden');
  await assert.rejects(client.podLog('credlink-api-7f6b9c8d5-x7k2p'), (e) => classifyKubeError(e, 'logs').kind === 'forbidden');
  assert.ok((await client.listEvents()).length > 0, 'only pods are forbidden');

  sim.setScenarios(['hpa-maxed']);
  const [hpa] = await client.listHpas();
  assert.equal(hpa!.status!.currentReplicas, hpa!.spec!.maxReplicas);
  assert.equal((await client.listPods()).length, 6);

  sim.followFaults({ 'service-unavailable': true });
  const pods = await client.listPods();
  assert.ok(pods.every((p) => p.status!.conditions!.some((c) => c.type === 'Ready' && c.status === 'False')));
  const ep = await client.readEndpoints();
  assert.equal(ep.subsets![0]!.addresses, undefined);
  assert.equal(ep.subsets![0]!.notReadyAddresses!.length, 3);
  sim.setScenarios([]);
});

test('client: a named context is used; an unknown one is a clear configuration failure', async () => {
  const named = new KubeClient({ kubeconfig: sim.kubeconfig, context: 'credlink-sim', ...sim.settings }, 3000);
  assert.ok((await named.listEvents()).length > 0);
  const unknown = new KubeClient({ kubeconfig: sim.kubeconfig, context: 'prod-admin', ...sim.settings }, 3000);
  await assert.rejects(unknown.listPods(), (e) => {
    const f = classifyKubeError(e, 'list pods');
    return f.kind === 'config' && /context "prod-admin" is not in the kubeconfig/.test(f.line);
  });
});

test('client: a request that gets no answer fails as a timeout, not a hang', async () => {
  const silent = http.createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const dir = tempDir('credlink-kube-test-');
  const file = path.join(dir, 'kubeconfig');
  fs.writeFileSync(file, kubeconfigYaml(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`, 'abc', 'x'));
  try {
    const c = new KubeClient({ kubeconfig: file, namespace: 'x', deployment: 'd', labelSelector: 'a=b', service: 's' }, 300);
    await assert.rejects(c.listPods(), (e) => classifyKubeError(e, 'list pods').kind === 'timeout');
    const bad = new KubeClient({ kubeconfig: path.join(dir, 'missing'), namespace: 'x', deployment: 'd', labelSelector: 'a=b', service: 's' }, 300);
    await assert.rejects(bad.listPods(), (e) => classifyKubeError(e, 'list pods').kind === 'config');
  } finally {
    silent.closeAllConnections();
    silent.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('diagnostics plan: every section has one; without Kubernetes or a database they fall back, never empty', () => {
  for (const id of Object.keys(sections) as SectionId[]) {
    assert.ok(sectionPlan[id].length > 0, id);
    assert.ok(planFor({ section: id }, { kube: false, db: false }).length > 0, id);
  }
  assert.deepEqual(planFor({ section: 'rolling-restart' }, { kube: false, db: true }), ['health']);
  assert.deepEqual(planFor({ section: 'database-connection' }, { kube: true, db: true }), ['pg-activity', 'health']);
});

test('diagnostics: collected with GET requests only; a failing collector yields its error line', async () => {
  const health = http.createServer((_, res) => res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"down"}'));
  await new Promise<void>((r) => health.listen(0, '127.0.0.1', r));
  const config = parseEnv(
    { CREDLINK_TARGET: 'remote', CREDLINK_BASE_URL: `http://127.0.0.1:${(health.address() as AddressInfo).port}`, CREDLINK_API_KEYS: 'clk_test_key_1234' },
    { env: 'test', file: 'tests/unit.env', processEnv: {} },
  );
  try {
    sim.setScenarios(['crashloop']);
    const before = sim.requests().length;
    const pieces = await collectDiagnostics('k8s.pods-waiting', { config, kube: client, timeoutMs: 2000 }, 10_000);
    const names = pieces.map((p) => p.name);
    for (const want of ['pod statuses', 'recent events (last 20)', 'usage vs limits per pod', 'service selector', 'health document', 'rollout history (ReplicaSet revisions)']) {
      assert.ok(names.includes(want), `${want} in ${names.join(', ')}`);
    }
    const logs = pieces.filter((p) => p.name.startsWith('last 100 log lines'));
    assert.equal(logs.length, 3);
    assert.ok(logs.every((l) => l.command.includes('--tail=100 --previous') && /ECONNREFUSED/.test(String(l.data))));
    assert.ok(pieces.every((p) => p.command.length > 0));
    assert.deepEqual([...new Set(sim.requests().slice(before).map((r) => r.method))], ['GET']);

    sim.setScenarios(['forbidden']);
    const denied = await collectDiagnostics('k8s.pods-ready', { config, kube: client, timeoutMs: 2000 }, 10_000);
    const pods = denied.find((p) => p.name === 'pods (not collected)');
    assert.match(String(pods?.data), /could not collect: pods is forbidden/);
    assert.ok(denied.some((p) => p.name === 'recent events (last 20)'), 'the other collectors still ran');
  } finally {
    sim.setScenarios([]);
    health.closeAllConnections();
    health.close();
  }
});
