/** First steps for this environment: runbook commands are templates filled in at one place (runbooks/commands.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEnv } from '../../config/index.ts';
import { namesOf, renderCommand, templateNames, unknownNames, type CommandNames } from '../../runbooks/commands.ts';
import { sections, type SectionId } from '../../runbooks/sections.ts';

const ctx = (env: string) => ({ env, file: `environments/${env}.env`, processEnv: {} });
const every = (names: CommandNames) => (Object.keys(sections) as SectionId[]).flatMap((id) => sections[id].immediateActions.map((a) => renderCommand(a.command, names)));

test('every template name in runbooks/sections.ts is a name the environment fills in', () => {
  const known = Object.keys(unknownNames('x'));
  for (const id of Object.keys(sections) as SectionId[]) {
    for (const a of sections[id].immediateActions) for (const n of templateNames(a.command)) assert.ok(known.includes(n), `${id}: {{${n}}}`);
  }
});

test('staging without Kubernetes names: its base URL and paths; visible placeholders; never production\'s names', () => {
  const c = parseEnv({ CREDLINK_BASE_URL: 'https://staging.credlink.example', CREDLINK_API_KEYS: 'k-123456789', CREDLINK_HEALTH_PATH: '/healthz', CREDLINK_PROTECTED_PATH: '/sign', CREDLINK_STATUS_PATH: 'none' }, ctx('staging'));
  const cmds = every(namesOf(c));
  assert.ok(cmds.includes('curl -f https://staging.credlink.example/healthz'), cmds.join('\n'));
  assert.ok(cmds.includes('kubectl get pods -n <namespace of staging> -l <label selector of staging>'));
  assert.ok(cmds.includes('kubectl rollout restart deployment/<deployment of staging> -n <namespace of staging>'));
  assert.ok(cmds.some((x) => x.includes('curl -f https://staging.credlink.example<status path (none configured) of staging>')));
  assert.ok(cmds.some((x) => x === 'curl -i -X POST -H "X-API-Key: <key>" https://staging.credlink.example/sign'));
  for (const x of cmds) {
    assert.doesNotMatch(x, /credlink-production|https:\/\/credlink\.com|\{\{/, x);
  }
});

test('staging with Kubernetes and Prometheus names: every command names them', () => {
  const c = parseEnv(
    {
      CREDLINK_BASE_URL: 'https://staging.credlink.example',
      CREDLINK_API_KEYS: 'k-123456789',
      CREDLINK_API_KEY_IN: 'bearer',
      CREDLINK_ALLOWED_ORIGINS: 'https://app.staging.credlink.example',
      KUBE_NAMESPACE: 'credlink-staging',
      KUBE_DEPLOYMENT: 'api',
      KUBE_LABEL_SELECTOR: 'app=api',
      PROMETHEUS_URL: 'http://prom:9090',
      CREDLINK_PROM_STATUS_LABEL: 'status_code',
    },
    ctx('staging'),
  );
  const cmds = every(namesOf(c));
  assert.ok(cmds.includes('kubectl get pods -n credlink-staging -l app=api'));
  assert.ok(cmds.includes('kubectl rollout restart deployment/api -n credlink-staging'));
  assert.ok(cmds.some((x) => x.includes('rate(http_requests_total{status_code=~"5.."}[5m])')));
  assert.ok(cmds.some((x) => x.includes('ALLOWED_ORIGINS="https://app.staging.credlink.example"')));
  assert.ok(cmds.some((x) => x.includes('-H "Authorization: Bearer <key>"')));
  assert.ok(cmds.every((x) => !/credlink-production|<[a-z ]+ of staging>/.test(x)), cmds.join('\n'));
});

test('a template name nobody fills in stays visible', () => {
  assert.equal(renderCommand('echo {{nope}} {{env}}', unknownNames('green')), 'echo {{nope}} green');
});
