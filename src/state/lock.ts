/**
 * One daemon per state directory: `<stateDir>/daemon.lock` names its holder (pid, host, since).
 * Created complete or not at all (written to a side file, then hard-linked into place, which fails
 * when the lock exists). The holder touches it every `heartbeatMs` (mtime only: works on a full
 * disk) and checks before each delivery that it is still its own.
 *
 * An existing lock is stale, and taken over with a log line, when:
 * - same host: its pid is not running, or that pid is now another process (its start time differs:
 *   pid reuse, e.g. a restarted container), or the host rebooted since (boot id differs);
 * - another host (no way to look at its processes): its heartbeat is older than `staleAfterMs`.
 * Otherwise the second daemon stops with exit 3 naming the holder.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from '../zod.ts';
import { EnvironmentError } from '../errors.ts';
import { describeFsError } from './file.ts';
import { pidAlive } from '../process/wait.ts';

const holderSchema = z.object({
  pid: z.number().int(),
  host: z.string(),
  since: z.string(),
  /** Linux boot id of the host, when known. */
  bootId: z.string().nullable(),
  /** Start time of the process (clock ticks since boot, /proc/<pid>/stat), when known: tells pid reuse apart. */
  startTime: z.string().nullable(),
  token: z.string(),
});

export type LockHolder = z.infer<typeof holderSchema>;

export interface LockOptions {
  log?: (level: 'info' | 'error', line: string) => void;
  clock?: () => Date;
  /** A lock of another host whose heartbeat is older than this is stale (default 120 s). */
  staleAfterMs?: number;
  heartbeatMs?: number;
  /** Called once when the lock turns out to belong to someone else (or is gone). */
  onLost?: (reason: string) => void;
}

export const LOCK_FILE = 'daemon.lock';
export const DEFAULT_STALE_AFTER_MS = 120_000;

/** Locks held by this process (a second daemon in the same process is refused too). */
const heldHere = new Set<string>();

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function bootId(): string | null {
  return readText('/proc/sys/kernel/random/boot_id')?.trim() || null;
}

