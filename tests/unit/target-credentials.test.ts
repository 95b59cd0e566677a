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

test('claiming local-target.env: free, owned by a live target, stale, foreign, our own', () => {
  const cases: { name: string; before?: string; refused: boolean }[] = [
    { name: 'no file yet', refused: false },
    { name: 'a live target owns it', before: `${credentialsHeader(LIVE)}\nCREDLINK_BASE_URL=http://127.0.0.1:41234\n`, refused: true },
    { name: 'its target is gone (SIGKILL)', before: `${credentialsHeader(999_999)}\nCREDLINK_BASE_URL=http://127.0.0.1:41234\n`, refused: false },
    { name: 'not written by a target', before: 'CREDLINK_TARGET=remote\n', refused: false },
    { name: 'this process wrote it', before: `${credentialsHeader()}\n`, refused: false },
  ];
  for (const [i, c] of cases.entries()) {
    const file = path.join(dir, `case-${i}.env`);
    if (c.before !== undefined) fs.writeFileSync(file, c.before);
    if (c.refused) {
      assert.throws(
        () => claimCredentialsFile(file, 'start this one with its own folder: --reports-dir /x-2', isAlive),
        (e: unknown) => {
          assert.ok(e instanceof RefusedError, c.name);
          assert.equal(e.exitCode, EXIT.refused);
          assert.equal(e.lines.length, 1);
          assert.equal(
            e.lines[0],
            `${file} belongs to the target still running as pid ${LIVE} (http://127.0.0.1:41234): one target per credentials file: stop that one, or start this one with its own folder: --reports-dir /x-2`,
          );
          return true;
        },
      );
      assert.equal(fs.readFileSync(file, 'utf8'), c.before, `${c.name}: left as it was`);
      continue;
    }
    const claim = claimCredentialsFile(file, 'hint', isAlive);
    assert.equal(ownerOf(fs.readFileSync(file, 'utf8')), process.pid, c.name);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600, `${c.name}: mode 600`);
    claim.write(`${credentialsHeader()}\nCREDLINK_BASE_URL=http://127.0.0.1:1\n`);
    assert.match(fs.readFileSync(file, 'utf8'), /CREDLINK_BASE_URL=http:\/\/127\.0\.0\.1:1/);
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
