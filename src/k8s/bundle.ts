/**
 * @kubernetes/client-node as one module. The library is about 970 ES modules (most of them
 * generated API models); a Playwright worker loads each through Playwright's module loader, which
 * cost about 1.7 s of CPU per worker that ran a Kubernetes check, against about 0.4 s for the same
 * code as a single file (README "Benchmark"). The library is unchanged: esbuild joins its own
 * files into one, its dependencies stay ordinary imports.
 *
 * The file is kept in node_modules/.cache/credlink-checks/ (the usual place for a package's
 * derived files), named after the library's version: a new version is built anew, a stale file
 * is never used. The CLI builds it before the first run that has Kubernetes checks (ensureBundle:
 * about 2 s, once per install); the container image builds it at build time. When it cannot be
 * written (a read-only install), the library is imported as it is: slower, the same.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const PACKAGE = '@kubernetes/client-node';
/** Bumped when the way the file is built changes. */
const FORMAT = 1;

/** Where the single-file build of the installed version lives (whether or not it exists yet). */
export function bundleFile(): string | undefined {
  try {
    const manifest = require.resolve(`${PACKAGE}/package.json`);
    const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string };
    const nodeModules = path.resolve(path.dirname(manifest), '..', '..');
    return path.join(nodeModules, '.cache', 'credlink-checks', `kubernetes-client-node-${version}-f${FORMAT}.mjs`);
  } catch {
    return undefined;
  }
}

/** Whether the single-file build of the installed version exists. */
export function bundleReady(): boolean {
  const file = bundleFile();
  return file !== undefined && fs.existsSync(file);
}

/** What to import: the single-file build when it exists, else the package. */
export function kubeClientSpecifier(): string {
  const file = bundleFile();
  return file && fs.existsSync(file) ? pathToFileURL(file).href : PACKAGE;
}

/** Builds the single file unless it exists; false when it could not (the package is then imported as it is). */
export async function ensureBundle(): Promise<boolean> {
  const file = bundleFile();
  if (!file) return false;
  if (fs.existsSync(file)) return true;
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const esbuild = await import('esbuild');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const entry = require.resolve(PACKAGE);
    await esbuild.build({
      stdin: { contents: `export * from ${JSON.stringify(entry)};`, resolveDir: path.dirname(entry), loader: 'js' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Only the library's own files (the entry is a path, its imports relative) are joined: every package it uses stays an import.
      packages: 'external',
      minifyWhitespace: true,
      minifySyntax: true,
      banner: { js: `// ${PACKAGE} as one module, built by credlink-checks (src/k8s/bundle.ts); derived, safe to delete.` },
      outfile: tmp,
      logLevel: 'silent',
    });
    fs.renameSync(tmp, file);
    return true;
  } catch {
    fs.rmSync(tmp, { force: true });
    return false;
  }
}
