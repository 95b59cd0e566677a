/**
 * CPU time and peak memory of this process, and the CPU time of its children that ended, for the
 * run's timings (runbook.json `timings`). Node has no API for the children's times: on Linux they
 * are read from /proc/self/stat (cutime, cstime: children the process has reaped, with theirs);
 * elsewhere they are unknown (undefined), never guessed.
 */
import fs from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux on every architecture Node runs on). */
const USER_HZ = 100;

/** CPU seconds this process used so far (user + system). */
export function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** CPU seconds of the children this process has reaped so far, or undefined where /proc is not readable. */
export function reapedChildrenCpuSeconds(): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
    const ticks = Number(f[13]) + Number(f[14]);
    return Number.isFinite(ticks) ? ticks / USER_HZ : undefined;
  } catch {
    return undefined;
  }
}

/** Peak resident memory of this process so far, MiB. */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export const round2 = (n: number) => Math.round(n * 100) / 100;
