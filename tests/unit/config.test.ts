import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig, parseEnv, secretsOf } from '../../config/index.ts';
import { ConfigError } from '../../src/errors.ts';
import { tempDir } from '../helpers/harness.ts';
import { deriveKeys } from '../../src/security/derived-keys.ts';

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

test('config: secrets include API keys, the keys derived from the probe key, and the database password, decoded', () => {
  const c = parseEnv(
    { CREDLINK_BASE_URL: 'https://x.example', CREDLINK_API_KEYS: 'key-aaaa,key-bbbb', DATABASE_URL: 'postgres://mon:p%40ss-word@db:5432/x' },
    ctx,
  );
  const secrets = secretsOf(c);
  for (const s of ['key-aaaa', 'key-bbbb', 'p%40ss-word', 'p@ss-word', 'KEY-AAAA', 'key-aaa', 'ey-aaaa', 'key-aaab']) assert.ok(secrets.includes(s), s);
  // Every derived key the derived-keys check sends is scrubbed (whitespace-wrapped ones contain the key).
  for (const d of deriveKeys('key-aaaa')) assert.ok(secrets.some((x) => d.key.includes(x)), d.name);
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

const remote = { CREDLINK_BASE_URL: 'https://x.example', CREDLINK_API_KEYS: 'k-123456789' };

test('config: requests described fully: multipart protected call, probes inherit what they do not set', () => {
  const c = parseEnv(
    {
      ...remote,
      CREDLINK_PROTECTED_PATH: '/sign',
      CREDLINK_PROTECTED_HEADERS: 'Accept: application/json; X-Client: credlink-checks\\; monitor',
      CREDLINK_PROTECTED_FORM: 'image=@png; title=credlink-checks probe',
      CREDLINK_PROTECTED_SUCCESS: '200,201',
      CREDLINK_VALID_KEY_PROBE_PATH: '/verify',
      CREDLINK_RESTRICTED_KEY_PROBE_BODY: '{"document":"x"}',
    },
    ctx,
  );
  const r = c.security.requests;
  assert.deepEqual(r.protected, {
    method: 'POST',
    path: '/sign',
    headers: { accept: 'application/json', 'x-client': 'credlink-checks; monitor' },
    body: { kind: 'multipart', fields: { title: 'credlink-checks probe' }, files: [{ field: 'image', type: 'png' }] },
    success: ['200', '201'],
  });
  assert.equal(r.validKey.path, '/verify');
  assert.deepEqual(r.validKey.body, r.protected.body);
  assert.deepEqual(r.validKey.success, ['200', '201']);
  assert.deepEqual(r.restrictedKey.body, { kind: 'json', json: '{"document":"x"}' });
  assert.deepEqual(r.restrictedKey.success, ['403']);
  assert.deepEqual(c.security.keyIn, [{ kind: 'header', name: 'X-API-Key' }]);
});

test('config: every request, key-place and rate-limit problem is reported at once, naming the variable', () => {
  const lines = problems({
    ...remote,
    CREDLINK_PROTECTED_BODY: '{"a":1}',
    CREDLINK_PROTECTED_FORM: 'image=@gif',
    CREDLINK_VALID_KEY_PROBE_HEADERS: 'Authorization: Bearer x',
    CREDLINK_RESTRICTED_KEY_PROBE_BODY: '{not json',
    CREDLINK_PROTECTED_SUCCESS: '2xx,abc',
    CREDLINK_API_KEY_IN: 'cookie:session',
    CREDLINK_RATE_LIMIT: '100 per minute',
    CREDLINK_RATE_LIMIT_PATHS: 'sign=10/min',
    CREDLINK_STATUS_PATH: 'nowhere',
  });
  const vars = lines.map((l) => l.split(' ')[1]);
  for (const v of ['CREDLINK_PROTECTED_FORM', 'CREDLINK_VALID_KEY_PROBE_HEADERS', 'CREDLINK_RESTRICTED_KEY_PROBE_BODY', 'CREDLINK_PROTECTED_SUCCESS', 'CREDLINK_API_KEY_IN', 'CREDLINK_RATE_LIMIT', 'CREDLINK_RATE_LIMIT_PATHS', 'CREDLINK_STATUS_PATH']) {
    assert.ok(vars.includes(v), `${v} in:\n${lines.join('\n')}`);
  }
  assert.ok(lines.some((l) => /@gif.*@png or @jpeg/.test(l)));
  assert.ok(lines.some((l) => /sets Authorization: the checks send keys themselves/.test(l)));
  for (const l of lines) assert.match(l, /^environments\/staging\.env: [A-Z_]+ /);
  // Cross-field problems come with the rest once each variable is well-formed.
  const cross = problems({ ...remote, CREDLINK_PROTECTED_BODY: '{"a":1}', CREDLINK_PROTECTED_FORM: 'image=@png', CREDLINK_VALID_KEY_PROBE_METHOD: 'GET', CREDLINK_VALID_KEY_PROBE_BODY: '{}', CREDLINK_API_KEY_IN: 'header:X-Key', CREDLINK_PROTECTED_HEADERS: 'X-Key: fixed' });
  assert.equal(cross.length, 3, cross.join('\n'));
  assert.ok(cross.some((l) => /CREDLINK_PROTECTED_BODY and CREDLINK_PROTECTED_FORM are both set/.test(l)));
  assert.ok(cross.some((l) => /CREDLINK_VALID_KEY_PROBE_METHOD is GET, which carries no body/.test(l)));
  assert.ok(cross.some((l) => /CREDLINK_PROTECTED_HEADERS sets x-key/i.test(l)));
});

test('config: key places, rate limits, absent endpoints and health fields', () => {
  const c = parseEnv(
    {
      ...remote,
      CREDLINK_API_KEY_IN: 'header:X-API-Key, bearer, query:api_key',
      CREDLINK_RATE_LIMIT: '100/min',
      CREDLINK_RATE_LIMIT_PATHS: '/sign=10/min per key, /verify=30/60s',
      CREDLINK_STATUS_PATH: 'none',
      CREDLINK_API_HEALTH_PATH: 'NONE',
      CREDLINK_HEALTH_REQUIRED_FIELDS: 'version, checks.cache',
      CREDLINK_AUTH_FAIL_LIMIT_REQUIRED: 'true',
    },
    ctx,
  );
  assert.deepEqual(c.security.keyIn, [{ kind: 'header', name: 'X-API-Key' }, { kind: 'bearer' }, { kind: 'query', name: 'api_key' }]);
  assert.deepEqual(c.rateLimits, {
    client: { limit: 100, windowS: 60 },
    paths: [{ path: '/sign', limit: 10, windowS: 60, perKey: true }, { path: '/verify', limit: 30, windowS: 60, perKey: false }],
  });
  assert.deepEqual(c.paths, { health: '/health', status: null, apiHealth: null });
  assert.deepEqual(c.probe?.paths, ['/health'], 'absent paths are not probed');
  assert.deepEqual(c.health.requiredFields, ['version', 'checks.cache']);
  assert.equal(c.security.authFailLimit.required, true);
  const none = parseEnv({ ...remote, CREDLINK_RATE_LIMIT: 'none', CREDLINK_PROTECTED_PATH: 'none' }, ctx);
  assert.equal(none.rateLimits.client, null);
  assert.equal(none.protectedEndpoint.path, null);
  assert.equal(none.security.requests.validKey.path, null, 'the probes inherit the absent path');
  // Defaults: safe for 100 requests a minute; the runbook's health fields only.
  const d = parseEnv(remote, ctx);
  assert.deepEqual(d.rateLimits, { client: { limit: 100, windowS: 60 }, paths: [] });
  assert.deepEqual(d.health.requiredFields, []);
});

test('config: the environment name comes from the file name; a bad one names the file and a fix', () => {
  const dir = tempDir();
  const good = path.join(dir, 'staging-eu.env');
  fs.writeFileSync(good, 'CREDLINK_TARGET=embedded\n');
  assert.equal(loadConfig({ file: good, processEnv: {} }).env, 'staging-eu');
  const bad = path.join(dir, 'Holdout_Env.env');
  fs.writeFileSync(bad, 'CREDLINK_TARGET=embedded\n');
  assert.throws(
    () => loadConfig({ file: bad, processEnv: {} }),
    (e: ConfigError) => /Holdout_Env\.env: the environment name "Holdout_Env" comes from the file name .*rename it to holdout-env\.env/.test(e.lines[0]!),
  );
  fs.rmSync(dir, { recursive: true, force: true });
});

test('config: CREDLINK_LOCATION comes from the process, is validated, and is no environment-file variable', () => {
  const base = { CREDLINK_BASE_URL: 'https://staging.example', CREDLINK_API_KEYS: '${STAGING_KEY}' };
  const at = (location: string) => ({ ...ctx, processEnv: { ...ctx.processEnv, CREDLINK_LOCATION: location } });
  assert.equal(parseEnv(base, ctx).location, undefined, 'unset: the run records the default');
  assert.equal(parseEnv(base, at('us-east-1')).location, 'us-east-1');
  assert.deepEqual(problems(base, at('eu west')), [
    'CREDLINK_LOCATION (process environment) "eu west" must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. eu, us-east-1)',
  ]);
  assert.deepEqual(problems({ ...base, CREDLINK_LOCATION: 'eu' }), [
    'environments/staging.env: CREDLINK_LOCATION is where the monitor runs, not a property of the environment: set it in the process environment (or "location" in schedule.json)',
  ]);
});
