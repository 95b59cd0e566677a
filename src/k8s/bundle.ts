/**
 * @kubernetes/client-node as one module. The library is about 970 ES modules (most of them
 * generated API models) and some 40 packages; a Playwright worker loads each through
 * Playwright's module loader, which cost about 1.7 s of CPU per worker that ran a Kubernetes
 * check, against about 0.2 s for the same code as a single file (docs/benchmark.md). The
 * library is unchanged: esbuild joins its files and the packages it uses into one, exporting
 * only the names the monitor's client takes (KUBE_EXPORTS), so the API groups nobody calls are
 * left out (2.6 MB instead of 4.6 MB and its dependencies, about 20 MiB less in the worker).
 *
 * The file is kept in node_modules/.cache/credlink-checks/ (the usual place for a package's
 * derived files), named after the library's version and the last install (npm's
 * node_modules/.package-lock.json): a new install builds it anew, a stale file is never used,
 * older ones are removed. The CLI builds it before the first run that has Kubernetes checks
 * (ensureBundle: about 2 s, once per install); the container image builds it at build time.
 * When it cannot be written (a read-only install), the library is imported as it is: slower,
 * the same.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const PACKAGE = '@kubernetes/client-node';
/** Bumped when the way the file is built changes. */
const FORMAT = 2;
const PREFIX = 'kubernetes-client-node-';

/** What src/k8s/client.ts takes from the library: the single-file build exports these and nothing else. */
export const KUBE_EXPORTS = [
  'KubeConfig',
  'ServerConfiguration',
  'createConfiguration',
  'IsomorphicFetchHttpLibrary',
  'CoreV1Api',
  'AppsV1Api',
  'AutoscalingV2Api',
  'CustomObjectsApi',
] as const;
export type KubeLib = Pick<typeof import('@kubernetes/client-node'), (typeof KUBE_EXPORTS)[number]>;

/** Where the single-file build of the installed version lives (whether or not it exists yet). */
export function bundleFile(): string | undefined {
  try {
    const manifest = require.resolve(`${PACKAGE}/package.json`);
    const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string };
    const nodeModules = path.resolve(path.dirname(manifest), '..', '..');
    // The packages joined in come from the last install: npm rewrites this file at each one.
    const install = fs.statSync(path.join(nodeModules, '.package-lock.json'), { throwIfNoEntry: false });
    const installed = install ? Math.round(install.mtimeMs).toString(36) : '0';
    return path.join(nodeModules, '.cache', 'credlink-checks', `${PREFIX}${version}-f${FORMAT}-${installed}.mjs`);
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
      stdin: { contents: `export { ${KUBE_EXPORTS.join(', ')} } from ${JSON.stringify(entry)};`, resolveDir: path.dirname(entry), loader: 'js' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      minifyWhitespace: true,
      minifySyntax: true,
      // The CommonJS packages joined in call require() (Node's own modules among them).
      banner: {
        js: `// ${PACKAGE} as one module, built by credlink-checks (src/k8s/bundle.ts); derived, safe to delete.\nimport { createRequire as __credlinkRequire } from 'node:module';\nconst require = __credlinkRequire(import.meta.url);`,
      },
      outfile: tmp,
      logLevel: 'silent',
    });
    fs.renameSync(tmp, file);
    // Builds of other versions or installs are never used again.
    for (const name of fs.readdirSync(path.dirname(file))) {
      if (name.startsWith(PREFIX) && name.endsWith('.mjs') && name !== path.basename(file)) fs.rmSync(path.join(path.dirname(file), name), { force: true });
    }
    return true;
  } catch {
    fs.rmSync(tmp, { force: true });
    return false;
  }
}
