/**
 * The shipped examples agree with each other and with the tool, so that copying them works as
 * written: the environment templates, the GitHub workflow, the Kubernetes manifests and the
 * schedule example name the same environments, secrets and commands.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import dotenv from 'dotenv';
import YAML from 'yaml';
import { parseEnv } from '../../config/index.ts';
import { EXAMPLE_MARKER } from '../../config/schema.ts';
import { PROJECT_ROOT } from '../../src/run/paths.ts';
import { parseSchedule } from '../../src/schedule/config.ts';
import { declaredCommands, docPages, invocationProblems, invocations, shellLines, shellWords } from '../helpers/command-lines.ts';

type Doc = Record<string, any>;
const read = (rel: string) => fs.readFileSync(path.join(PROJECT_ROOT, rel), 'utf8');
const yamlDocs = (rel: string): Doc[] => YAML.parseAllDocuments(read(rel)).map((d) => d.toJS() as Doc);

/** environments/<name>.env.example -> name. */
const TEMPLATES = fs
  .readdirSync(path.join(PROJECT_ROOT, 'environments'))
  .filter((f) => f.endsWith('.env.example'))
  .map((f) => f.slice(0, -'.env.example'.length));
/** Secrets every environment file may reference besides its own: the schedule daemon's alert channels (one set per daemon). */
const SHARED_SECRETS = ['CREDLINK_SLACK_WEBHOOK_URL', 'CREDLINK_PAGERDUTY_ROUTING_KEY'];

/** The ${VARS} a template references: on active lines (needed by every run) and on commented examples. */
function referencesOf(env: string): { active: string[]; commented: string[] } {
  const active: string[] = [];
  const commented: string[] = [];
  for (const line of read(`environments/${env}.env.example`).split('\n')) {
    for (const m of line.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)) {
      if (m[1] === 'NAME') continue; // the header's "${NAME}" explains the syntax
      (line.trimStart().startsWith('#') ? commented : active).push(m[1]!);
    }
  }
  return { active, commented };
}

/** The environments a template must exist for (local ships ready, not as a template). */
const hasEnvironment = (env: string) => env === 'local' || TEMPLATES.includes(env);

test('env templates: each says where to copy it, references only its own secrets (CREDLINK_<ENV>_...), and is valid once filled in', () => {
  assert.deepEqual([...TEMPLATES].sort(), ['blue', 'green', 'production', 'staging', 'upstream']);
  for (const env of TEMPLATES) {
    const text = read(`environments/${env}.env.example`);
    assert.match(text, new RegExp(`[Cc]opy to environments/${env}\\.env\\b`), `${env}.env.example says where to copy it`);
    const { active, commented } = referencesOf(env);
    assert.ok(active.length >= 1, `${env}: the API keys come from a secret`);
    for (const name of [...active, ...commented]) {
      const own = new RegExp(`^CREDLINK_${env.toUpperCase()}_[A-Z0-9_]+$`).test(name);
      assert.ok(own || SHARED_SECRETS.includes(name), `${env}.env.example references \${${name}}: name it CREDLINK_${env.toUpperCase()}_..., so several environments can live in one process (cutover, the daemon)`);
    }
    // Filled in as the header says (every REPLACE_ME replaced, every ${VAR} exported), the file is valid.
    const raw = dotenv.parse(text.replaceAll(EXAMPLE_MARKER, 'filled-in'));
    const processEnv = Object.fromEntries(active.map((n) => [n, /DATABASE_URL$/.test(n) ? 'postgres://monitor:pw@db.example:5432/credlink' : `value-of-${n.toLowerCase()}`]));
    assert.doesNotThrow(() => parseEnv(raw, { env, file: `environments/${env}.env`, processEnv }), `${env}.env.example is valid once filled in`);
  }
});

