/**
 * The compiled command line (bin/compiled-cli.js), on a small project of its own in a temporary
 * directory (its node_modules the checkout's, for esbuild and the packages): a build keeps the
 * sources' import.meta values, is used again while no source changed, is never used stale (an
 * edit, a removed file), leaves the sources to tsx when it cannot be built, and removes the
 * builds of checkouts that are gone.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../src/run/paths.ts';
import { tempDir } from '../helpers/harness.ts';

interface CompiledCli {
  cacheDirOf(root: string): string;
  freshBuild(root: string): string | undefined;
  buildCli(root: string): Promise<string | undefined>;
  compiledCli(root: string): Promise<string | undefined>;
}
const { cacheDirOf, freshBuild, buildCli, compiledCli } = (await import(pathToFileURL(path.join(PROJECT_ROOT, 'bin', 'compiled-cli.js')).href)) as CompiledCli;

const made: string[] = [];
after(() => {
  for (const root of made) {
    fs.rmSync(cacheDirOf(root), { recursive: true, force: true });
    fs.rmSync(root, { recursive: true, force: true });
  }
});

/** A project with src/cli.ts (main returns where it thinks it is and a word from a lazy module). */
function project(word = 'first'): string {
  const root = tempDir('credlink-compiled-');
  made.push(root);
  fs.mkdirSync(path.join(root, 'src', 'commands'), { recursive: true });
  fs.writeFileSync(path.join(root, 'package.json'), '{ "type": "module", "private": true }\n');
  fs.writeFileSync(path.join(root, 'tsconfig.json'), '{ "compilerOptions": { "strict": true } }\n');
  fs.writeFileSync(
    path.join(root, 'src', 'cli.ts'),
    `import path from 'node:path';
export async function main(args: string[]): Promise<{ dirname: string; url: string; word: string; args: string[] }> {
  const { word } = await import('./commands/word.ts');
  return { dirname: import.meta.dirname, url: import.meta.url, word: word(), args };
}
export const root: string = path.resolve(import.meta.dirname, '..');
`,
  );
  writeWord(root, word);
  fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(root, 'node_modules'));
  return root;
}

function writeWord(root: string, word: string): void {
  fs.writeFileSync(path.join(root, 'src', 'commands', 'word.ts'), `export const word = (): string => ${JSON.stringify(word)};\n`);
}

async function runIt(entry: string): Promise<{ dirname: string; url: string; word: string; args: string[] }> {
  // A new build is a new folder: importing it fresh is what a new command does.
  const mod = (await import(pathToFileURL(entry).href)) as { main(args: string[]): Promise<{ dirname: string; url: string; word: string; args: string[] }> };
  return mod.main(['x']);
}

test('a build runs like the sources (import.meta of each source file, lazy modules) and is used again while nothing changed', async () => {
  const root = project();
  assert.equal(freshBuild(root), undefined, 'nothing built yet');
  const entry = await compiledCli(root);
  assert.ok(entry, 'built');
  assert.ok(entry.startsWith(cacheDirOf(root) + path.sep), entry);
  const out = await runIt(entry);
  assert.equal(out.dirname, path.join(root, 'src'), 'import.meta.dirname is the source file\'s');
  assert.equal(out.url, pathToFileURL(path.join(root, 'src', 'cli.ts')).href);
  assert.equal(out.word, 'first');
  assert.deepEqual(out.args, ['x']);
  assert.equal(freshBuild(root), entry, 'unchanged sources: the same build');
  assert.equal(await compiledCli(root), entry);
});

