/**
 * The documented order of commands works: after a user's own `npm start` (a run of `local` in the
 * checkout's reports/), the tests still pass in that same checkout, and they leave the user's
 * reports/ and .state/ as they were. Bounded: in a copy of the checkout, `run --env local` with
 * the default reports folder stands for `npm start` (the health checks only: the layout it leaves
 * is the same), then the test file that reads default locations (the daemon, its status page
 * and state) runs there. Every CLI run of the tests also starts in a scratch directory
 * (tests/helpers/harness.ts), so a default reports/ or .state/ can never be the checkout's.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { PROJECT_ROOT } from '../../src/run/paths.ts';
import { tempDir } from '../helpers/harness.ts';

const copy = tempDir('credlink-checkout-');
after(() => fs.rmSync(copy, { recursive: true, force: true }));

/** Generated or local to one checkout: not part of what a user clones. */
const NOT_COPIED = new Set(['node_modules', '.git', 'reports', '.state', 'test-results', 'playwright-report', 'allure-results', 'allure-report']);

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    // NODE_TEST_CONTEXT would make the inner `node --test` report to this runner instead of exiting with its result.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const child = spawn(cmd, args, { cwd, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** Every file under dir (relative paths), sorted: what "left as they were" compares. */
function listing(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

test('npm start, then the daemon tests (default reports/ and .state/), in one checkout', { timeout: 240_000 }, async () => {
  for (const name of fs.readdirSync(PROJECT_ROOT)) {
    if (!NOT_COPIED.has(name)) fs.cpSync(path.join(PROJECT_ROOT, name), path.join(copy, name), { recursive: true });
  }
  fs.mkdirSync(path.join(copy, 'reports'));
  fs.symlinkSync(fs.realpathSync(path.join(PROJECT_ROOT, 'node_modules')), path.join(copy, 'node_modules'));

  // The user's `npm start`: the default reports folder of the checkout.
  const start = await run(process.execPath, ['--', 'bin/credlink-checks.js', 'run', '--env', 'local', '--grep', '@health\\.'], copy);
  assert.equal(start.code, 0, start.out);
  const userRuns = fs.readdirSync(path.join(copy, 'reports', 'local'));
  assert.equal(userRuns.length, 1, 'the user has one run of local in reports/');
  const before = { reports: listing(path.join(copy, 'reports')), state: listing(path.join(copy, '.state')) };

  const tests = await run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', 'tests/integration/schedule.test.ts'], copy);
  assert.equal(tests.code, 0, tests.out.split('\n').filter((l) => /not ok|Error|expected|actual/.test(l)).slice(0, 40).join('\n'));
  assert.match(tests.out, /^# pass [1-9]/m, 'the tests ran');
  assert.match(tests.out, /^# fail 0$/m);
  assert.deepEqual({ reports: listing(path.join(copy, 'reports')), state: listing(path.join(copy, '.state')) }, before, "the tests left the user's reports/ and .state/ as they were");
});
