/**
 * Reports of real runs against the reference target: a healthy run, then a run with two faults
 * (every health endpoint down = SEV-0, slow database = SEV-2). Asserts the HTML triage report
 * rendered in real headless Chromium, the Allure results (severity labels, runbook links,
 * environment, evidence attachments), junit.xml parsed by the browser's XML parser, and the
 * `report` command building the Allure report with history across both runs.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from '@playwright/test';
import { sections } from '../../runbooks/sections.ts';
import type { RunOutcome } from '../../src/run/execute.ts';
import { hasChromium, launchChromium } from '../helpers/browser.ts';
import { cli, startHarness, type Harness } from '../helpers/harness.ts';

const GREP = '@health\\.|@db\\.';
let h: Harness;
let healthy: RunOutcome;
let faulty: RunOutcome;
let browser: Browser;

before(async () => {
  assert.ok(hasChromium(), '/usr/bin/chromium is required (Debian package "chromium"; .ci/run installs it)');
  h = await startHarness();
  healthy = await h.run({}, GREP);
  faulty = await h.run({ 'service-unavailable': true, 'database-slow': 400 }, GREP);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await h?.stop();
});

interface AllureResult {
  name: string;
  status: string;
  labels: { name: string; value: string }[];
  links: { type?: string; url: string; name?: string }[];
  steps: { name: string; attachments: { name: string; source: string }[] }[];
}

function allureResults(runDir: string): AllureResult[] {
  const dir = path.join(runDir, 'allure-results');
  return fs.readdirSync(dir).filter((f) => f.endsWith('-result.json')).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as AllureResult);
}
const label = (r: AllureResult, name: string) => r.labels.find((l) => l.name === name)?.value;

test('every run leaves index.html, runbook.json, junit.xml and Allure results inside its run folder', () => {
  for (const o of [healthy, faulty]) {
    for (const f of ['index.html', 'runbook.json', 'runbook.md', 'junit.xml', 'allure-results/environment.properties']) {
      assert.ok(fs.existsSync(path.join(o.runDir, f)), `${f} in ${o.runDir}`);
    }
  }
  assert.equal(healthy.report.verdict.status, 'healthy', JSON.stringify(healthy.report.findings.map((f) => f.message)));
  assert.equal(faulty.report.verdict.severity, 'SEV-0');
});

test('the HTML report is self-contained: no script, no external stylesheet, image or link target', () => {
  const html = fs.readFileSync(path.join(faulty.runDir, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /<script|<link |<img |<iframe|@import|url\(/i);
  assert.doesNotMatch(html, /(src|href)="https?:/i);
  assert.match(html, /default-src 'none'/);
  for (const key of h.target.apiKeys) assert.ok(!html.includes(key), 'no API key in the report');
});

test('browser: the rendered report shows the verdict, each finding under its runbook section, latency and trend', async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${path.join(faulty.runDir, 'index.html')}`);
  const verdict = page.locator('#verdict');
  assert.match(await verdict.innerText(), /^SEV-0 Critical: \d+ finding\(s\) in test, response immediate$/);
  assert.equal(await verdict.getAttribute('data-severity'), 'SEV-0');
  for (const f of faulty.report.findings) {
    const group = page.locator(`section.section-group[data-anchor="${f.section.anchor}"]`);
    assert.equal(await group.count(), 1, `one group for ${f.section.anchor}`);
    assert.ok(await group.locator('.section-title').isVisible());
    assert.match(await group.locator('.section-title').innerText(), new RegExp(f.section.title.replace(/[()/.]/g, '\\$&')));
    assert.equal(await group.locator(`.finding[data-check="${f.checkId}"]`).count(), 1, `${f.checkId} under ${f.section.title}`);
    assert.ok((await group.locator('ol.actions li').count()) > 0, 'immediate actions listed');
  }
  const unavailable = page.locator(`section.section-group[data-anchor="${sections['service-unavailable'].anchor}"]`);
  assert.match(await unavailable.innerText(), /changes the system: a person decides/);
  assert.match(await unavailable.locator('.finding[data-check="health.root"]').innerText(), /response of GET \/health/);
  // Sections in severity order: the SEV-0 section comes first.
  assert.equal(await page.locator('section.section-group').first().getAttribute('data-anchor'), sections['service-unavailable'].anchor);
  assert.ok((await page.locator('svg.latency rect.bar').count()) >= 1, 'latency chart has bars');
  assert.match(await page.locator('#latency-table').innerText(), /GET \/health/);
  const trendRows = await page.locator('#trend-table tbody tr').allInnerTexts();
  assert.equal(trendRows.length, 2, 'this run and the healthy one before it');
  assert.match(trendRows[0]!, /this run/);
  assert.match(trendRows[1]!, /healthy/);
  assert.equal(await page.locator('svg.trend rect.run').count(), 2);
  assert.ok(requests.every((u) => u.startsWith('file://')), `only the file itself is loaded: ${requests.join(', ')}`);
  await page.screenshot({ path: path.join(faulty.runDir, 'index.png'), fullPage: true });
  assert.ok(fs.statSync(path.join(faulty.runDir, 'index.png')).size > 10_000);

  await page.goto(`file://${path.join(healthy.runDir, 'index.html')}`);
  assert.match(await page.locator('#verdict').innerText(), /^HEALTHY: every check passed in test$/);
  assert.equal(await page.locator('section.section-group').count(), 0);
  await page.screenshot({ path: path.join(healthy.runDir, 'index.png'), fullPage: true });
  await page.close();
});

test('Allure results: severity labels (computed for findings, catalog default otherwise, skipped included), runbook links, evidence, environment', () => {
  const results = allureResults(faulty.runDir);
  assert.equal(results.length, faulty.report.counts.total);
  const byCheck = new Map(results.map((r) => [label(r, 'story'), r]));
  const root = byCheck.get('health.root')!;
  assert.equal(label(root, 'severity'), 'blocker', 'SEV-0 computed: every health endpoint down');
  assert.equal(label(root, 'sev'), 'SEV-0');
  assert.equal(label(root, 'feature'), sections['service-unavailable'].title);
  assert.deepEqual(root.links.find((l) => l.type === 'runbook')?.url, `RUNBOOK.md#${sections['service-unavailable'].anchor}`);
  assert.ok(root.steps.some((s) => s.name.startsWith('evidence: response of GET /health') && s.attachments.length === 1), 'evidence is an attachment');
  assert.equal(label(byCheck.get('db.round-trip')!, 'severity'), 'normal');
  const skipped = results.filter((r) => r.status === 'skipped');
  assert.ok(skipped.length >= 1, 'some checks skip while /health is down');
  for (const r of skipped) assert.ok(label(r, 'severity') && label(r, 'sev'), `${r.name} is labelled although it was skipped`);
  assert.equal(label(byCheck.get('health.document')!, 'severity'), 'minor');
  for (const r of allureResults(healthy.runDir)) assert.ok(['blocker', 'critical', 'normal', 'minor'].includes(label(r, 'severity')!));
  const env = fs.readFileSync(path.join(faulty.runDir, 'allure-results', 'environment.properties'), 'utf8');
  assert.match(env, /^environment=test$/m);
  assert.match(env, new RegExp(`^run_id=${faulty.report.runId}$`, 'm'));
});

test('junit.xml (parsed by the browser XML parser): one test case per check, failures carry runbook section and severity', async () => {
  const page = await browser.newPage();
  const xml = fs.readFileSync(path.join(faulty.runDir, 'junit.xml'), 'utf8');
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'application/xml');
    if (doc.getElementsByTagName('parsererror').length) return { error: doc.getElementsByTagName('parsererror')[0]!.textContent };
    return {
      cases: Array.from(doc.getElementsByTagName('testcase')).map((c) => {
        const fail = c.getElementsByTagName('failure')[0] ?? c.getElementsByTagName('error')[0];
        const id = Array.from(c.getElementsByTagName('property')).find((p) => p.getAttribute('name') === 'runbook')?.getAttribute('value');
        return { id, message: fail?.getAttribute('message') ?? null, text: fail?.textContent?.trimStart() ?? null };
      }),
    };
  }, xml);
  await page.close();
  assert.ok(!('error' in parsed), `junit.xml is well-formed: ${'error' in parsed ? parsed.error : ''}`);
  const cases = parsed.cases!;
  assert.equal(cases.length, faulty.report.counts.total);
  assert.equal(new Set(cases.map((c) => c.id)).size, cases.length, 'one test case per check');
  for (const f of faulty.report.findings) {
    const c = cases.find((x) => x.id === f.checkId)!;
    assert.equal(c.message, `[${f.severity}] ${f.section.title} (RUNBOOK.md#${f.section.anchor}): ${f.message.split('\n')[0]}`);
    assert.match(c.text!, new RegExp(`^Runbook section: ${f.section.title.replace(/[()/.]/g, '\\$&')} \\(RUNBOOK\\.md#${f.section.anchor}\\)\nSeverity: ${f.severity} `));
    assert.match(c.text!, /Immediate actions:\n {2}1\. /);
  }
  assert.equal(cases.filter((c) => c.message !== null).length, faulty.report.findings.length);
});

test('report --env: rebuilds index.html and the Allure report, with history across runs', async () => {
  const first = await cli(['report', '--env', 'test', '--reports-dir', h.reportsDir, '--run', healthy.report.runId, '--json']);
  assert.equal(first.code, 0, first.stderr);
  const latest = await cli(['report', '--env', 'test', '--reports-dir', h.reportsDir, '--json']);
  assert.equal(latest.code, 0, latest.stderr);
  const out = JSON.parse(latest.stdout);
  assert.equal(out.runId, faulty.report.runId, 'default: the latest run');
  assert.ok(fs.existsSync(path.join(out.allureReport, 'index.html')));
  const history = fs.readFileSync(out.allureHistory, 'utf8').trim().split('\n');
  assert.equal(history.length, 2, 'one history entry per generated run');
  const summary = JSON.parse(fs.readFileSync(path.join(out.allureReport, 'summary.json'), 'utf8'));
  assert.ok(summary, 'Allure summary written');
  const missing = await cli(['report', '--env', 'nowhere', '--reports-dir', h.reportsDir]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^credlink-checks report: no runs in .*nowhere: run "credlink-checks run --env nowhere" first\n$/);
});
