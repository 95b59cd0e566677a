/** Retention of report folders (src/schedule/retention.ts), on real folders in a temp dir. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { pruneRunFolders, runIdTime, type RetentionPolicy } from '../../src/schedule/retention.ts';
import { newRunId } from '../../src/run/paths.ts';
import { tempDir } from '../helpers/harness.ts';

const NOW = new Date('2026-11-26T12:00:00.000Z');
const DAY = 86_400_000;

/** An environment folder with one run folder per age (days), plus things retention must leave alone. */
function envDir(ages: number[]): { dir: string; runs: string[] } {
  const dir = tempDir('credlink-retention-');
  const runs = ages.map((d, i) => newRunId(new Date(NOW.getTime() - d * DAY - i * 1000)));
  for (const r of runs) {
    fs.mkdirSync(path.join(dir, r));
    fs.writeFileSync(path.join(dir, r, 'runbook.json'), '{}');
  }
  fs.mkdirSync(path.join(dir, `${newRunId(new Date(NOW.getTime() - 90 * DAY))}-load-smoke`));
  fs.writeFileSync(path.join(dir, 'allure-history.jsonl'), '');
  fs.mkdirSync(path.join(dir, 'drills'));
  return { dir, runs: runs.sort() };
}

const left = (dir: string) => fs.readdirSync(dir).sort();

test('run ids carry their time; other names are not run folders', () => {
  assert.equal(runIdTime('20261126T100000Z-ab12'), Date.parse('2026-11-26T10:00:00Z'));
  assert.equal(runIdTime('20261126T100000Z-ab12-load-smoke'), null);
  assert.equal(runIdTime('drills'), null);
});

const table: [name: string, ages: number[], policy: RetentionPolicy, keepIdx: number[], expectKept: number[]][] = [
  ['last N runs', [5, 4, 3, 2, 1, 0], { runs: 3, days: null }, [], [3, 4, 5]],
  ['D days', [10, 8, 6, 1, 0], { runs: null, days: 7 }, [], [2, 3, 4]],
  ['both: a folder goes when either limit says so', [10, 3, 2, 1, 0], { runs: 3, days: 7 }, [], [2, 3, 4]],
  ['a folder an open incident links to stays, whatever its age', [30, 20, 2, 1, 0], { runs: 2, days: 7 }, [0], [0, 3, 4]],
  ['no limit: nothing goes', [400, 0], { runs: null, days: null }, [], [0, 1]],
];
for (const [name, ages, policy, keepIdx, expectKept] of table) {
  test(`retention: ${name}`, () => {
    const { dir, runs } = envDir(ages);
    // runs are sorted oldest first; ages were given oldest first too.
    const keep = new Set(keepIdx.map((i) => runs[i]!));
    const r = pruneRunFolders(dir, policy, keep, NOW);
    const kept = expectKept.map((i) => runs[i]!);
    assert.deepEqual(r.removed.sort(), runs.filter((x) => !kept.includes(x)));
    assert.deepEqual(r.failed, []);
    const others = left(dir).filter((n) => !runs.includes(n));
    assert.equal(others.length, 3, 'load runs, files and other folders are never touched');
    assert.deepEqual(left(dir).filter((n) => runs.includes(n)), kept);
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

test('retention: a missing environment folder is nothing to do', () => {
  const dir = tempDir('credlink-retention-');
  assert.deepEqual(pruneRunFolders(path.join(dir, 'nope'), { runs: 1, days: 1 }, new Set(), NOW), { removed: [], failed: [] });
  fs.rmSync(dir, { recursive: true, force: true });
});
