/**
 * Every manifest under deploy/ agrees with the others and with the image: one image name:tag
 * (package.json config.image and version), one ServiceAccount that exists in each pod's
 * namespace and is bound to the read-only Role of the namespace the checks read, the
 * Dockerfile's user, read-only root filesystem and writable volumes, and memory limits that fit
 * the measured peak with headroom.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { PROJECT_ROOT } from '../../src/run/paths.ts';
import { parseSchedule } from '../../src/schedule/config.ts';
import { execForm, parseDockerfile } from '../helpers/docker-context.ts';

type Doc = Record<string, any>;
interface Manifest {
  file: string;
  doc: Doc;
}

/**
 * Measured here (cgroup v1 memory.max_usage_in_bytes of a child cgroup holding the whole process
 * tree, 3 runs each): a full `run` (48 checks, remote target, Kubernetes checks on) peaked at
 * 240-242 MiB, 252-258 MiB during an outage (`run --env local`, with the embedded PostgreSQL,
 * target and simulator in the same cgroup: 328 MiB); the idle `schedule` daemon at 75 MiB.
 * Before issue 13 a run peaked at 641-649 MiB.
 */
const RUN_PEAK_MIB = 260;
const DAEMON_IDLE_MIB = 75;
/** A limit must leave this much room above the expected peak. */
const HEADROOM = 1.25;

