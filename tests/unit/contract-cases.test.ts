/** Every case a contract's standard names has a covering check that exists, or a reason; docs/contracts.md is current. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { contracts } from '../../checks/contracts.ts';
import { caseProblems, type Contract } from '../../checks/contract-cases.ts';
import { CONTRACTS_PAGE, renderContractsPage } from '../../src/docs/contracts-page.ts';
import { PROJECT_ROOT } from '../../src/run/paths.ts';
import { classifyHealthStatus } from '../../checks/health/health-status.ts';
import { lookAlikeOrigins } from '../../src/security/cors-origins.ts';

/** Check ids some spec declares with runbook('...'). */
function declaredChecks(): Set<string> {
  const ids = new Set<string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      // runbook('id'), and ids of a table a spec loops over (['health.root', paths.health, ...]).
      else if (e.name.endsWith('.spec.ts')) for (const m of fs.readFileSync(p, 'utf8').matchAll(/runbook\('([^']+)'\)|^\s*\['([a-z0-9]+\.[a-z0-9.-]+)',/gm)) ids.add((m[1] ?? m[2])!);
    }
  };
  walk(path.join(PROJECT_ROOT, 'checks'));
  return ids;
}

test('every case has covering checks that exist and are declared by a spec, or a reason; every covered case a fault that proves it (that exists) or a reason why none can', () => {
  assert.deepEqual(caseProblems(contracts, declaredChecks()), []);
});

test('a case with neither a check nor a reason, both, an unknown check, undeclared check or unknown fault, or a covered case with neither a fault nor a reason for none (or both) is a problem', () => {
  const bad = {
    id: 'x',
    title: 'x',
    summary: 'x',
    standards: [],
    cases: [
      { case: 'neither', source: 's' },
      { case: 'both', source: 's', checks: ['health.document'], faults: ['health-minimal'], notCovered: 'a reason' },
      { case: 'unknown check', source: 's', checks: ['security.no-such-check'], faults: ['health-minimal'] },
      { case: 'undeclared', source: 's', checks: ['health.latency'], faults: ['health-minimal'] },
      { case: 'unknown fault', source: 's', checks: ['health.document'], faults: ['no-such-fault'] },
      { case: 'no fault, no reason', source: 's', checks: ['health.document'] },
      { case: 'fault and reason', source: 's', checks: ['health.document'], faults: ['health-minimal'], noFault: 'a reason' },
      { case: 'proven', source: 's', checks: ['health.document'], faults: ['health-minimal'] },
      { case: 'no failing side', source: 's', checks: ['health.document'], noFault: 'a reason' },
      { case: 'fine', source: 's', notCovered: 'a reason' },
    ],
  } as unknown as Contract;
  assert.deepEqual(caseProblems([bad], new Set(['health.document'])), [
    'x: "neither" has neither a covering check nor a reason',
    'x: "both" has both covering checks and a reason',
    'x: "unknown check" names check security.no-such-check, which is not in the catalog',
    'x: "undeclared" names health.latency, which no check in checks/ declares',
    'x: "unknown fault" names fault no-such-fault, which src/target/faults.ts does not have',
    'x: "no fault, no reason" has no fault proving its failing side and no reason why none can (noFault)',
    'x: "fault and reason" has both faults and a reason for having none',
  ]);
});

test('docs/contracts.md is generated from the cases (npm run docs)', () => {
  const committed = fs.readFileSync(path.join(PROJECT_ROOT, CONTRACTS_PAGE), 'utf8');
  assert.equal(committed, renderContractsPage(contracts), 'docs/contracts.md is stale: run `npm run docs`');
});

test('health status values: the draft\'s and its aliases, case-insensitive; anything else unknown', () => {
  const table: [unknown, string][] = [
    ['pass', 'pass'], ['ok', 'pass'], ['UP', 'pass'], ['healthy', 'pass'],
    ['warn', 'warn'], ['degraded', 'warn'],
    ['fail', 'fail'], ['error', 'fail'], ['down', 'fail'], ['Unhealthy', 'fail'],
    ['operational', 'unknown'], [42, 'unknown'], [null, 'unknown'],
  ];
  for (const [v, want] of table) assert.equal(classifyHealthStatus(v), want, String(v));
});

test('look-alike origins: null, suffix, prefix, http downgrade of the first allowed origin; never an allowed one', () => {
  assert.deepEqual(lookAlikeOrigins(['https://app.example.com', 'https://b.example.com']).map((l) => l.origin), [
    'null',
    'https://app.example.com.credlink-checks.invalid',
    'https://evilapp.example.com',
    'http://app.example.com',
  ]);
  assert.deepEqual(lookAlikeOrigins(['http://app.example.com:8080']).map((l) => l.origin), ['null', 'http://app.example.com:8080.credlink-checks.invalid', 'http://evilapp.example.com:8080']);
  assert.deepEqual(lookAlikeOrigins(['https://a.test', 'http://a.test', 'null']).map((l) => l.origin), ['https://a.test.credlink-checks.invalid', 'https://evila.test']);
  assert.deepEqual(lookAlikeOrigins([]).map((l) => l.origin), ['null']);
});