function startTimeOf(pid: number): string | null {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return null;
  // Field 2 (comm) may hold spaces and parentheses: count fields after its closing parenthesis.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}


export function describeHolder(h: Pick<LockHolder, 'pid' | 'host' | 'since'>): string {
  return `pid ${h.pid} on host ${h.host} since ${h.since}`;
}

/** Why an existing lock no longer holds, or null when its holder may be alive. */
export function staleReason(h: LockHolder, mtimeMs: number, now: number, staleAfterMs: number, file: string): string | null {
  if (h.host !== os.hostname()) {
    const age = now - mtimeMs;
    return age > staleAfterMs ? `no heartbeat from host ${h.host} for ${Math.round(age / 1000)} s (stale after ${Math.round(staleAfterMs / 1000)} s)` : null;
  }
  const boot = bootId();
  if (h.bootId && boot && h.bootId !== boot) return 'the host has rebooted since';
  if (h.pid === process.pid) return heldHere.has(file) ? null : 'its pid is this process (an earlier process had the same pid)';
  if (!pidAlive(h.pid)) return `pid ${h.pid} is not running`;
  const start = startTimeOf(h.pid);
  if (h.startTime && start && h.startTime !== start) return `pid ${h.pid} is another process now`;
  return null;
}

export class StateLock {
  readonly file: string;
  private timer: NodeJS.Timeout | undefined;
  private lost: string | null = null;

  private constructor(
    file: string,
    readonly holder: LockHolder,
    private readonly o: Required<LockOptions>,
  ) {
    this.file = file;
  }

  /** Takes the lock of `stateDir` (creating the folder), or throws EnvironmentError naming its holder. */
  static acquire(stateDir: string, opts: LockOptions = {}): StateLock {
    const o: Required<LockOptions> = { log: () => {}, clock: () => new Date(), staleAfterMs: DEFAULT_STALE_AFTER_MS, heartbeatMs: 20_000, onLost: () => {}, ...opts };
    const dir = path.resolve(stateDir);
    const file = path.join(dir, LOCK_FILE);
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new EnvironmentError(`cannot create the state directory ${dir}: ${describeFsError(e)}`);
    }
    const holder: LockHolder = {
      pid: process.pid,
      host: os.hostname(),
      since: o.clock().toISOString(),
      bootId: bootId(),
      startTime: startTimeOf(process.pid),
      token: crypto.randomUUID(),
    };
    for (let attempt = 0; attempt < 5; attempt++) {
      if (create(file, holder)) {
        heldHere.add(file);
        const lock = new StateLock(file, holder, o);
        lock.startHeartbeat();
        return lock;
      }
      let current: LockHolder | null = null;
      let mtimeMs = 0;
      try {
        mtimeMs = fs.statSync(file).mtimeMs;
        current = holderSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile: try again
      }
      const now = o.clock().getTime();
      let reason: string | null;
      if (current) reason = staleReason(current, mtimeMs, now, o.staleAfterMs, file);
      else reason = now - mtimeMs > 10_000 ? 'the lock file is unreadable' : null;
      if (!reason) {
        const who = current ? describeHolder(current) : 'a process that is writing it right now';
        const other = current && current.host !== holder.host ? `; a lock of another host is taken over once its heartbeat is ${Math.round(o.staleAfterMs / 1000)} s old` : '';
        throw new EnvironmentError(`${dir} is in use by another schedule daemon: ${who} (lock ${file}${other}): stop that daemon, or give this one another --state-dir`);
      }
      o.log('info', `taking over the lock of ${dir} from ${current ? describeHolder(current) : 'an unknown holder'}: ${reason}`);
      const aside = `${file}.stale-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
      try {
        fs.renameSync(file, aside);
        fs.rmSync(aside, { force: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new EnvironmentError(`cannot take over the stale lock ${file}: ${describeFsError(e)}`);
      }
    }
    throw new EnvironmentError(`cannot take the lock ${file}: other processes keep taking it; is another schedule daemon starting on ${dir}?`);
  }

  /** Throws when the lock file is no longer this process's (someone took it over, or it was deleted). */
  verify(): void {
    if (this.lost) throw new EnvironmentError(this.lost);
    let token: string | undefined;
    try {
      token = holderSchema.parse(JSON.parse(fs.readFileSync(this.file, 'utf8'))).token;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && !(e instanceof SyntaxError) && !(e instanceof z.ZodError)) return; // cannot read: keep going, the disk problem is reported elsewhere
    }
    if (token === this.holder.token) return;
    let other = 'it was deleted';
    try {
      other = `it now names ${describeHolder(holderSchema.parse(JSON.parse(fs.readFileSync(this.file, 'utf8'))))}`;
    } catch {
      /* deleted or unreadable */
    }
    this.lost = `lost the lock ${this.file} (${other}): this daemon stops so that only one pages`;
    this.stopHeartbeat();
    this.o.onLost(this.lost);
    throw new EnvironmentError(this.lost);
  }

  private startHeartbeat(): void {
    this.timer = setInterval(() => {
      try {
        this.verify();
        const now = this.o.clock();
        fs.utimesSync(this.file, now, now);
      } catch {
        /* lost: reported through onLost; a failing touch: the next one retries */
      }
    }, this.o.heartbeatMs);
    this.timer.unref();
  }

  private stopHeartbeat(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Removes the lock when it is still this process's. */
  release(): void {
    this.stopHeartbeat();
    heldHere.delete(this.file);
    if (this.lost) return;
    try {
      const current = holderSchema.parse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      if (current.token === this.holder.token) fs.rmSync(this.file, { force: true });
    } catch {
      /* gone or unreadable: nothing of ours to remove */
    }
  }
}

/** Writes the holder to a side file and links it into place: false when a lock exists. */
function create(file: string, holder: LockHolder): boolean {
  const side = `${file}.${process.pid}-${crypto.randomBytes(4).toString('hex')}.new`;
  try {
    fs.writeFileSync(side, JSON.stringify(holder) + '\n', { mode: 0o644, flag: 'wx' });
  } catch (e) {
    fs.rmSync(side, { force: true });
    throw new EnvironmentError(`cannot write the lock ${file}: ${describeFsError(e)}`);
  }
  try {
    fs.linkSync(side, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw new EnvironmentError(`cannot create the lock ${file}: ${describeFsError(e)}`);
    // A filesystem without hard links: exclusive create (a crash mid-write leaves an unreadable lock, stale after 10 s).
    try {
      fs.writeFileSync(file, JSON.stringify(holder) + '\n', { mode: 0o644, flag: 'wx' });
      return true;
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new EnvironmentError(`cannot create the lock ${file}: ${describeFsError(e2)}`);
    }
  } finally {
    fs.rmSync(side, { force: true });
  }
}
