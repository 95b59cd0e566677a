/**
 * Enumerates the suite's tests and the catalog ids they declare, through `playwright test --list`
 * (nothing runs, nothing is contacted).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { processFacts, RESOLVED_CONFIG_VAR, type ResolvedConfig } from '../../config/index.ts';
import { EnvironmentError } from '../errors.ts';
import { PLAYWRIGHT_NODE_FLAGS } from './node-flags.ts';
import { PLAYWRIGHT_CONFIG, PROJECT_ROOT } from './paths.ts';

export interface ListedTest {
  title: string;
  file: string;
  checkIds: string[];
}

interface JsonSuite {
  title: string;
  file?: string;
  specs?: { title: string; file: string; tags?: string[] }[];
  suites?: JsonSuite[];
}

/** The suite's tests, or only those `grep` selects (Playwright's own --grep: exactly the selection a run makes). */
export function listTests(config: ResolvedConfig, grep?: string): ListedTest[] {
  const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
  const args = [...PLAYWRIGHT_NODE_FLAGS, cli, 'test', '-c', PLAYWRIGHT_CONFIG, '--list', '--reporter=json', ...(grep === undefined ? [] : ['--grep', grep])];
  const res = spawnSync(process.execPath, args, {
    cwd: PROJECT_ROOT,
    env: { ...processFacts.env(), [RESOLVED_CONFIG_VAR]: JSON.stringify(config), FORCE_COLOR: '0' },
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  let parsed: { suites?: JsonSuite[]; errors?: { message?: string }[] };
  try {
    parsed = JSON.parse(res.stdout);
  } catch {
    throw new EnvironmentError(`could not list the checks (playwright exited ${res.status}): ${(res.stderr || res.stdout).split('\n')[0]}`);
  }
  // "No tests found" is an answer (nothing selected), not a failure to load.
  const errors = (parsed.errors ?? []).filter((e) => !/^Error: No tests found/.test(e.message ?? ''));
  if (errors.length) throw new EnvironmentError(`the suite does not load: ${errors[0]?.message?.split('\n')[0]}`);
  const out: ListedTest[] = [];
  const walk = (s: JsonSuite) => {
    for (const spec of s.specs ?? []) {
      const ids = (spec.tags ?? []).map((t) => t.replace(/^@/, '')).filter((t) => !t.startsWith('SEV-') && !t.startsWith('section:'));
      out.push({ title: spec.title, file: spec.file, checkIds: ids });
    }
    for (const c of s.suites ?? []) walk(c);
  };
  for (const s of parsed.suites ?? []) walk(s);
  return out;
}
