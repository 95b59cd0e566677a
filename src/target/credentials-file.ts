/**
 * One `target` per credentials file (<reports-dir>/local-target.env). Before the target starts it
 * claims the file: a lock beside it (local-target.env.lock, holding its pid) is created
 * exclusively, so a second target with the same reports folder is refused instead of overwriting
 * the first one's credentials and deleting them when it stops. A lock whose process is gone (a
 * target stopped by SIGKILL) is stale and taken over. The credentials file itself appears only
 * when it is complete (written aside, then renamed): whoever waits for it never reads half of it.
 */
import fs from 'node:fs';
import { RefusedError } from '../errors.ts';
import { pidAlive } from '../process/wait.ts';

export interface CredentialsClaim {
  file: string;
  /** The lock beside the file; removed by release(). */
  lock: string;
  /** Writes the credentials file whole (mode 600), replacing any earlier content. */
  write(content: string): void;
  /** Removes the credentials file and the lock. */
  release(): void;
}

/** The first line of the credentials file, naming the process that owns it. */
export function credentialsHeader(pid = process.pid): string {
  return `# Written by "credlink-checks target" (pid ${pid}): the running reference target. Removed when it stops.`;
}

/** The pid a credentials file names in its first line, if any. */
export function ownerOf(content: string): number | undefined {
  const m = /^# Written by "credlink-checks target" \(pid (\d+)\)/.exec(content);
  return m ? Number(m[1]) : undefined;
}


const read = (file: string) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

/**
 * Claims `file` for this process, or throws a RefusedError (exit 4) when a live target holds it.
 * @param hint how to start another target next to the running one
 */
export function claimCredentialsFile(file: string, hint: string, isAlive: (pid: number) => boolean = pidAlive): CredentialsClaim {
  const lock = `${file}.lock`;
  const refuseIfHeld = (owner: number | undefined) => {
    if (owner === undefined || owner === process.pid || !isAlive(owner)) return;
    const url = /^CREDLINK_BASE_URL=(.*)$/m.exec(read(file))?.[1];
    throw new RefusedError(`${file} belongs to the target still running as pid ${owner}${url ? ` (${url})` : ''}: one target per credentials file: stop that one, or ${hint}`);
  };
  // A credentials file written by a target without a lock (an older version) still counts.
  if (!fs.existsSync(lock)) refuseIfHeld(ownerOf(read(file)));
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(lock, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
    }
    const owner = Number(read(lock).trim());
    refuseIfHeld(Number.isInteger(owner) && owner > 0 ? owner : undefined);
    // Stale: its target is gone.
    fs.rmSync(lock, { force: true });
  }
  // Whatever a gone target left behind is not this one's credentials.
  fs.rmSync(file, { force: true });
  return {
    file,
    lock,
    write(content) {
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, content, { mode: 0o600 });
      fs.renameSync(tmp, file);
    },
    release() {
      fs.rmSync(file, { force: true });
      fs.rmSync(`${file}.${process.pid}.tmp`, { force: true });
      fs.rmSync(lock, { force: true });
    },
  };
}
