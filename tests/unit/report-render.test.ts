/**
 * The pure report renderers, table-driven: Allure severity mapping and incident labels, HTML by
 * incidents and escaping (a hostile string from the target must not become markup), JUnit
 * enrichment (findings as <failure> with recounted totals, incidents as properties, escaping),
 * history loading bounds.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { catalog } from '../../runbooks/catalog.ts';
import { sections } from '../../runbooks/sections.ts';
import { ALLURE_SEVERITY, allureAnnotations } from '../../src/report/allure-labels.ts';
import { applyIncidentLabels } from '../../src/report/allure-results.ts';
import { loadHistory } from '../../src/report/history.ts';
import { renderHtml } from '../../src/report/html.ts';
import { enrichJunit } from '../../src/report/junit.ts';
import { toReport, type TestRecord } from '../../src/reporter/to-report.ts';
import type { RunbookReport } from '../../src/reporter/schema.ts';
import { testRecord } from '../helpers/records.ts';
import { outageReport } from '../helpers/reports.ts';

const run = (runId: string, startedAt = '2026-01-01T00:00:00.000Z') => ({ env: 'staging', runId, baseUrl: 'https://x', startedAt, durationMs: 5 });
const rec = testRecord;
const fail = (id: string, message: string, impact?: object): TestRecord =>
  rec(id, { status: 'failed', outcome: 'unexpected', errors: [message], annotations: [{ type: 'runbook', description: id }, ...(impact ? [{ type: 'impact', description: JSON.stringify(impact) }] : [])] });

test('allure: SEV-0..3 map to blocker, critical, normal, minor; annotations carry section and anchor', () => {
  assert.deepEqual(ALLURE_SEVERITY, { 'SEV-0': 'blocker', 'SEV-1': 'critical', 'SEV-2': 'normal', 'SEV-3': 'minor' });
  const a = allureAnnotations('db.connect', catalog['db.connect'], sections['database-connection']);
  assert.deepEqual(a.map((x) => `${x.type}=${x.description}`), [
    'allure.label.severity=critical',
    'allure.label.sev=SEV-1',
    'allure.label.feature=Incident: Database Connection Issues',
    'allure.label.story=db.connect',
    'allure.label.runbook_anchor=incident-database-connection-issues',
  ]);
});

test('allure results: computed severity and incident labels for findings, runbook links only when configured, idempotent', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'credlink-allure-'));
  try {
    const r = outageReport();
    const write = (id: keyof typeof catalog) => {
      const labels = allureAnnotations(id, catalog[id], sections[catalog[id].section]).map((x) => ({ name: x.type.replace('allure.label.', ''), value: x.description }));
      fs.writeFileSync(path.join(dir, `${id}-result.json`), JSON.stringify({ labels, links: [{ type: 'runbook', url: 'RUNBOOK.md#stale' }] }));
    };
    for (const id of ['health.root', 'health.status', 'db.connect'] as const) write(id);
    const read = (id: string) => JSON.parse(fs.readFileSync(path.join(dir, `${id}-result.json`), 'utf8')) as { labels: { name: string; value: string }[]; links: { type: string; url: string }[] };
    const label = (id: string, name: string) => read(id).labels.filter((l) => l.name === name).map((l) => l.value);
    applyIncidentLabels(dir, r);
    assert.deepEqual(label('health.root', 'severity'), ['blocker'], 'SEV-0 computed replaces the catalog SEV-1');
    assert.deepEqual(label('health.status', 'incident'), ['production/check:health.root']);
    assert.deepEqual(label('health.status', 'incident_role'), ['consequence']);
    assert.deepEqual(label('health.status', 'epic'), [`SEV-0 ${r.incidents[0]!.title}`], 'Behaviors group consequences under their incident');
    assert.deepEqual(label('db.connect', 'severity'), ['critical'], 'passing checks keep the catalog severity');
    assert.deepEqual(read('health.root').links, [], 'no runbook location configured: no link, never a dead RUNBOOK.md#...');
    const links = { url: 'https://git.example/ops/RUNBOOK.md', living: '../runbook.html' };
    assert.equal(applyIncidentLabels(dir, r, links), 3);
    assert.deepEqual(read('health.root').links, [{ type: 'runbook', name: 'Runbook: Incident: Service Unavailable (503/502 Errors)', url: 'https://git.example/ops/RUNBOOK.md#incident-service-unavailable-503502-errors' }]);
    assert.equal(applyIncidentLabels(dir, r, links), 0, 'a second pass changes nothing');
    assert.deepEqual(applyIncidentLabels(dir, r, { living: '../runbook.html' }) && read('db.connect').links.map((l) => l.url), ['../runbook.html#incident-database-connection-issues']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
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

test('html: hostile text is escaped; the verdict speaks in incidents', () => {
  const html = renderHtml(report, []);
  assert.ok(!html.includes('<script>'), 'no markup from findings');
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;'));
  assert.match(html, /<h1 id="verdict" data-verdict="findings" data-severity="SEV-1">SEV-1 High: 3 incident\(s\) in staging \(3 failing check\(s\)\), response within 15 minutes<\/h1>/);
  assert.ok(html.indexOf('data-anchor="incident-service-unavailable-503502-errors"') < html.indexOf('data-anchor="incident-database-connection-issues"'), 'most severe incident first');
});

test('html: a healthy run says so; the trend lists earlier observed runs then this one', () => {
  const healthy = toReport([rec('health.root')], run('20260101T000000Z-a'));
  const html = renderHtml(report, [healthy]);
  assert.match(renderHtml(healthy), /HEALTHY: every check that ran passed in staging/);
  assert.match(html, /Trend of the last 2 observed run\(s\)/);
  assert.equal((html.match(/<rect class="run/g) ?? []).length, 2);
});

test('junit: findings become <failure type="SEV-n"> with section, severity and steps (escaped); counts recounted; passing cases unchanged', () => {
  const xml = `<testsuites id="" name="" tests="3" failures="0" skipped="0" errors="2" time="1">
<testsuite name="health.spec.ts" timestamp="t" hostname="" tests="3" failures="0" skipped="0" time="1" errors="2">
<testcase name="t health.root" classname="x"><properties><property name="runbook" value="health.root"></property></properties><error message="old" type="ConditionError"><![CDATA[stack here]]></error></testcase>
<testcase name="t health.api-health" classname="x"><properties><property name="runbook" value="health.api-health"></property></properties></testcase>
<testcase name="t db.round-trip" classname="x"><properties><property name="runbook" value="db.round-trip"></property></properties><failure message="old" type="Error"/></testcase>
<testcase name="t broken" classname="x"><error message="TypeError: x is undefined" type="TypeError"><![CDATA[crash]]></error></testcase>
</testsuite>
</testsuites>`;
  const out = enrichJunit(xml, report);
  assert.match(out, /<failure message="\[SEV-1\] Incident: Service Unavailable \(503\/502 Errors\): \[STATUS\] \(503\) == 200 on GET \/health &lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;quotes&quot;" type="SEV-1"><!\[CDATA\[Runbook section: Incident: Service Unavailable/);
  assert.match(out, /<failure message="\[SEV-2\] Incident: Database Connection Issues: [^"]*" type="SEV-2"><!\[CDATA\[Runbook section: Incident: Database Connection Issues\nSeverity: SEV-2/);
  assert.match(out, /\n\nstack here\]\]><\/failure>/, "Playwright's original text follows ours");
  assert.match(out, /<property name="incident" value="staging\/check:health\.root">/);
  assert.match(out, /<property name="incident\.role" value="root">/);
  assert.ok(out.includes('<testcase name="t health.api-health" classname="x"><properties><property name="runbook" value="health.api-health"></property></properties></testcase>'));
  assert.match(out, /<testsuite name="health\.spec\.ts"[^>]* failures="2"[^>]* errors="1">/, 'two findings are failures; the crash stays an error');
  assert.match(out, /<testsuites [^>]*failures="2"[^>]*errors="1"/);
  assert.doesNotMatch(out, /RUNBOOK\.md#/, 'no runbook location configured: sections named, never a dead link');
  assert.match(enrichJunit(xml, report, { url: 'https://git.example/RUNBOOK.md' }), /\(https:\/\/git\.example\/RUNBOOK\.md#incident-database-connection-issues\)/);
});

test('junit: a consequence names the incident that explains it', () => {
  const r = outageReport();
  const xml = `<testsuites><testsuite name="s" failures="0" errors="1"><testcase name="t" classname="x"><properties><property name="runbook" value="security.valid-key-accepted"></property></properties><error message="old" type="ConditionError"><![CDATA[x]]></error></testcase></testsuite></testsuites>`;
  const out = enrichJunit(xml, r);
  assert.match(out, /<failure message="\[SEV-0 consequence\] explained by [^"]+ \(production\/check:health\.root\): \[STATUS\] \(503\)[^"]*" type="SEV-1">/);
  assert.match(out, /Consequence of incident production\/check:health\.root \(SEV-0\)/);
  assert.match(out, /<property name="incident\.role" value="consequence">/);
  assert.match(out, /failures="1" errors="0"/);
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
