/**
 * Bounded runs whatever the target does. Two hostile loopback targets: one accepts connections
 * and never answers, one answers 200 and streams its body forever. Each run must END, with its
 * verdict (the test's timeout is a guard against a hang, not a measurement: the proof is what the
 * run did, not how long it took): once the base URL does not
 * answer, the remaining HTTP checks end at once as "no answer" (src/http/reachability.ts), and
 * bodies are read up to a cap (src/http/client.ts). Diagnostics are collected once per run and
 * shared by every failing check (src/diagnostics/shared.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { readReportFile } from '../../src/reporter/read.ts';
import { UNANSWERED_FILE } from '../../src/http/reachability.ts';
import { cli, startHarness, tempDir } from '../helpers/harness.ts';

const dir = tempDir('credlink-bounded-');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function listen(server: net.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

function envFile(name: string, baseUrl: string, extra = ''): string {
  const file = path.join(dir, `${name}.env`);
  // The hostile targets declare no rate limit: pacing by the default budget (100/min) would stretch
  // the run and is not what these tests are about (tests/unit/request-budget.test.ts is).
  fs.writeFileSync(file, `CREDLINK_BASE_URL=${baseUrl}\nCREDLINK_API_KEYS=clk_hostile_0123456789abcdef\nCREDLINK_RATE_LIMIT=none\n${extra}`);
  return file;
}

async function runAgainst(name: string, baseUrl: string, extra?: string) {
  const reports = path.join(dir, `reports-${name}`);
  const r = await cli(['run', '--env-file', envFile(name, baseUrl, extra), '--reports-dir', reports]);
  const runDir = /report: (.+)\/index\.html/.exec(r.stdout)?.[1];
  assert.ok(runDir, `${r.stdout}\n${r.stderr}`);
  return { r, runDir, report: readReportFile(path.join(runDir, 'runbook.json'))! };
}

test('a silent target (accepts, never answers): the run ends with its verdict', { timeout: 180_000 }, async () => {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  const url = await listen(server);
  try {
    // A 3 s request deadline: the run waits for one request and one liveness request before it
    // knows, so the machine's load weighs less in the bound (with the default 10 s the run
    // measured 38-56 s on a loaded 2-core machine). Without that knowledge each of the ~60
    // requests of the HTTP checks would wait its 3 s: far beyond the bound.
    const { r, runDir, report } = await runAgainst('silent', url, 'CREDLINK_REQUEST_TIMEOUT_MS=3000\n');
    assert.equal(r.code, 1, r.stderr);
    assert.equal(report.verdict.status, 'findings');
    const root = report.findings.find((f) => f.checkId === 'health.root');
    assert.match(root?.message ?? '', /no answer within \d+ ms/);
    // Found not answering once, confirmed, and every later HTTP check ended without waiting.
    const note = JSON.parse(fs.readFileSync(path.join(runDir, UNANSWERED_FILE), 'utf8')) as { line: string };
    assert.match(note.line, /^the base URL does not answer/);
    assert.ok(report.findings.filter((f) => /not sent: the base URL does not answer/.test(f.message)).length >= 3, report.findings.map((f) => f.message).join('\n'));
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
});

test('a target that streams its body forever: bodies are read up to a cap, the run ends with its verdict', { timeout: 180_000 }, async () => {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const t = setInterval(() => res.write(chunk), 5);
    res.on('close', () => clearInterval(t));
  });
  const url = await listen(server);
  try {
    const { r, report } = await runAgainst('stream', url);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(report.verdict.status, 'findings');
    // The health endpoint answered (200, body cut at the cap): its document is what fails.
    assert.ok(!report.findings.some((f) => f.checkId === 'health.root'), 'GET /health answered 200');
    assert.match(report.findings.find((f) => f.checkId === 'health.document')?.message ?? '', /\[BODY\]/);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('diagnostics are collected once per run, shared by every failing check', { timeout: 120_000 }, async () => {
  const h = await startHarness({}, {}, { kube: true });
  try {
    const logReads = () => h.kube!.requests().filter((q) => q.path.endsWith('/log')).length;
    const before = logReads();
    const { report, runDir } = await h.run({ 'service-unavailable': true }, '@health\\.|@k8s\\.pods');
    // Several failing checks whose runbook sections read pod logs ...
    const withLogs = report.findings.filter((f) => f.evidence.some((e) => e.name === 'logs of unready or restarting pods' || /^kubectl logs/.test(e.command ?? '')));
    assert.ok(withLogs.length >= 3, `${withLogs.length} findings carry the logs`);
    // ... and the logs of the (at most 3) unready pods were read once.
    const reads = logReads() - before;
    assert.ok(reads > 0 && reads <= 3, `${reads} pod log reads for ${withLogs.length} findings`);
    assert.deepEqual(fs.readdirSync(path.join(runDir, 'diagnostics')).filter((f) => f.endsWith('.json')).sort(), [...new Set(fs.readdirSync(path.join(runDir, 'diagnostics')).filter((f) => f.endsWith('.json')))].sort());
  } finally {
    await h.stop();
  }
});
