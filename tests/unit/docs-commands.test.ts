/**
 * The README and docs/ say only what the tool does: every `credlink-checks <command> --option` they
 * show exists in the declarations the parser and --help read, every `npm run` script exists, every
 * relative link reaches a file and heading, and the commands that are quick and safe on loopback
 * (help, version, list) run as written and exit 0.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../../src/run/paths.ts';
import { Slugger } from '../../src/runbook-md/slug.ts';
import { declaredCommands, docPages, invocationProblems, invocations, shellLines } from '../helpers/command-lines.ts';
import { cli } from '../helpers/harness.ts';

const read = (rel: string) => fs.readFileSync(path.join(PROJECT_ROOT, rel), 'utf8');

/** Fenced blocks of a page: language and body. */
function blocks(text: string): { lang: string; body: string }[] {
  return [...text.matchAll(/^```([a-z]*)\n([\s\S]*?)^```/gm)].map((m) => ({ lang: m[1]!, body: m[2]! }));
}
const SHELL = new Set(['sh', 'bash', 'shell', 'console']);

/** Text outside fenced blocks. */
const prose = (text: string) => text.replace(/^```[a-z]*\n[\s\S]*?^```/gm, '');

/** Every command line of a page: the shell blocks' lines and inline code spans that invoke the tool. */
function commandLines(rel: string): string[] {
  const text = read(rel);
  const shell = blocks(text).filter((b) => SHELL.has(b.lang)).flatMap((b) => shellLines(b.body));
  const inline = [...prose(text).matchAll(/`([^`\n]*\bcredlink-checks [a-z-][^`\n]*)`/g)].map((m) => m[1]!.replace(/\\\|/g, '|'));
  return [...shell, ...inline];
}

test('docs: every page is reachable from docs/README.md or the README, and the README stays a first hour (<= 250 lines)', () => {
  assert.ok(read('README.md').split('\n').length <= 250, 'README.md is at most 250 lines: move the rest to docs/');
  const index = read('docs/README.md') + read('README.md');
  for (const rel of docPages().filter((p) => p.startsWith('docs/') && p !== 'docs/README.md')) {
    assert.ok(index.includes(`(${rel.slice('docs/'.length)})`) || index.includes(`(${rel})`), `${rel} is linked from docs/README.md`);
  }
});

test('docs: every documented credlink-checks command and option exists in the declarations --help reads', async () => {
  const declared = await declaredCommands();
  let seen = 0;
  const problems: string[] = [];
  for (const rel of docPages()) {
    for (const line of commandLines(rel)) {
      for (const args of invocations(line)) {
        seen++;
        for (const p of invocationProblems(args, declared)) problems.push(`${rel}: ${p} in: ${line}`);
      }
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(seen >= 40, `documented invocations found: ${seen}`);
  // Each command is shown at least once somewhere.
  const all = docPages().flatMap(commandLines).flatMap(invocations).map((a) => a[0]);
  for (const name of declared.keys()) assert.ok(all.includes(name), `no page shows "credlink-checks ${name}"`);
});

test('docs: every npm command in a shell block is an npm built-in or a script of package.json', () => {
  const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
  for (const rel of docPages()) {
    for (const line of blocks(read(rel)).filter((b) => SHELL.has(b.lang)).flatMap((b) => shellLines(b.body))) {
      for (const m of line.matchAll(/\bnpm (run )?([a-z:-]+)/g)) {
        const name = m[2]!;
        if (!m[1] && ['install', 'ci'].includes(name)) continue;
        assert.ok(scripts.includes(name), `${rel}: "npm ${m[1] ?? ''}${name}" is not a script of package.json`);
      }
    }
  }
});

test('docs: every relative link reaches an existing file, and its #anchor a heading of that file', () => {
  const anchors = new Map<string, Set<string>>();
  const anchorsOf = (rel: string) => {
    if (!anchors.has(rel)) {
      const slugger = new Slugger();
      anchors.set(rel, new Set(prose(read(rel)).split('\n').filter((l) => /^#{1,6} /.test(l)).map((l) => slugger.slug(l.replace(/^#+ /, '').replace(/`/g, '').trim()))));
    }
    return anchors.get(rel)!;
  };
  const problems: string[] = [];
  for (const rel of docPages()) {
    for (const m of prose(read(rel)).matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target)) continue; // http(s), mailto
      const [file, anchor] = target.split('#') as [string, string | undefined];
      const to = file ? path.posix.normalize(path.posix.join(path.posix.dirname(rel), file)) : rel;
      if (!fs.existsSync(path.join(PROJECT_ROOT, to))) {
        problems.push(`${rel}: link to ${target}: no such file`);
        continue;
      }
      if (anchor && to.endsWith('.md') && !anchorsOf(to).has(anchor)) problems.push(`${rel}: link to ${target}: no such heading in ${to}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('docs: the quick read-only commands they show run as written and exit 0 (help, version, list)', async () => {
  const runnable = new Set<string>();
  for (const rel of docPages()) {
    for (const args of commandLines(rel).flatMap(invocations)) {
      const quick = args.length === 0 || ['--help', '--version'].includes(args[0]!) || args.includes('--help') || (args[0] === 'list' && args.every((a): boolean => a === 'list' || a === '--json'));
      if (quick && args.every((a) => !/[<>$]|\.\.\./.test(a))) runnable.add(JSON.stringify(args.includes('--help') ? [args[0]!, '--help'] : args));
    }
  }
  assert.ok(runnable.size >= 2, `runnable documented commands: ${[...runnable].join(' ')}`);
  for (const key of runnable) {
    const args = JSON.parse(key) as string[];
    const r = await cli(args.length ? args : ['--help'], { cwd: PROJECT_ROOT });
    assert.equal(r.code, 0, `credlink-checks ${args.join(' ')} exits 0 (stderr: ${r.stderr.trim().split('\n')[0]})`);
    assert.ok(r.stdout.trim().length > 0, `credlink-checks ${args.join(' ')} prints something`);
  }
});