test('GitHub workflow: every environment a job runs gets every secret its environment file references, under the same name', async () => {
  const wf = yamlDocs('deploy/github-actions/credlink-checks.yml')[0]!;
  const declared = await declaredCommands();
  const choices: string[] = wf.on.workflow_dispatch.inputs.environment.options;
  assert.ok(choices.includes(wf.on.workflow_dispatch.inputs.environment.default));
  const jobs: [string, string[]][] = [
    ['scheduled', wf.jobs.scheduled.strategy.matrix.environment],
    ['post-deploy', choices],
  ];
  for (const [job, envs] of jobs) {
    const steps: Doc[] = wf.jobs[job].steps;
    const tool = steps.filter((s) => typeof s.run === 'string' && s.run.includes('credlink-checks'));
    assert.equal(tool.length, 1, `${job}: one step runs the tool`);
    const step = tool[0]!;
    for (const env of envs) {
      assert.ok(TEMPLATES.includes(env), `${job} runs "${env}": environments/${env}.env.example must exist`);
      for (const name of referencesOf(env).active) {
        assert.equal(step.env?.[name], `\${{ secrets.${name} }}`, `${job}: environments/${env}.env references \${${name}}: the step must export ${name}: \${{ secrets.${name} }}`);
      }
    }
    for (const name of Object.keys(step.env ?? {})) {
      if (!name.startsWith('CREDLINK_') || name === 'CREDLINK_RUNBOOK_URL') continue;
      assert.ok(envs.some((e) => referencesOf(e).active.includes(name)), `${job} exports ${name}, which no environment it runs references`);
    }
    for (const line of shellLines(step.run)) {
      for (const args of invocations(line)) assert.deepEqual(invocationProblems(args, declared), [], `${job}: ${line}`);
    }
    // The artifacts are where the command writes (the default reports directory).
    const upload = steps.find((s) => String(s.uses ?? '').startsWith('actions/upload-artifact'));
    assert.match(String(upload?.with?.path), /^reports\//m, `${job} uploads from reports/`);
  }
});

test('Kubernetes manifests: every environment a workload runs has a template, and its Secret is named after it', async () => {
  const declared = await declaredCommands();
  const check = (where: string, container: Doc, envs: string[]) => {
    assert.deepEqual(invocationProblems(container.args, declared), [], `${where}: ${container.args.join(' ')}`);
    const secrets = (container.envFrom ?? []).map((e: Doc) => e.secretRef?.name).filter(Boolean);
    for (const env of envs) {
      assert.ok(hasEnvironment(env), `${where} runs "${env}": environments/${env}.env.example must exist`);
      assert.ok(secrets.includes(`credlink-checks-${env}`), `${where} runs "${env}": it takes its secrets from the Secret credlink-checks-${env}`);
    }
  };
  const cron = yamlDocs('deploy/kubernetes/cronjob-production.yaml').find((d) => d.kind === 'CronJob')!;
  const cronContainer = cron.spec.jobTemplate.spec.template.spec.containers[0];
  check('CronJob', cronContainer, [cronContainer.args[cronContainer.args.indexOf('--env') + 1]]);

  const daemon = yamlDocs('deploy/kubernetes/schedule-deployment.yaml');
  const schedule = parseSchedule(JSON.parse(daemon.find((d) => d.kind === 'ConfigMap')!.data['schedule.json']), 'configmap');
  const daemonContainer = daemon.find((d) => d.kind === 'Deployment')!.spec.template.spec.containers[0];
  check('schedule Deployment', daemonContainer, schedule.environments.map((e) => e.env));
  assert.ok(daemonContainer.envFrom.some((e: Doc) => e.secretRef?.name === 'credlink-checks-alerting'), 'the daemon gets the alert channels from credlink-checks-alerting');

  const argoText = read('deploy/argo-rollouts/analysis-template.yaml');
  const argo = yamlDocs('deploy/argo-rollouts/analysis-template.yaml')[0]!;
  const example = /name: environment, value: ([a-z0-9-]+)/.exec(argoText)?.[1];
  assert.ok(example, 'the Rollout example passes an environment');
  check('Argo AnalysisTemplate', argo.spec.metrics[0].provider.job.spec.template.spec.containers[0], [example]);
});

test('schedule.example.json: valid, and every environment it schedules ships a template', () => {
  const schedule = parseSchedule(JSON.parse(read('schedule.example.json')), 'schedule.example.json');
  for (const e of schedule.environments) assert.ok(hasEnvironment(e.env), `schedule.example.json schedules "${e.env}": environments/${e.env}.env.example must exist`);
});


test('docs: the kubectl commands that create Secrets put in every variable the environment file references', () => {
  const lines = docPages().flatMap((p) => [...read(p).matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)].flatMap((m) => shellLines(m[1]!)));
  const creates = lines.filter((l) => /kubectl create secret generic credlink-checks-[a-z0-9-]+/.test(l));
  assert.ok(creates.length >= 2, 'the docs show how to create the Secrets');
  for (const line of creates) {
    const words = shellWords(line);
    const env = words[words.indexOf('generic') + 1]!.replace(/^credlink-checks-/, '');
    if (env === 'alerting') continue;
    const given = words.filter((w) => w.startsWith('--from-literal=')).map((w) => w.slice('--from-literal='.length).split('=')[0]);
    assert.deepEqual([...given].sort(), [...referencesOf(env).active].sort(), `docs: ${line}`);
  }
});
