/**
 * Signals and cleanup of the commands that run the suite (`run`, `drill`, `gate`, `cutover`):
 * SIGINT or SIGTERM at several points stops the command in order: exit 130, a run that had
 * started writes a report marked interrupted (never healthy), and nothing it created is left:
 * no process, no credlink-* temporary directory (PostgreSQL data, kubeconfig with its token), no
 * password file. Each case runs in its own TMPDIR (tests/helpers/lifecycle.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readReportFile } from '../../src/reporter/read.ts';
import { isolatedTmp, removeTmp, settle, start } from '../helpers/lifecycle.ts';

const STARTING = /starting the reference CredLink target/;
const CHECKING = /^\[1\/\d+\]/m;

interface Case {
  name: string;
  args: (reports: string) => string[];
  signal: NodeJS.Signals;
  /** When to send it. */
  at: RegExp;
  /** Where the interrupted run's report is, when one must exist. */
  reportIn?: string;
}

const cases: Case[] = [
  { name: 'run, SIGINT while the target starts', args: (r) => ['run', '--env', 'local', '--grep', '@health\\.', '--reports-dir', r], signal: 'SIGINT', at: STARTING },
  { name: 'run, SIGTERM during the checks', args: (r) => ['run', '--env', 'local', '--reports-dir', r], signal: 'SIGTERM', at: CHECKING, reportIn: 'local' },
  { name: 'drill, SIGINT during the checks', args: (r) => ['drill', 'service-unavailable', '--reports-dir', r], signal: 'SIGINT', at: CHECKING, reportIn: path.join('_drill', 'local') },
  { name: 'gate, SIGTERM during the checks', args: (r) => ['gate', '--env', 'local', '--reports-dir', r], signal: 'SIGTERM', at: CHECKING, reportIn: 'local' },
  {
    name: "cutover, SIGTERM during green's suite",
    args: (r) => ['cutover', '--blue', 'local', '--green', 'local', '--reports-dir', r],
    signal: 'SIGTERM',
    at: CHECKING,
    reportIn: path.join('_candidate', 'local'),
  },
];

for (const c of cases) {
  test(`${c.name}: exit 130, nothing left behind`, { timeout: 180_000 }, async () => {
    const tmp = isolatedTmp();
    try {
      const reports = path.join(tmp, 'reports');
      const r = start(c.args(reports), { tmp });
      await r.waitFor(c.at);
      r.child.kill(c.signal);
      const code = await r.exited;
      assert.equal(code, 130, r.stderr());
      assert.match(r.stderr(), new RegExp(`${c.signal}: stopping`));
      assert.doesNotMatch(r.stderr(), /\n\s+at /, 'no stack trace');
      const left = await settle(tmp);
      assert.deepEqual(left, { processes: [], files: [] });
      if (c.reportIn) {
        const dir = path.join(reports, c.reportIn);
        const runs = fs.readdirSync(dir);
        assert.equal(runs.length, 1, `one run folder in ${dir}`);
        const report = readReportFile(path.join(dir, runs[0]!, 'runbook.json'));
        assert.ok(report, 'the interrupted run wrote its report');
        assert.equal(report.verdict.status, 'interrupted', JSON.stringify(report.verdict));
        assert.match(report.verdict.reason ?? '', /stopped before every check finished/);
      }
    } finally {
      removeTmp(tmp);
    }
  });
}

test('run that ends normally: nothing left behind', { timeout: 120_000 }, async () => {
  const tmp = isolatedTmp();
  try {
    const r = start(['run', '--env', 'local', '--grep', '@health\\.root', '--reports-dir', path.join(tmp, 'reports')], { tmp });
    assert.equal(await r.exited, 0, r.stderr());
    assert.deepEqual(await settle(tmp), { processes: [], files: [] });
  } finally {
    removeTmp(tmp);
  }
});
