/**
 * Crash injection: the real `schedule` daemon process (bin/credlink-checks.js), killed with SIGKILL
 * at random moments, over many cycles of trigger -> resolve, against a loopback receiver standing
 * in for Slack and PagerDuty that answers 2xx, 500, or slowly, at random.
 *
 * The daemon replays prepared reports instead of running the checks (CREDLINK_TEST_REPLAY_DIR,
 * src/schedule/replay-runner.ts), every 30 ms, so a cycle takes a fraction of a second; everything
 * else is the production path: CLI, lock, alert state, delivery journal, HTTP delivery.
 *
 * Cycle c: the environment reports two incidents, `crash/cycle-c-a` and `crash/cycle-c-b`, until
 * the receiver has accepted their triggers on both channels, then reports healthy until it has
 * accepted the four resolves.
 * Afterwards: every incident was paged and resolved on both channels (nothing lost), each in order
 * (no trigger after a resolve, no resolve before a trigger), and the accepted deliveries beyond one
 * trigger and one resolve per incident per channel (duplicates) are at most one per daemon process
 * started after a kill (none from the first one), so at most the number of kills.
 * The receiver counts a request as delivered as soon as it decides to accept it, even when the
 * answer never reaches the killed sender: the pessimistic view of a receiver.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { sections } from '../../runbooks/sections.ts';
import type { RunbookReport } from '../../src/reporter/schema.ts';
import { BIN, tempDir } from '../helpers/harness.ts';
import { asIncidents } from '../helpers/incidents.ts';
import { assembleReport } from '../helpers/records.ts';
import { rng } from '../helpers/seeded-random.ts';

const CYCLES = 50;
/** Steps (a trigger or a resolve) with a kill; each restart costs a process start (~1.3 s). */
const KILLS = 16;
const STEP_TIMEOUT_MS = 20_000;


type Channel = 'slack' | 'pagerduty';
interface Accepted {
  /** `<cycle>-<a|b>`, the incident. */
  incident: string;
  channel: Channel;
  action: 'trigger' | 'resolve';
  seq: number;
  /** Which daemon process sent it: 0 the first, k the one started after the k-th kill. */
  process: number;
}
const PARTS = ['a', 'b'] as const;

const s = sections['service-unavailable'];
function world(cycle: number, failing: boolean): RunbookReport {
  const finding = (checkId: string) => ({
    checkId,
    title: `GET ${checkId} answers 200`,
    status: 'failed' as const,
    severity: 'SEV-1' as const,
    severityRule: 'catalog default (SEV-1)',
    section: { title: s.title, anchor: s.anchor },
    expected: '== 200',
    actual: '503',
    message: `[STATUS] (503) == 200 on ${checkId} (crash)`,
    immediateActions: [],
    evidence: [],
    durationMs: 1,
  });
  const checks = ['health.root', 'health.status', 'security.headers'];
  const r = assembleReport({
    env: 'crash',
    runId: 'prepared',
    baseUrl: 'http://127.0.0.1:9',
    startedAt: new Date().toISOString(),
    durationMs: 1,
    counts: { total: 3, passed: failing ? 0 : 3, failed: failing ? 3 : 0, skipped: 0, flaky: 0 },
    findings: failing ? checks.map(finding) : [],
    passed: failing ? [] : checks.map((checkId) => ({ checkId, title: `${checkId} passes`, durationMs: 1 })),
    skipped: [],
    flaky: [],
    measurements: [],
    uncatalogued: [],
  });
  return failing
    ? asIncidents(r, [
        { key: `cycle-${cycle}-a`, root: 'health.root', title: `cycle ${cycle} a outage`, consequences: ['health.status'] },
        { key: `cycle-${cycle}-b`, root: 'security.headers', title: `cycle ${cycle} b headers`, severity: 'SEV-3', consequences: [] },
      ])
    : r;
}

