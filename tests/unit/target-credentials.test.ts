/** One `target` per credentials file (src/target/credentials-file.ts) and the hint it prints (src/commands/target.ts). */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { invocation } from '../../src/commands/target.ts';
import { EXIT, RefusedError } from '../../src/errors.ts';
import { claimCredentialsFile, credentialsHeader, ownerOf } from '../../src/target/credentials-file.ts';
import { tempDir } from '../helpers/harness.ts';

const dir = tempDir('credlink-claim-');
const LIVE = 4242;
const isAlive = (pid: number) => pid === LIVE;

test('claiming local-target.env: free, held by a live target, stale, older targets without a lock, our own', () => {
  const held = (pid: number) => `${credentialsHeader(pid)}\nCREDLINK_BASE_URL=http://127.0.0.1:41234\n`;
  const cases: { name: string; lock?: string; file?: string; refused: boolean }[] = [
    { name: 'nothing there yet', refused: false },
    { name: 'a live target holds the lock', lock: `${LIVE}\n`, file: held(LIVE), refused: true },
    { name: 'the lock of a target that is gone (SIGKILL)', lock: '999999\n', file: held(999_999), refused: false },
    { name: 'a lock with no pid', lock: 'x', refused: false },
    { name: 'an older target (no lock) still running', file: held(LIVE), refused: true },
    { name: 'an older target (no lock) gone', file: held(999_999), refused: false },
    { name: 'a file not written by a target', file: 'CREDLINK_TARGET=remote\n', refused: false },
    { name: 'this process holds it', lock: `${process.pid}\n`, refused: false },
  ];
  for (const [i, c] of cases.entries()) {
    const file = path.join(dir, `case-${i}.env`);
    const lock = `${file}.lock`;
    if (c.lock !== undefined) fs.writeFileSync(lock, c.lock);
    if (c.file !== undefined) fs.writeFileSync(file, c.file);
    if (c.refused) {
      assert.throws(
        () => claimCredentialsFile(file, 'start this one with its own folder: --reports-dir /x-2', isAlive),
        (e: unknown) => {
          assert.ok(e instanceof RefusedError, c.name);
          assert.equal(e.exitCode, EXIT.refused);
          assert.deepEqual(e.lines, [
            `${file} belongs to the target still running as pid ${LIVE} (http://127.0.0.1:41234): one target per credentials file: stop that one, or start this one with its own folder: --reports-dir /x-2`,
          ]);
          return true;
        },
      );
      assert.equal(fs.readFileSync(file, 'utf8'), c.file, `${c.name}: the credentials are left as they were`);
      assert.equal(fs.existsSync(lock) ? fs.readFileSync(lock, 'utf8') : undefined, c.lock, `${c.name}: the lock too`);
      continue;
    }
    const claim = claimCredentialsFile(file, 'hint', isAlive);
    assert.equal(fs.readFileSync(lock, 'utf8'), `${process.pid}\n`, `${c.name}: locked by this process`);
    assert.equal(fs.existsSync(file), false, `${c.name}: no credentials file until it is complete (others wait for it to appear)`);
    claim.write(`${credentialsHeader()}\nCREDLINK_BASE_URL=http://127.0.0.1:1\n`);
    assert.equal(ownerOf(fs.readFileSync(file, 'utf8')), process.pid, c.name);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600, `${c.name}: mode 600`);
    claim.release();
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith(`case-${i}.`)), [], `${c.name}: nothing left after release`);
  }
});

test('the hint runs credlink-checks as printed: npx inside the project, else the absolute bin', () => {
  const root = '/srv/credlink-checks';
  const cases: [string, string, string][] = [
    ['the checkout itself', root, 'npx credlink-checks'],
    ['a folder inside the checkout', `${root}/reports`, 'npx credlink-checks'],
    ['elsewhere', '/tmp', '/srv/credlink-checks/bin/credlink-checks.js'],
    ['a sibling with a common prefix', '/srv/credlink-checks-2', '/srv/credlink-checks/bin/credlink-checks.js'],
    ['a project that has it as a dependency', '/srv/app/src', 'npx credlink-checks'],
  ];
  for (const [name, cwd, expected] of cases) {
    const r = name.startsWith('a project') ? '/srv/app/node_modules/credlink-checks' : root;
    assert.equal(invocation(cwd, r), expected.replace('/srv/credlink-checks/', `${r}/`), name);
  }
  assert.equal(invocation('/tmp', '/srv/my checks'), `'/srv/my checks/bin/credlink-checks.js'`, 'quoted for the shell');
});
