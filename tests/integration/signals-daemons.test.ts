/**
 * Signals and cleanup of the long-running commands: `target` (its credentials file
 * reports/local-target.env, PostgreSQL, the Kubernetes simulator's kubeconfig) and `schedule`
 * (the grace period for a run in progress, exit 0), also when started through npm, where the
 * signal reaches npm and not the tool: the tool notices and stops. Each case runs in its own
 * TMPDIR (tests/helpers/lifecycle.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readReportFile } from '../../src/reporter/read.ts';
import { isolatedTmp, removeTmp, settle, start } from '../helpers/lifecycle.ts';

const SERVING = /reference target: http/;
const STARTING = /starting the reference CredLink target/;

const targetCases: { name: string; signal: NodeJS.Signals; at: RegExp; viaNpm?: boolean }[] = [
  { name: 'SIGINT while serving', signal: 'SIGINT', at: SERVING },
  { name: 'SIGTERM while serving', signal: 'SIGTERM', at: SERVING },
  { name: 'SIGTERM while starting', signal: 'SIGTERM', at: STARTING },
  { name: 'started by npm, npm stopped with SIGTERM', signal: 'SIGTERM', at: SERVING, viaNpm: true },
];

for (const c of targetCases) {
  test(`target, ${c.name}: the credentials file, PostgreSQL and the kubeconfig are gone`, { timeout: 120_000 }, async () => {
    const tmp = isolatedTmp();
    try {
      const reports = path.join(tmp, 'reports');
      const r = start(['target', '--reports-dir', reports], { tmp, viaNpm: c.viaNpm });
      await r.waitFor(c.at);
      if (c.at === SERVING) assert.ok(fs.existsSync(path.join(reports, 'local-target.env')), 'the credentials file exists while it runs');
      r.child.kill(c.signal);
      const code = await r.exited;
      // npm reports the signal that stopped it; the tool itself ends with 0 (its normal stop).
      if (!c.viaNpm) assert.equal(code, 0, r.stderr());
      const left = await settle(tmp);
      assert.deepEqual(left, { processes: [], files: [] }, r.stderr());
      assert.ok(!fs.existsSync(path.join(reports, 'local-target.env')), 'local-target.env removed');
      assert.doesNotMatch(r.stderr(), /\n\s+at /, 'no stack trace');
    } finally {
      removeTmp(tmp);
    }
  });
}

test('schedule, SIGTERM during a run: the run finishes within the grace period, exit 0, nothing left behind', { timeout: 150_000 }, async () => {
  const tmp = isolatedTmp();
  try {
    const reports = path.join(tmp, 'reports');
    const file = path.join(tmp, 'schedule.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        listen: { port: 0 },
        stateDir: path.join(tmp, 'state'),
        reportsDir: reports,
        shutdownGraceSeconds: 120,
        // The first run starts at once; the next would be in an hour.
        environments: [{ env: 'local', intervalSeconds: 3600, grep: '@health\\.' }],
      }),
    );
    const r = start(['schedule', '--config', file], { tmp });
    await r.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(r.stderr())![1]!;
    // Wait until the run is under way (its Playwright runner has started checking).
    for (;;) {
      const h = (await (await fetch(`${url}/healthz`)).json()) as { environments: { running: boolean }[] };
      if (h.environments[0]!.running && fs.existsSync(path.join(reports, 'local'))) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    r.child.kill('SIGTERM');
    assert.equal(await r.exited, 0, r.stderr());
    assert.match(r.stderr(), /SIGTERM: shutting down/);
    assert.match(r.stderr(), /waiting up to 120 s for 1 run\(s\) in progress/);
    // The run in progress was allowed to finish: a complete, healthy observation.
    const runs = fs.readdirSync(path.join(reports, 'local'));
    assert.equal(runs.length, 1);
    const report = readReportFile(path.join(reports, 'local', runs[0]!, 'runbook.json'));
    assert.equal(report?.verdict.status, 'healthy', JSON.stringify(report?.verdict));
    assert.deepEqual(await settle(tmp), { processes: [], files: [] });
  } finally {
    removeTmp(tmp);
  }
});

test('schedule, SIGINT while idle: exit 0 at once, nothing left behind', { timeout: 60_000 }, async () => {
  const tmp = isolatedTmp();
  try {
    const file = path.join(tmp, 'schedule.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ listen: { port: 0 }, stateDir: path.join(tmp, 'state'), reportsDir: path.join(tmp, 'reports'), environments: [{ env: 'local', cron: '0 0 1 1 *' }] }),
    );
    const r = start(['schedule', '--config', file], { tmp });
    await r.waitFor(/listening on http/);
    r.child.kill('SIGINT');
    assert.equal(await r.exited, 0, r.stderr());
    assert.deepEqual(await settle(tmp), { processes: [], files: [] });
  } finally {
    removeTmp(tmp);
  }
});