test('crash injection: SIGKILL at random moments over many trigger/resolve cycles loses nothing, keeps order, at most one duplicate per kill', { timeout: 300_000 }, async (t) => {
  const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const random = rng(seed); // replayed with CRASH_SEED
  t.diagnostic(`seed ${seed} (CRASH_SEED=${seed} replays the receiver's answers and the kill moments)`);

  // --- the receiver ---
  let kills = 0;
  const accepted: Accepted[] = [];
  const answers = { accepted: 0, refused500: 0, slow: 0 };
  let seq = 0;
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const channel: Channel = req.url?.startsWith('/slack/') ? 'slack' : 'pagerduty';
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { event_action?: string; dedup_key?: string; text?: string };
      const label = channel === 'pagerduty' ? body.dedup_key ?? '' : body.text ?? '';
      const m = /cycle[- ](\d+)[- ]([ab])/.exec(label);
      const incident = m ? `${m[1]}-${m[2]}` : `unknown: ${label}`;
      const action = channel === 'pagerduty' ? (body.event_action as 'trigger' | 'resolve') : body.text?.startsWith('RESOLVED') ? 'resolve' : 'trigger';
      const roll = random();
      const ok = channel === 'slack' ? 200 : 202;
      const answer = (status: number) => {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status < 300 ? 'ok' : 'error');
      };
      if (roll < 0.15) {
        answers.refused500 += 1;
        return answer(500);
      }
      // Accepted: recorded now, whether or not the answer reaches the sender.
      accepted.push({ incident, channel, action, seq: seq++, process: kills });
      answers.accepted += 1;
      if (roll < 0.3) {
        answers.slow += 1;
        setTimeout(() => answer(ok), 20 + Math.floor(random() * 130));
      } else answer(ok);
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  // --- the daemon's files ---
  const dir = tempDir('credlink-crash-');
  const replay = path.join(dir, 'replay');
  fs.mkdirSync(replay);
  fs.writeFileSync(
    path.join(dir, 'crash.env'),
    [
      'CREDLINK_TARGET=remote',
      'CREDLINK_BASE_URL=http://127.0.0.1:9',
      'CREDLINK_API_KEYS=k-crash-0123456789',
      `CREDLINK_SLACK_WEBHOOK_URL=${base}/slack/T0/B0/crashsecret`,
      'CREDLINK_PAGERDUTY_ROUTING_KEY=R0UTINGKEYcrash0123456789abcdef',
      `CREDLINK_PAGERDUTY_EVENTS_URL=${base}/pd/v2/enqueue`,
      'CREDLINK_ALERT_ROUTES=SEV-0=pagerduty+slack,SEV-1=pagerduty+slack,SEV-2=pagerduty+slack,SEV-3=pagerduty+slack',
      'CREDLINK_ALERT_TRIGGER_AFTER=1',
      'CREDLINK_ALERT_RESOLVE_AFTER=1',
    ].join('\n') + '\n',
  );
  const stateDir = path.join(dir, 'state');
  fs.writeFileSync(
    path.join(dir, 'schedule.json'),
    JSON.stringify({
      listen: { port: 0 },
      stateDir,
      reportsDir: path.join(dir, 'reports'),
      retention: { runs: 20 },
      alertDelivery: { attempts: 2, backoffMs: 20, timeoutMs: 2000 },
      environments: [{ env: 'crash', envFile: 'crash.env', intervalSeconds: 60 }],
    }),
  );
  const setWorld = (r: RunbookReport) => {
    const file = path.join(replay, 'crash.json');
    fs.writeFileSync(`${file}.next`, JSON.stringify(r));
    fs.renameSync(`${file}.next`, file);
  };

  // --- the daemon process, and its killer ---
  let stderr = '';
  let child: ChildProcess | null = null;
  let exited: Promise<number | null> = Promise.resolve(null);
  /** Settles once the current process has started (its "listening" line: signals are handled from then on). */
  let up: Promise<void> = Promise.resolve();
  const start = () => {
    const c = spawn(process.execPath, [BIN, 'schedule', '--config', path.join(dir, 'schedule.json')], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', CREDLINK_TEST_REPLAY_DIR: replay, CREDLINK_TEST_INTERVAL_MS: '30' },
    });
    let own = '';
    up = new Promise((resolve) => {
      c.stderr!.on('data', (d) => {
        stderr += d;
        own += d;
        if (/listening on http/.test(own)) resolve();
      });
      c.on('exit', () => resolve());
    });
    child = c;
    exited = new Promise((r) => c.on('exit', (code) => r(code)));
  };
  let restarting: Promise<void> | null = null;
  const killAndRestart = () => {
    if (restarting) return;
    restarting = (async () => {
      const c = child!;
      const gone = exited;
      c.kill('SIGKILL');
      await gone;
      kills += 1;
      stderr += `--- SIGKILL ${kills} ---\n`;
      start();
    })().finally(() => (restarting = null));
  };
  // Exactly KILLS of the 2 x CYCLES steps (a trigger or a resolve) get a kill, at a random moment of the step.
  const steps = Array.from({ length: 2 * CYCLES }, (_, i) => i);
  for (let i = steps.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [steps[i], steps[j]] = [steps[j]!, steps[i]!];
  }
  const killAt = new Set(steps.slice(0, KILLS));
  let step = 0;
  /** The kill of the current step, if one is due: settles once it has started (its timer may outlast the step). */
  let pendingKill: Promise<void> = Promise.resolve();
  const maybeKill = () => {
    if (killAt.has(step++)) pendingKill = new Promise((r) => setTimeout(() => r(killAndRestart()), Math.floor(random() * 400)));
  };
  const waitFor = async (what: string, done: () => boolean) => {
    const until = Date.now() + STEP_TIMEOUT_MS;
    while (!done()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}; daemon log tail:\n${stderr.split('\n').slice(-25).join('\n')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const has = (cycle: number, action: Accepted['action']) =>
    PARTS.every((p) => (['slack', 'pagerduty'] as const).every((ch) => accepted.some((a) => a.incident === `${cycle}-${p}` && a.channel === ch && a.action === action)));

  const t0 = Date.now();
  try {
    setWorld(world(0, true));
    start();
    for (let c = 0; c < CYCLES; c++) {
      setWorld(world(c, true));
      maybeKill();
      await waitFor(`the triggers of cycle ${c}`, () => has(c, 'trigger'));
      setWorld(world(c, false));
      maybeKill();
      await waitFor(`the resolves of cycle ${c}`, () => has(c, 'resolve'));
    }
    // A kill due in the last step may fire after it ended: let it happen, and the restart settle.
    await pendingKill;
    while (restarting) await restarting;
    // A process still loading its modules would die of the SIGTERM before it can handle it.
    await up;
    // Stray deliveries (a re-sent in-flight item) have time to arrive before the count.
    await new Promise((r) => setTimeout(r, 300));
    child!.kill('SIGTERM');
    assert.equal(await exited, 0, `the daemon stops cleanly on SIGTERM\n${stderr.split('\n').slice(-15).join('\n')}`);
  } finally {
    (child as ChildProcess | null)?.kill('SIGKILL');
    await new Promise<void>((r) => receiver.close(() => r()));
    receiver.closeAllConnections();
  }
  const seconds = (Date.now() - t0) / 1000;

  // --- the verdict ---
  let duplicates = 0;
  let lost = 0;
  const disorder: string[] = [];
  const firstSeen = new Set<string>();
  const duplicatesByProcess = new Map<number, number>();
  for (const a of [...accepted].sort((x, y) => x.seq - y.seq)) {
    const key = `${a.incident} ${a.channel} ${a.action}`;
    if (!firstSeen.has(key)) firstSeen.add(key);
    else duplicatesByProcess.set(a.process, (duplicatesByProcess.get(a.process) ?? 0) + 1);
  }
  for (let c = 0; c < CYCLES; c++) {
    for (const p of PARTS) {
      for (const ch of ['slack', 'pagerduty'] as const) {
        const seen = accepted.filter((a) => a.incident === `${c}-${p}` && a.channel === ch).sort((a, b) => a.seq - b.seq).map((a) => a.action);
        const triggers = seen.filter((a) => a === 'trigger').length;
        const resolves = seen.filter((a) => a === 'resolve').length;
        if (!triggers) lost += 1;
        if (!resolves) lost += 1;
        duplicates += Math.max(0, triggers - 1) + Math.max(0, resolves - 1);
        if (resolves && seen.lastIndexOf('trigger') > seen.indexOf('resolve')) disorder.push(`cycle ${c}${p} ${ch}: ${seen.join(' ')}`);
      }
    }
  }
  const strays = accepted.filter((a) => !/^\d+-[ab]$/.test(a.incident) || Number(a.incident.split('-')[0]) >= CYCLES);
  const overOne = [...duplicatesByProcess].filter(([proc, n]) => n > (proc === 0 ? 0 : 1)).map(([proc, n]) => `process ${proc}: ${n} duplicates`);
  const takeovers = (stderr.match(/taking over the lock of .*: pid \d+ is not running/g) ?? []).length;
  const resent = (stderr.match(/was in flight when the daemon stopped: sending it again/g) ?? []).length;
  const figures = `cycles ${CYCLES} (${CYCLES * 2} incidents), kills ${kills}, accepted deliveries ${accepted.length} (expected ${CYCLES * 8}), duplicates ${duplicates}, lost ${lost}, ` +
    `out of order ${disorder.length}; receiver answers: ${answers.accepted} accepted (${answers.slow} slowly), ${answers.refused500} refused with 500; ` +
    `stale locks taken over ${takeovers}, in-flight items re-sent ${resent}; ${seconds.toFixed(1)} s`;
  t.diagnostic(figures);
  console.log(`crash injection: ${figures}`);

  assert.equal(lost, 0, 'every incident paged and resolved on both channels');
  assert.deepEqual(disorder, [], 'a resolve never before its trigger, no trigger after its resolve');
  assert.deepEqual(strays, [], 'nothing but the cycles\' incidents was delivered');
  assert.ok(kills >= 8, `enough kills to mean something (${kills})`);
  assert.deepEqual(overOne, [], 'at most one duplicate per daemon process started after a kill, none from the first one');
  assert.ok(duplicates <= kills, `at most one duplicate per kill: ${duplicates} duplicates, ${kills} kills`);
  assert.ok(duplicates <= resent, `every duplicate is an item the daemon knew was in flight at a kill (${duplicates} > ${resent})`);
  assert.ok(takeovers >= 1, 'a killed daemon\'s lock is taken over by its successor');
  const leftovers = fs.readdirSync(stateDir).filter((n) => n.endsWith('.tmp') || n.startsWith('daemon.lock'));
  assert.deepEqual(leftovers, [], 'no temp file, and the lock released at the clean stop');
  fs.rmSync(dir, { recursive: true, force: true });
});
