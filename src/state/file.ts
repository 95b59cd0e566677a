/**
 * Files of the state directory, written so that a crash or a full disk leaves the old file or the
 * new one, never half of one, and no temp file behind:
 * - writeJsonAtomic: temp file in the same folder (mode 600), write, fsync, rename, fsync the folder;
 *   on any failure the temp file is removed before the error is rethrown (a full disk used to leave
 *   an empty `*.tmp` per save);
 * - removeStaleTemps: temp files of an earlier process killed in the middle of a write (kill -9),
 *   removed at start once the state directory is locked (src/state/lock.ts), so no live writer owns them;
 * - moveAside: a damaged file is renamed `<name>.damaged-<time>` (kept for a post-mortem), never deleted.
 */
import fs from 'node:fs';
import path from 'node:path';

let seq = 0;

function tempName(file: string): string {
  seq = (seq + 1) % 1_000_000;
  return `${file}.${process.pid}.${Date.now()}${seq}.tmp`;
}

export function writeTextAtomic(file: string, text: string): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = tempName(file);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'w', 0o600);
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already failing: the write error is the one to report */
      }
    }
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  // The rename is durable once the folder is synced (power loss); not every filesystem allows it.
  try {
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    /* best effort */
  }
}

/** Writes `data` as JSON to `file` atomically (see the module comment). */
export function writeJsonAtomic(file: string, data: unknown): void {
  writeTextAtomic(file, JSON.stringify(data, null, 2) + '\n');
}

/** Removes temp files left by writeJsonAtomic in `dir` (not recursive); returns their names. */
export function removeStaleTemps(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!/\.\d+\.\d+\.tmp$/.test(name)) continue;
    try {
      fs.rmSync(path.join(dir, name), { force: true });
      removed.push(name);
    } catch {
      /* a read-only disk: reported by the first save */
    }
  }
  return removed;
}

/** Renames a damaged file to `<file>.damaged-<time>`; returns the new path. */
export function moveAside(file: string, now = new Date()): string {
  const target = `${file}.damaged-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
  fs.renameSync(file, target);
  return target;
}

/** The short code of a file system error (ENOSPC, EROFS, EACCES ...) with its message, one line. */
export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const msg = (err?.message ?? String(e)).split('\n')[0]!;
  return err?.code && !msg.startsWith(err.code) ? `${err.code}: ${msg}` : msg;
}
