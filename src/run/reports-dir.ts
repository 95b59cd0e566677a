/**
 * The reports directory, checked before anything starts and named in every problem: missing
 * and cannot be created, not writable, or full is an environment error (exit 3, one line).
 * Directories are created one level at a time: Node's `mkdirSync(p, { recursive: true })` never
 * returns for a path under /proc (it retries ENOENT forever at full CPU).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../errors.ts';

/** What a run needs at least: a run folder holds about 1 MB (reports, JUnit, Allure results). */
export const MIN_FREE_BYTES = 2 * 1024 * 1024;
/** The write test: large enough that an almost full disk fails it, small enough to be free. */
const PROBE_BYTES = 64 * 1024;

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a file of that name exists and is not a directory',
  ENOENT: 'the file system does not allow creating it',
  EISDIR: 'it is a directory',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'too many symbolic links',
  EIO: 'input/output error',
};

/** One line for a file-system error: "no space left on the device (ENOSPC)". */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code && REASONS[code]) return `${REASONS[code]} (${code})`;
  return ((err as Error)?.message ?? String(err)).split('\n')[0]!;
}

/** True for the errors that mean "the disk or directory cannot take it", not a bug. */
export function isFsEnvironmentError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return Boolean(code && code in REASONS);
}

const shown = (dir: string) => {
  const rel = path.relative(process.cwd(), dir);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : dir;
};

/**
 * Creates `dir` when missing (level by level) and proves it takes a write; returns its absolute
 * path. Throws EnvironmentError naming the directory.
 */
export function prepareDir(dir: string, what = 'reports directory'): string {
  const abs = path.resolve(dir);
  const fail = (why: string) => new EnvironmentError(`${what} ${shown(abs)}: ${why}`);
  // The nearest existing ancestor, then each missing level below it.
  const missing: string[] = [];
  let cur = abs;
  for (;;) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(cur);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw fail(`cannot be reached: ${describeFsError(e)}`);
    }
    if (st) {
      if (!st.isDirectory()) throw fail(cur === abs ? 'is a file, not a directory' : `${shown(cur)} is a file, not a directory`);
      break;
    }
    missing.unshift(cur);
    const parent = path.dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  for (const d of missing) {
    try {
      fs.mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && fs.statSync(d).isDirectory()) continue;
      throw fail(`does not exist and cannot be created: ${describeFsError(e)}`);
    }
  }
  const probe = path.join(abs, `.credlink-write-test-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  try {
    fs.writeFileSync(probe, Buffer.alloc(PROBE_BYTES));
  } catch (e) {
    throw fail(`is not writable: ${describeFsError(e)}`);
  } finally {
    fs.rmSync(probe, { force: true });
  }
  const free = freeBytes(abs);
  if (free !== undefined && free < MIN_FREE_BYTES) throw fail(`is full: ${Math.floor(free / 1024)} KB free, a run needs about ${MIN_FREE_BYTES / 1024 / 1024} MB`);
  return abs;
}

/** Bytes available to us, or undefined where the file system does not say (e.g. size 0). */
function freeBytes(dir: string): number | undefined {
  try {
    const s = fs.statfsSync(dir);
    return s.blocks > 0 ? s.bavail * s.bsize : undefined;
  } catch {
    return undefined;
  }
}

/** After a write failed during a run: the directory's problem as an EnvironmentError, or undefined when it looks fine. */
export function dirProblem(dir: string, what = 'reports directory'): EnvironmentError | undefined {
  try {
    prepareDir(dir, what);
    return undefined;
  } catch (e) {
    return e instanceof EnvironmentError ? e : undefined;
  }
}
