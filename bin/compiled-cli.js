// The command line compiled ahead of its first use: src/cli.ts and everything it imports, as a
// few JavaScript files (esbuild, split at the lazily loaded commands), kept in
// node_modules/.cache/credlink-checks/cli/<checkout>/. Starting from them instead of from the
// TypeScript sources through tsx costs about half a second of CPU less per command (README
// "Benchmark"). Plain JavaScript: it runs before anything can compile TypeScript.
//
// - Fresh or nothing: a build is used only while every source file it was made from has the
//   size and modification time it had then (a stat per file, about 130); else it is built anew
//   (about 0.3 s) on the next command, or, when that is not possible (a read-only install, a
//   syntax error), the sources run through tsx as before. Never a stale build.
// - One build per checkout (node_modules may be shared by several), keyed by its path.
// - Builds never change once written: a new one goes to a new folder and the pointer
//   (current.json) is replaced atomically, so a running daemon's lazily loaded parts stay where
//   they were. Older builds of a checkout are removed after a day, and builds of checkouts
//   that no longer exist at the next build.
// - import.meta.dirname / import.meta.url keep the values of the source file they are written
//   in, so paths derived from them (the project root, environments/) are the checkout's.
//
// `node bin/compiled-cli.js` builds it (the container image does, while node_modules is writable).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Bumped when the way the build is made changes: older builds are then not used. */
const FORMAT = 1;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KEEP_OLD_BUILDS_MS = 24 * 3600_000;
/** Read by esbuild besides the sources: a change rebuilds too. */
const CONFIG_FILES = ['tsconfig.json', 'package.json'];

/** Where the builds of a checkout live. */
export function cacheDirOf(root = ROOT) {
  const key = crypto.createHash('sha256').update(root).digest('hex').slice(0, 16);
  return path.join(root, 'node_modules', '.cache', 'credlink-checks', 'cli', key);
}

function esbuildVersion(root) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'esbuild', 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

function statOf(file) {
  try {
    const s = fs.statSync(file);
    return [s.mtimeMs, s.size];
  } catch {
    return undefined;
  }
}

/** The entry file of the checkout's current build when it is fresh, else undefined. */
export function freshBuild(root = ROOT) {
  const dir = cacheDirOf(root);
  let current;
  try {
    current = JSON.parse(fs.readFileSync(path.join(dir, 'current.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (current.format !== FORMAT || current.root !== root || current.esbuild !== esbuildVersion(root)) return undefined;
  for (const [file, [mtimeMs, size]] of Object.entries(current.inputs)) {
    const now = statOf(path.resolve(root, file));
    if (!now || now[0] !== mtimeMs || now[1] !== size) return undefined;
  }
  const entry = path.join(dir, current.build, 'cli.js');
  return fs.existsSync(entry) ? entry : undefined;
}

/**
 * Keeps each source file's import.meta values (the bundle lives elsewhere), and notes the size
 * and time of each file as it was read (`seen`).
 */
function keepImportMeta(root, seen) {
  return {
    name: 'keep-import-meta',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        seen.set(args.path, statOf(args.path));
        let text = await fs.promises.readFile(args.path, 'utf8');
        if (args.path.startsWith(root + path.sep) && text.includes('import.meta')) {
          text = text
            .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path)))
            .replaceAll('import.meta.filename', JSON.stringify(args.path))
            .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
        }
        return { contents: text, loader: 'ts' };
      });
    },
  };
}

function prune(root, dir, keep) {
  const now = Date.now();
  for (const name of fs.readdirSync(dir)) {
    if (name === keep || name === 'current.json') continue;
    const p = path.join(dir, name);
    try {
      if (now - fs.statSync(p).mtimeMs > KEEP_OLD_BUILDS_MS) fs.rmSync(p, { recursive: true, force: true });
    } catch {
      /* removed by another process meanwhile */
    }
  }
  // Builds of other checkouts that are gone (test copies, moved clones).
  const all = path.dirname(dir);
  for (const key of fs.readdirSync(all)) {
    const other = path.join(all, key);
    if (other === dir) continue;
    try {
      const { root: theirs } = JSON.parse(fs.readFileSync(path.join(other, 'current.json'), 'utf8'));
      if (typeof theirs === 'string' && !fs.existsSync(path.join(theirs, 'src', 'cli.ts'))) fs.rmSync(other, { recursive: true, force: true });
    } catch {
      /* no pointer yet (a build in progress) or removed meanwhile */
    }
  }
}

/** Builds the checkout's CLI; the entry file, or undefined when it could not be built. */
export async function buildCli(root = ROOT) {
  const dir = cacheDirOf(root);
  const build = `${Date.now().toString(36)}-${process.pid}`;
  const out = path.join(dir, build);
  const tmp = path.join(dir, `current.json.${process.pid}.tmp`);
  try {
    const esbuild = await import('esbuild');
    const seen = new Map(CONFIG_FILES.map((f) => [path.join(root, f), statOf(path.join(root, f))]));
    fs.mkdirSync(dir, { recursive: true });
    const result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: { cli: path.join(root, 'src', 'cli.ts') },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // Packages load from node_modules as they are: only the checkout's own sources are joined.
      packages: 'external',
      outdir: out,
      plugins: [keepImportMeta(root, seen)],
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = {};
    for (const file of [...Object.keys(result.metafile.inputs), ...CONFIG_FILES]) {
      const full = path.resolve(root, file);
      const now = statOf(full);
      if (!now) continue;
      // Changed while being built: recorded as unknown, so the next command builds again.
      const read = seen.get(full);
      inputs[file] = read && read[0] === now[0] && read[1] === now[1] ? now : [-1, now[1]];
    }
    const pointer = JSON.stringify({ format: FORMAT, root, esbuild: esbuildVersion(root), build, builtAt: new Date().toISOString(), inputs });
    fs.writeFileSync(tmp, pointer);
    fs.renameSync(tmp, path.join(dir, 'current.json'));
    prune(root, dir, build);
    return path.join(out, 'cli.js');
  } catch {
    for (const leftover of [out, tmp]) {
      try {
        fs.rmSync(leftover, { recursive: true, force: true });
      } catch {
        /* its folder could not be made in the first place */
      }
    }
    return undefined;
  }
}

/** The compiled CLI's entry file: the fresh build, a new one, or undefined (run the sources). */
export async function compiledCli(root = ROOT) {
  return freshBuild(root) ?? (await buildCli(root));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const entry = await buildCli();
  if (entry) process.stdout.write(`built ${path.relative(ROOT, entry)}\n`);
  else {
    process.stderr.write('could not build the compiled command line: commands run from the TypeScript sources (slower)\n');
    process.exitCode = 1;
  }
}
