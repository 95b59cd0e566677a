/**
 * TEST TOOLS for the container image without a Docker engine: a Dockerfile parser (stages,
 * instructions, exec forms, ENV), the .dockerignore rules as Docker applies them, and the
 * build context they send, copied into a directory.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM (usable in FROM lines). */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

/** Instructions with line continuations joined; comments and parser directives dropped. */
export function parseDockerfile(text: string): Dockerfile {
  const out: Dockerfile = { globalArgs: {}, stages: [] };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let l = lines[i]!.trim();
    if (!l || l.startsWith('#')) continue;
    while (l.endsWith('\\') && i + 1 < lines.length) {
      i += 1;
      const next = lines[i]!.trim();
      l = `${l.slice(0, -1).trimEnd()} ${next.startsWith('#') ? '' : next}`.trimEnd();
    }
    const m = /^(\w+)\s+([\s\S]*)$/.exec(l);
    if (!m) throw new Error(`Dockerfile line ${start + 1}: cannot parse "${l}"`);
    const ins: Instruction = { keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start + 1 };
    if (ins.keyword === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args)!;
      out.stages.push({ from: f[1]!.replace(/\$\{(\w+)\}/g, (_, k: string) => out.globalArgs[k] ?? ''), name: f[2], instructions: [] });
    } else if (!out.stages.length) {
      if (ins.keyword !== 'ARG') throw new Error(`Dockerfile line ${start + 1}: ${ins.keyword} before FROM`);
      const [k, v = ''] = ins.args.split('=');
      out.globalArgs[k!] = v;
    } else {
      out.stages.at(-1)!.instructions.push(ins);
    }
  }
  return out;
}

/** The exec (JSON) form of CMD/ENTRYPOINT/RUN, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  const v = JSON.parse(args) as unknown;
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

/** ENV instructions of a stage as one record (`ENV A=1 B=2` form). */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const ins of stage.instructions.filter((x) => x.keyword === 'ENV')) {
    for (const [, k, v] of ins.args.matchAll(/(\w+)=("[^"]*"|\S*)/g)) env[k!] = v!.replace(/^"|"$/g, '');
  }
  return env;
}

// --- .dockerignore ------------------------------------------------------------------------

function globToRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      if (glob[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Docker's rules (moby/patternmatcher): patterns in order, `!` re-includes, a pattern that
 * matches a parent folder matches everything in it, the last match wins. Returns "is this
 * path (relative, with /) left out of the build context?".
 */
export function dockerignore(text: string): (rel: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negated = l.startsWith('!');
      const pattern = path.posix.normalize((negated ? l.slice(1) : l).trim()).replace(/^\/+|\/+$/g, '');
      return { negated, re: globToRegex(pattern) };
    });
  return (rel) => {
    const parts = rel.split('/');
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const r of rules) if (candidates.some((c) => r.re.test(c))) excluded = !r.negated;
    return excluded;
  };
}

/** Files of `root` that the build context would hold (relative paths, sorted). node_modules and .git are never walked. */
export function contextFiles(root: string, excluded: (rel: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === '.git') continue;
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) walk(rel);
      else if (e.isFile() && !excluded(rel)) out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

/** Copies the build context into `dest` (what `COPY . .` would put in the image). */
export function copyContext(root: string, files: readonly string[], dest: string): void {
  for (const rel of files) {
    fs.mkdirSync(path.dirname(path.join(dest, rel)), { recursive: true });
    fs.copyFileSync(path.join(root, rel), path.join(dest, rel));
  }
}