test('a changed or removed source is never run from a stale build', async () => {
  const root = project();
  const first = await compiledCli(root);
  assert.ok(first);
  // Edited (another size and time): rebuilt, and the new text is what runs.
  writeWord(root, 'second, longer');
  fs.utimesSync(path.join(root, 'src', 'commands', 'word.ts'), new Date(), new Date(Date.now() + 5000));
  assert.equal(freshBuild(root), undefined, 'the edit makes the build stale');
  const second = await compiledCli(root);
  assert.ok(second && second !== first, 'a new build in a new folder');
  assert.equal((await runIt(second)).word, 'second, longer');
  assert.ok(fs.existsSync(first), 'the earlier build stays for processes still running from it');
  // The same size, only a new modification time: stale too.
  const later = new Date(Date.now() + 10_000);
  fs.utimesSync(path.join(root, 'src', 'commands', 'word.ts'), later, later);
  assert.equal(freshBuild(root), undefined);
  // A configuration file esbuild reads: stale too.
  await compiledCli(root);
  fs.writeFileSync(path.join(root, 'tsconfig.json'), '{ "compilerOptions": { "strict": false } }\n');
  assert.equal(freshBuild(root), undefined);
  // A source removed: stale, and the build that still imports it fails (no build, the sources run).
  await compiledCli(root);
  fs.rmSync(path.join(root, 'src', 'commands', 'word.ts'));
  assert.equal(freshBuild(root), undefined);
  assert.equal(await compiledCli(root), undefined, 'cannot be built: the caller runs the sources');
});

test('no build where it cannot be written, or from sources that do not compile: undefined, nothing left behind', async () => {
  const root = project();
  fs.mkdirSync(path.dirname(cacheDirOf(root)), { recursive: true });
  fs.writeFileSync(cacheDirOf(root), 'not a directory');
  try {
    assert.equal(await buildCli(root), undefined);
  } finally {
    fs.rmSync(cacheDirOf(root), { force: true });
  }
  fs.writeFileSync(path.join(root, 'src', 'commands', 'word.ts'), 'export const word = ( => ;\n');
  assert.equal(await buildCli(root), undefined);
  const left = fs.existsSync(cacheDirOf(root)) ? fs.readdirSync(cacheDirOf(root)) : [];
  assert.deepEqual(left, [], 'no partial build, no pointer');
});

test('the builds of a checkout that is gone are removed at the next build', async () => {
  const gone = project();
  assert.ok(await compiledCli(gone));
  const goneCache = cacheDirOf(gone);
  fs.rmSync(gone, { recursive: true, force: true });
  const other = project();
  assert.ok(await compiledCli(other));
  assert.equal(fs.existsSync(goneCache), false);
});

test('the entry point runs the sources through tsx when no build can be made, with the same result', async () => {
  const { spawnSync } = await import('node:child_process');
  const root = project('from the sources');
  fs.mkdirSync(path.join(root, 'bin'));
  for (const f of ['credlink-checks.js', 'compiled-cli.js']) fs.copyFileSync(path.join(PROJECT_ROOT, 'bin', f), path.join(root, 'bin', f));
  // As in the real CLI, main() returns the exit code (7 here) and prints.
  fs.writeFileSync(path.join(root, 'src', 'cli.ts'), fs.readFileSync(path.join(root, 'src', 'cli.ts'), 'utf8').replace('export async function main(args: string[]): Promise<{ dirname: string; url: string; word: string; args: string[] }> {', 'export async function main(args: string[]): Promise<number> {\n  process.stdout.write(JSON.stringify(await details(args)));\n  return 7;\n}\nasync function details(args: string[]) {'));
  const run = () => spawnSync(process.execPath, ['--', path.join(root, 'bin', 'credlink-checks.js'), 'a'], { cwd: root, encoding: 'utf8' });
  const compiled = run();
  assert.equal(compiled.status, 7, compiled.stderr);
  assert.ok(freshBuild(root), 'built on first use');
  fs.rmSync(cacheDirOf(root), { recursive: true, force: true });
  fs.writeFileSync(cacheDirOf(root), 'not a directory');
  try {
    const fromSources = run();
    assert.equal(fromSources.status, 7, fromSources.stderr);
    assert.equal(fromSources.stdout, compiled.stdout, 'the same output either way');
    assert.equal(fromSources.stderr, '');
  } finally {
    fs.rmSync(cacheDirOf(root), { force: true });
  }
});
