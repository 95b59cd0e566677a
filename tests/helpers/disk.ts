/**
 * Real full and read-only file systems for bad-input tests: small tmpfs mounts (root with
 * CAP_SYS_ADMIN, as in CI). Where mounting is not allowed the caller skips with the reason.
 */
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

/** Mounts a tmpfs with `opts` (e.g. `size=256k`) at `at` (created): null, or why it cannot be done here. */
export function mountTmpfs(at: string, opts: string): null | string {
  fs.mkdirSync(at, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', at], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return `cannot mount a tmpfs here (${(r.error?.message ?? r.stderr).trim()}): needs root with CAP_SYS_ADMIN`;
  return null;
}

/** Fills the file system holding `dir` to its last block with a file `filler`; returns its path. */
export function fillDisk(dir: string): string {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  try {
    for (;;) fs.writeSync(fd, Buffer.alloc(4096));
  } catch (e) {
    assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}
