/**
 * `credlink-checks load`: refuses production before sending a request, says how to get k6 when
 * it is missing, and maps k6's threshold failure (exit 99 + summary) to runbook sections.
 * k6 cannot be installed here (NOTES): the last test puts a stand-in `k6` on PATH that does
 * what k6 does at the end of a failed run (writes the summary handleSummary would, exits 99).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { cli, tempDir } from '../helpers/harness.ts';

let server: http.Server;
let hits = 0;
let dir: string;
let url: string;

before(async () => {
  server = http.createServer((_req, res) => {
    hits += 1;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  dir = tempDir('credlink-load-');
});
after(async () => {
  await new Promise((r) => server.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

function envFile(name: string, production: boolean): string {
  const file = path.join(dir, `${name}.env`);
  fs.writeFileSync(file, `CREDLINK_BASE_URL=${url}\nCREDLINK_API_KEYS=\${LOAD_TEST_KEY}\nCREDLINK_PRODUCTION=${production}\n`);
  return file;
}
const keyEnv = { LOAD_TEST_KEY: 'clk_load_test_key_not_real' };

test('load --env production exits 4 before anything else (no env file needed)', async () => {
  const r = await cli(['load', '--env', 'production', '--scenario', 'smoke']);
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, /refusing to load-test "production"/);
});

test('an env file marked CREDLINK_PRODUCTION=true is refused too, with zero requests sent', async () => {
  const r = await cli(['load', '--env-file', envFile('prod-like', true), '--scenario', 'p95', '--reports-dir', dir], { env: keyEnv });
  assert.equal(r.code, 4, r.stderr);
  assert.equal(hits, 0);
});

test('k6 not on PATH: exit 3 with how to get it', async () => {
  const r = await cli(['load', '--env-file', envFile('staging', false), '--scenario', 'smoke', '--reports-dir', dir], { env: { ...keyEnv, PATH: path.join(dir, 'empty') } });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /k6 is not on PATH: install k6 >= 0\.57/);
  assert.match(r.stderr, /deploy\/k6-testrun\.yaml/);
  assert.equal(hits, 0);
});

test('an unknown scenario is a usage error (exit 2)', async () => {
  const r = await cli(['load', '--env-file', envFile('staging', false), '--scenario', 'stress']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--scenario must be one of smoke, p95, spike, soak/);
});

test('k6 exit 99: failed thresholds are mapped to runbook sections and severities (exit 1)', async () => {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const summary = {
    scenario: 'p95',
    metrics: {
      'http_req_duration{credlink_probe:yes}': { type: 'trend', values: { 'p(95)': 6100 }, thresholds: { 'p(95)<2000': { ok: false }, 'p(95)<5000': { ok: false } } },
      'http_req_failed{credlink_probe:yes}': { type: 'rate', values: { rate: 0.03 }, thresholds: { 'rate<0.01': { ok: false }, 'rate<0.05': { ok: true } } },
      dropped_iterations: { type: 'counter', values: { count: 0 } },
    },
  };
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary));
  fs.writeFileSync(
    path.join(bin, 'k6'),
    `#!/bin/sh\nwhile [ $# -gt 0 ]; do case "$1" in CREDLINK_RUN_DIR=*) d="\${1#CREDLINK_RUN_DIR=}";; esac; shift; done\ncp "${path.join(dir, 'summary.json')}" "$d/k6-summary.json"\nexit 99\n`,
    { mode: 0o755 },
  );
  const r = await cli(['load', '--env-file', envFile('staging', false), '--scenario', 'p95', '--reports-dir', dir], { env: { ...keyEnv, PATH: `${bin}:/usr/bin:/bin` } });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /SEV-1 perf\.latency: http_req_duration\{credlink_probe:yes\} p\(95\)<5000 failed: p\(95\) = 6100/);
  assert.match(r.stdout, /runbook: Incident: Slow Response Times \(#incident-slow-response-times\)/);
  assert.match(r.stdout, /SEV-2 perf\.error-rate: .* rate = 0\.03/);
  assert.match(r.stdout, /runbook: Incident: High Error Rate \(5xx Responses\)/);
  assert.doesNotMatch(r.stdout + r.stderr, /clk_load_test_key_not_real/);
});
