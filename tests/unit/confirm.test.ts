/**
 * Confirmation before "down" (src/probes/confirm.ts through send()) and the per-test answer
 * recorder (src/http/answers.ts), against a real HTTP server on loopback.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { after, before, test } from 'node:test';
import { HttpClient } from '../../src/http/client.ts';
import { openAnswerSink } from '../../src/http/answers.ts';
import { RunConfirmations } from '../../src/http/confirmed-down.ts';
import { confirm } from '../../src/probes/confirm.ts';
import { intermittentFailures, send } from '../../src/probes/http.ts';
import { tempDir } from '../helpers/harness.ts';

/** Per path: the statuses to answer in turn (the last one repeats). */
const script = new Map<string, number[]>();
let server: http.Server;
let api: HttpClient;
let hits: Record<string, number> = {};

before(async () => {
  server = http.createServer((req, res) => {
    const p = (req.url ?? '/').split('?')[0]!;
    hits[p] = (hits[p] ?? 0) + 1;
    const list = script.get(p) ?? [200];
    const status = list[Math.min(hits[p]! - 1, list.length - 1)]!;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api = new HttpClient({ baseUrl: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, timeoutMs: 2000 });
});
after(async () => {
  await api?.dispose();
  await new Promise((r) => server.close(r));
});

test('send: a single 500 is asked again and counts as the 200 that followed, with the failure kept as intermittent', async () => {
  hits = {};
  script.set('/one-blip', [500, 200]);
  const s = await send(api, { path: '/one-blip' });
  assert.equal(s.status, 200);
  assert.deepEqual(s.attempts?.map((a) => a.status), [500, 200]);
  assert.equal(intermittentFailures(s).length, 1);
  assert.equal(hits['/one-blip'], 2);
});

test('send: a persistent 503 is confirmed (three answers) and stays a failure', async () => {
  hits = {};
  script.set('/down', [503]);
  const s = await send(api, { path: '/down' });
  assert.equal(s.status, 503);
  assert.deepEqual(s.attempts?.map((a) => a.status), [503, 503, 503]);
  assert.deepEqual(intermittentFailures(s), []);
});

test('send: a success or a 4xx is never asked again', async () => {
  hits = {};
  script.set('/missing', [404]);
  const ok = await send(api, { path: '/fine' });
  const missing = await send(api, { path: '/missing' });
  assert.equal(ok.attempts, undefined);
  assert.equal(missing.status, 404);
  assert.equal(missing.attempts, undefined);
  assert.deepEqual(hits, { '/fine': 1, '/missing': 1 });
});

test('send: no answer (connection refused) is confirmed too, and reported as no answer', async () => {
  const dead = new HttpClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 2000 });
  try {
    const sink = openAnswerSink(10_000);
    const s = await send(dead, { path: '/health' });
    const seen = sink.close();
    assert.equal(s.status, null);
    assert.equal(s.attempts?.length, 3);
    assert.deepEqual(seen, [{ call: 'GET /health', status: null, class: 'no-answer', count: 3 }]);
  } finally {
    await dead.dispose();
  }
});

test('answers: the sink keeps every non-success answer per call and status, with counts; successes are not recorded', async () => {
  hits = {};
  script.set('/sign', [401]);
  script.set('/flaky', [502, 200]);
  const sink = openAnswerSink(10_000);
  await send(api, { path: '/fine' });
  await send(api, { method: 'POST', path: '/sign?x=1', data: '{}' });
  await send(api, { method: 'POST', path: '/sign', data: '{}' });
  await send(api, { path: '/flaky' });
  const seen = sink.close();
  assert.deepEqual(seen, [
    { call: 'POST /sign', status: 401, class: 'auth', count: 2 },
    { call: 'GET /flaky', status: 502, class: 'server-error', count: 1 },
  ]);
  // Closed: nothing more is recorded.
  await send(api, { path: '/missing' });
  assert.deepEqual(sink.close(), seen);
});

test('confirm: a re-ask starts only when the budget can hold it; a recovered answer ends the re-asks', async () => {
  const failure = { ms: 400, failed: true };
  let calls = 0;
  const again = async () => {
    calls += 1;
    return failure;
  };
  const none = await confirm(failure, again, (x) => x.failed, { spacingMs: [10, 10], budgetMs: 300 });
  assert.equal(calls, 0, 'a 400 ms attempt does not fit in 300 ms');
  assert.equal(none.final, failure);
  const all = await confirm(failure, again, (x) => x.failed, { spacingMs: [1, 1], budgetMs: 60_000 });
  assert.equal(all.attempts.length, 3);
  const recovered = await confirm(failure, async () => ({ ms: 1, failed: false }), (x) => x.failed, { spacingMs: [1, 1, 1], budgetMs: 60_000 });
  assert.deepEqual(recovered.attempts.map((a) => a.failed), [true, false]);
  assert.equal(recovered.final.failed, false);
});

test('send: once a call is confirmed down in a check, its further requests count as they come', async () => {
  hits = {};
  script.set('/dead', [503]);
  const sink = openAnswerSink(10_000);
  const first = await send(api, { path: '/dead' });
  const second = await send(api, { path: '/dead' });
  sink.close();
  assert.equal(first.attempts?.length, 3);
  assert.equal(second.attempts, undefined);
  assert.equal(hits['/dead'], 4);
});

test('send: a call confirmed down by one check is not confirmed again by the run\'s later checks (shared through the run folder)', async () => {
  hits = {};
  script.set('/gone', [503]);
  script.set('/other', [503, 200]);
  const runDir = tempDir('credlink-confirm-');
  try {
    // Two checks, in two processes' worth of state: each has its own RunConfirmations on the same folder.
    const first = openAnswerSink(10_000, RunConfirmations.forRun(runDir));
    const a = await send(api, { path: '/gone' });
    first.close();
    const second = openAnswerSink(10_000, RunConfirmations.forRun(runDir));
    const b = await send(api, { path: '/gone' });
    const c = await send(api, { path: '/other' });
    const seen = second.close();
    assert.equal(a.attempts?.length, 3, 'the first check confirms');
    assert.equal(b.status, 503);
    assert.equal(b.attempts, undefined, 'the later check counts the failure as it comes');
    assert.equal(hits['/gone'], 4);
    assert.deepEqual(seen.find((x) => x.call === 'GET /gone'), { call: 'GET /gone', status: 503, class: 'server-error', count: 1 });
    assert.equal(c.status, 200, 'another call is still confirmed: its blip was intermittent');
    assert.equal(c.attempts?.length, 2);
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true });
  }
});

test('send: once every health endpoint is confirmed down (an outage), a failure of any other call counts as it comes', async () => {
  hits = {};
  script.set('/h1', [503]);
  script.set('/h2', [503]);
  script.set('/sign', [503]);
  const runDir = tempDir('credlink-confirm-');
  try {
    const shared = () => RunConfirmations.forRun(runDir, ['GET /h1', 'GET /h2']);
    const one = openAnswerSink(10_000, shared());
    await send(api, { path: '/h1' });
    one.close();
    const two = openAnswerSink(10_000, shared());
    const before = await send(api, { method: 'POST', path: '/sign', data: '{}' });
    await send(api, { path: '/h2' });
    two.close();
    assert.equal(before.attempts?.length, 3, 'one health endpoint down is not an outage: other calls are still confirmed');
    const three = openAnswerSink(10_000, shared());
    const after = await send(api, { method: 'DELETE', path: '/sign' });
    three.close();
    assert.equal(after.status, 503);
    assert.equal(after.attempts, undefined, 'every health endpoint down: the outage explains it');
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true });
  }
});
