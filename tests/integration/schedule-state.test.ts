/**
 * The daemon's state directory: one daemon per directory (lock with stale-lock detection), a full
 * or read-only state disk (a real tmpfs, filled up, then remounted read-only), damaged files, temp
 * files of an interrupted save. The lock's refusal and a damaged alert state are shown through the
 * real CLI (exit 3); the rest drives the daemon in-process with a fake runner.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { EnvironmentError } from '../../src/errors.ts';
import { parseSchedule, type ScheduleConfig } from '../../src/schedule/config.ts';
import { startDaemon, type Daemon } from '../../src/schedule/daemon.ts';
import type { Runner } from '../../src/schedule/scheduler.ts';
import { StateLock } from '../../src/state/lock.ts';
import { fillDisk, mountTmpfs } from '../helpers/disk.ts';
import { BIN, tempDir } from '../helpers/harness.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { healthRootReport, pagerDutyEnv } from '../helpers/records.ts';

let pd: Receiver;
before(async () => {
  pd = await startReceiver('pagerduty');
});
after(async () => {
  await pd.close();
});

const envConfig = (env: string) => pagerDutyEnv(env, pd.url, { CREDLINK_ALERT_ROUTES: 'SEV-0=pagerduty,SEV-1=pagerduty', CREDLINK_ALERT_RESOLVE_AFTER: '1' });

const report = (env: string, fail: boolean) => healthRootReport(env, fail);

function schedule(stateDir: string, over: Record<string, unknown> = {}): ScheduleConfig {
  return parseSchedule({ stateDir, reportsDir: path.join(stateDir, '..', 'reports'), listen: { port: 0 }, environments: [{ env: 'staging', cron: '0 0 1 1 *' }], ...over }, 'schedule.test.json');
}

async function daemon(stateDir: string, runner: Runner = async (e) => report(e.env, true)): Promise<{ d: Daemon; logs: string[] }> {
  const config = schedule(stateDir);
  const logs: string[] = [];
  const d = await startDaemon({ config, configs: new Map([['staging', envConfig('staging')]]), runner, log: (l) => logs.push(l) });
  return { d, logs };
}

const get = async (d: Daemon, route: string) => {
  const res = await fetch(`${d.url}${route}`);
  return { status: res.status, text: await res.text() };
};

// --- one daemon per state directory ---

function writeCliFiles(dir: string): string {
  fs.writeFileSync(path.join(dir, 'staging.env'), 'CREDLINK_BASE_URL=https://staging.credlink.example\nCREDLINK_API_KEYS=k-probe-123456\n');
  const file = path.join(dir, 'schedule.json');
  fs.writeFileSync(file, JSON.stringify({ listen: { port: 0 }, stateDir: path.join(dir, 'state'), reportsDir: path.join(dir, 'reports'), environments: [{ env: 'staging', envFile: 'staging.env', cron: '0 0 1 1 *' }] }));
  return file;
}

function startCli(file: string) {
  const child = spawn(process.execPath, [BIN, 'schedule', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  const listening = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', () => /listening on http/.test(stderr) && resolve());
    void exited.then(() => reject(new Error(`daemon exited: ${stderr}`)));
  });
  return { child, exited, listening, stderr: () => stderr };
}

test('a second daemon on the same state directory exits 3 naming the holder; after the first stops, it starts', async () => {
  const dir = tempDir('credlink-lock-');
  const file = writeCliFiles(dir);
  const first = startCli(file);
  try {
    await first.listening;
    assert.match(first.stderr(), /WARNING staging: no alert channel is configured/);
    const second = spawnSync(process.execPath, [BIN, 'schedule', '--config', file], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 });
    assert.equal(second.status, 3, second.stderr);
    assert.match(
      second.stderr,
      new RegExp(`is in use by another schedule daemon: pid ${first.child.pid} on host ${os.hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(lock .*daemon\\.lock\\)`),
    );
    assert.equal(second.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    assert.equal(fs.existsSync(path.join(dir, 'state', 'daemon.lock')), false, 'released at a clean stop');
    const third = startCli(file);
    await third.listening;
    third.child.kill('SIGTERM');
    assert.equal(await third.exited, 0);
  } finally {
    first.child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a damaged alert state stops the daemon with exit 3 naming the file, and leaves no lock behind', () => {
  const dir = tempDir('credlink-damaged-');
  const file = writeCliFiles(dir);
  fs.mkdirSync(path.join(dir, 'state'));
  fs.writeFileSync(path.join(dir, 'state', 'alerts.json'), '{"version":2,"incid');
  const r = spawnSync(process.execPath, [BIN, 'schedule', '--config', file], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 });
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /state\/alerts\.json: not valid JSON .*: move it aside to start with no open incidents/);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'state')), ['alerts.json']);
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeLock(dir: string, holder: Record<string, unknown>, ageMs = 0): void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'daemon.lock');
  fs.writeFileSync(file, JSON.stringify({ bootId: null, startTime: null, token: 'someone-else', since: '2026-11-26T10:00:00.000Z', ...holder }));
  const t = new Date(Date.now() - ageMs);
  fs.utimesSync(file, t, t);
}

function procStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

test('stale locks: a dead pid, a reused pid, a silent other host are taken over with a log line; a live holder is refused', () => {
  const dir = tempDir('credlink-stale-');
  const logs: string[] = [];
  const take = () => StateLock.acquire(dir, { log: (_l, line) => logs.push(line), staleAfterMs: 60_000 });
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const cases: [string, Record<string, unknown>, number, RegExp][] = [
    ['dead pid', { pid: dead, host: os.hostname() }, 0, new RegExp(`pid ${dead} is not running`)],
    ['other host, heartbeat too old', { pid: 1, host: 'other-host.invalid' }, 10 * 60_000, /no heartbeat from host other-host\.invalid for 600 s \(stale after 60 s\)/],
  ];
  const ppidStart = procStartTime(process.ppid);
  if (ppidStart) cases.push(['reused pid', { pid: process.ppid, host: os.hostname(), startTime: '1' }, 0, new RegExp(`pid ${process.ppid} is another process now`)]);
  for (const [name, holder, age, reason] of cases) {
    writeLock(dir, holder, age);
    const lock = take();
    assert.match(logs.at(-1) ?? '', reason, name);
    assert.match(logs.at(-1) ?? '', /taking over the lock of .* from pid \d+ on host \S+ since 2026-11-26T10:00:00\.000Z/);
    assert.equal(JSON.parse(fs.readFileSync(lock.file, 'utf8')).pid, process.pid);
    assert.throws(() => take(), /in use by another schedule daemon: pid \d+ on host/, 'the same process cannot take it twice');
    lock.release();
  }
  writeLock(dir, { pid: 1, host: 'other-host.invalid' }, 5_000);
  assert.throws(() => take(), (e: unknown) => e instanceof EnvironmentError && /pid 1 on host other-host\.invalid since 2026-11-26T10:00:00\.000Z .*a lock of another host is taken over once its heartbeat is 60 s old/.test(e.message));
  if (ppidStart) {
    writeLock(dir, { pid: process.ppid, host: os.hostname(), startTime: ppidStart });
    assert.throws(() => take(), new RegExp(`pid ${process.ppid} on host`), 'a live process with its own start time holds the lock');
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a daemon whose lock is taken over stops delivering and is told to stop', async () => {
  const stateDir = path.join(tempDir('credlink-lost-'), 'state');
  const { d } = await daemon(stateDir);
  try {
    writeLock(stateDir, { pid: 4242, host: 'other-host.invalid', token: 'thief' });
    pd.requests.length = 0;
    await d.scheduler.tick('staging');
    assert.equal(pd.requests.length, 0, 'no page from a daemon that lost its lock');
    assert.match(await d.fatal, /lost the lock .*daemon\.lock \(it now names pid 4242 on host other-host\.invalid since .*\): this daemon stops so that only one pages/);
  } finally {
    await d.stop();
  }
  assert.equal(JSON.parse(fs.readFileSync(path.join(stateDir, 'daemon.lock'), 'utf8')).token, 'thief', 'the other holder\'s lock is left alone');
});

test('the real daemon exits 3 when its lock is taken over', async () => {
  const dir = tempDir('credlink-lost-cli-');
  const file = writeCliFiles(dir);
  const replay = path.join(dir, 'replay');
  fs.mkdirSync(replay);
  fs.writeFileSync(path.join(replay, 'staging.json'), JSON.stringify(report('staging', false)));
  const child = spawn(process.execPath, [BIN, 'schedule', '--config', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', CREDLINK_TEST_REPLAY_DIR: replay, CREDLINK_TEST_INTERVAL_MS: '50' },
  });
  let stderr = '';
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (c) => {
        stderr += c;
        if (/listening on http/.test(stderr)) resolve();
      });
      void exited.then(() => reject(new Error(stderr)));
    });
    assert.match(stderr, /TEST MODE \(CREDLINK_TEST_REPLAY_DIR\): no check runs/);
    writeLock(path.join(dir, 'state'), { pid: 4242, host: 'other-host.invalid', token: 'thief' });
    assert.equal(await exited, 3, stderr);
    assert.match(stderr, /credlink-checks schedule: lost the lock .*pid 4242 on host other-host\.invalid/);
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// --- damaged files and leftovers ---

test('a damaged history is moved aside with a log line and the daemon goes on; temp files of an interrupted save are removed at start', async () => {
  const stateDir = path.join(tempDir('credlink-history-'), 'state');
  fs.mkdirSync(path.join(stateDir, 'history'), { recursive: true });
  fs.writeFileSync(path.join(stateDir, 'history', 'staging.json'), '[{"env":"staging","runId":');
  fs.writeFileSync(path.join(stateDir, 'alerts.json.4242.17000000000001.tmp'), '');
  fs.writeFileSync(path.join(stateDir, 'history', 'staging.json.4242.17000000000002.tmp'), '[');
  const { d, logs } = await daemon(stateDir, async (e) => report(e.env, false));
  try {
    assert.match(logs.join('\n'), /removed 2 temp file\(s\) left by an interrupted save/);
    const r = await d.scheduler.tick('staging');
    assert.equal(r.outcome, 'healthy');
    assert.match(logs.join('\n'), /history\/staging\.json: not valid JSON .*: moved aside to staging\.json\.damaged-\d{8}T\d{6}Z; the run history of this environment starts again/);
    const h = await get(d, '/history?env=staging');
    assert.equal(h.status, 200);
    assert.equal(JSON.parse(h.text).length, 1);
    const names = fs.readdirSync(path.join(stateDir, 'history')).sort();
    assert.equal(names.length, 2);
    assert.equal(names[0], 'staging.json');
    assert.match(names[1]!, /^staging\.json\.damaged-/);
    assert.equal(fs.readdirSync(stateDir).some((n) => n.endsWith('.tmp')), false);
  } finally {
    await d.stop();
  }
});

// --- a full, then read-only, state disk (a real tmpfs) ---

function tempsUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((n) => n.endsWith('.tmp'));
}

test('full, then read-only state disk: pages still go out, /healthz 503 with the reason, a metric and a log line, no temp file; saved again once it can', async (t) => {
  const root = tempDir('credlink-fulldisk-');
  const stateDir = path.join(root, 'state');
  const why = mountTmpfs(stateDir, 'size=256k,mode=0700');
  if (why) {
    fs.rmSync(root, { recursive: true, force: true });
    t.skip(`${why}: no real full disk to test`);
    return;
  }
  let d: Daemon | undefined;
  try {
    const started = await daemon(stateDir);
    d = started.d;
    const logs = started.logs;
    const filler = fillDisk(stateDir);
    pd.requests.length = 0;
    const r = await d.scheduler.tick('staging');
    assert.equal(r.outcome, 'findings', 'the run is recorded as what it found, not as an error');
    assert.deepEqual(pd.requests.map((q) => (q.body as { event_action: string }).event_action), ['trigger'], 'the page goes out from the in-memory state');
    assert.equal(d.monitor.incidents()['staging/outage']?.open, true);
    const health = await get(d, '/healthz');
    assert.equal(health.status, 503);
    const body = JSON.parse(health.text) as { status: string; reasons: string[] };
    assert.equal(body.status, 'unhealthy');
    assert.match(body.reasons.join('\n'), /state not saved since \S+: .*\/alerts\.json: ENOSPC/);
    const metrics = (await get(d, '/metrics')).text;
    assert.match(metrics, /^credlink_state_saved\{\} 0$/m);
    assert.match(metrics, /^credlink_state_write_failing\{file=".*\/alerts\.json"\} 1$/m);
    assert.match(metrics, /^credlink_state_write_errors_total\{\} [1-9]\d*$/m);
    assert.match(logs.join('\n'), /ERROR STATE NOT SAVED: .*\/alerts\.json: ENOSPC.*goes on with its state in memory and retries every 5 s/);
    assert.deepEqual(tempsUnder(stateDir), [], 'no temp file left by the failed saves');
    assert.equal((await get(d, '/livez')).status, 200, 'alive: a restart would not cure the disk');

    fs.rmSync(filler);
    d.health.retry();
    assert.equal((await get(d, '/healthz')).status, 200);
    assert.match(logs.join('\n'), /state saved again: .*\/alerts\.json \(failing since/);
    const saved = JSON.parse(fs.readFileSync(path.join(stateDir, 'alerts.json'), 'utf8'));
    assert.equal(saved.incidents['staging/outage'].open, true, 'the open incident reached the disk: a restart will not page it again');
    assert.deepEqual(saved.outbox, []);

    // Read-only: the same, with the next run's resolve.
    assert.equal(spawnSync('mount', ['-o', 'remount,ro', stateDir]).status, 0);
    const r2 = await d.scheduler.tick('staging');
    assert.equal(r2.outcome, 'findings');
    assert.match(JSON.parse((await get(d, '/healthz')).text).reasons.join('\n'), /alerts\.json: EROFS/);
    assert.equal(spawnSync('mount', ['-o', 'remount,rw', stateDir]).status, 0);
    d.health.retry();
    assert.equal((await get(d, '/healthz')).status, 200);
    assert.deepEqual(tempsUnder(stateDir), []);
  } finally {
    await d?.stop();
    spawnSync('umount', [stateDir]);
    fs.rmSync(root, { recursive: true, force: true });
  }
});