const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string; config: { image: string } };
const IMAGE = `${pkg.config.image}:${pkg.version}`;
const dockerfile = parseDockerfile(fs.readFileSync(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8'));
const runtime = dockerfile.stages.at(-1)!;
const arg = (k: string) => runtime.instructions.find((i) => i.keyword === k)!.args;
const IMAGE_UID = Number(arg('USER').split(':')[0]);
const VOLUMES = execForm(arg('VOLUME'))!;
const DEFAULT_CMD = execForm(arg('CMD'))!;

const files = (function walk(dir: string): string[] {
  return fs.readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`]));
})('deploy').filter((f) => /\.ya?ml$/.test(f));

const manifests: Manifest[] = files.flatMap((file) =>
  YAML.parseAllDocuments(fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8')).map((d) => {
    assert.equal(d.errors.length, 0, `${file}: ${d.errors[0]}`);
    return { file, doc: d.toJS() as Doc };
  }),
);
const ofKind = (k: string) => manifests.filter((m) => m.doc.kind === k);

/** Pod specs of the image's workloads: CronJob, Deployment, the Argo Job template. */
const pods = [
  ...ofKind('CronJob').map((m) => ({ ...m, role: 'run', ns: m.doc.metadata.namespace, spec: m.doc.spec.jobTemplate.spec.template.spec })),
  ...ofKind('Deployment').map((m) => ({ ...m, role: 'schedule', ns: m.doc.metadata.namespace, spec: m.doc.spec.template.spec })),
  ...ofKind('AnalysisTemplate').flatMap((m) => m.doc.spec.metrics.map((x: Doc) => ({ ...m, role: 'gate', ns: m.doc.metadata.namespace, spec: x.provider.job.spec.template.spec }))),
];
const containersOf = (spec: Doc): Doc[] => [...(spec.initContainers ?? []), ...spec.containers];
/** The main container: the one that runs the CLI (not a helper such as prune-reports). */
const mainOf = (spec: Doc): Doc => spec.containers.find((c: Doc) => !c.command);

const rbac = manifests.filter((m) => m.file === 'deploy/kubernetes/rbac-readonly.yaml').map((m) => m.doc);
const accounts = rbac.filter((d) => d.kind === 'ServiceAccount');
const SA = accounts[0]?.metadata.name as string;
const roleBinding = rbac.find((d) => d.kind === 'RoleBinding')!;
/** The namespace the checks read (KUBE_NAMESPACE of the environment the manifests run). */
const APP_NS = roleBinding.metadata.namespace as string;
/** Where the monitor's own workloads live. */
const MONITOR_NS = ofKind('CronJob')[0]!.doc.metadata.namespace as string;

function mib(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(Mi|Gi)$/.exec(q);
  assert.ok(m, `memory quantity ${q} in Mi or Gi`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
}

test('manifests: every file under deploy/ parses, and each workload of the image is checked here', () => {
  assert.ok(files.length >= 6, files.join(', '));
  assert.deepEqual(pods.map((p) => `${p.file}:${p.role}`).sort(), [
    'deploy/argo-rollouts/analysis-template.yaml:gate',
    'deploy/kubernetes/cronjob-production.yaml:run',
    'deploy/kubernetes/schedule-deployment.yaml:schedule',
  ]);
  assert.ok(!fs.existsSync(path.join(PROJECT_ROOT, 'deploy', 'monitor-rbac.yaml')), 'one RBAC manifest');
  assert.equal(ofKind('ClusterRole').length + ofKind('ClusterRoleBinding').length, 0, 'nothing cluster-wide');
});

test(`manifests: one image, ${IMAGE} (package.json config.image and version), in every container`, () => {
  assert.match(pkg.config.image, /^[a-z0-9.-]+(\/[a-z0-9._-]+)+$/);
  for (const p of pods) for (const c of containersOf(p.spec)) assert.equal(c.image, IMAGE, `${p.file} container ${c.name}`);
  const imageFiles = files.filter((f) => fs.readFileSync(path.join(PROJECT_ROOT, f), 'utf8').includes('credlink-checks:'));
  for (const f of imageFiles) {
    for (const m of fs.readFileSync(path.join(PROJECT_ROOT, f), 'utf8').matchAll(/[\w./-]*credlink-checks:[\w.-]+/g)) assert.equal(m[0], IMAGE, `${f} names ${m[0]}`);
  }
  // The image workflow takes both parts from package.json, so a release changes one file.
  const wf = manifests.find((m) => m.file === 'deploy/github-actions/credlink-checks-image.yml')!.doc;
  const steps = JSON.stringify(wf.jobs.image.steps);
  assert.match(steps, /require\('\.\/package\.json'\)\.config\.image/);
  assert.match(steps, /require\('\.\/package\.json'\)\.version/);
  assert.match(steps, /docker build -t \\"\$\{\{ steps\.ref\.outputs\.image \}\}:\$\{\{ steps\.ref\.outputs\.tag \}\}\\" \./);
});

test(`manifests: every pod runs as ServiceAccount ${SA}, which exists in its namespace and is bound to the read-only Role`, () => {
  assert.equal(new Set(accounts.map((a) => a.metadata.name)).size, 1);
  const bound = new Set(roleBinding.subjects.map((s: Doc) => `${s.namespace}/${s.name}`));
  for (const p of pods) {
    assert.equal(p.spec.serviceAccountName, SA, p.file);
    assert.ok(accounts.some((a) => a.metadata.namespace === p.ns), `${p.file}: ServiceAccount ${SA} exists in namespace ${p.ns}`);
    assert.ok(bound.has(`${p.ns}/${SA}`), `${p.file}: ${p.ns}/${SA} is bound to the Role in ${APP_NS}`);
  }
  // No manifest names another account (the old credlink-monitor is gone everywhere).
  for (const f of files) assert.doesNotMatch(fs.readFileSync(path.join(PROJECT_ROOT, f), 'utf8'), /serviceAccountName: (?!credlink-checks\b)/, f);
});

test(`manifests: namespaces agree: the monitor's workloads in ${MONITOR_NS}, the gate and the Role in ${APP_NS}`, () => {
  for (const k of ['CronJob', 'Deployment', 'PersistentVolumeClaim', 'ConfigMap', 'TestRun']) {
    for (const m of ofKind(k)) assert.equal(m.doc.metadata.namespace, MONITOR_NS, `${m.file}: ${k}/${m.doc.metadata.name}`);
  }
  for (const m of [...ofKind('AnalysisTemplate'), ...ofKind('Role'), ...ofKind('RoleBinding')]) assert.equal(m.doc.metadata.namespace, APP_NS, `${m.file}: ${m.doc.kind}`);
  // Every claim a pod mounts is defined, in the pod's namespace.
  for (const p of pods) {
    for (const v of p.spec.volumes.filter((x: Doc) => x.persistentVolumeClaim)) {
      const claim = v.persistentVolumeClaim.claimName;
      assert.ok(ofKind('PersistentVolumeClaim').some((m) => m.doc.metadata.name === claim && m.doc.metadata.namespace === p.ns), `${p.file}: claim ${claim} in ${p.ns}`);
    }
  }
  // The ConfigMap and Secret names a pod uses are the same everywhere.
  for (const p of pods) {
    assert.ok(p.spec.volumes.some((v: Doc) => v.configMap?.name === 'credlink-checks-environments'), `${p.file}: env files from credlink-checks-environments`);
    assert.ok(mainOf(p.spec).envFrom.some((e: Doc) => e.secretRef?.name === 'credlink-checks-production'), `${p.file}: secrets from credlink-checks-production`);
  }
});

test(`manifests: non-root uid ${IMAGE_UID} (the Dockerfile's USER), read-only root filesystem, no privilege, a volume for each writable place (${VOLUMES.join(', ')})`, () => {
  for (const p of pods) {
    const sc = p.spec.securityContext;
    assert.equal(sc.runAsNonRoot, true, p.file);
    assert.equal(sc.runAsUser, IMAGE_UID, p.file);
    assert.equal(sc.fsGroup, IMAGE_UID, `${p.file}: volumes writable by the image user`);
    assert.equal(sc.seccompProfile?.type, 'RuntimeDefault', p.file);
    for (const c of containersOf(p.spec)) {
      assert.equal(c.securityContext.readOnlyRootFilesystem, true, `${p.file} ${c.name}`);
      assert.equal(c.securityContext.allowPrivilegeEscalation, false, `${p.file} ${c.name}`);
      assert.deepEqual(c.securityContext.capabilities.drop, ['ALL'], `${p.file} ${c.name}`);
      assert.ok(c.resources?.limits?.memory && c.resources?.limits?.cpu, `${p.file} ${c.name}: limits`);
      for (const vm of c.volumeMounts) assert.ok(p.spec.volumes.some((v: Doc) => v.name === vm.name), `${p.file} ${c.name}: volume ${vm.name} defined`);
    }
    const main = mainOf(p.spec);
    for (const dir of VOLUMES) {
      const mount = main.volumeMounts.find((vm: Doc) => vm.mountPath === dir);
      assert.ok(mount && !mount.readOnly, `${p.file}: ${dir} mounted writable`);
      const vol = p.spec.volumes.find((v: Doc) => v.name === mount.name);
      assert.ok(vol.emptyDir || vol.persistentVolumeClaim, `${p.file}: ${dir} on an emptyDir or a claim`);
    }
    // What else is mounted is read-only (env files, config).
    for (const vm of main.volumeMounts.filter((x: Doc) => !VOLUMES.includes(x.mountPath))) assert.equal(vm.readOnly, true, `${p.file}: ${vm.mountPath} read-only`);
    assert.ok(main.volumeMounts.some((vm: Doc) => vm.mountPath === '/app/environments' && vm.readOnly), `${p.file}: env files at /app/environments`);
  }
});

test('manifests: commands match the image (the daemon is its default command) and write reports to the reports volume', () => {
  const byRole = Object.fromEntries(pods.map((p) => [p.role, mainOf(p.spec)]));
  assert.deepEqual(byRole.schedule!.args, DEFAULT_CMD, 'the Deployment runs the image default command');
  assert.equal(byRole.run!.args[0], 'run');
  assert.equal(byRole.gate!.args[0], 'gate');
  for (const c of Object.values(byRole) as Doc[]) assert.ok(!c.args.includes('--reports-dir') && !c.args.includes('--state-dir'), 'the defaults are the volumes');
  const dep = ofKind('Deployment')[0]!.doc;
  const cfg = parseSchedule(JSON.parse(ofKind('ConfigMap').find((m) => m.doc.metadata.name === 'credlink-checks-schedule')!.doc.data['schedule.json']), 'configmap');
  assert.equal(cfg.listen.port, dep.spec.template.spec.containers[0].ports[0].containerPort);
  assert.match(arg('HEALTHCHECK'), new RegExp(`:${cfg.listen.port}/healthz`), 'the HEALTHCHECK asks the port the daemon listens on');
  assert.equal(path.posix.join('/app', cfg.stateDir), '/app/.state');
  assert.equal(path.posix.join('/app', cfg.reportsDir), '/app/reports');
  // Reports are kept: on a claim, with the old run folders pruned (same image, same volume).
  for (const p of pods.filter((x) => x.role !== 'gate')) {
    const reports = p.spec.volumes.find((v: Doc) => v.name === mainOf(p.spec).volumeMounts.find((vm: Doc) => vm.mountPath === '/app/reports').name);
    assert.ok(reports.persistentVolumeClaim, `${p.file}: reports on a claim`);
    const prune = containersOf(p.spec).find((c) => c.name === 'prune-reports');
    assert.match(JSON.stringify(prune?.command), /find.*\/app\/reports.*-mtime.*rm/, `${p.file}: old run folders are pruned`);
  }
});

test(`manifests: memory limits fit the measured peak (${RUN_PEAK_MIB} MiB per run) with ${HEADROOM}x headroom`, () => {
  for (const p of pods) {
    const main = mainOf(p.spec);
    const limit = mib(main.resources.limits.memory);
    const request = mib(main.resources.requests.memory);
    let need = RUN_PEAK_MIB;
    if (p.role === 'schedule') {
      // Environments run concurrently (never two runs of one environment).
      const cfg = parseSchedule(JSON.parse(ofKind('ConfigMap').find((m) => m.doc.metadata.name === 'credlink-checks-schedule')!.doc.data['schedule.json']), 'configmap');
      need = DAEMON_IDLE_MIB + cfg.environments.length * RUN_PEAK_MIB;
    } else {
      assert.ok(request >= RUN_PEAK_MIB, `${p.file}: request ${request} MiB covers one run`);
    }
    assert.ok(limit >= need * HEADROOM, `${p.file}: limit ${limit} MiB >= ${need} MiB x ${HEADROOM}`);
    assert.ok(limit <= need * 3, `${p.file}: limit ${limit} MiB is not wildly above ${need} MiB`);
  }
});

test('manifests: the k6 TestRun sits with the monitor, runs non-root without API access, pinned k6', () => {
  const [tr] = ofKind('TestRun');
  assert.ok(tr);
  assert.equal(tr.doc.metadata.namespace, MONITOR_NS);
  const runner = tr.doc.spec.runner;
  assert.match(runner.image, /^grafana\/k6:\d+\.\d+\.\d+$/);
  assert.equal(runner.securityContext.runAsNonRoot, true);
  assert.equal(runner.containerSecurityContext.allowPrivilegeEscalation, false);
  assert.equal(runner.automountServiceAccountToken, 'false');
  assert.match(fs.readFileSync(path.join(PROJECT_ROOT, tr.file), 'utf8'), new RegExp(`kubectl create configmap \\S+ --from-file=\\S+ -n ${MONITOR_NS}`));
});

test('manifests: the GitHub workflows run Node 20 like the image, and ship the reports as artifacts', () => {
  const major = /^node:(\d+)/.exec(dockerfile.stages.at(-1)!.from)![1];
  const wf = manifests.find((m) => m.file === 'deploy/github-actions/credlink-checks.yml')!.doc;
  for (const job of Object.values(wf.jobs) as Doc[]) {
    const setup = job.steps.find((s: Doc) => String(s.uses).startsWith('actions/setup-node'));
    assert.equal(String(setup.with['node-version']), major);
    const upload = job.steps.find((s: Doc) => String(s.uses).startsWith('actions/upload-artifact'));
    assert.match(upload.with.path, /reports\//, 'reports are shipped as artifacts');
  }
});
