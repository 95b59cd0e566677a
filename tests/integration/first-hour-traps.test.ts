/**
 * What a newcomer runs in the first hour, as they run it:
 * - `npm start` and `npx credlink-checks target` stop when npm / npx get SIGINT (a supervisor or
 *   CI cancelling the job signals that process only): exit 130 and no observation recorded for
 *   the run, the target's credentials file and data gone;
 * - a second `target` with the same reports folder is refused (exit 4) and leaves the first one's
 *   credentials file alone; the `check it:` line the first one prints runs as printed;
 * - `--env PATH` / `--env-file PATH` naming a missing file get the tool's own error (exit 2)
 *   through npx and `node bin/...` too, and an --env-file without its value does not take the
 *   next option as its value.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { readReportFile } from '../../src/reporter/read.ts';
import { PROJECT_ROOT } from '../../src/run/paths.ts';
import { BIN } from '../helpers/harness.ts';
import { isolatedTmp, removeTmp, settle, start } from '../helpers/lifecycle.ts';

const SERVING = /reference target: http/;

/** Every runbook.json under a reports folder. */
function reportsUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => path.basename(f) === 'runbook.json').map((f) => path.join(dir, f));
}

test('npm start, npm gets SIGINT during the run: the tool stops (130), no observation recorded, nothing left', { timeout: 180_000 }, async () => {
  const tmp = isolatedTmp();
  try {
    const reports = path.join(tmp, 'reports');
    const r = start(['--reports-dir', reports], { tmp, via: ['npm', 'start', '--'] });
    await r.waitFor(/running \d+ checks/);
    r.child.kill('SIGINT');
    const code = await r.exited;
    assert.equal(code, 130, `npm's exit code is the tool's: ${r.stderr().slice(-2000)}`);
    assert.match(r.stderr(), /credlink-checks run: SIGINT: stopping/);
    for (const file of reportsUnder(reports)) assert.equal(readReportFile(file)?.verdict.status, 'interrupted', `${file}: an interrupted run is never an observation`);
    assert.doesNotMatch(r.stdout(), /HEALTHY/);
    assert.deepEqual(await settle(tmp), { processes: [], files: [] }, r.stderr());
  } finally {
    removeTmp(tmp);
  }
});

test('npx credlink-checks target, npx gets SIGINT: the target stops, its credentials file and data gone', { timeout: 180_000 }, async () => {
  const tmp = isolatedTmp();
  try {
    const reports = path.join(tmp, 'reports');
    const r = start(['target', '--reports-dir', reports], { tmp, via: ['npx', 'credlink-checks'] });
    await r.waitFor(SERVING);
    r.child.kill('SIGINT');
    // Bounded by the wait, not timed: before, npx forwarded the signal to a shell that held it and the target ran on.
    const code = await Promise.race([r.exited, new Promise<string>((res) => setTimeout(() => res('still running 30 s after SIGINT'), 30_000))]);
    assert.notEqual(code, 'still running 30 s after SIGINT', r.stderr());
    assert.match(r.stderr(), /credlink-checks target: SIGINT: stopping/);
    assert.ok(!fs.existsSync(path.join(reports, 'local-target.env')));
    assert.deepEqual(await settle(tmp), { processes: [], files: [] }, r.stderr());
  } finally {
    removeTmp(tmp);
  }
});

