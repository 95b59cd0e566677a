/**
 * The daemon's due-check runs take their selection from the suite's listing (src/run/select.ts
 * selectIds) instead of a Playwright listing of each new set of ids: proved to be the very set
 * Playwright's own --grep selects, through real `playwright test --list` runs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEnv } from '../../config/index.ts';
import { catalog } from '../../runbooks/catalog.ts';
import { grepOf, ruleOf } from '../../src/monitor/cadence.ts';
import { listTests } from '../../src/run/list-tests.ts';
import { selectIds } from '../../src/run/select.ts';

const config = parseEnv(
  { CREDLINK_BASE_URL: 'https://staging.credlink.example', CREDLINK_API_KEYS: 'k-probe-123456', DATABASE_URL: 'postgres://monitor@db.invalid/credlink' },
  { env: 'staging', file: 'environments/staging.env', processEnv: {} },
);

test('selectIds selects what Playwright --grep selects, for the cadences\' sets of ids and their unions', { timeout: 120_000 }, () => {
  const ids = Object.keys(catalog);
  const every = (s: number) => ids.filter((id) => ruleOf(id)?.every === s);
  // A set naming an id that is a prefix of another (security.cors-* ids), and one naming an id no test carries.
  const sets = [every(300), [...every(300), ...every(1800)], [...every(300), ...every(1800), ...every(3600)], ['security.cors-allowed-origins'], ['health.document', 'manual.memory-trend']];
  for (const set of sets) {
    const grep = grepOf(set);
    const ours = selectIds(grep, set, config).map((t) => t.title).sort();
    const playwright = listTests(config, grep).map((t) => t.title).sort();
    assert.ok(playwright.length > 0);
    assert.deepEqual(ours, playwright, `the set ${set.join(', ')}`);
  }
});
