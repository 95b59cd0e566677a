import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEnv } from '../../config/index.ts';
import { ConfigError } from '../../src/errors.ts';

const ctx = { env: 'green', file: 'environments/green.env', processEnv: { KEY: 'k-123456789' } };
const base = { CREDLINK_BASE_URL: 'https://green.example', CREDLINK_API_KEYS: '${KEY}' };

test('perf config: probe, baseline defaults; Prometheus off without PROMETHEUS_URL', () => {
  const c = parseEnv(base, ctx);
  assert.deepEqual(c.probe, { samples: 100, rate: 20, maxInFlight: 64, paths: ['/health', '/api/v1/status', '/api/v1/health'], dbSamples: 60 });
  assert.deepEqual(c.baseline, { env: 'green', runs: 5, minDeltaMs: 50 });
  assert.equal(c.prometheus, undefined);
});

test('perf config: green validated against blue; Prometheus names are configuration', () => {
  const c = parseEnv(
    { ...base, CREDLINK_BASELINE_ENV: 'blue', CREDLINK_PROBE_PATHS: '/health, /ready', PROMETHEUS_URL: 'http://prom:9090/', CREDLINK_PROM_STATUS_LABEL: 'status_code' },
    ctx,
  );
  assert.equal(c.baseline?.env, 'blue');
  assert.deepEqual(c.probe?.paths, ['/health', '/ready']);
  assert.equal(c.prometheus?.url, 'http://prom:9090');
  assert.equal(c.prometheus?.statusLabel, 'status_code');
  assert.equal(c.prometheus?.window, '5m');
  assert.match(c.prometheus!.memoryQuery ?? '', /container_memory_usage_bytes/);
});

test('perf config: a Prometheus query or metric can be declared absent (none); a bad metric name is still refused', () => {
  const c = parseEnv({ ...base, PROMETHEUS_URL: 'http://prom:9090', CREDLINK_PROM_MEMORY_QUERY: 'none', CREDLINK_PROM_CPU_QUERY: ' None ', CREDLINK_PROM_DURATION_METRIC: 'none' }, ctx);
  assert.equal(c.prometheus?.memoryQuery, null);
  assert.equal(c.prometheus?.cpuQuery, null);
  assert.equal(c.prometheus?.durationMetric, null);
  assert.equal(c.prometheus?.requestsMetric, 'http_requests_total');
  assert.throws(() => parseEnv({ ...base, PROMETHEUS_URL: 'http://prom:9090', CREDLINK_PROM_REQUESTS_METRIC: 'http-requests' }, ctx), /CREDLINK_PROM_REQUESTS_METRIC/);
});

test('perf config: bad values are reported all at once', () => {
  try {
    parseEnv({ ...base, CREDLINK_PROBE_RATE: '0', CREDLINK_PROM_WINDOW: '5 minutes', CREDLINK_PROBE_PATHS: 'health', CREDLINK_PROM_STATUS_LABEL: 'status-code' }, ctx);
    assert.fail('expected a ConfigError');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    for (const v of ['CREDLINK_PROBE_RATE', 'CREDLINK_PROM_WINDOW', 'CREDLINK_PROBE_PATHS', 'CREDLINK_PROM_STATUS_LABEL']) {
      assert.ok(e.lines.some((l) => l.includes(v)), `${v} in ${e.lines.join(' | ')}`);
    }
  }
});

test('perf config: Prometheus credentials go in PROMETHEUS_TOKEN (a secret), never in the URL', async () => {
  const { secretsOf } = await import('../../config/index.ts');
  const c = parseEnv({ ...base, PROMETHEUS_URL: 'https://prom.example', PROMETHEUS_TOKEN: '${PROM_TOKEN}' }, { ...ctx, processEnv: { ...ctx.processEnv, PROM_TOKEN: 'tok-abcdefgh' } });
  assert.ok(secretsOf(c).includes('tok-abcdefgh'));
  assert.throws(() => parseEnv({ ...base, PROMETHEUS_URL: 'https://u:p@prom.example' }, ctx), /PROMETHEUS_URL must not carry credentials/);
});
