/**
 * `cutover` beside a monitor of green, through the real CLI against two real reference targets:
 * a monitor's state directory (a fresh window of green, its alert state) holding a still-valid
 * pass of the hourly failed-attempt check made after green started makes green's suite skip that
 * check, saying "reused"; a pass older than green's start is not reused (it may be of the build
 * before); with --state-dir none the check runs. The state directory is written in the daemon's
 * own formats (WindowStore, alerts.json as tests/unit/monitor-window.test.ts writes it), in a
 * temporary folder: never the checkout's .state/ or reports/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { WindowStore } from '../../src/monitor/store.ts';
import { startReferenceTarget, type ReferenceTarget } from '../../src/target/index.ts';
import { cli, HARNESS_AUTH_FAIL, HARNESS_LIMITS, tempDir } from '../helpers/harness.ts';

let blue: ReferenceTarget;
let green: ReferenceTarget;
let dir: string;

function envFile(name: string, t: ReferenceTarget): string {
  const lines: Record<string, string> = {
    CREDLINK_TARGET: 'remote',
    CREDLINK_BASE_URL: t.url,
    CREDLINK_API_KEYS: t.apiKeys.join(','),
    CREDLINK_RESTRICTED_API_KEY: t.restrictedApiKey,
    DATABASE_URL: t.monitorDatabaseUrl,
    CREDLINK_ALLOWED_ORIGINS: t.allowedOrigins.join(','),
    ...HARNESS_LIMITS,
  };
  const file = path.join(dir, `${name}.env`);
  fs.writeFileSync(file, Object.entries(lines).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
  return file;
}

before(async () => {
  dir = tempDir('credlink-cutover-reuse-');
  [blue, green] = await Promise.all([startReferenceTarget({ authFailLimit: HARNESS_AUTH_FAIL }), startReferenceTarget({ authFailLimit: HARNESS_AUTH_FAIL })]);
});
after(async () => {
  await Promise.all([blue?.stop(), green?.stop()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

const HOURLY = '@security\\.(auth-rate-limit|derived-keys-rejected)\\b';

/** A running monitor's state of green: its window saved just now, a pass of each hourly check `agoMs` ago. */
function monitorState(stateDir: string, agoMs: Record<string, number>): void {
  const now = Date.now();
  new WindowStore(stateDir, 'green').save({ baseUrl: green.url, windowMs: 1000, intervalMs: 1000, savedAt: now, windows: [] });
  const checks = Object.fromEntries(
    Object.entries(agoMs).map(([checkId, ago]) => [`green/${checkId}`, { env: 'green', checkId, failures: 0, lastRunAt: new Date(now - ago).toISOString(), lastSeverity: null, lastDurationMs: 1 }]),
  );
  fs.writeFileSync(path.join(stateDir, 'alerts.json'), JSON.stringify({ version: 2, incidents: {}, checks, outbox: [], delivered: [] }));
}

async function cutover(stateDir: string) {
  const reports = path.join(dir, 'reports');
  const r = await cli(['cutover', '--blue', envFile('blue', blue), '--green', envFile('green', green), '--grep', HOURLY, '--reports-dir', reports, '--state-dir', stateDir, '--samples', '100', '--rate', '20', '--batches', '1', '--jitter-floor-ms', '50', '--json']);
  const verdict = JSON.parse(r.stdout) as { reused?: { checkId: string }[]; greenReport: { runDir: string } };
  const report = JSON.parse(fs.readFileSync(path.join(verdict.greenReport.runDir, 'runbook.json'), 'utf8')) as { passed: { checkId: string }[]; skipped: { checkId: string; reason: string }[] };
  return { ...r, verdict, report };
}

test('cutover beside a monitor of green: its pass since green started is reused (skipped, said at start); one from before green started is not', { timeout: 240_000 }, async () => {
  // Green's uptime is whole seconds: let it be a few, so "since green started" is well defined.
  while ((await (await fetch(`${green.url}/api/v1/status`)).json() as { uptime: number }).uptime < 3) await new Promise((r) => setTimeout(r, 500));
  const stateDir = tempDir('credlink-cutover-state-');
  monitorState(stateDir, { 'security.auth-rate-limit': 1000, 'security.derived-keys-rejected': 30 * 60_000 });
  const r = await cutover(stateDir);
  assert.match(r.stderr, /^security\.auth-rate-limit: reused: the monitor's run of \d{4}-\d\d-\d\d \d\d:\d\d UTC passed it; valid until \d\d:\d\d UTC/m, r.stderr);
  assert.match(r.stderr, /^security\.derived-keys-rejected: runs: the monitor's pass of \d\d:\d\d UTC predates green's start/m, r.stderr);
  assert.deepEqual(r.verdict.reused?.map((x) => x.checkId), ['security.auth-rate-limit']);
  // The suite then has nothing to wait for (no probe, no limiter window): the comparison measures first, on a quiet machine.
  assert.match(r.stderr, /; before the suite runs on green \(the monitor's window stands in for its probe and it waits for no limiter window/, r.stderr);
  const skipped = r.report.skipped.find((s) => s.checkId === 'security.auth-rate-limit');
  assert.match(skipped?.reason ?? '', /^reused: the monitor's run of /, JSON.stringify(r.report.skipped));
  assert.ok(!r.report.passed.some((p) => p.checkId === 'security.auth-rate-limit'), 'a reused check is never counted as passed by this run');
  assert.ok(r.report.passed.some((p) => p.checkId === 'security.derived-keys-rejected'), JSON.stringify(r.report.passed));
  fs.rmSync(stateDir, { recursive: true, force: true });
});

test('cutover without a monitor state (--state-dir none): the hourly check runs', { timeout: 240_000 }, async () => {
  // Past the failed-attempt window of the test before (the target counts per client).
  await new Promise((r) => setTimeout(r, HARNESS_AUTH_FAIL.windowMs));
  const r = await cutover('none');
  assert.doesNotMatch(r.stderr, /reused/);
  assert.match(r.stderr, /; while the suite runs on green, once its latency probe is done/, r.stderr);
  assert.equal(r.verdict.reused, undefined);
  assert.ok(r.report.passed.some((p) => p.checkId === 'security.auth-rate-limit'), `${JSON.stringify(r.report)}\n${r.stderr.slice(-1500)}`);
});
