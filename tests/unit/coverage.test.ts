/**
 * Runbook coverage on a fixture runbook written for these tests (tests/fixtures/runbook-coverage.md):
 * headings outside fenced code with GitHub anchors, the "checkable" rule, covered / manual /
 * uncovered sections, drift from a renamed section, --min-coverage and --json through the real CLI.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { computeCoverage, type CoverageEntry } from '../../src/coverage/coverage.ts';
import { parseRunbook } from '../../src/runbook-md/parse.ts';
import { cli } from '../helpers/harness.ts';

const FIXTURE = path.join(import.meta.dirname, '..', 'fixtures', 'runbook-coverage.md');
const headings = parseRunbook(fs.readFileSync(FIXTURE, 'utf8'));

test('parse: fenced `# comments` (``` and ~~~) are not headings; anchors are GitHub slugs, mis-encoded emoji included', () => {
  const titles = headings.map((h) => h.title);
  assert.ok(!titles.some((t) => /Check service availability|Not a heading|Still not a heading|Page the on-call|Count connections/.test(t)), titles.join(' | '));
  const anchors = headings.map((h) => h.anchor);
  assert.deepEqual(anchors.slice(0, 3), ['fixture-operations-runbook', 'ðÿ-overview', 'ðÿš-incident-severity-levels']);
  assert.ok(anchors.includes('1-basic-service-health'));
  assert.ok(anchors.includes('incident-service-unavailable-503502-errors'));
  assert.ok(anchors.includes('ðÿš-common-incidents--solutions'));
  const k8s = headings.find((h) => h.anchor === '2-kubernetes-health')!;
  assert.equal(k8s.chapter, 'ðŸ” Health Check Procedures');
  assert.equal(k8s.hasFencedCode, true);
});

const entry = (id: string, anchor: string, title: string, automated = true): CoverageEntry => ({ id, anchors: [{ field: 'section', anchor, title }], automated });
const entries: CoverageEntry[] = [
  entry('health.root', 'incident-service-unavailable-503502-errors', 'Incident: Service Unavailable (503/502 Errors)'),
  { id: 'health.document', anchors: [{ field: 'section', anchor: '1-basic-service-health', title: '1. Basic Service Health' }], automated: true },
  entry('db.connect', 'incident-database-connection-issues', 'Incident: Database Connection Issues'),
  { id: 'db.connections', anchors: [{ field: 'section', anchor: 'incident-database-connection-issues', title: 'Incident: Database Connection Issues' }, { field: 'procedure', anchor: '3-database-health', title: '3. Database Health' }], automated: true },
  entry('health.latency', 'incident-slow-response-times', 'Incident: Slow Response Times'),
  entry('manual.memory-trend', 'incident-high-memory-usage', 'Incident: High Memory Usage', false),
];

test('coverage: covered, manual, uncovered and not-checkable sections; drift with a "did you mean"', () => {
  const r = computeCoverage(headings, entries);
  const status = Object.fromEntries(r.sections.filter((s) => s.level === 3).map((s) => [s.anchor, s.status]));
  assert.deepEqual(status, {
    'sev-1---high-response-within-15-minutes': 'not-checkable',
    '1-basic-service-health': 'covered',
    '2-kubernetes-health': 'uncovered',
    '3-database-health': 'covered',
    'incident-service-unavailable-503502-errors': 'covered',
    'incident-database-connectivity-problems': 'uncovered',
    'incident-high-memory-usage': 'manual',
    'incident-slow-response-times': 'covered',
    '1-key-metrics-to-monitor': 'uncovered',
    '2-dashboard-checks': 'not-checkable',
    '1-incident-escalation': 'not-checkable',
  });
  assert.deepEqual(r.sections.find((s) => s.anchor === '3-database-health')!.checks, ['db.connections']);
  assert.deepEqual(r.drift.map((d) => `${d.checkId}:${d.field}:${d.anchor}`), [
    'db.connect:section:incident-database-connection-issues',
    'db.connections:section:incident-database-connection-issues',
  ]);
  assert.equal(r.drift[0]!.didYouMean?.anchor, 'incident-database-connectivity-problems');
  assert.equal(r.checkable, 8);
  assert.equal(r.covered, 4);
  assert.equal(r.percent, 50);
});

test('coverage: no drift and 100% when the catalog matches; nothing checkable counts as 100%', () => {
  const r = computeCoverage(parseRunbook('## Health Check Procedures\n### A\n```\ncurl x\n```\n'), [entry('a', 'a', 'A')]);
  assert.deepEqual([r.drift.length, r.checkable, r.covered, r.percent], [0, 1, 1, 100]);
  assert.equal(computeCoverage(parseRunbook('## Contacts\n### People\nprose\n'), []).percent, 100);
});

test('CLI coverage on the fixture with the real catalog: text, --json, --min-coverage exit codes', async () => {
  const text = await cli(['coverage', '--runbook', FIXTURE]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /2\. Kubernetes Health\s+covered\s+k8s\.access/);
  assert.match(text.stdout, /Incident: Database Connectivity Problems\s+UNCOVERED/);
  assert.match(text.stdout, /Incident: Service Unavailable \(503\/502 Errors\)\s+covered\s+health\.root/);
  assert.match(text.stdout, /db\.connect section -> #incident-database-connection-issues .*did you mean "Incident: Database Connectivity Problems"/);
  assert.doesNotMatch(text.stdout, /\u001b\[/, 'no colour without a TTY');

  const json = await cli(['coverage', '--runbook', FIXTURE, '--json', '--min-coverage', '100']);
  assert.equal(json.code, 1, 'below --min-coverage exits 1');
  const r = JSON.parse(json.stdout);
  assert.equal(r.belowMinimum, true);
  const byAnchor = Object.fromEntries(r.sections.map((s: { anchor: string }) => [s.anchor, s]));
  assert.equal(byAnchor['2-kubernetes-health'].status, 'covered');
  assert.equal(byAnchor['incident-database-connectivity-problems'].status, 'uncovered');
  assert.equal(byAnchor['incident-slow-response-times'].status, 'covered');
  assert.ok(r.drift.some((d: { checkId: string; anchor: string }) => d.checkId === 'db.connect' && d.anchor === 'incident-database-connection-issues'));
  assert.ok(!r.drift.some((d: { anchor: string }) => d.anchor === 'incident-service-unavailable-503502-errors'));

  assert.equal((await cli(['coverage', '--runbook', FIXTURE, '--min-coverage', '1'])).code, 0);
  // A file without a single checkable runbook section is not a runbook: exit 2, not "0 of 0 (100%)".
  const readme = await cli(['coverage', '--runbook', 'README.md', '--min-coverage', '90']);
  assert.equal(readme.code, 2, readme.stdout);
  assert.match(readme.stderr, /^credlink-checks coverage: README\.md is not a runbook: no checkable section and no heading the catalog points to \(see coverage --help\); point --runbook at the runbook markdown$/m);
  assert.equal(readme.stdout, '');
  const missing = await cli(['coverage', '--runbook', 'no-such-runbook.md']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^credlink-checks coverage: cannot read the runbook no-such-runbook\.md: ENOENT\n$/);
  const bad = await cli(['coverage', '--runbook', FIXTURE, '--min-coverage', '150']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.split('\n').length, 2, 'one line');
});
