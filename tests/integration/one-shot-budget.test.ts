/**
 * A one-shot run against a remote-style target says at its start what it will spend and why,
 * prints one line for each wait for a limit window longer than 5 s, and a second run right after
 * the first waits once, up front, with a line, instead of having its checks refused (and a third,
 * stopped during that wait, leaves nothing behind): the real CLI against the reference target on
 * loopback, with a failed-attempt window of 30 s instead of 60 s, so the test takes about two minutes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startReferenceTarget, type ReferenceTarget } from '../../src/target/index.ts';
import { BIN, cli, scratchDir, tempDir } from '../helpers/harness.ts';

const WINDOW_S = 30;
let target: ReferenceTarget;
let envFile: string;
const reportsDir = tempDir('credlink-reports-');

before(async () => {
  target = await startReferenceTarget({ authFailLimit: { max: 20, windowMs: WINDOW_S * 1000 } });
  const dir = tempDir('credlink-env-');
  envFile = path.join(dir, 'remote.env');
  // What a remote user writes (URL, key, origins), with the failed-attempt window of this target
  // and a per-client limit high enough that only the failed-attempt limit paces the run.
  fs.writeFileSync(
    envFile,
    [
      'CREDLINK_TARGET=remote',
      `CREDLINK_BASE_URL=${target.url}`,
      `CREDLINK_API_KEYS=${target.apiKeys[0]}`,
      `CREDLINK_ALLOWED_ORIGINS=${target.allowedOrigins.join(',')}`,
      'CREDLINK_RATE_LIMIT=600/min',
      `CREDLINK_AUTH_FAIL_WINDOW_S=${WINDOW_S}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
});
after(async () => {
  await target?.stop();
});

const GREP = '@security\\.';
const lines = (stderr: string) => stderr.split('\n');

test('a run says what it spends at its start and prints one line per wait for a window; the next run waits up front, once, and is not refused', { timeout: 360_000 }, async () => {
  const first = await cli(['run', '--env-file', envFile, '--reports-dir', reportsDir, '--grep', GREP, '--json']);
  assert.equal(first.code, 0, first.stderr.slice(-2000));
  const err = lines(first.stderr);
  const budgetAt = err.findIndex((l) => l.startsWith('budget: '));
  assert.ok(budgetAt >= 0, first.stderr);
  assert.equal(err[budgetAt], `budget: CREDLINK_RATE_LIMIT=600/min (480 in any 60 s), failed attempts CREDLINK_AUTH_FAIL_LIMIT=20 per ${WINDOW_S} s (16 in any ${WINDOW_S} s): this run uses at most 80% of each, but for the failed-attempt check, which goes past the failed-attempt limit on purpose, last`);
  assert.match(err[budgetAt + 1]!, new RegExp(`^this run takes about \\d+ s: the API-key checks send \\d+ failed attempts and 16 fit in one ${WINDOW_S} s window: the \\d+ keys derived from the valid key and then the failed-attempt check wait for the next window`));
  // Said before any check ran.
  assert.ok(budgetAt < err.findIndex((l) => /^\[\d+\/\d+\]/.test(l)));
  const waits = err.filter((l) => l.startsWith('waiting '));
  assert.equal(waits.length, 1, `one wait line: ${waits.join(' | ')}`);
  assert.match(waits[0]!, new RegExp(`^waiting \\d+ s for room under the failed-attempt limit CREDLINK_AUTH_FAIL_LIMIT=20 per ${WINDOW_S} s: its 80% share, 16 in any ${WINDOW_S} s, is used up; security\\.derived-keys-rejected sends POST /api/v1/sign next$`));
  // The wait line comes after every other check and before the two slow ones.
  const at = err.indexOf(waits[0]!);
  assert.ok(err.slice(at).some((l) => /\] ok +keys derived from a valid key/.test(l)));
  assert.ok(err.slice(0, at).some((l) => /\] ok +API responses carry nosniff/.test(l)), 'the other checks were done before the wait');
  const report1 = JSON.parse(first.stdout) as { traffic?: { waitedMs: number } };
  assert.ok((report1.traffic?.waitedMs ?? 0) > 5000);

  // Right after: the failed-attempt check left the target limiting this client for its window.
  const second = await cli(['run', '--env-file', envFile, '--reports-dir', reportsDir, '--grep', GREP, '--json']);
  assert.equal(second.code, 0, second.stderr.slice(-2000));
  const err2 = lines(second.stderr);
  const upFront = err2.find((l) => l.startsWith('waiting ') && l.includes('before the checks start'));
  assert.ok(upFront, second.stderr.slice(0, 2000));
  assert.match(upFront, new RegExp(`^waiting \\d+ s before the checks start, for room under CREDLINK_AUTH_FAIL_LIMIT=20 per ${WINDOW_S} s: this run needs 16 at once`));
  assert.ok(err2.indexOf(upFront) < err2.findIndex((l) => /^\[\d+\/\d+\]/.test(l)));
  const report2 = JSON.parse(second.stdout) as { findings: { checkId: string; status: string }[]; traffic?: { rateLimited: Record<string, number> } };
  const failed = report2.findings.filter((f) => f.status !== 'passed' && f.status !== 'skipped');
  assert.deepEqual(failed, [], 'no check of the second run was refused or cut short');
  // Only the failed-attempt check's own 429 (it reaches the limit on purpose).
  assert.deepEqual(Object.keys(report2.traffic?.rateLimited ?? {}), ['POST /api/v1/sign']);
  assert.equal(report2.traffic!.rateLimited['POST /api/v1/sign'], 1);

  // A third run, stopped (SIGINT) while it waits up front: exit 130, nothing checked, no run folder left.
  const runsBefore = fs.readdirSync(path.join(reportsDir, 'remote')).sort();
  const third = spawn(process.execPath, ['--', BIN, 'run', '--env-file', envFile, '--reports-dir', reportsDir, '--grep', GREP], { cwd: scratchDir(), stdio: ['ignore', 'ignore', 'pipe'] });
  let err3 = '';
  const waiting = new Promise<void>((resolve) =>
    third.stderr.on('data', (c) => {
      err3 += c;
      if (/waiting \d+ s before the checks start/.test(err3)) resolve();
    }),
  );
  const exited = new Promise<number | null>((resolve) => third.on('close', resolve));
  await Promise.race([waiting, exited]);
  third.kill('SIGINT');
  assert.equal(await exited, 130, err3);
  assert.match(err3, /interrupted by SIGINT before the checks started: nothing was checked/);
  assert.deepEqual(fs.readdirSync(path.join(reportsDir, 'remote')).sort(), runsBefore, 'the stopped run left no folder');
});
