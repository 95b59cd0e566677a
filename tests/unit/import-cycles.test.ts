/**
 * No module of src/ (nor config/ and runbooks/, which src/ builds on) reaches itself through its
 * relative imports, type-only imports included: a circle makes the load order decide what is
 * defined, and means two modules are one concept split in the wrong place. A small static scan
 * of the `import ... from './x.ts'` / `export ... from` / `import('./x.ts')` specifiers.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../../src/run/paths.ts';

const SCANNED = ['src', 'config', 'runbooks'];

/** Relative specifiers of a module's static imports, re-exports and dynamic imports. */
function relativeImports(source: string): string[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)) found.push(m[1]!);
  return found;
}

/** Every elementary circle's first sighting, as a list of files (depth-first, each circle once). */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next));
        const key = [...cycle].sort().join('|');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...cycle, next]);
        }
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

function projectGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const dir of SCANNED) {
    for (const f of fs.readdirSync(path.join(PROJECT_ROOT, dir), { recursive: true }) as string[]) {
      if (!f.endsWith('.ts')) continue;
      const file = path.join(dir, f);
      const deps = relativeImports(fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8'))
        .map((spec) => path.normalize(path.join(path.dirname(file), spec)))
        .filter((dep) => SCANNED.some((d) => dep.startsWith(d + path.sep)));
      graph.set(file, [...new Set(deps)]);
    }
  }
  return graph;
}

test('the scan finds imports and circles (table)', () => {
  assert.deepEqual(
    relativeImports(
      [
        "import fs from 'node:fs';",
        "import type { A } from './a.ts';",
        "import {\n  b,\n  c,\n} from '../b/c.ts';",
        "export { d } from './d.ts';",
        "import './side-effect.ts';",
        "const e = await import('./e.ts');",
        "// import { x } from './commented.ts';",
        "/* import { y } from './block.ts'; */",
      ].join('\n'),
    ),
    ['./a.ts', '../b/c.ts', './d.ts', './side-effect.ts', './e.ts'],
  );
  const cases: [string, Record<string, string[]>, string[][]][] = [
    ['no edges', { a: [], b: [] }, []],
    ['a chain', { a: ['b'], b: ['c'], c: [] }, []],
    ['a diamond', { a: ['b', 'c'], b: ['d'], c: ['d'], d: [] }, []],
    ['two modules', { a: ['b'], b: ['a'] }, [['a', 'b', 'a']]],
    ['three modules', { a: ['b'], b: ['c'], c: ['a'] }, [['a', 'b', 'c', 'a']]],
    ['a module importing itself', { a: ['a'] }, [['a', 'a']]],
    ['two separate circles', { a: ['b'], b: ['a'], c: ['d'], d: ['c'] }, [['a', 'b', 'a'], ['c', 'd', 'c']]],
  ];
  for (const [name, g, expected] of cases) assert.deepEqual(findCycles(new Map(Object.entries(g))), expected, name);
});

test('no import circles in src/, config/ and runbooks/', () => {
  const graph = projectGraph();
  assert.ok(graph.size > 100, `scanned ${graph.size} modules`);
  assert.ok(graph.get(path.join('src', 'cli.ts'))?.length, 'src/cli.ts has relative imports');
  const cycles = findCycles(graph);
  assert.deepEqual(cycles.map((c) => c.join(' -> ')), [], 'modules that import each other: move what both need into a module of its own');
});
