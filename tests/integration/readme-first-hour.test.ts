/**
 * The README's first hour runs as written: the shell blocks of its steps "A target of your own",
 * "Check it" and "The post-deploy gate" are taken from README.md verbatim and run in one bash, on
 * loopback, in the temporary folder they create. The target is stopped as the README says (kill %1).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../../src/run/paths.ts';

/** The first shell block under a README heading. */
function shellBlockUnder(readme: string, heading: string): string {
  const at = readme.indexOf(`\n${heading}\n`);
  assert.ok(at >= 0, `README.md has the heading "${heading}"`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(block, `a shell block under "${heading}"`);
  return block[1]!;
}

test('README first hour: target, run --env-file and the gate against a broken target work as written', { timeout: 240_000 }, async () => {
  const readme = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
  // No `set -e`: the gate's line is `gate ...; echo "exit $?"`, as a user types it; the output is checked below.
  const script = [
    shellBlockUnder(readme, '### 1. A target of your own'),
    'echo "== run"',
    shellBlockUnder(readme, '### 2. Check it'),
    'echo "== gate"',
    shellBlockUnder(readme, '### 4. The post-deploy gate'),
    'kill %1; wait %1 || true',
    // npx returns at once; the target behind it cleans up in its own time (bounded).
    'for i in $(seq 60); do [ -e "$DIR/local-target.env" ] || break; sleep 0.5; done',
    '[ ! -e "$DIR/local-target.env" ] && echo "credentials removed"',
    'rm -rf "$DIR"',
  ].join('\n');
  // Its own process group, so whatever it started can be stopped if the test fails or times out.
  const child = spawn('bash', ['-c', script], { cwd: PROJECT_ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const deadline = setTimeout(() => process.kill(-child.pid!, 'SIGTERM'), 220_000);
  try {
    // 'exit', not 'close': a target left running (a failed step) would hold the pipes open.
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise((r) => setTimeout(r, 200)); // the last output in flight
    const tail = `\n--- stdout:\n${stdout.slice(-3000)}\n--- stderr:\n${stderr.slice(-2000)}`;
    assert.equal(code, 0, `the README's commands end well${tail}`);
    const [, run = '', gate = ''] = stdout.split(/^== (?:run|gate)$/m);
    assert.match(run, /^HEALTHY local-target: every check that ran passed/m, `step 2 is healthy${tail}`);
    assert.match(gate, /^GATE FAILED local-target: 1 incident\(s\) at or above SEV-2 block$/m, `step 4 blocks${tail}`);
    assert.match(gate, /SEV-0 Service unavailable/);
    assert.match(gate, /^exit 1$/m, 'the gate exits 1');
    assert.match(stdout, /^credentials removed$/m, 'the target removed its credentials file when stopped');
  } finally {
    clearTimeout(deadline);
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});
