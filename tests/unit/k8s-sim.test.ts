/**
 * The Kubernetes API simulator speaks the API (auth, Status errors, read-only, scenarios),
 * follows the reference target's faults, and the monitor's client and diagnostics only read
 * from it, within timeouts, without throwing.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
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
import { humanDuration } from '../../src/k8s-sim/tables.ts';
import { createSimTls } from '../../src/k8s-sim/tls.ts';
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

/** A request to the simulator over TLS, verified against its CA (as a real client does). */
function request(p: string, opts: { method?: string; headers?: Record<string, string>; ca?: string } = {}): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${sim.url}${p}`, { method: opts.method ?? 'GET', headers: opts.headers, ca: opts.ca ?? sim.caPem, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), text }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
const get = async (p: string, init: { method?: string; headers?: Record<string, string> } = {}) => {
  const res = await request(p, { ...init, headers: { authorization: `Bearer ${sim.token}`, ...init.headers } });
  return { status: res.status, type: res.type, body: JSON.parse(res.text) as Record<string, unknown> };
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
  const noAuth = await request('/api/v1/namespaces/credlink/pods');
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
  assert.equal(text, kubeconfigYaml({ server: sim.url, token: sim.token, namespace: 'credlink', caPem: sim.caPem }));
  assert.doesNotMatch(text, /insecure-skip-tls-verify/);
  assert.ok(fs.readFileSync(path.join(sim.dir, 'ca.crt'), 'utf8') === sim.caPem);
  assert.equal(fs.statSync(sim.kubeconfig).mode & 0o777, 0o600);
});

test('sim: TLS with a CA of its own: the certificate chains to the CA in the kubeconfig, for the loopback names', async () => {
  const text = fs.readFileSync(sim.kubeconfig, 'utf8');
  const caData = /certificate-authority-data: (\S+)/.exec(text)![1]!;
  const ca = new crypto.X509Certificate(Buffer.from(caData, 'base64'));
  assert.ok(ca.ca, 'the CA certificate is a CA');
  assert.ok(sim.url.startsWith('https://127.0.0.1:'));
  // The certificate the server presents, checked against the kubeconfig's CA.
  const leaf = await new Promise<crypto.X509Certificate>((resolve, reject) => {
    const req = https.request(`${sim.url}/healthz`, { ca: sim.caPem }, (res) => {
      resolve(new crypto.X509Certificate((res.socket as import('node:tls').TLSSocket).getPeerCertificate().raw));
      res.resume();
    });
    req.on('error', reject);
    req.end();
  });
  assert.ok(!leaf.ca);
  assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey), 'signed by the CA');
  assert.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(leaf.checkHost('localhost'), 'localhost');
  // A client that does not trust the simulator's CA is refused, as against a real cluster.
  await assert.rejects(request('/version', { ca: createSimTls().caPem }), /self[- ]signed|unable to verify|certificate/i);
  // Each start makes a new CA.
  const other = await startKubeSim();
  try {
    assert.notEqual(other.caPem, sim.caPem);
  } finally {
    await other.stop();
  }
  assert.equal(fs.existsSync(other.dir), false, 'stop() removes the kubeconfig, the CA and the kubectl cache');
});

test('sim: discovery as kubectl reads it: /version, legacy and aggregated (apidiscovery.k8s.io/v2) documents', async () => {
  const version = await get('/version');
  assert.equal(version.body.major, '1');
  const apis = await get('/apis');
  assert.equal(apis.body.kind, 'APIGroupList');
  const names = (apis.body.groups as { name: string; preferredVersion: { groupVersion: string } }[]).map((g) => g.preferredVersion.groupVersion);
  assert.deepEqual(names, ['apps/v1', 'autoscaling/v2', 'metrics.k8s.io/v1beta1']);
  const core = await get('/api/v1');
  const resources = (core.body.resources as { name: string; verbs: string[] }[]).map((r) => r.name);
  for (const r of ['pods', 'pods/log', 'events', 'services', 'endpoints']) assert.ok(resources.includes(r), r);
  assert.ok((core.body.resources as { verbs: string[] }[]).every((r) => r.verbs.every((v) => ['get', 'list', 'watch'].includes(v))), 'read verbs only');
  const aggregated = await get('/apis', { headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' } });
  assert.match(aggregated.type, /as=APIGroupDiscoveryList/);
  assert.equal(aggregated.body.kind, 'APIGroupDiscoveryList');
  const hpa = (aggregated.body.items as { metadata: { name: string }; versions: { resources: { resource: string; shortNames?: string[] }[] }[] }[])
    .find((g) => g.metadata.name === 'autoscaling')!
    .versions[0]!.resources.find((r) => r.resource === 'horizontalpodautoscalers')!;
  assert.deepEqual(hpa.shortNames, ['hpa']);
  assert.equal((await get('/apis/batch/v1')).status, 404);
});

test('sim: server-side Tables print what kubectl shows (CrashLoopBackOff, restarts with their age)', async () => {
  sim.setScenarios(['crashloop']);
  try {
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
    const t = await get('/api/v1/namespaces/credlink/pods?labelSelector=app%3Dcredlink-api', { headers: { accept } });
    assert.equal(t.body.kind, 'Table');
    const cols = (t.body.columnDefinitions as { name: string; priority: number }[]).filter((c) => c.priority === 0).map((c) => c.name);
    assert.deepEqual(cols, ['Name', 'Ready', 'Status', 'Restarts', 'Age']);
    const rows = t.body.rows as { cells: unknown[]; object: { kind: string } }[];
    assert.equal(rows.length, 3);
    for (const r of rows) {
      assert.deepEqual(r.cells.slice(1, 4), ['0/1', 'CrashLoopBackOff', '7 (90s ago)']);
      assert.equal(r.object.kind, 'PartialObjectMetadata');
    }
    const full = await get('/api/v1/namespaces/credlink/events?includeObject=Object', { headers: { accept } });
    assert.equal((full.body.rows as { object: { kind: string } }[])[0]!.object.kind, 'Event', '--sort-by needs whole objects');
    const plain = await get('/api/v1/namespaces/credlink/pods');
    assert.equal(plain.body.kind, 'PodList', 'clients that do not ask for a Table get the list');
  } finally {
    sim.setScenarios([]);
  }
});

test('tables: ages print as apimachinery HumanDuration', () => {
  const cases: [number, string][] = [
    [-5000, '<invalid>'],
    [-1000, '0s'],
    [45_000, '45s'],
    [119_000, '119s'],
    [125_000, '2m5s'],
    [180_000, '3m'],
    [20 * 60_000, '20m'],
    [3 * 3600_000 + 4 * 60_000, '3h4m'],
    [10 * 3600_000, '10h'],
    [5 * 86400_000, '5d'],
    [3 * 86400_000 + 2 * 3600_000, '3d2h'],
    [400 * 86400_000, '400d'],
    [800 * 86400_000, '2y70d'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, String(ms));
});

test('sim: field selectors, watches (ADDED, then MODIFIED when the scenario changes) and the kubelet log rules', async () => {
  const one = await get('/apis/apps/v1/namespaces/credlink/deployments?fieldSelector=metadata.name%3Dcredlink-api');
  assert.equal((one.body.items as unknown[]).length, 1);
  const none = await get('/apis/apps/v1/namespaces/credlink/deployments?fieldSelector=metadata.name%3Dother');
  assert.equal((none.body.items as unknown[]).length, 0);

  // A watch: synthetic ADDED for what exists, MODIFIED once the state changes, closed at timeoutSeconds.
  const events: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    const req = https.request(`${sim.url}/apis/apps/v1/namespaces/credlink/deployments?watch=true&timeoutSeconds=2&fieldSelector=metadata.name%3Dcredlink-api`, { ca: sim.caPem, headers: { authorization: `Bearer ${sim.token}` } }, (res) => {
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (c: string) => {
        buf += c;
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const e = JSON.parse(buf.slice(0, i)) as { type: string; object: { status: { availableReplicas: number } } };
          events.push(`${e.type} ${e.object.status.availableReplicas}`);
          buf = buf.slice(i + 1);
          if (events.length === 1) sim.setScenarios(['crashloop']);
        }
      });
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
  await done;
  sim.setScenarios([]);
  assert.deepEqual(events, ['ADDED 3', 'MODIFIED 0']);

  sim.setScenarios(['crashloop', 'rollout-stuck']);
  try {
    const pods = (await get('/api/v1/namespaces/credlink/pods')).body.items as { metadata: { name: string }; status: { containerStatuses: { state: { waiting?: { reason: string } } }[] } }[];
    const crashing = pods.find((p) => p.status.containerStatuses[0]!.state.waiting?.reason === 'CrashLoopBackOff')!;
    const pulling = pods.find((p) => p.status.containerStatuses[0]!.state.waiting?.reason === 'ImagePullBackOff')!;
    const log = (name: string, q = '') => request(`/api/v1/namespaces/credlink/pods/${name}/log${q}`, { headers: { authorization: `Bearer ${sim.token}` } });
    // A crash-looping container: the last terminated one's output, with or without --previous.
    assert.match((await log(crashing.metadata.name)).text, /ECONNREFUSED/);
    assert.match((await log(crashing.metadata.name, '?previous=true&tailLines=1')).text, /^process exited with code 1\n$/);
    const waiting = await log(pulling.metadata.name);
    assert.equal(waiting.status, 400);
    assert.match(waiting.text, /is waiting to start: trying and failing to pull image/);
  } finally {
    sim.setScenarios([]);
  }
});

test('sim: scenarios change what the client reads', async () => {
  sim.setScenarios(['forbidden']);
  await assert.rejects(client.listPods(), (e) => classifyKubeError(e, 'list pods').kind === 'forbidden');
  await assert.rejects(client.podLog('credlink-api-7f6b9c8d5-x7k2p'), (e) => classifyKubeError(e, 'logs').kind === 'forbidden');
  assert.ok((await client.listEvents()).length > 0, 'only pods are forbidden');
  assert.equal((await client.podMetrics()).length, 3, 'RBAC names resources with their group: pods.metrics.k8s.io is not pods');

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
  fs.writeFileSync(file, kubeconfigYaml({ server: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, token: 'abc', namespace: 'x' }));
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
