/**
 * Command lines as the docs and the shipped examples write them, checked against the declarations
 * the tool parses (src/cli.ts's command map, each command's `options`): a documented command or
 * option that does not exist fails a test instead of a user.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/run/paths.ts';
import { commands } from '../../src/cli.ts';
import type { Command } from '../../src/commands/contract.ts';

/** Shell words of one line: quotes removed, `$(...)` and `${...}` kept as one word. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      cur += line.slice(i + 1, end < 0 ? line.length : end);
      has = true;
      i = end < 0 ? line.length : end;
    } else if (c === '$' && (line[i + 1] === '(' || line[i + 1] === '{')) {
      const close = line[i + 1] === '(' ? ')' : '}';
      const end = line.indexOf(close, i + 2);
      cur += line.slice(i, end < 0 ? line.length : end + 1);
      has = true;
      i = end < 0 ? line.length : end;
    } else if (/\s/.test(c)) {
      if (has) words.push(cur);
      cur = '';
      has = false;
    } else if (c === '#' && !has) {
      break; // a comment
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) words.push(cur);
  return words;
}

const SEPARATORS = new Set(['|', '||', '&&', ';', '&', '>', '>>', '2>', '2>&1', ')']);

/** Every invocation of the tool in a shell line: the words after `credlink-checks` (or bin/credlink-checks.js, npm run checks --). */
export function invocations(line: string): string[][] {
  const words = shellWords(line);
  const out: string[][] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const isTool = w === 'credlink-checks' || /(^|\/)bin\/credlink-checks\.js$/.test(w);
    const viaNpm = w === 'run' && words[i - 1] === 'npm' && words[i + 1] === 'checks' && words[i + 2] === '--';
    if (!isTool && !viaNpm) continue;
    const start = viaNpm ? i + 3 : i + 1;
    const args: string[] = [];
    for (let j = start; j < words.length && !SEPARATORS.has(words[j]!); j++) {
      const word = words[j]!;
      args.push(word.replace(/[;&]+$/, ''));
      if (/[;&]$/.test(word)) break; // "...; echo": the command ends with the word
    }
    out.push(args);
  }
  return out;
}

/** Shell lines of a fenced block: continuation lines (trailing backslash) joined. */
export function shellLines(block: string): string[] {
  return block.replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

export interface Declared {
  name: string;
  command: Command;
}

/** The commands with their option declarations, loaded once. */
export async function declaredCommands(): Promise<Map<string, Command>> {
  const out = new Map<string, Command>();
  for (const [name, entry] of Object.entries(commands)) out.set(name, (await entry.load()).default);
  return out;
}

/** What is wrong with one invocation (empty when its command and every option exist). */
export function invocationProblems(args: readonly string[], declared: Map<string, Command>): string[] {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === '--version' || name === 'help') return [];
  if (name.startsWith('<') || name === '...') return []; // a placeholder for any command
  const cmd = declared.get(name);
  if (!cmd) return [`unknown command "${name}"`];
  const problems: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    if (!w.startsWith('-') || w === '-' || w === '--') continue;
    if (w === '--help' || w === '-h') continue;
    const [flag, inline] = w.replace(/^--?/, '').split('=', 2) as [string, string | undefined];
    const spec = w.startsWith('--') ? cmd.options[flag] : Object.values(cmd.options).find((o) => o.short === flag);
    if (!spec) {
      problems.push(`${name}: unknown option ${w.split('=')[0]}`);
      continue;
    }
    if (spec.type === 'string' && inline === undefined) i++; // its value
  }
  return problems;
}

/** README.md and every page under docs/, relative to the project root. */
export function docPages(): string[] {
  const out = ['README.md'];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true })) {
      if (e.isDirectory()) walk(`${dir}/${e.name}`);
      else if (e.name.endsWith('.md')) out.push(`${dir}/${e.name}`);
    }
  };
  walk('docs');
  return out;
}