test('a second target with the same reports folder is refused; the first one\'s hint runs as printed', { timeout: 240_000 }, async () => {
  const tmp = isolatedTmp();
  try {
    const reports = path.join(tmp, 'reports');
    const first = start(['target', '--reports-dir', reports], { tmp });
    await first.waitFor(SERVING);
    const credentials = path.join(reports, 'local-target.env');
    const before = fs.readFileSync(credentials, 'utf8');
    const second = start(['target', '--reports-dir', reports], { tmp });
    assert.equal(await second.exited, 4, second.stderr());
    const lines = second.stderr().trim().split('\n');
    assert.equal(lines.length, 1, second.stderr());
    assert.match(lines[0]!, new RegExp(`^credlink-checks target: ${credentials.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} belongs to the target still running as pid ${first.child.pid} \\(http://127\\.0\\.0\\.1:\\d+\\): one target per credentials file: stop that one, or start this one with its own folder: --reports-dir \\S+-2$`));
    assert.equal(fs.readFileSync(credentials, 'utf8'), before, 'the first target\'s credentials are untouched');

    // The hint, as printed (from a folder outside the checkout: the absolute bin, an absolute path).
    const hint = /check it: +(.+)$/m.exec(first.stdout())?.[1];
    assert.ok(hint, first.stdout());
    assert.match(hint, new RegExp(`^${BIN.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} run --env /`));
    const run = spawnSync('sh', ['-c', `${hint} --grep '@health\\.' --reports-dir ${path.join(tmp, 'runs')}`], { cwd: tmp, encoding: 'utf8', env: { ...process.env, TMPDIR: tmp, NO_COLOR: '1' }, timeout: 150_000 });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /HEALTHY/);

    first.child.kill('SIGINT');
    assert.equal(await first.exited, 0, first.stderr());
    assert.deepEqual(fs.readdirSync(reports), [], 'the credentials file and its lock are gone');
    assert.deepEqual(await settle(tmp), { processes: [], files: [] }, first.stderr());
  } finally {
    removeTmp(tmp);
  }
});

test('a missing environment file gets the tool\'s own error (exit 2) however it is run', { timeout: 120_000 }, () => {
  const tmp = isolatedTmp();
  try {
    const missing = path.join(tmp, 'missing.env');
    const runs: [string, string, string[]][] = [
      ['npx, --env PATH', 'npx', ['credlink-checks', 'run', '--env', missing]],
      ['npx -- (Node stops reading its own options at "--"), --env-file', 'npx', ['--', 'credlink-checks', 'run', '--env-file', missing]],
      ['node bin, --env PATH', process.execPath, [BIN, 'run', '--env', missing]],
      ['node bin -- (Node stops reading its own options at "--"), --env-file', process.execPath, [BIN, '--', 'run', '--env-file', missing]],
      ['the bin itself, --env-file', BIN, ['run', '--env-file', missing]],
      ['validate, --env PATH', BIN, ['validate', '--env', missing]],
    ];
    for (const [name, cmd, args] of runs) {
      const r = spawnSync(cmd, args, { cwd: PROJECT_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      assert.equal(r.status, 2, `${name}: ${r.stderr}`);
      assert.match(r.stderr, /^credlink-checks (run|validate): \/.*missing\.env: no such file: give the path of an environment file/, name);
      assert.equal(r.stderr.trim().split('\n').length, 1, `${name}: ${r.stderr}`);
    }
    for (const [args, message] of [
      [['run', '--env-file', '--json'], 'credlink-checks run: --env-file needs a value (PATH) but is followed by the option "--json": give --env-file its value'],
      [['run', '--env', '--json'], 'credlink-checks run: --env needs a value (NAME|PATH) but is followed by the option "--json": give --env its value'],
      [['run', '--env-file'], 'credlink-checks run: --env-file needs a value: --env-file PATH (see --help)'],
    ] as const) {
      const r = spawnSync(BIN, args, { cwd: tmp, encoding: 'utf8' });
      assert.equal(r.status, 2, r.stderr);
      assert.ok(r.stderr.startsWith(message), r.stderr);
    }
  } finally {
    removeTmp(tmp);
  }
});

test('gate against a target that refuses connections runs the suite once more, as documented', { timeout: 240_000 }, async () => {
  const tmp = isolatedTmp();
  try {
    // A port that refuses connections: bound, then closed.
    const server = net.createServer();
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((res) => server.close(res));
    const envFile = path.join(tmp, 'down.env');
    fs.writeFileSync(envFile, `CREDLINK_TARGET=remote\nCREDLINK_BASE_URL=http://127.0.0.1:${port}\nCREDLINK_API_KEYS=k-0123456789abcdef\n`);
    const r = start(['gate', '--env', envFile, '--reports-dir', path.join(tmp, 'reports'), '--json'], { tmp });
    assert.equal(await r.exited, 1, r.stderr().slice(-2000));
    const out = JSON.parse(r.stdout()) as { retried: boolean; report: { incidents: { key: string }[] } };
    assert.equal(out.retried, true, 'every blocking incident is a network error: one more run');
    assert.match(r.stderr(), /gate: every blocking incident is a network error: running the suite once more/);
    assert.deepEqual(out.report.incidents.map((i) => i.key), ['outage']);
  } finally {
    removeTmp(tmp);
  }
});
