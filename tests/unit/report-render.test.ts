/**
 * The pure report renderers, table-driven: Allure severity mapping, HTML grouping and escaping
 * (a hostile string from the target must not become markup), JUnit enrichment (well-formed
 * attribute escaping, only failed cases touched), history loading bounds.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { catalog } from '../../runbooks/catalog.ts';
import { sections } from '../../runbooks/sections.ts';
import { ALLURE_SEVERITY, allureAnnotations, runbookLinkListener } from '../../src/report/allure-labels.ts';
import { loadHistory } from '../../src/report/history.ts';
import { groupBySection, renderHtml } from '../../src/report/html.ts';
import { enrichJunit } from '../../src/report/junit.ts';
import { toReport, type TestRecord } from '../../src/reporter/to-report.ts';
import type { RunbookReport } from '../../src/reporter/schema.ts';
import { testRecord } from '../helpers/records.ts';

const run = (runId: string, startedAt = '2026-01-01T00:00:00.000Z') => ({ env: 'staging', runId, baseUrl: 'https://x', startedAt, durationMs: 5 });
const rec = testRecord;
const fail = (id: string, message: string, impact?: object): TestRecord =>
  rec(id, { status: 'failed', outcome: 'unexpected', errors: [message], annotations: [{ type: 'runbook', description: id }, ...(impact ? [{ type: 'impact', description: JSON.stringify(impact) }] : [])] });

test('allure: SEV-0..3 map to blocker, critical, normal, minor; annotations carry section and anchor; the listener adds one runbook link', () => {
  assert.deepEqual(ALLURE_SEVERITY, { 'SEV-0': 'blocker', 'SEV-1': 'critical', 'SEV-2': 'normal', 'SEV-3': 'minor' });
  const a = allureAnnotations('db.connect', catalog['db.connect'], sections['database-connection']);
  assert.deepEqual(a.map((x) => `${x.type}=${x.description}`), [
    'allure.label.severity=critical',
    'allure.label.sev=SEV-1',
    'allure.label.feature=Incident: Database Connection Issues',
    'allure.label.story=db.connect',
    'allure.label.runbook_anchor=incident-database-connection-issues',
  ]);
  const result = { labels: a.map((x) => ({ name: x.type.replace('allure.label.', ''), value: x.description })), links: [] as { type?: string; name?: string; url: string }[] };
  runbookLinkListener.beforeTestResultWrite(result);
  runbookLinkListener.beforeTestResultWrite(result);
  assert.deepEqual(result.links, [{ type: 'runbook', name: 'Runbook: Incident: Database Connection Issues', url: 'RUNBOOK.md#incident-database-connection-issues' }]);
});

const hostile = '<script>alert(1)</script> & "quotes"';
const report: RunbookReport = toReport(
  [
    fail('health.root', `[STATUS] (503) == 200 on GET /health ${hostile}`, { kind: 'unavailable', status: 503 }),
    fail('health.status', '[STATUS] (503) == 200 on GET /api/v1/status', { kind: 'unavailable', status: 503 }),
    rec('health.api-health'),
    fail('db.round-trip', '[DB ROUND TRIP] (400 ms) <= 250 ms on SELECT 1', { kind: 'threshold', tier: 'warning', value: 400, limit: 250 }),
  ],
  run('20260101T000000Z-b'),
);

test('html: findings grouped by runbook section, most severe first; hostile text is escaped', () => {
  const groups = groupBySection(report.findings);
  assert.deepEqual(groups.map((g) => [g.anchor, g.worst, g.findings.length]), [
    ['incident-service-unavailable-503502-errors', 'SEV-1', 2],
    ['incident-database-connection-issues', 'SEV-2', 1],
  ]);
  const html = renderHtml(report, []);
  assert.ok(!html.includes('<script>'), 'no markup from findings');
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;'));
  assert.match(html, /<h1 id="verdict" data-verdict="findings" data-severity="SEV-1">SEV-1 High: 3 finding\(s\) in staging, response within 15 minutes<\/h1>/);
  assert.ok(html.indexOf('data-anchor="incident-service-unavailable-503502-errors"') < html.indexOf('data-anchor="incident-database-connection-issues"'));
});

test('html: a healthy run says so; the trend lists earlier runs then this one', () => {
  const healthy = toReport([rec('health.root')], run('20260101T000000Z-a'));
  const html = renderHtml(report, [healthy]);
  assert.match(renderHtml(healthy), /HEALTHY: every check passed in staging/);
  assert.match(html, /Trend of the last 2 run\(s\)/);
  assert.equal((html.match(/<rect class="run/g) ?? []).length, 2);
});

test('junit: failed cases get section, severity and steps (escaped); passing cases are unchanged', () => {
  const xml = `<testsuites>
<testcase name="t health.root" classname="x"><properties><property name="runbook" value="health.root"></property></properties><error message="old" type="ConditionError"><![CDATA[stack here]]></error></testcase>
<testcase name="t health.api-health" classname="x"><properties><property name="runbook" value="health.api-health"></property></properties></testcase>
<testcase name="t db.round-trip" classname="x"><properties><property name="runbook" value="db.round-trip"></property></properties><failure message="old" type="Error"/></testcase>
</testsuites>`;
  const out = enrichJunit(xml, report);
  assert.match(out, /<error message="\[SEV-1\] Incident: Service Unavailable \(503\/502 Errors\) \(RUNBOOK\.md#incident-service-unavailable-503502-errors\): \[STATUS\] \(503\) == 200 on GET \/health &lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;quotes&quot;" type="ConditionError"><!\[CDATA\[Runbook section: Incident: Service Unavailable/);
  assert.match(out, /<failure message="\[SEV-2\] Incident: Database Connection Issues[^"]*" type="Error"><!\[CDATA\[Runbook section: Incident: Database Connection Issues \(RUNBOOK\.md#incident-database-connection-issues\)\nSeverity: SEV-2/);
  assert.match(out, /Severity: SEV-2 [^\n]*\n[\s\S]*?\n\]\]><\/failure><\/testcase>/, 'a self-closing <failure/> is opened and closed around the text');
  assert.match(out, /\n\nstack here\]\]><\/error>/, 'the original text follows');
  assert.ok(out.includes('<testcase name="t health.api-health" classname="x"><properties><property name="runbook" value="health.api-health"></property></properties></testcase>'));
});

test('history: earlier runs of the env only, oldest first, bounded, broken files skipped', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'credlink-history-'));
  try {
    for (let i = 0; i < 6; i++) {
      const id = `20260101T00000${i}Z-x`;
      fs.mkdirSync(path.join(dir, id));
      fs.writeFileSync(path.join(dir, id, 'runbook.json'), i === 2 ? '{broken' : JSON.stringify(toReport([rec('health.root')], run(id))));
    }
    assert.deepEqual(loadHistory(dir, '20260101T000005Z-x', 3).map((r) => r.runId), ['20260101T000001Z-x', '20260101T000003Z-x', '20260101T000004Z-x']);
    assert.deepEqual(loadHistory(dir, '20260101T000001Z-x').map((r) => r.runId), ['20260101T000000Z-x']);
    assert.deepEqual(loadHistory(path.join(dir, 'missing')), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('scrubRunDir: secrets leave junit.xml and every text file under allure-results; binaries untouched', async () => {
  const { scrubRunDir } = await import('../../src/secrets/run-dir.ts');
  const { Scrubber } = await import('../../src/secrets/scrub.ts');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'credlink-scrub-'));
  try {
    const secret = 'ck_live_0123456789abcdef';
    fs.mkdirSync(path.join(dir, 'allure-results'));
    fs.writeFileSync(path.join(dir, 'junit.xml'), `<error message="x">Call log: x-api-key: ${secret}</error>`);
    fs.writeFileSync(path.join(dir, 'allure-results', 'a-result.json'), JSON.stringify({ statusDetails: { trace: `key ${secret}` } }));
    fs.writeFileSync(path.join(dir, 'allure-results', 'b-attachment.txt'), `X-API-Key: ${secret}`);
    fs.writeFileSync(path.join(dir, 'allure-results', 'c-attachment.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    assert.deepEqual(scrubRunDir(dir, new Scrubber([secret])).removed, []);
    for (const f of ['junit.xml', 'allure-results/a-result.json', 'allure-results/b-attachment.txt']) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      assert.ok(!text.includes(secret), f);
      assert.match(text, /\[REDACTED\]/);
    }
    assert.deepEqual([...fs.readFileSync(path.join(dir, 'allure-results', 'c-attachment.png'))], [0x89, 0x50, 0x4e, 0x47]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
