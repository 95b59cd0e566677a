/** What `npm test` does about the Debian programs its tests drive (tests/helpers/prerequisites.ts): a table. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { decide, missingPrerequisites, optedOut, PREREQUISITES, present, type Decision, type Situation } from '../helpers/prerequisites.ts';

const chromium = PREREQUISITES.find((p) => p.pkg === 'chromium')!;
const promtool = PREREQUISITES.find((p) => p.program.endsWith('/promtool'))!;
const prometheus = PREREQUISITES.find((p) => p.program.endsWith('/prometheus'))!;

test('decide: present / missing and allowed / missing and not allowed', () => {
  const cases: { name: string; s: Situation; kind: Decision['kind']; line?: RegExp; packages?: string[] }[] = [
    { name: 'all present, root', s: { missing: [], root: true, aptGet: true, optOut: false }, kind: 'ready' },
    { name: 'all present, not root, no apt-get, opted out', s: { missing: [], root: false, aptGet: false, optOut: true }, kind: 'ready' },
    {
      name: 'missing, root with apt-get: installs each package once',
      s: { missing: [chromium, prometheus, promtool], root: true, aptGet: true, optOut: false },
      kind: 'install',
      packages: ['chromium', 'prometheus'],
      line: /^npm test: installing chromium prometheus .*CREDLINK_TEST_NO_INSTALL=1 never installs\)$/,
    },
    {
      name: 'missing, not root',
      s: { missing: [chromium], root: false, aptGet: true, optOut: false },
      kind: 'stop',
      line: /^npm test: missing \/usr\/bin\/chromium \(chromium\): install with `sudo apt-get install -y chromium`, then run npm test again \(npm test installs them only when run as root\)$/,
    },
    {
      name: 'missing, root, opted out',
      s: { missing: [promtool], root: true, aptGet: true, optOut: true },
      kind: 'stop',
      line: /^npm test: missing \/usr\/bin\/promtool \(prometheus\): install with `apt-get install -y prometheus`.*CREDLINK_TEST_NO_INSTALL is set\)$/,
    },
    {
      name: 'missing, root, no apt-get',
      s: { missing: [chromium, promtool], root: true, aptGet: false, optOut: false },
      kind: 'stop',
      line: /^npm test: missing \/usr\/bin\/chromium \(chromium\), \/usr\/bin\/promtool \(prometheus\): .*apt-get is not on PATH/,
    },
  ];
  for (const c of cases) {
    const d = decide(c.s);
    assert.equal(d.kind, c.kind, c.name);
    if (d.kind === 'ready') continue;
    assert.match(d.line, c.line!, c.name);
    assert.ok(!d.line.includes('\n'), `${c.name}: one line`);
    if (d.kind === 'install') {
      assert.deepEqual(d.packages, c.packages, c.name);
      assert.deepEqual(d.commands.at(-1), ['apt-get', 'install', '-y', '-qq', ...c.packages!], c.name);
    }
  }
});

test('the opt-out variable: set to anything but "" or "0"', () => {
  for (const [v, expected] of [[undefined, false], ['', false], ['0', false], ['1', true], ['yes', true]] as const) assert.equal(optedOut(v), expected, String(v));
});

test('present: absolute paths must be executable files, bare names are looked up on PATH', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'credlink-prereq-'));
  try {
    const exe = path.join(dir, 'kubectl');
    fs.writeFileSync(exe, '#!/bin/sh\n', { mode: 0o755 });
    const plain = path.join(dir, 'not-executable');
    fs.writeFileSync(plain, '', { mode: 0o644 });
    assert.equal(present(exe), true);
    assert.equal(present(plain), false, 'not executable (even for root: no execute bit)');
    assert.equal(present(dir), false, 'a directory is not a program');
    assert.equal(present(path.join(dir, 'absent')), false);
    assert.equal(present('kubectl', dir), true);
    assert.equal(present('kubectl', path.join(dir, 'elsewhere')), false);
    const kubectl = PREREQUISITES.filter((p) => p.program === 'kubectl');
    assert.deepEqual(missingPrerequisites(kubectl, dir), []);
    assert.deepEqual(missingPrerequisites(kubectl, path.join(dir, 'elsewhere')), kubectl);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('npm test runs the installer first', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.match(pkg.scripts.pretest ?? '', /tests\/install-prerequisites\.ts/);
});
