/** The deploy/ manifests of the operating modes say what docs/ says they say. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { parseSchedule } from '../../src/schedule/config.ts';
import { PROJECT_ROOT } from '../../src/run/paths.ts';

type Doc = Record<string, any>;
const docs = (rel: string): Doc[] => YAML.parseAllDocuments(fs.readFileSync(path.join(PROJECT_ROOT, rel), 'utf8')).map((d) => d.toJS() as Doc);
const kind = (list: Doc[], k: string) => list.find((d) => d.kind === k)!;

test('deploy: CronJob forbids overlap, uses the read-only ServiceAccount and takes secrets from a Secret', () => {
  const cj = kind(docs('deploy/kubernetes/cronjob-production.yaml'), 'CronJob');
  assert.equal(cj.spec.concurrencyPolicy, 'Forbid');
  const pod = cj.spec.jobTemplate.spec.template.spec;
  assert.equal(pod.serviceAccountName, 'credlink-checks');
  const c = pod.containers[0];
  assert.equal(c.args[0], 'run');
  assert.ok(c.envFrom.some((e: Doc) => e.secretRef?.name));
  assert.ok(!JSON.stringify(c.env ?? []).match(/KEY|PASSWORD|TOKEN/i), 'no secret value inline');
  const sa = kind(docs('deploy/kubernetes/rbac-readonly.yaml'), 'Role');
  for (const rule of sa.rules) assert.deepEqual(rule.verbs.filter((v: string) => !['get', 'list', 'watch'].includes(v)), []);
  assert.ok(!sa.rules.some((r: Doc) => r.resources.includes('secrets')));
});

test('deploy: the schedule Deployment is one replica, liveness on /livez and readiness on /healthz, and its schedule.json is valid', () => {
  const list = docs('deploy/kubernetes/schedule-deployment.yaml');
  const dep = kind(list, 'Deployment');
  assert.equal(dep.spec.replicas, 1);
  assert.equal(dep.spec.strategy.type, 'Recreate');
  const c = dep.spec.template.spec.containers[0];
  assert.equal(c.args[0], 'schedule');
  // A full state disk makes /healthz 503: restarting the pod would not cure it and would drop the in-memory state.
  assert.equal(c.livenessProbe.httpGet.path, '/livez');
  assert.equal(c.readinessProbe.httpGet.path, '/healthz');
  assert.ok(dep.spec.template.spec.terminationGracePeriodSeconds > 30);
  const cfg = parseSchedule(JSON.parse(kind(list, 'ConfigMap').data['schedule.json']), 'configmap');
  assert.equal(cfg.environments.length, 2);
  parseSchedule(JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'schedule.example.json'), 'utf8')), 'schedule.example.json');
});

test('deploy: Argo Rollouts AnalysisTemplate runs gate as a Job; the workflow has schedule: and a post-deploy gate', () => {
  const at = kind(docs('deploy/argo-rollouts/analysis-template.yaml'), 'AnalysisTemplate');
  const job = at.spec.metrics[0].provider.job.spec;
  assert.deepEqual(job.template.spec.containers[0].args.slice(0, 3), ['gate', '--env', '{{args.environment}}']);
  assert.equal(job.backoffLimit, 0);
  const wf = docs('deploy/github-actions/credlink-checks.yml')[0]!;
  assert.ok(wf.on.schedule[0].cron);
  const steps = wf.jobs['post-deploy'].steps.map((s: Doc) => s.run ?? '').join('\n');
  assert.match(steps, /npx credlink-checks gate --env \$\{\{ inputs\.environment \}\} --fail-on/);
});
