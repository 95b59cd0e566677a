/**
 * The two floors the bench measures the tool against, generated in a temporary directory:
 *
 * - a bare Playwright run: one spec doing one `request.get` of the target's health path, one
 *   worker, the line reporter; an ES module package like this project (Playwright then loads
 *   specs through the same ESM loader it uses for the checks), its node_modules the project's;
 * - a plain `fetch` open-model probe in plain Node (no TypeScript, no Playwright): requests
 *   started on a fixed schedule, the same rate, count and paths as the suite's latency probe.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/run/paths.ts';

export interface Floors {
  dir: string;
  /** Command and arguments of the bare Playwright run (URL in FLOOR_URL). */
  playwright: { cmd: string; args: string[] };
  /** Command and arguments of the fetch probe. */
  fetch(opts: { rate: number; count: number; urls: string[] }): { cmd: string; args: string[] };
  remove(): void;
}

const SPEC = `import { test, expect } from '@playwright/test';

test('one request', async ({ request }) => {
  const res = await request.get(process.env.FLOOR_URL!);
  expect(res.ok()).toBe(true);
});
`;

const CONFIG = `import { defineConfig } from '@playwright/test';

export default defineConfig({ testDir: '.', testMatch: 'floor.spec.ts', workers: 1, reporter: 'line', outputDir: 'test-results' });
`;

/** Open model: request i of each URL starts at i/rate s, whether or not earlier ones answered. */
const PROBE = `const [rate, count, ...urls] = process.argv.slice(2);
const interval = 1000 / Number(rate);
const t0 = performance.now();
const runs = [];
for (const url of urls) {
  for (let i = 0; i < Number(count); i++) {
    const at = t0 + i * interval;
    runs.push(new Promise((resolve) => setTimeout(resolve, Math.max(0, at - performance.now()))).then(async () => {
      try {
        const res = await fetch(url);
        await res.arrayBuffer();
        return { ms: performance.now() - at, ok: res.ok };
      } catch {
        return { ms: performance.now() - at, ok: false };
      }
    }));
  }
}
const samples = await Promise.all(runs);
const ms = samples.filter((s) => s.ok).map((s) => s.ms).sort((a, b) => a - b);
const p95 = ms[Math.ceil(ms.length * 0.95) - 1];
console.log(JSON.stringify({ requests: samples.length, ok: ms.length, p95 }));
process.exit(ms.length === samples.length ? 0 : 1);
`;

export function makeFloors(): Floors {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'credlink-bench-floor-'));
  fs.symlinkSync(fs.realpathSync(path.join(PROJECT_ROOT, 'node_modules')), path.join(dir, 'node_modules'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'floor', private: true, type: 'module' }));
  fs.writeFileSync(path.join(dir, 'floor.spec.ts'), SPEC);
  fs.writeFileSync(path.join(dir, 'playwright.config.ts'), CONFIG);
  fs.writeFileSync(path.join(dir, 'probe.mjs'), PROBE);
  const cli = path.join(dir, 'node_modules', '@playwright', 'test', 'cli.js');
  return {
    dir,
    playwright: { cmd: process.execPath, args: [cli, 'test', '-c', path.join(dir, 'playwright.config.ts')] },
    fetch: (o) => ({ cmd: process.execPath, args: [path.join(dir, 'probe.mjs'), String(o.rate), String(o.count), ...o.urls] }),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
