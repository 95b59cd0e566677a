/**
 * What keeps a run's start-up cheap (docs/benchmark.md) and would silently come back if
 * someone wrote the obvious import: zod comes from src/zod.ts (its CommonJS build), and the
 * checks build on Playwright's test without browser fixtures (`_baseTest`).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { _baseTest } from '@playwright/test';
import { PROJECT_ROOT } from '../../src/run/paths.ts';
import { z } from '../../src/zod.ts';

const SOURCE_DIRS = ['config', 'src', 'runbooks', 'checks', 'tests', 'bench'];

function sources(): string[] {
  return SOURCE_DIRS.flatMap((d) =>
    (fs.readdirSync(path.join(PROJECT_ROOT, d), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => path.join(d, f)),
  );
}

test('no module imports zod but src/zod.ts, which gives its CommonJS build', () => {
  const direct = sources().filter((f) => f !== path.join('src', 'zod.ts') && /from ['"]zod(\/[^'"]*)?['"]/.test(fs.readFileSync(path.join(PROJECT_ROOT, f), 'utf8').replace(/^import type .*$/gm, '')));
  assert.deepEqual(direct, [], 'import { z } from src/zod.ts instead (about 0.2 s of CPU per run: docs/benchmark.md)');
  assert.equal(z, (createRequire(import.meta.url)('zod') as { z: unknown }).z, 'the CommonJS build');
  assert.equal(z.string().parse('ok'), 'ok');
  assert.ok(new z.ZodError([]) instanceof z.ZodError);
});

test('the installed Playwright exports _baseTest, which the checks build on (checks/fixtures.ts)', () => {
  assert.equal(typeof _baseTest?.extend, 'function', 'without it the checks fall back to `test` and its browser fixtures: about 0.7 s of CPU more per run');
  assert.match(fs.readFileSync(path.join(PROJECT_ROOT, 'checks', 'fixtures.ts'), 'utf8'), /const base = _baseTest \?\? playwrightTest;/);
});
