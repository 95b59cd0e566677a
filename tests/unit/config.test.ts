import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig, parseEnv, secretsOf } from '../../config/index.ts';
import { ConfigError } from '../../src/errors.ts';
import { tempDir } from '../helpers/harness.ts';

const ctx = { env: 'staging', file: 'environments/staging.env', processEnv: { STAGING_KEY: 'k-123456789' } };

function problems(vars: Record<string, string>, c = ctx): string[] {
  try {
    parseEnv(vars, c);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.lines;
  }
  return [];
}

test('config: a complete remote environment resolves with runbook defaults', () => {
  const c = parseEnv({ CREDLINK_BASE_URL: 'https://staging.example/', CREDLINK_API_KEYS: '${STAGING_KEY}' }, ctx);
  assert.equal(c.baseUrl, 'https://staging.example');
  assert.deepEqual(c.apiKeys, ['k-123456789']);
  assert.deepEqual(c.thresholds.responseTimeMs, { warning: 2000, critical: 5000 });
  assert.deepEqual(c.thresholds.errorRate, { warning: 0.01, critical: 0.05 });
  assert.deepEqual(c.thresholds.memoryRatio, { warning: 0.8, critical: 0.95 });
  assert.deepEqual(c.thresholds.cpuRatio, { warning: 0.7, critical: 0.9 });
  assert.deepEqual(c.thresholds.dbConnectionsRatio, { warning: 0.8, critical: 0.95 });
  assert.equal(c.paths.health, '/health');
  assert.equal(c.kube, undefined);
  assert.equal(c.failOn, 'SEV-3');
});

test('config: every problem is reported at once, one line each, naming file and variable', () => {
  const lines = problems({
    CREDLINK_BASE_URL: 'ftp://x',
    CREDLINK_HEALTH_PATH: 'health',
    CREDLINK_RESPONSE_WARN_MS: 'fast',
    CREDLINK_BASEURL: 'https://typo',
    DATABASE_URL: 'mysql://x',
    CREDLINK_API_KEYS: '${MISSING_SECRET}',
  });
  assert.equal(lines.length, 6, lines.join('\n'));
  for (const l of lines) assert.match(l, /^environments\/staging\.env: [A-Z_]+ /);
  assert.ok(lines.some((l) => l.includes('did you mean CREDLINK_BASE_URL')));
  assert.ok(lines.some((l) => l.includes('${MISSING_SECRET}') && l.includes('export MISSING_SECRET')));
});

test('config: remote needs a base URL and keys; example values are refused', () => {
  assert.deepEqual(problems({}).map((l) => l.split(' ')[1]), ['CREDLINK_BASE_URL', 'CREDLINK_API_KEYS']);
  assert.match(problems({ CREDLINK_BASE_URL: 'https://x.example', CREDLINK_API_KEYS: 'REPLACE_ME' })[0]!, /example value/);
});

test('config: empty string means unset, thresholds must be ordered', () => {
  const c = parseEnv({ CREDLINK_TARGET: 'embedded', DATABASE_URL: '', KUBE_NAMESPACE: ' ' }, ctx);
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.kube, undefined);
  assert.match(problems({ CREDLINK_TARGET: 'embedded', CREDLINK_RESPONSE_WARN_MS: '6000' })[0]!, /must not exceed/);
});

test('config: secrets include API keys and the database password, decoded', () => {
  const c = parseEnv(
    { CREDLINK_BASE_URL: 'https://x.example', CREDLINK_API_KEYS: 'key-aaaa,key-bbbb', DATABASE_URL: 'postgres://mon:p%40ss-word@db:5432/x' },
    ctx,
  );
  assert.deepEqual(secretsOf(c).sort(), ['key-aaaa', 'key-bbbb', 'p%40ss-word', 'p@ss-word'].sort());
});

test('config: a missing env file names the example to copy', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'prod.env.example'), 'CREDLINK_TARGET=remote\n');
  assert.throws(() => loadConfig({ file: path.join(dir, 'prod.env') }), (e: ConfigError) => /copy .*prod\.env\.example/.test(e.lines[0]!));
});

test('config: the shipped local environment is valid and embedded', () => {
  const c = loadConfig({ env: 'local', processEnv: {} });
  assert.equal(c.target, 'embedded');
});
