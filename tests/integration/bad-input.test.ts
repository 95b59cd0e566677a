/**
 * Bad input gets one line naming what is wrong, never a stack trace, never a spin:
 * - a reports directory that is missing and cannot be created, is not writable, or is full:
 *   exit 3 naming the directory (before anything starts);
 * - --env-file naming a missing file or a directory: exit 2 naming the file, answered by the
 *   tool (Node 20 itself would answer a "--env-file" on its command line with exit 9).
 * Read-only and full file systems are real: small tmpfs mounts, where the machine allows mounting
 * (root with CAP_SYS_ADMIN); elsewhere those cases say why they are skipped.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { fillDisk, mountTmpfs } from '../helpers/disk.ts';
import { BIN, cli, tempDir, type CliResult } from '../helpers/harness.ts';

const dir = tempDir('credlink-badinput-');
const mounts: string[] = [];
after(() => {
  for (const m of mounts) spawnSync('umount', [m]);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** One line, exit 3, naming the directory; no stack trace. */
function assertEnvironmentLine(r: CliResult, shown: string | RegExp): void {
  assert.equal(r.code, 3, `${r.stdout}${r.stderr}`);
  const lines = r.stderr.trim().split('\n').filter((l) => !/^starting /.test(l));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, typeof shown === 'string' ? new RegExp(`reports directory ${shown.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `) : shown);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/);
}

/** A tmpfs at a fresh directory, or the reason it cannot be made here. */
function tmpfsAt(name: string, opts: string): string | { skip: string } {
  const at = path.join(dir, name);
  const why = mountTmpfs(at, opts);
  if (why) return { skip: why };
  mounts.push(at);
  return at;
}

test('reports directory under /proc (cannot be created): exit 3 at once, no spin', { timeout: 30_000 }, async () => {
  for (const cmd of [['run', '--env', 'local'], ['target'], ['drill', 'service-unavailable']]) {
    const r = await cli([...cmd, '--reports-dir', '/proc/credlink-nope']);
    assertEnvironmentLine(r, '/proc/credlink-nope');
    assert.match(r.stderr, /does not exist and cannot be created/);
  }
});

test('reports directory below a file: exit 3 naming it', async () => {
  const file = path.join(dir, 'a-file');
  fs.writeFileSync(file, 'x');
  const r = await cli(['run', '--env', 'local', '--reports-dir', path.join(file, 'reports')]);
  assertEnvironmentLine(r, /reports directory .*a-file\/reports: .*not a directory/);
});

test('reports directory on a read-only file system: exit 3 naming it', async (t) => {
  const m = tmpfsAt('ro', 'ro,size=1m');
  if (typeof m !== 'string') return t.skip(m.skip);
  for (const reports of [m, path.join(m, 'reports')]) {
    const r = await cli(['run', '--env', 'local', '--reports-dir', reports]);
    assertEnvironmentLine(r, reports);
    assert.match(r.stderr, /read-only/);
  }
});

test('reports directory on a full disk: exit 3 naming it', async (t) => {
  const m = tmpfsAt('full', 'size=256k');
  if (typeof m !== 'string') return t.skip(m.skip);
  const reports = path.join(m, 'reports');
  fs.mkdirSync(reports);
  fillDisk(m);
  const r = await cli(['run', '--env', 'local', '--reports-dir', reports]);
  assertEnvironmentLine(r, reports);
  assert.match(r.stderr, /no space left|is full/);
  const s = await cli(['schedule', '--config', schedule(reports)]);
  assertEnvironmentLine(s, reports);
});

function schedule(reportsDir: string): string {
  const file = path.join(dir, `schedule-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify({ listen: { port: 0 }, stateDir: path.join(dir, 'state'), reportsDir, environments: [{ env: 'local', cron: '0 0 1 1 *' }] }));
  return file;
}

/** The installed command as a user's shell runs it: the file itself, through its first line. */
function bin(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(BIN, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

test('--env-file missing or a directory: exit 2 naming the file, answered by the tool', async () => {
  const missing = path.join(dir, 'no-such.env');
  for (const args of [['run', '--env-file', missing], ['gate', '--env-file', missing], ['target', '--env-file', missing]]) {
    const r = await bin(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    // Named as given, relative to the working directory.
    assert.match(r.stderr, new RegExp(`^credlink-checks ${args[0]}: no-such\\.env: no such file`));
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
  const asDir = await bin(['run', '--env-file', dir]);
  assert.equal(asDir.code, 2, asDir.stderr);
  assert.match(asDir.stderr, /: is a directory: give the path of an environment file/);
  // npm's scripts run it the same way (package.json: "node -- bin/credlink-checks.js").
  const viaScript = spawnSync('npm', ['run', '--silent', 'checks', '--', 'run', '--env-file', missing], { cwd: path.dirname(path.dirname(BIN)), encoding: 'utf8' });
  assert.equal(viaScript.status, 2, viaScript.stderr);
  assert.match(viaScript.stderr, /no such file/);
});
