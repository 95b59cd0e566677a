/**
 * One `target` per credentials file (<reports-dir>/local-target.env). The file is claimed before
 * the target starts (created exclusively, naming the claiming process), so a second target with
 * the same reports folder is refused instead of overwriting the first one's credentials and then
 * deleting them when it stops. A file whose process is gone (a target stopped by SIGKILL) is
 * stale and taken over.
 */
import fs from 'node:fs';
import { RefusedError } from '../errors.ts';

export interface CredentialsClaim {
  file: string;
  /** Replaces the claim's content (the same file: still this process's). */
  write(content: string): void;
}

const HEADER = (pid: number) => `# Written by "credlink-checks target" (pid ${pid}): the running reference target. Removed when it stops.`;

/** The first line of the file, naming the process that owns it. */
export function credentialsHeader(pid = process.pid): string {
  return HEADER(pid);
}

/** The pid a credentials file names, if any. */
export function ownerOf(content: string): number | undefined {
  const m = /^# Written by "credlink-checks target" \(pid (\d+)\)/.exec(content);
  return m ? Number(m[1]) : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims `file` for this process, or throws a RefusedError (exit 4) when a live target owns it.
 * @param hint how to start another target next to the running one
 */
export function claimCredentialsFile(file: string, hint: string, isAlive: (pid: number) => boolean = alive): CredentialsClaim {
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, `${credentialsHeader()}\n# starting\n`, { flag: 'wx', mode: 0o600 });
      return { file, write: (content) => fs.writeFileSync(file, content, { mode: 0o600 }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
    }
    let content = '';
    try {
      content = fs.readFileSync(file, 'utf8');
    } catch {
      /* gone meanwhile: claim it */
    }
    const owner = ownerOf(content);
    if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
      const url = /^CREDLINK_BASE_URL=(.*)$/m.exec(content)?.[1];
      throw new RefusedError(`${file} belongs to the target still running as pid ${owner}${url ? ` (${url})` : ''}: one target per credentials file: stop that one, or ${hint}`);
    }
    // Stale (its target is gone) or not a target's file: taken over.
    fs.rmSync(file, { force: true });
  }
}
