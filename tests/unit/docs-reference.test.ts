/**
 * The reference pages of docs/reference/ are generated from the declarations the code reads
 * (`npm run docs`, src/docs/generate.ts): a committed page that differs from what the
 * declarations give now is stale.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { envSchema } from '../../config/schema.ts';
import { processVariables } from '../../config/process-variables.ts';
import { parseEnv, secretsOf } from '../../config/index.ts';
import { variableMeta } from '../../src/docs/configuration-page.ts';
import { referencePages } from '../../src/docs/generate.ts';
import { PROJECT_ROOT } from '../../src/run/paths.ts';

test('docs/reference: every generated page is committed and up to date (else: run npm run docs)', async () => {
  const pages = await referencePages();
  assert.ok(pages.size >= 5);
  for (const [rel, content] of pages) {
    const file = path.join(PROJECT_ROOT, rel);
    assert.ok(fs.existsSync(file), `${rel} is missing: run npm run docs and commit it`);
    const committed = fs.readFileSync(file, 'utf8');
    if (committed !== content) {
      const a = committed.split('\n');
      const b = content.split('\n');
      const line = a.findIndex((l, i) => l !== b[i]);
      assert.fail(`${rel} is stale (first difference at line ${line + 1}): run npm run docs and commit the result`);
    }
  }
  // Nothing hand-written lives among the generated pages.
  const extra = fs.readdirSync(path.join(PROJECT_ROOT, 'docs/reference')).filter((f) => !pages.has(`docs/reference/${f}`));
  assert.deepEqual(extra, [], 'docs/reference/ holds only generated pages');
});

test('docs/reference: the generator is deterministic (two generations are equal)', async () => {
  assert.deepEqual(await referencePages(), await referencePages());
});

test('config schema: every variable has a description; every variable marked secret is scrubbed from outputs', () => {
  for (const [name, schema] of Object.entries(envSchema.shape)) {
    assert.ok(variableMeta(schema).description?.trim(), `${name} has no .describe(): its reference row would be empty`);
  }
  const secrets = Object.entries(envSchema.shape).filter(([, s]) => variableMeta(s).secret).map(([n]) => n);
  assert.ok(secrets.length >= 6, `secrets: ${secrets.join(', ')}`);
  // A value for each secret variable: each must come back from secretsOf (what every output is scrubbed of).
  const values: Record<string, string> = {
    CREDLINK_API_KEYS: 'canary-api-key-0123456789',
    DATABASE_URL: 'postgres://monitor:canary-db-password-42@127.0.0.1:5432/credlink',
    CREDLINK_SLACK_WEBHOOK_URL: 'https://hooks.slack.example/services/canary-slack-path',
    CREDLINK_PAGERDUTY_ROUTING_KEY: 'canary-routing-key-0123',
    PROMETHEUS_TOKEN: 'canary-prometheus-token',
    CREDLINK_RESTRICTED_API_KEY: 'canary-restricted-key-99',
  };
  assert.deepEqual([...secrets].sort(), Object.keys(values).sort(), 'a new secret variable needs a value here and a place in secretsOf');
  const config = parseEnv({ CREDLINK_BASE_URL: 'https://api.example', PROMETHEUS_URL: 'https://prom.example', ...values }, { env: 'docs', file: 'docs.env', processEnv: {} });
  const scrubbed = secretsOf(config);
  for (const [name, value] of Object.entries(values)) {
    const secret = name === 'DATABASE_URL' ? 'canary-db-password-42' : value;
    assert.ok(scrubbed.includes(secret), `${name} is marked secret but secretsOf does not list its value`);
  }
});

test('process variables: every variable config/ reads from the process environment is declared in config/process-variables.ts', () => {
  // Read by the tool for its own plumbing, not a user setting: the resolved configuration handed to
  // Playwright, npm's marker, the terminal type, and CI (read, changes nothing).
  const internal = new Set(['CREDLINK_RESOLVED_CONFIG', 'npm_command', 'TERM', 'CI']);
  const declared = new Set(processVariables.map((v) => v.name));
  const read = new Set<string>();
  for (const f of fs.readdirSync(path.join(PROJECT_ROOT, 'config')).filter((f) => f.endsWith('.ts'))) {
    const text = fs.readFileSync(path.join(PROJECT_ROOT, 'config', f), 'utf8');
    for (const m of text.matchAll(/process(?:Env|\.env)(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[['"]([A-Za-z_][A-Za-z0-9_]*)['"]\])/g)) read.add(m[1] ?? m[2]!);
  }
  read.add('CREDLINK_RUNBOOK_URL').add('CREDLINK_RUNBOOK_PATH'); // read through RUNBOOK_VARS
  for (const name of read) if (!internal.has(name)) assert.ok(declared.has(name), `${name} is read from the process environment but not declared in config/process-variables.ts`);
  for (const name of declared) assert.ok(read.has(name), `${name} is declared but config/ never reads it`);
});
