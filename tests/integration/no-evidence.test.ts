/**
 * No evidence, no verdict: a run in which no check executed is never healthy. A --grep that
 * is not a regular expression or selects no check is a usage error (exit 2) before anything
 * starts; a run whose every check skipped ends "no-evidence" with exit 6; `gate` never passes on
 * zero checks; `schedule` refuses a schedule.json whose greps select nothing, with every
 * problem at once.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { readReportFile } from '../../src/reporter/read.ts';
import { cli, tempDir } from '../helpers/harness.ts';

const dir = tempDir('credlink-noevidence-');
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const reports = path.join(dir, 'reports');

/** A remote environment nothing listens on: the Prometheus checks skip before sending anything. */
function envFile(): string {
  const file = path.join(dir, 'quiet.env');
  fs.writeFileSync(file, 'CREDLINK_BASE_URL=http://127.0.0.1:9\nCREDLINK_API_KEYS=clk_noevidence_0123456789\n');
  return file;
}

const oneLine = (s: string) => s.trim().split('\n').length === 1;

test('run/gate/drill --grep that selects no check: exit 2, one line, nothing started', async () => {
  for (const args of [
    ['run', '--env', 'local', '--grep', 'nomatch'],
    ['gate', '--env', 'local', '--grep', 'nomatch'],
  ]) {
    const r = await cli([...args, '--reports-dir', reports]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(oneLine(r.stderr), r.stderr);
    assert.match(r.stderr, /--grep "nomatch" selects no check: a run would prove nothing/);
    assert.doesNotMatch(r.stderr, /starting the reference/);
  }
  assert.ok(!fs.existsSync(reports), 'no report folder for a usage error');
});

test('run/gate/drill --grep that is not a regular expression: exit 2 naming the problem', async () => {
  for (const args of [
    ['run', '--env', 'local', '--grep', '('],
    ['gate', '--env', 'local', '--grep', '('],
    ['drill', 'service-unavailable', '--grep', '('],
  ]) {
    const r = await cli([...args, '--reports-dir', reports]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(oneLine(r.stderr), r.stderr);
    assert.match(r.stderr, /--grep "\(" is not a valid regular expression: Unterminated group/);
  }
});

test('every selected check skipped: "no-evidence", exit 6, never healthy; gate fails', async () => {
  const file = envFile();
  const r = await cli(['run', '--env-file', file, '--grep', '@prom\\.', '--reports-dir', reports]);
  assert.equal(r.code, 6, r.stderr);
  assert.match(r.stdout, /^NO EVIDENCE quiet: no check executed \(every check was skipped \(6\): PROMETHEUS_URL is not set/m);
  assert.doesNotMatch(r.stdout, /HEALTHY/);
  const runDir = /report: (.+)\/index\.html/.exec(r.stdout)![1]!;
  const report = readReportFile(path.join(runDir, 'runbook.json'))!;
  assert.equal(report.verdict.status, 'no-evidence');
  assert.equal(report.verdict.severity, null);

  const g = await cli(['gate', '--env-file', file, '--grep', '@prom\\.', '--reports-dir', reports]);
  assert.equal(g.code, 6, g.stderr);
  assert.match(g.stdout, /^GATE FAILED quiet: no check executed \(every check was skipped/m);
  assert.doesNotMatch(g.stdout, /GATE PASSED/);
});

test('schedule: greps that select nothing or do not compile refuse the start, every problem at once', async () => {
  const file = path.join(dir, 'schedule.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      listen: { port: 0 },
      stateDir: path.join(dir, 'state'),
      reportsDir: reports,
      environments: [
        { env: 'local', intervalSeconds: 60, grep: 'nomatch' },
        { env: 'production', intervalSeconds: 60, grep: '(' },
      ],
    }),
  );
  const r = await cli(['schedule', '--config', file]);
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.ok(lines.some((l) => /environments\.0\.grep "nomatch" selects no check/.test(l)), r.stderr);
  assert.ok(lines.some((l) => /environments\.1\.grep "\(" is not a valid regular expression/.test(l)), r.stderr);
  // The environment file problem comes in the same round.
  assert.ok(lines.some((l) => /production\.env: missing/.test(l)), r.stderr);
  assert.doesNotMatch(r.stderr, /listening on/);
});
