/**
 * The latency probe started beside the checks (src/perf/probe-run.ts startProbe): a check that
 * needs the samples while it runs waits for them instead of sending its own; with no probe
 * started, or one that was stopped, the check samples itself. Against a real loopback server.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseEnv, type ResolvedConfig } from '../../config/index.ts';
import { PROBE_CACHE, PROBE_PENDING, sampleEndpoints, startProbe } from '../../src/perf/probe-run.ts';
import { tempDir } from '../helpers/harness.ts';

let server: http.Server;
let hits = 0;
let baseUrl = '';
const dirs: string[] = [];

before(async () => {
  server = http.createServer((_req, res) => {
    hits += 1;
    res.writeHead(200).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
after(async () => {
  await new Promise((r) => server.close(r));
  dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

function config(): ResolvedConfig {
  const runDir = tempDir('credlink-probe-');
  dirs.push(runDir);
  const c = parseEnv(
    { CREDLINK_BASE_URL: baseUrl, CREDLINK_API_KEYS: 'k-123456789', CREDLINK_RATE_LIMIT: 'none', CREDLINK_PROBE_PATHS: '/a', CREDLINK_PROBE_SAMPLES: '20', CREDLINK_PROBE_RATE: '50' },
    { env: 'test', file: 'tests/probe.env', processEnv: {} },
  );
  return { ...c, runDir };
}

test('a check waits for the probe started beside it and judges its samples: one round of traffic', async () => {
  const c = config();
  hits = 0;
  const started = startProbe(c);
  assert.ok(fs.existsSync(path.join(c.runDir!, PROBE_PENDING)), 'the run folder says a probe is running');
  const judged = await sampleEndpoints(c);
  await started;
  assert.equal(hits, 20, 'the check sent nothing of its own');
  assert.equal(judged.endpoints[0]!.samples.length, 20);
  assert.ok(!fs.existsSync(path.join(c.runDir!, PROBE_PENDING)));
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(c.runDir!, PROBE_CACHE), 'utf8')), judged);
});

test('without a probe started, or after one was stopped, the check samples itself', async () => {
  const alone = config();
  hits = 0;
  assert.equal((await sampleEndpoints(alone)).endpoints[0]!.samples.length, 20);
  assert.equal(hits, 20);

  const c = config();
  const stop = new AbortController();
  stop.abort();
  hits = 0;
  await startProbe(c, stop.signal);
  assert.ok(!fs.existsSync(path.join(c.runDir!, PROBE_CACHE)), 'a stopped probe stores nothing');
  assert.ok(!fs.existsSync(path.join(c.runDir!, PROBE_PENDING)));
  const own = await sampleEndpoints(c);
  assert.equal(own.endpoints[0]!.samples.length, 20);
  assert.equal(hits, 20);
});

test('a probe that announced its end and is not done by then is not waited for any longer', async () => {
  const c = config();
  fs.writeFileSync(path.join(c.runDir!, PROBE_PENDING), String(Date.now() + 300));
  hits = 0;
  const t0 = Date.now();
  const own = await sampleEndpoints(c);
  assert.ok(Date.now() - t0 >= 300, 'waited until the announced end');
  assert.equal(own.endpoints[0]!.samples.length, 20);
  assert.equal(hits, 20);
});
