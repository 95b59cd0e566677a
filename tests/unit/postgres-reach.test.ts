import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unsearchableAncestor } from '../../src/target/postgres-reach.ts';

test('the first folder others cannot search, from / down (a mode-700 mktemp folder above the checkout)', () => {
  const modes: Record<string, number> = { '/': 0o755, '/tmp': 0o1777, '/tmp/tmp.x': 0o700, '/tmp/tmp.x/main': 0o755, '/tmp/tmp.x/main/node_modules': 0o755 };
  const stat = (p: string) => (p in modes ? { mode: modes[p]! } : undefined);
  const cases: [string, string | undefined][] = [
    ['/tmp/tmp.x/main/node_modules', '/tmp/tmp.x'],
    ['/tmp', undefined],
    ['/work/main/node_modules', undefined],
  ];
  for (const [dir, want] of cases) assert.equal(unsearchableAncestor(dir, stat), want, dir);
  assert.equal(unsearchableAncestor('/tmp/tmp.x/main', (p) => (p === '/' ? { mode: 0o700 } : { mode: 0o755 })), '/');
});
