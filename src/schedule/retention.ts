/**
 * Retention of report folders: after each scheduled run, the environment's run folders
 * (`<reportsDir>/<env>/<run-id>/`, the name of a run id: `20261126T100000Z-ab12`) beyond the newest
 * `runs` or older than `days` (by the time in their name) are removed. Kept whatever their age: the
 * folders in `keep` (the reports that open incidents' alerts link to). Anything else in the folder
 * (load runs `<run-id>-load-*`, Allure history, files) is never touched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describeFsError } from '../state/file.ts';

export interface RetentionPolicy {
  /** Keep at most this many run folders (null: no count limit). */
  runs: number | null;
  /** Remove run folders older than this many days (null: no age limit). */
  days: number | null;
}

const RUN_ID = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-[a-z0-9]{4}$/;

/** The start time encoded in a run id (src/run/paths.ts newRunId), or null when the name is not a run id. */
export function runIdTime(name: string): number | null {
  const m = RUN_ID.exec(name);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  return Number.isFinite(t) ? t : null;
}

function mtimeOf(dir: string): number {
  try {
    return fs.statSync(dir).mtimeMs;
  } catch {
    return 0;
  }
}

export interface PruneResult {
  removed: string[];
  /** Folders that should have gone but could not be removed (with why). */
  failed: string[];
}

export function pruneRunFolders(envDir: string, policy: RetentionPolicy, keep: ReadonlySet<string>, now: Date): PruneResult {
  const out: PruneResult = { removed: [], failed: [] };
  if (policy.runs === null && policy.days === null) return out;
  let names: string[];
  try {
    // Oldest first: by the time in the name (whole seconds), then by when the folder last changed.
    names = fs
      .readdirSync(envDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && runIdTime(d.name) !== null)
      .map((d) => ({ name: d.name, t: runIdTime(d.name)!, m: mtimeOf(path.join(envDir, d.name)) }))
      .sort((a, b) => a.t - b.t || a.m - b.m || a.name.localeCompare(b.name))
      .map((x) => x.name);
  } catch {
    return out;
  }
  const cutoff = policy.days === null ? -Infinity : now.getTime() - policy.days * 86_400_000;
  const firstKeptByCount = policy.runs === null ? 0 : names.length - policy.runs;
  names.forEach((name, i) => {
    if (keep.has(name)) return;
    if (i >= firstKeptByCount && runIdTime(name)! >= cutoff) return;
    try {
      fs.rmSync(path.join(envDir, name), { recursive: true, force: true });
      out.removed.push(name);
    } catch (e) {
      out.failed.push(`${name} (${describeFsError(e)})`);
    }
  });
  return out;
}
